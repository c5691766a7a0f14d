"""Ingest: inputs (files, folders, JSON Lines, HTML, RSS/Atom, WARC, URLs, stdin) to articles.

``sources`` yields an article or a per-item failure for each input; ``webtext`` parses web
formats; ``fetch`` downloads with limits. Storing and coding happen in :mod:`detente.run`.
"""
