"""detente: news text to political event data (CAMEO + PLOVER), offline."""

__version__ = "0.1.0"
