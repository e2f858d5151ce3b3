"""Connecting to PostgreSQL: one engine per store, sessions in UTC, errors as one line."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.errors import StorageError

DRIVER = "postgresql+psycopg"
POOL_SIZE = 10
"""Connections kept open: the listener threads plus the background jobs."""
CONNECT_TIMEOUT_SECONDS = 5


def database_url(url: str) -> URL:
    """``postgresql://...`` (as operators write it) for SQLAlchemy's psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise StorageError("DATABASE_URL is not a database URL "
                           "(expected postgresql://user@host:port/database)") from err
    if parsed.drivername not in ("postgresql", "postgres", DRIVER):
        raise StorageError(f"DATABASE_URL must be a postgresql:// URL, not {parsed.drivername}://")
    return parsed.set(drivername=DRIVER)


def shown(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "(not a database URL)"
    return parsed.set(drivername="postgresql").render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine whose sessions speak UTC and notice a dropped connection before use."""
    return create_engine(
        database_url(url),
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "wi3",
            "options": "-c timezone=UTC",
        },
    )
