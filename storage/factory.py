"""Choosing and opening a backend: the one place that knows both.

``DATABASE_URL`` unset: TinyDB files in the data directory (nothing to install, one
process). Set: PostgreSQL, which several instances can share; the pseudonym key then comes
from the caller (``WI3_PSEUDONYM_KEY``), never from the database.
"""

from __future__ import annotations

import os
from pathlib import Path

from storage.clock import Clock
from storage.errors import StorageError
from storage.protocols import Store
from storage.records import DEFAULT_RETENTION_DAYS

DEFAULT_DATA_DIR = Path("data")
DATABASE_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def is_database_url(target: str | os.PathLike[str]) -> bool:
    """Whether a place to store is a PostgreSQL URL (else it is a data directory)."""
    return isinstance(target, str) and target.startswith(DATABASE_SCHEMES)


def open_store(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    database_url: str | None = None,
    pseudonym_key: bytes | None = None,
    clock: Clock | None = None,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    migrate: bool = False,
) -> Store:
    """The store the configuration asks for, ready to use (close it, or use ``with``).

    With ``database_url``: PostgreSQL; ``pseudonym_key`` is required, and ``migrate``
    applies pending schema migrations first (under a database lock, so instances may start
    together); without it a schema that is not current is refused. Otherwise TinyDB in
    ``data_dir`` (default ``./data``), which takes the directory's lock.
    Raises StorageError with a one-line message.
    """
    if database_url:
        if pseudonym_key is None:
            raise StorageError("WI3_PSEUDONYM_KEY is required with DATABASE_URL")
        from storage.sql import SQLStore  # SQLAlchemy is imported only when it is used

        return SQLStore.open(database_url, pseudonym_key=pseudonym_key, clock=clock,
                             retention_days=retention_days, migrate=migrate)
    from storage.tinydb import TinyDBStore

    return TinyDBStore.open(data_dir if data_dir is not None else DEFAULT_DATA_DIR,
                            clock=clock, retention_days=retention_days)
