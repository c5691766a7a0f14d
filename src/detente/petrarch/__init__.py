"""PETRARCH/TABARI dictionaries to detente knowledge files.

``read`` parses the dictionary syntax, ``actors`` and ``patterns`` convert entries, and
``importer`` runs the whole import and writes the files.
"""
