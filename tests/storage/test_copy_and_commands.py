"""Moving up from a data directory to PostgreSQL, and `python -m storage` on a database."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from model import load_content
from storage import (
    CommitmentPlan,
    LastResult,
    Progress,
    PulseSchedule,
    ResultSnapshot,
    Store,
    Team,
    UserInfo,
    Workspace,
    open_store,
)
from storage.__main__ import main as storage_command
from storage.tinydb import TinyDBStore
from tests.pg import TEST_PSEUDONYM_KEY, TEST_PSEUDONYM_KEY_HEX, TestDatabase

from .conftest import START, FakeClock

ITEMS = tuple(item.id for item in load_content().questionnaire.items)
PEOPLE = ("U0ANNA001", "U0BERT002", "U0CARL003", "U0DORA004", "U0EVA0005")


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_storage(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Ran]:
    """`python -m storage ARGS` (its main, in this process), with WI3_PSEUDONYM_KEY=key."""

    def run(*args: str, key: str | None = None) -> Ran:
        monkeypatch.delenv("DATABASE_URL", raising=False)
        if key is None:
            monkeypatch.delenv("WI3_PSEUDONYM_KEY", raising=False)
        else:
            monkeypatch.setenv("WI3_PSEUDONYM_KEY", key)
        capsys.readouterr()
        code = storage_command(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def _fill(store: Store, clock: FakeClock) -> dict[str, str]:
    """A workspace as it looks after a while: closed rounds with results, an open one."""
    store.save_workspace(Workspace("T1", name="Acme"))
    store.save_team(Team("T1", "C1", leads=(PEOPLE[0],), language="nl",
                         pulse=PulseSchedule(weekday=2, next_run_at=clock.now)))
    store.save_team(Team("T1", "C2", leads=(PEOPLE[1], PEOPLE[0])))
    diagnostic = store.open_round("T1", "C1", invited=PEOPLE, item_ids=ITEMS)
    for n, person in enumerate(PEOPLE[:4]):
        store.mark_invitation_sent(diagnostic.id, person)
        store.record_answers(diagnostic.id, person,
                             {item: (n + i) % 5 + 1 if (n + i) % 7 else None
                              for i, item in enumerate(ITEMS)})
        store.record_checklist(diagnostic.id, person, ["time", "roi"][: n % 3], ["distance"])
        store.mark_finished(diagnostic.id, person)
    store.mark_reminder_sent_to(diagnostic.id, PEOPLE[4])
    clock.advance(days=7)
    store.close_round(diagnostic.id)
    store.save_snapshot(ResultSnapshot(diagnostic.id, "T1", "C1", "diagnostic", None, clock.now,
                                       invited_count=5, responses=4, result={"team": "opaque"}))
    store.mark_results_posted(diagnostic.id)
    [first, _] = store.add_commitments("T1", "C1", diagnostic.id, [
        CommitmentPlan("Share three success stories", PEOPLE[1], clock.now.date(), clock.now),
        CommitmentPlan("Name an owner for the wiki", PEOPLE[2], clock.now.date(), clock.now),
    ], planned_by=PEOPLE[0])
    store.mark_commitment_reminded(first.id)
    store.update_commitment(first.id, state="done")
    store.save_last_result(LastResult("T1", "C1", diagnostic.id, clock.now, {"overall": 2}))
    pulse = store.open_round("T1", "C1", kind="pulse", invited=PEOPLE[:3], item_ids=ITEMS[:4],
                             pulse_number=1)
    for person in PEOPLE[:3]:
        store.record_answers(pulse.id, person, dict.fromkeys(ITEMS[:4], 4))
    clock.advance(days=2)
    store.close_round(pulse.id)
    open_ = store.open_round("T1", "C2", invited=PEOPLE[:2], item_ids=ITEMS,
                             closes_at=clock.now.replace(year=clock.now.year + 1))
    store.answer_and_advance(Progress(open_.id, PEOPLE[1], position=1), ITEMS[0], 2,
                             expected_position=0)
    store.save_user(UserInfo("T1", PEOPLE[1], dm_channel="D0BERT002", locale="nl-NL"))
    store.claim("Ev1", 3600)
    return {"diagnostic": diagnostic.id, "pulse": pulse.id, "open": open_.id}


def _everything(store: Store, rounds: dict[str, str]) -> dict[str, Any]:
    """What the flows can see, to compare two stores."""
    seen: dict[str, Any] = {
        "workspaces": store.list_workspaces(), "teams": store.list_teams(),
        "open": store.open_rounds(), "awaiting": store.rounds_awaiting_results(),
        "led": store.teams_led_by("T1", PEOPLE[0]), "last": store.last_results("T1"),
    }
    for round_id in rounds.values():
        seen[round_id] = (
            store.get_round(round_id), store.all_answers(round_id),
            store.all_answers(round_id, finished_only=True), store.all_checklists(round_id),
            [store.answers_of(round_id, person) for person in PEOPLE],
            [store.get_progress(round_id, person) for person in PEOPLE],
            store.finished_count(round_id), store.started_count(round_id),
            store.invitations_sent(round_id), store.reminders_sent(round_id),
            store.unfinished_invitees(round_id), store.get_snapshot(round_id),
        )
    seen["user"] = store.get_user("T1", PEOPLE[1])
    seen["commitments"] = (store.commitments_of_team("T1", "C1"),
                           store.commitments_owned_by("T1", PEOPLE[2]),
                           store.due_commitments(START.replace(year=START.year + 1)))
    return seen


Filled = tuple[Path, dict[str, str], dict[str, Any], str]


@pytest.fixture
def filled(tmp_path: Path, clock: FakeClock) -> Filled:
    """A data directory with a history, closed; its view, and its secret.key."""
    data_dir = tmp_path / "data"
    with TinyDBStore.open(data_dir, clock=clock) as store:
        rounds = _fill(store, clock)
        seen = _everything(store, rounds)
    return data_dir, rounds, seen, (data_dir / "secret.key").read_text().strip()


def test_copy_moves_everything_into_postgresql_and_verifies_it(
    filled: Filled, new_pg_database: TestDatabase, clock: FakeClock,
    run_storage: Callable[..., Ran],
) -> None:
    data_dir, rounds, seen, secret = filled
    copied = run_storage("copy", str(data_dir), "--to", new_pg_database.url, key=secret)
    assert copied.returncode == 0, copied.stderr
    assert "answers=" in copied.stdout and "row count matches" in copied.stdout
    assert "2 closed round(s) recomputed from the copied answers equal the source (2 scored" \
        in copied.stdout
    with open_store(database_url=new_pg_database.url, pseudonym_key=bytes.fromhex(secret),
                    clock=clock) as database:
        assert _everything(database, rounds) == seen
        # the same pseudonyms: forget-me finds the copied answers
        assert database.forget_user("T1", PEOPLE[1]) == len(ITEMS) + 4 + 1
    again = run_storage("copy", str(data_dir), "--to", new_pg_database.url, key=secret)
    assert again.returncode == 1 and "already holds data" in again.stderr


def test_copy_needs_the_directorys_key_and_says_how_to_set_it(
    filled: Filled, new_pg_database: TestDatabase, run_storage: Callable[..., Ran]
) -> None:
    data_dir, _, _, secret = filled
    for key in (None, TEST_PSEUDONYM_KEY_HEX):
        refused = run_storage("copy", str(data_dir), "--to", new_pg_database.url, key=key)
        assert refused.returncode == 1
        [line] = refused.stderr.strip().splitlines()
        assert "WI3_PSEUDONYM_KEY" in line and "secret.key" in line
        assert secret not in refused.stdout + refused.stderr
    assert new_pg_database.sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_copy_refuses_a_directory_a_bot_is_running_on(
    filled: Filled, new_pg_database: TestDatabase, run_storage: Callable[..., Ran]
) -> None:
    data_dir, _, _, secret = filled
    with TinyDBStore.open(data_dir):
        refused = run_storage("copy", str(data_dir), "--to", new_pg_database.url, key=secret)
    assert refused.returncode == 1 and "already in use by another wi3" in refused.stderr
    assert new_pg_database.sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_check_and_export_work_on_a_database(
    pg_url: str, clock: FakeClock, run_storage: Callable[..., Ran]
) -> None:
    with open_store(database_url=pg_url, pseudonym_key=TEST_PSEUDONYM_KEY, clock=clock) as db:
        rounds = _fill(db, clock)
    checked = run_storage("check", pg_url, key=TEST_PSEUDONYM_KEY_HEX)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "status: OK" in checked.stdout and "rounds=3" in checked.stdout
    assert "the one this database's answers were stored with" in checked.stdout
    wrong_key = run_storage("check", pg_url, key="ab" * 32)
    assert wrong_key.returncode == 1 and "NOT the one" in wrong_key.stdout

    exported = run_storage("export", pg_url)
    assert exported.returncode == 0, exported.stderr
    dump = json.loads(exported.stdout)
    assert dump["format"] == "wi3-postgresql-export"
    assert {row["id"] for row in dump["tables"]["rounds"]} == set(rounds.values())
    assert TEST_PSEUDONYM_KEY_HEX not in exported.stdout
    with_key = run_storage("export", pg_url, "--include-key")
    assert with_key.returncode == 1 and "WI3_PSEUDONYM_KEY" in with_key.stderr


def test_migrate_brings_an_empty_database_to_the_current_schema(
    new_pg_database: TestDatabase, run_storage: Callable[..., Ran]
) -> None:
    first = run_storage("migrate", new_pg_database.url)
    assert first.returncode == 0, first.stderr
    assert "applied 0001" in first.stdout
    second = run_storage("migrate", new_pg_database.url)
    assert second.returncode == 0 and "nothing to do" in second.stdout
    assert "postgres@" in second.stdout  # the URL is named, any password is not
