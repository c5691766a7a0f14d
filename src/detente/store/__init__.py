"""The store: the only package with SQL. DuckDB file, numbered migrations, rows, queries, export.

``open_store(path)`` opens (and migrates) a store; ``queries`` returns DataFrames; ``export``
writes GDELT, PLOVER, Parquet and CSV files.
"""

from detente.store.db import DEFAULT_DB, EventFilter, Store, open_store, text_hash

__all__ = ["DEFAULT_DB", "EventFilter", "Store", "open_store", "text_hash"]
