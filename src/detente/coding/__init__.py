"""Coding: the engine that turns an article into events.

``coder`` (the :class:`Coder` and its factory ``load_coder``) runs the stages in order:
``nlp`` (spaCy, two passes, ``attributes`` for the fast attribute ruler), ``actors`` (mentions
and coreference), ``events`` (patterns over the parse) with ``modality``, then ``places`` and
``dates`` for where and when.
"""
