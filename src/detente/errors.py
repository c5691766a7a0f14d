"""The exceptions detente raises. The library never prints and never exits."""


class DetenteError(Exception):
    """Base class for every error detente raises on purpose."""


class InputError(DetenteError):
    """An input item cannot be coded (empty, binary, undecodable, ...).

    ``item`` names the input (a path, "<stdin>", an article id) so batch callers can report it.
    """

    def __init__(self, item: str, reason: str) -> None:
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason


class KnowledgeError(DetenteError):
    """A knowledge file (code table, dictionary, pattern file) is missing or invalid."""


class ModelError(DetenteError):
    """The spaCy pipeline cannot be loaded or lacks a component detente needs."""
