"""The overview and App Home are indexed queries on PostgreSQL: every statement they run,
explained by the database itself, can be served without reading a whole table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, event

from conversations.context import Caller
from conversations.home import HomeFlow
from conversations.results.closing import ClosingFlow
from conversations.results.reports import ReportsFlow
from model import load_content
from storage import Team
from storage.sql import SQLStore
from storage.sql.schema import DATA_TABLES
from tests.pg import TEST_PSEUDONYM_KEY

from .conftest import FakeClock

ITEMS = [item.id for item in load_content().questionnaire.items]
TABLES = {table.name for table in DATA_TABLES}
WHOLE_INDEXES = {index.name for table in DATA_TABLES for index in table.indexes
                 if index.name and index.dialect_options["postgresql"]["where"] is None} | {
    f"{table.name}_pkey" for table in DATA_TABLES}
"""Indexes over every row of their table (a partial one holds only, say, open rounds)."""
INDEX_SCANS = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")


@contextmanager
def statements(store: SQLStore) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT the store sends meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def full_table_scans(connection: Connection, statement: str, parameters: Any) -> list[str]:
    """The tables a plan reads whole (a sequential scan, or an index over every row walked
    end to end without a condition on it), when the planner avoids sequential scans where
    it can. Walking a partial index (the open rounds) reads only what it holds."""
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                      parameters).scalar_one()
    nodes = [(plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]]
    scanned = []
    while nodes:
        node = nodes.pop()
        kind = node["Node Type"]
        if kind == "Seq Scan" and node["Relation Name"] in TABLES:
            scanned.append(f"{kind} {node['Relation Name']}")
        if kind in INDEX_SCANS and "Index Cond" not in node and node["Index Name"] in \
                WHOLE_INDEXES:
            scanned.append(f"{kind} {node['Index Name']}")
        nodes.extend(node.get("Plans", []))
    return scanned


def test_the_overview_and_app_home_use_indexes(pg_url: str, clock: FakeClock) -> None:
    content = load_content()
    with SQLStore.open(pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as store:
        closing = ClosingFlow(store, content, clock)
        for n in range(3):
            channel = f"C{n}"
            store.save_team(Team("T1", channel, leads=("U0LEAD",)))
            round_ = store.open_round("T1", channel, invited=["U1", "U2", "U3", "U4"],
                                      item_ids=ITEMS)
            for user in round_.invited:
                store.record_answers(round_.id, user, dict.fromkeys(ITEMS, 4))
            closing.close(round_.id)
        clock.advance(days=1)
        store.open_round("T1", "C0", invited=["U0LEAD", "U1"], item_ids=ITEMS,
                         closes_at=clock.now + timedelta(days=7))
        reports = ReportsFlow(store, content, clock)
        home = HomeFlow(store, content, reports, clock)
        lead = Caller("T1", "U0LEAD", "en", None, is_admin=True)
        with statements(store) as overview:
            list(reports.status_all(lead))
        with statements(store) as home_tab:
            home.view(lead)
        assert overview and home_tab
        with store.engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")
            for statement, parameters in overview + home_tab:
                assert full_table_scans(connection, statement, parameters) == [], statement


def test_a_query_that_reads_a_whole_table_is_caught(pg_url: str, clock: FakeClock) -> None:
    """The check above can fail: a lookup by a column no index leads with."""
    with SQLStore.open(pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as store, \
            store.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        assert full_table_scans(connection, "SELECT * FROM answers WHERE score = %(s)s",
                                {"s": 3}) != []
        assert full_table_scans(connection, "SELECT * FROM teams WHERE language = %(l)s",
                                {"l": "en"}) != []
