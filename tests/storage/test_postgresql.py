"""What only the PostgreSQL backend has: migrations, a key kept outside, several stores on
one database, and connections that can drop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, event

from storage import (
    Progress,
    RoundAlreadyOpenError,
    SchemaVersionError,
    StalePositionError,
    StorageError,
    StorageWriteError,
    Team,
    open_store,
)
from storage.records import INVITATION, Outgoing
from storage.sql import SQLStore, make_engine
from storage.sql.migrate import head_revision
from storage.sql.schema import SLACK_SDK_TABLES, metadata
from tests.pg import TEST_PSEUDONYM_KEY, TEST_PSEUDONYM_KEY_HEX, TestDatabase, _libpq

from .conftest import ITEMS, FakeClock, open_team_round

OTHER_KEY = bytes.fromhex("ab" * 32)


@pytest.fixture
def two_stores(pg_url: str, clock: FakeClock) -> Iterator[tuple[SQLStore, SQLStore]]:
    """Two stores on one database, as two instances of wi3 would have."""
    with SQLStore.open(pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as first, \
            SQLStore.open(pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as second:
        yield first, second


def _differences(url: str, expected: MetaData, tables: Collection[str] | None = None
                 ) -> list[Any]:
    """What the migrated database has that `expected` has not, or the other way round
    (only `tables`, when given)."""
    def wanted(name: str | None, kind: str, *_: Any) -> bool:
        return kind != "table" or tables is None or name in tables

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": wanted})
            return list(compare_metadata(context, expected))
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_schema_the_code_uses(pg_url: str) -> None:
    wi3_tables = {table.name for table in metadata.sorted_tables}
    assert _differences(pg_url, metadata, wi3_tables) == []
    assert set(_table_names(pg_url)) == wi3_tables | set(SLACK_SDK_TABLES) | {"alembic_version"}


def test_the_migrations_build_the_tables_slack_sdks_stores_use(pg_url: str) -> None:
    """The installation and OAuth state stores work on the migrated tables as they are."""
    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    assert sorted(theirs.tables) == sorted(SLACK_SDK_TABLES)
    assert _differences(pg_url, theirs, SLACK_SDK_TABLES) == []


def _table_names(url: str) -> list[str]:
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        return [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]


def test_instances_starting_together_migrate_an_empty_database_once(
    new_pg_database: TestDatabase,
) -> None:
    opened: list[SQLStore] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def instance() -> None:
        start.wait()
        try:
            opened.append(SQLStore.open(new_pg_database.url, pseudonym_key=TEST_PSEUDONYM_KEY,
                                        migrate=True))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=instance) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == [] and len(opened) == 4
        assert new_pg_database.sql("SELECT version_num FROM alembic_version") == [
            (head_revision(),)]
        opened[0].save_team(Team("T1", "C1"))
        assert opened[3].get_team("T1", "C1") is not None
    finally:
        for store in opened:
            store.close()


def test_a_database_without_the_schema_is_refused_with_the_command_that_fixes_it(
    new_pg_database: TestDatabase,
) -> None:
    with pytest.raises(StorageError) as refused:
        open_store(database_url=new_pg_database.url, pseudonym_key=TEST_PSEUDONYM_KEY)
    message = str(refused.value)
    assert "python -m storage migrate" in message and "\n" not in message
    assert new_pg_database.sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_schema_from_a_newer_wi3_is_refused_and_never_touched(
    pg_url: str, pg_database: TestDatabase
) -> None:
    pg_database.sql("UPDATE alembic_version SET version_num = '9999'")
    try:
        for migrate in (False, True):
            with pytest.raises(SchemaVersionError, match="upgrade wi3"):
                open_store(database_url=pg_url, pseudonym_key=TEST_PSEUDONYM_KEY,
                           migrate=migrate)
        assert pg_database.sql("SELECT version_num FROM alembic_version") == [("9999",)]
    finally:
        pg_database.sql(f"UPDATE alembic_version SET version_num = '{head_revision()}'")


def test_the_key_stays_outside_and_another_key_is_refused(pg_url: str, clock: FakeClock,
                                                          pg_database: TestDatabase) -> None:
    with open_store(database_url=pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as db:
        round_ = open_team_round(db)
        db.record_answers(round_.id, "U1", {"W1": 4})
    with pytest.raises(StorageError, match="not the key this database's answers") as refused:
        open_store(database_url=pg_url, pseudonym_key=OTHER_KEY, clock=clock)
    assert "\n" not in str(refused.value)
    everything = " ".join(str(row) for table in ("store_meta", "answers")
                          for row in pg_database.sql(f"SELECT * FROM {table}"))
    assert TEST_PSEUDONYM_KEY_HEX not in everything and "U1" not in everything


def _race(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run ``action(n)`` in ``count`` threads at once; their results or exceptions."""
    outcomes: list[Any] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        try:
            outcomes.append(action(n))
        except Exception as err:
            outcomes.append(err)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_instances_keep_every_rule_without_a_lock_in_either(
    two_stores: tuple[SQLStore, SQLStore],
) -> None:
    first, second = two_stores
    opened = _race(8, lambda n: two_stores[n % 2].open_round("T1", "C1", item_ids=ITEMS))
    rounds = [o for o in opened if not isinstance(o, Exception)]
    assert len(rounds) == 1
    assert all(isinstance(o, RoundAlreadyOpenError) for o in opened if o not in rounds)
    round_id = rounds[0].id

    clicks = _race(8, lambda n: two_stores[n % 2].answer_and_advance(
        Progress(round_id, "U1", position=1), "W1", n % 5 + 1, expected_position=0))
    assert sum(not isinstance(c, Exception) for c in clicks) == 1
    assert all(isinstance(c, StalePositionError) for c in clicks if isinstance(c, Exception))

    assert sorted(_race(6, lambda n: two_stores[n % 2].claim("Ev1", 600))) == [False] * 5 + [True]
    assert sorted(_race(6, lambda n: two_stores[n % 2].close_round(round_id))) == [False] * 5 + [
        True]
    assert sorted(_race(4, lambda n: two_stores[n % 2].mark_results_posted(round_id))) == [
        False, False, False, True]
    assert second.answers_of(round_id, "U1") == first.answers_of(round_id, "U1")


