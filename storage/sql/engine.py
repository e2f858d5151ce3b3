"""Connecting to PostgreSQL: one engine per store, sessions in UTC, errors as one line."""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

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
    engine = create_engine(
        database_url(url),
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "wi3",
            "options": "-c timezone=UTC",
        },
    )
    event.listen(engine, "checkout", _replace_if_dropped)
    return engine


def _replace_if_dropped(dbapi_connection: Any, _record: ConnectionPoolEntry,
                        _proxy: PoolProxiedConnection) -> None:
    """Before a pooled connection is used: an idle connection has nothing to read unless
    the server ended it (a restart, a terminated backend: its goodbye, then the end of
    the stream). Only then is it asked with a round trip, and a dead one is replaced
    (the pool's `DisconnectionError` protocol), so nobody notices. Asking every time
    (`pool_pre_ping`) cost a round trip per store call, three per click."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError) as err:  # closed on our side already
        raise DisconnectionError("the connection is closed") from err
    if not readable:
        return
    try:
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as err:  # psycopg's errors on a broken connection are many
        raise DisconnectionError("the connection was closed by the server") from err
