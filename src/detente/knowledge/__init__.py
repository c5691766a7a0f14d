"""Knowledge: the data files under ``detente/data`` and their validated, typed loaders.

Code tables (``codes``), actor dictionaries (``actors``), event patterns and their word-order
language (``patterns``, ``wordorder``), the claims lexicon (``lexicon``), PLOVER context words
(``contexts``), the place gazetteer (``gazetteer``) and the bundled samples (``samples``).
``files`` reads a file and checks its provenance header. Nothing here parses text.
"""