def _terminate(backend_pid: int, url: str) -> None:
    with psycopg.connect(_libpq(url), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend_pid,))


def test_a_connection_dropped_mid_transaction_loses_nothing_acknowledged(
    pg_url: str, clock: FakeClock
) -> None:
    with SQLStore.open(pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as store:
        round_ = open_team_round(store)
        acknowledged = store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                                                expected_position=0)
        armed = [True]

        @event.listens_for(store.engine, "before_cursor_execute")
        def drop_connection(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            """The answer's INSERT comes after the position moved, in the same transaction:
            the connection dies right there."""
            if armed[0] and statement.startswith("INSERT INTO answers"):
                armed[0] = False
                _terminate(connection.connection.dbapi_connection.info.backend_pid, pg_url)

        with pytest.raises(StorageWriteError, match="could not save to the database") as failed:
            store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 5,
                                     expected_position=1)
        assert "\n" not in str(failed.value)
        assert store.write_problem() is not None
        assert store.write_failures() == 1
        # neither half of the lost click is there; the acknowledged one is
        assert store.answers_of(round_.id, "U1") == {"W1": 4}
        assert store.get_progress(round_.id, "U1") == acknowledged
        # the click is simply tried again: the store has a working connection
        store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 5,
                                 expected_position=1)
        assert store.write_problem() is None
    with SQLStore.open(pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as again:
        assert again.answers_of(round_.id, "U1") == {"W1": 4, "W2": 5}


def test_connections_dropped_between_requests_are_replaced_unnoticed(
    pg_url: str, clock: FakeClock, pg_database: TestDatabase
) -> None:
    with SQLStore.open(pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as store:
        round_ = open_team_round(store)
        store.record_answers(round_.id, "U1", {"W1": 2})
        # the connections are gone (not just told to go) before the next request
        pg_database.sql("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                        f"WHERE datname = '{pg_database.name}' AND pid <> pg_backend_pid()")
        assert store.record_answers(round_.id, "U1", {"W2": 3}) == 1
        assert store.answers_of(round_.id, "U1") == {"W1": 2, "W2": 3}
        assert store.write_problem() is None


def test_two_instances_dispatch_a_fan_out_each_message_once(
    two_stores: tuple[SQLStore, SQLStore],
) -> None:
    """Claims skip each other's locked rows: no message twice, none left, nobody waits."""
    invited = [f"U{n}" for n in range(30)]
    two_stores[0].open_round("T1", "C1", invited=invited, outbox=lambda round_: [
        Outgoing(f"invitation/{round_.id}/{user}", INVITATION, "T1", round_id=round_.id,
                 user_id=user) for user in round_.invited])

    def drain(n: int) -> list[str]:
        store, sent = two_stores[n % 2], []
        while (claim := store.claim_next(f"I{n}", 60)) is not None:
            sent.append(str(claim.outgoing.user_id))
            store.record_sent(claim, "ts")
        return sent

    drained = _race(6, drain)
    assert sorted(user for each in drained for user in each) == sorted(invited)
    round_id = two_stores[1].open_rounds()[0].id
    assert two_stores[1].invitations_sent(round_id) == set(invited)
