"""Runners: read inputs, skip what is stored, code the rest in batches, store each batch.

``batch.ingest`` runs on this machine (in-process or spawned worker processes).
"""

from detente.run.batch import ingest

__all__ = ["ingest"]
