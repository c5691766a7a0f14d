"""detente: news text to political event data (CAMEO + PLOVER), offline.

    import detente
    events = detente.code(text, published="2023-11-16")   # list[detente.Event]

Heavy parts (spaCy) are imported on first use, so ``import detente`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.errors import DetenteError, InputError, KnowledgeError, ModelError
from detente.records import Actor, ActorMention, Article, Event, Sentence
from detente.settings import Settings
from detente.version import __version__

__all__ = [
    "Actor",
    "ActorMention",
    "Article",
    "Coder",
    "DetenteError",
    "Event",
    "InputError",
    "KnowledgeError",
    "ModelError",
    "Sentence",
    "Settings",
    "__version__",
    "code",
    "load_coder",
]

if TYPE_CHECKING:  # pragma: no cover
    from detente.coding.coder import Coder, code, load_coder

_LAZY = {"code", "load_coder", "Coder"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from detente.coding import coder as pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'detente' has no attribute {name!r}")
