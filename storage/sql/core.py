"""The heart of the PostgreSQL store: an engine, the pseudonym key, transactions.

Every write is one transaction whose conditions the database checks (a row lock, a
``WHERE`` on the state it expects, a unique index), so any number of instances can share
the database without a lock in any of them. Reads run in autocommit (one statement each).
Database failures become one-line StorageErrors, and failed writes feed ``write_problem``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError

from storage.clock import Clock, utc_now
from storage.errors import (
    RoundClosedError,
    StorageError,
    StorageWriteError,
    StoreClosedError,
    StoreUnavailableError,
    UnknownRoundError,
)
from storage.health import WriteHealth
from storage.pseudonyms import key_check, respondent_key
from storage.records import DEFAULT_RETENTION_DAYS, Round, require_aware
from storage.sql import migrate as migrations
from storage.sql.engine import make_engine
from storage.sql.schema import rounds, store_meta

KEY_CHECK = "pseudonym_key_check"
WHERE = "to the database"
"""How a failed write names the place it could not save to."""


def utc(value: datetime | None) -> datetime | None:
    """A time read from the database, in UTC like the TinyDB backend hands them out."""
    return value.astimezone(UTC) if value is not None else None


def moment(value: datetime | None) -> datetime:
    """A required time read from the database."""
    assert value is not None
    return value.astimezone(UTC)


def round_from_row(row: Row[Any]) -> Round:
    return Round(
        id=row.id, workspace_id=row.workspace_id, channel_id=row.channel_id, kind=row.kind,
        subject=row.subject, status=row.status, opened_at=moment(row.opened_at),
        closes_at=utc(row.closes_at), closed_at=utc(row.closed_at), invited=tuple(row.invited),
        item_ids=tuple(row.item_ids), pulse_number=row.pulse_number,
        results_posted_at=utc(row.results_posted_at),
        reminder_sent_at=utc(row.reminder_sent_at),
    )


class SQLCore:
    """State and plumbing shared by the store's parts; use ``SQLStore``."""

    def __init__(
        self,
        engine: Engine,
        *,
        pseudonym_key: bytes,
        clock: Clock | None = None,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        owns_engine: bool = False,
    ) -> None:
        self._engine = engine
        self._reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._key = pseudonym_key
        self._clock = clock or utc_now
        self.retention_days = retention_days
        self._owns_engine = owns_engine
        self._closed = False
        self._health = WriteHealth()
        self._workspace_of_round: dict[str, str] = {}
        self._cache_guard = threading.Lock()

    @classmethod
    def open(
        cls,
        url: str,
        *,
        pseudonym_key: bytes,
        clock: Clock | None = None,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        migrate: bool = False,
    ) -> Self:
        """Connect, bring the schema up to date (``migrate``) or refuse an old one, check
        the pseudonym key against the database's, purge expired answers.

        Raises StorageError (unreachable, schema not current, another key) in one line.
        """
        engine = make_engine(url)
        try:
            if migrate:
                migrations.upgrade(engine)
            else:
                migrations.require_current(engine)
            store = cls(engine, pseudonym_key=pseudonym_key, clock=clock,
                        retention_days=retention_days, owns_engine=True)
            store.adopt_key()
            store.purge_expired()
        except BaseException:
            engine.dispose()
            raise
        return store

    @classmethod
    def reader(cls, url: str) -> Self:
        """A store for reading whole tables (export, check, verifying a copy): it needs no
        key, changes nothing at opening, and refuses what needs the key."""
        engine = make_engine(url)
        try:
            migrations.require_current(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, pseudonym_key=b"", owns_engine=True)

    def close(self) -> None:
        """Release the connections; later calls raise StoreClosedError."""
        if self._closed:
            return
        self._closed = True
        if self._owns_engine:
            self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    def write_problem(self) -> str | None:
        """None while writes succeed; else why the most recent write failed."""
        return self._health.problem()

    def write_failures(self) -> int:
        return self._health.failures

    def purge_expired(self, now: datetime | None = None) -> int:
        """Apply the retention setting (provided by the privacy part of the store)."""
        raise NotImplementedError

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        self._require_usable()
        try:
            with self._engine.begin() as connection:
                yield connection
        except DBAPIError as err:
            error = StorageWriteError(WHERE, err)
            self._health.failed(str(error))
            raise error from err
        self._health.succeeded()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A connection for reads, each statement on its own."""
        self._require_usable()
        try:
            with self._reader.connect() as connection:
                yield connection
        except DBAPIError as err:
            raise StoreUnavailableError(err) from err

    def _require_usable(self) -> None:
        if self._closed:
            raise StoreClosedError("the store is closed")

    # -- shared helpers -----------------------------------------------------------------------

    def _now(self, at: datetime | None = None) -> datetime:
        value = at if at is not None else self._clock()
        require_aware(value, "time")
        return value

    def adopt_key(self) -> None:
        """Store the key's check value on first use; refuse a key that differs from it."""
        check = key_check(self._key)
        with self._write() as connection:
            connection.execute(insert(store_meta).values(name=KEY_CHECK, value=check)
                               .on_conflict_do_nothing())
            stored = connection.execute(select(store_meta.c.value)
                                        .where(store_meta.c.name == KEY_CHECK)).scalar_one()
        if stored != check:
            raise StorageError(
                "WI3_PSEUDONYM_KEY is not the key this database's answers were stored with; "
                "every instance must use the same key (a new key would orphan every answer)")

    def _respondent(self, workspace_id: str, user_id: str) -> str:
        if not self._key:
            raise StoreClosedError("this store was opened without the pseudonym key "
                                   "(to read whole tables only)")
        return respondent_key(self._key, workspace_id, user_id)

    def _workspace_of(self, connection: Connection, round_id: str) -> str:
        """A round's workspace (it never changes, so it is remembered); UnknownRoundError."""
        with self._cache_guard:
            known = self._workspace_of_round.get(round_id)
        if known is not None:
            return known
        found = connection.execute(select(rounds.c.workspace_id)
                                   .where(rounds.c.id == round_id)).scalar_one_or_none()
        if found is None:
            raise UnknownRoundError(round_id)
        with self._cache_guard:
            self._workspace_of_round[round_id] = found
        return str(found)

    def _respondent_in(self, connection: Connection, round_id: str, user_id: str) -> str:
        return self._respondent(self._workspace_of(connection, round_id), user_id)

    @staticmethod
    def _round_row(connection: Connection, round_id: str, *, lock: str | None = None) -> Row[Any]:
        """A round's row, optionally locked ("share": no close meanwhile; "update")."""
        query = select(rounds).where(rounds.c.id == round_id)
        if lock == "share":
            query = query.with_for_update(read=True)
        elif lock == "update":
            query = query.with_for_update()
        row = connection.execute(query).first()
        if row is None:
            raise UnknownRoundError(round_id)
        return row

    def _open_round_row(self, connection: Connection, round_id: str) -> Row[Any]:
        """The row of a round that is open, locked against closing until the transaction
        ends: a respondent's write either lands before the close or is refused."""
        row = self._round_row(connection, round_id, lock="share")
        if row.status != "open":
            raise RoundClosedError(round_from_row(row))
        return row
