"""The embedded backend: crash-safe, partitioned TinyDB files in one data directory.

Nothing to install; one process owns the directory. See ``storage.tinydb.layout`` for the
files and ``storage.tinydb.jsonfile`` for how a write stays atomic and durable.
"""

from storage.tinydb.check import CheckReport, check
from storage.tinydb.store import TinyDBStore

__all__ = ["CheckReport", "TinyDBStore", "check"]
