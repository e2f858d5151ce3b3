"""PostgreSQL for tests: find a server, give the run a database of its own, open stores.

The server is the one at ``WI3_TEST_DATABASE_URL`` if set, else the one on 127.0.0.1:5432
(database ``test``, trust auth) if it answers. Without one the PostgreSQL tests skip with
one line saying why, except in CI (``CI=true``, ``1``, ``yes`` or ``on``), where that is a
failure: CI must run them.

Each test process creates its own database (``wi3_test_<run>_<pid>_<random>``: ``<run>`` is
shared by the processes of one pytest run, xdist's workers included), migrates it once,
empties it before every test that asks for it, and drops it at the end. A run drops only
its own databases: a killed run's stay behind (another run cannot tell it from one on
another machine sharing the server); drop those by hand. The fixtures
(``pg_server``, ``pg_url``, ``new_pg_database``, ``store_backend``, ``any_store``) live in
``tests/conftest.py``. ``WI3_TEST_STORE=postgresql`` puts the bot's own ``store`` fixture,
and so every end-to-end test built on it, on PostgreSQL too.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from storage import DEFAULT_RETENTION_DAYS, Clock, Store, open_store
from storage.sql import make_engine
from storage.sql.migrate import upgrade
from storage.sql.schema import COORDINATION_TABLES, DATA_TABLES, SLACK_SDK_TABLES, store_meta
from tests.ci import in_ci

URL_VARIABLE = "WI3_TEST_DATABASE_URL"
STORE_VARIABLE = "WI3_TEST_STORE"
"""Set to "postgresql" to run the bot's `store` fixture (e2e, flows) on PostgreSQL."""
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
TEST_PSEUDONYM_KEY_HEX = "5eed" * 16
"""WI3_PSEUDONYM_KEY for tests (never a real one)."""
TEST_PSEUDONYM_KEY = bytes.fromhex(TEST_PSEUDONYM_KEY_HEX)
BACKENDS = ("tinydb", "postgresql")
RUN_ID = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or secrets.token_hex(6))[:12]
"""Names this pytest run's databases: xdist gives its workers one id per run."""
PREFIX = "wi3_test_"


def find_server() -> tuple[str | None, str]:
    """(URL of a server that answers, "") or (None, the one line saying why not)."""
    url = os.environ.get(URL_VARIABLE) or LOCAL_SERVER
    where = URL_VARIABLE if os.environ.get(URL_VARIABLE) else "127.0.0.1:5432"
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return url, ""
    except psycopg.Error as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, (f"PostgreSQL tests skipped: no server answers at {where} ({reason}); "
                      f"start one or set {URL_VARIABLE}")


def require_server() -> str:
    """The server's URL, or skip (fail under CI=true) with one line."""
    url, why = find_server()
    if url is None:
        if in_ci():
            pytest.fail(f"{why} (CI=true: PostgreSQL tests must run)", pytrace=False)
        pytest.skip(why)
    return url


def _libpq(url: str) -> str:
    """A URL psycopg accepts (SQLAlchemy's driver suffix removed)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def drop_abandoned(server_url: str) -> None:
    """Drop the databases of this run's processes that are gone (an xdist worker that
    crashed and was replaced); every other run's databases are left alone."""
    ours = f"{PREFIX}{RUN_ID}_"
    with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
        for name in TestDatabase.names(server_url):
            pid = name.removeprefix(ours).split("_")[0] if name.startswith(ours) else ""
            if pid.isdigit() and not _running(int(pid)):
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                              .format(sql.Identifier(name)))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TestDatabase:
    """A database of this test run, migrated (or left empty: ``migrated=False``) and
    emptied on request."""

    __test__ = False

    def __init__(self, server_url: str, *, migrated: bool = True, run_id: str = RUN_ID) -> None:
        self.name = f"{PREFIX}{run_id}_{os.getpid()}_{secrets.token_hex(3)}"
        self._server = _libpq(server_url)
        with psycopg.connect(self._server, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.url = make_url(self._server).set(database=self.name).render_as_string(
            hide_password=False)
        if migrated:
            engine = make_engine(self.url)
            try:
                upgrade(engine)
            finally:
                engine.dispose()
        tables = [*(table.name for table in (*DATA_TABLES, *COORDINATION_TABLES, store_meta)),
                  *SLACK_SDK_TABLES]
        self._truncate = sql.SQL("TRUNCATE {}").format(
            sql.SQL(", ").join(sql.Identifier(name) for name in tables))

    @staticmethod
    def names(server_url: str) -> list[str]:
        """Every test database on the server, of every run."""
        with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
            return [str(row[0]) for row in admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'wi3\\_test\\_%'")]

    def rename_as_of_pid(self, pid: int) -> None:
        """Rename it as if process `pid` had made it (for the fixtures' own tests)."""
        run_id, _, rest = self.name.removeprefix(PREFIX).partition("_")
        renamed = f"{PREFIX}{run_id}_{pid}_{rest.partition('_')[2]}"
        with psycopg.connect(self._server, autocommit=True) as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(self.name), sql.Identifier(renamed)))
        self.name = renamed

    def truncate(self) -> None:
        """Empty every table (the schema stays), as if the database were new."""
        with psycopg.connect(_libpq(self.url), autocommit=True) as connection:
            connection.execute(self._truncate)

    def drop(self) -> None:
        with psycopg.connect(self._server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                          .format(sql.Identifier(self.name)))

    def sql(self, query: str) -> list[tuple[object, ...]]:
        """Run one statement on the test database (for looking behind the store's back)."""
        with psycopg.connect(_libpq(self.url), autocommit=True) as connection:
            cursor = connection.execute(query.encode())
            return cursor.fetchall() if cursor.description else []


@contextmanager
def own_database(server_url: str, *, migrated: bool = True) -> Iterator[TestDatabase]:
    """A database of this run's own, dropped when the block ends."""
    database = TestDatabase(server_url, migrated=migrated)
    try:
        yield database
    finally:
        database.drop()


class Opener(Protocol):
    def __call__(self, *, retention_days: int = DEFAULT_RETENTION_DAYS) -> Store: ...


@dataclass
class StoreBackend:
    """One backend as the contract tests see it: open a store on the same place again and
    again (closing one and opening the next is a restart), and read everything it holds
    behind its back (every file, every table) as text."""

    name: str
    open: Opener
    raw: Callable[[], str]


def tinydb_backend(data_dir: Path, clock: Clock) -> StoreBackend:
    def opener(*, retention_days: int = DEFAULT_RETENTION_DAYS) -> Store:
        return open_store(data_dir, clock=clock, retention_days=retention_days)

    def raw() -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(data_dir.rglob("*"))
                         if path.is_file())

    return StoreBackend("tinydb", opener, raw)


def postgresql_backend(url: str, clock: Clock) -> StoreBackend:
    def opener(*, retention_days: int = DEFAULT_RETENTION_DAYS) -> Store:
        return open_store(database_url=url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock,
                          retention_days=retention_days)

    def raw() -> str:
        with psycopg.connect(_libpq(url), autocommit=True) as connection:
            tables = [row[0] for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            return "\n".join(str(row[0]) for table in tables for row in connection.execute(
                sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))))

    return StoreBackend("postgresql", opener, raw)
