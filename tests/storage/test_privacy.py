"""Pseudonymous answers, forget-me, and retention of raw answers."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import ResultSnapshot, StorageError, Store, UserInfo, retention_days_from_env

from .conftest import FakeClock, open_team_round


def _round_files(store: Store) -> list[Path]:
    return sorted(store.data_dir.glob("teams/*/*/round-*.json"))


def test_answer_files_do_not_contain_slack_user_ids(store: Store) -> None:
    round_ = open_team_round(store, invited=("U0SECRET1", "U0SECRET2"))
    store.record_answer(round_.id, "U0SECRET1", "W1", 4)
    store.record_checklist(round_.id, "U0SECRET1", ["time"], [])
    store.mark_finished(round_.id, "U0SECRET2")
    [path] = _round_files(store)
    assert "U0SECRET" not in path.read_text()


def test_secret_is_private_and_stable_across_restarts(
    store: Store, restart: Callable[[], Store]
) -> None:
    secret = store.data_dir / "secret.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    round_ = open_team_round(store)
    store.record_answer(round_.id, "U1", "W1", 2)
    again = restart()
    assert again.answers_of(round_.id, "U1") == {"W1": 2}  # same key, same pseudonym


def test_a_secret_lost_from_a_directory_with_data_is_not_silently_replaced(
    store: Store, data_dir: Path
) -> None:
    round_ = open_team_round(store)
    store.record_answer(round_.id, "U1", "W1", 2)
    store.close()
    (data_dir / "secret.key").unlink()
    with pytest.raises(StorageError, match=r"secret\.key is missing"):
        Store.open(data_dir)
    assert not (data_dir / "secret.key").exists()


def test_forget_removes_a_user_from_open_and_closed_rounds_but_keeps_snapshots(
    store: Store, clock: FakeClock
) -> None:
    closed = open_team_round(store, "C1")
    store.record_answers(closed.id, "U1", {"W1": 4, "W2": 5})
    store.record_answers(closed.id, "U2", {"W1": 1})
    store.record_checklist(closed.id, "U1", ["time"], [])
    store.mark_finished(closed.id, "U1")
    store.close_round(closed.id)
    store.save_snapshot(ResultSnapshot(closed.id, "T1", "C1", "diagnostic", None, clock.now,
                                       invited_count=3, responses=2, result={"overall": 1}))
    still_open = open_team_round(store, "C2")
    store.record_answer(still_open.id, "U1", "W3", 3)
    store.save_user(UserInfo("T1", "U1", dm_channel="D1"))

    assert store.forget_user("T1", "U1") == 3

    assert store.answers_of(closed.id, "U1") == {}
    assert store.answers_of(still_open.id, "U1") == {}
    assert store.checklist_of(closed.id, "U1") is None
    assert not store.has_finished(closed.id, "U1")
    assert store.get_progress(still_open.id, "U1") is None
    assert store.get_user("T1", "U1") is None
    assert store.all_answers(closed.id) == [{"W1": 1}]  # other people's answers stay
    assert [s.responses for s in store.list_snapshots("T1", "C1")] == [2]
    assert store.forget_user("T1", "U1") == 0


def test_forget_in_one_workspace_leaves_the_same_user_id_elsewhere(store: Store) -> None:
    here = open_team_round(store, workspace="T1")
    there = open_team_round(store, workspace="T2")
    store.record_answer(here.id, "U1", "W1", 2)
    store.record_answer(there.id, "U1", "W1", 5)
    store.forget_user("T1", "U1")
    assert store.answers_of(there.id, "U1") == {"W1": 5}


def test_retention_purges_old_raw_answers_and_keeps_snapshots_and_participation(
    store: Store, clock: FakeClock
) -> None:
    old = open_team_round(store, "C1")
    store.record_answers(old.id, "U1", {"W1": 4, "W2": 2})
    store.record_checklist(old.id, "U1", ["time"], [])
    store.mark_finished(old.id, "U1")
    store.close_round(old.id)
    store.save_snapshot(ResultSnapshot(old.id, "T1", "C1", "diagnostic", None, clock.now,
                                       invited_count=3, responses=1, result={"overall": 2}))
    clock.advance(days=400)
    recent = open_team_round(store, "C1")
    store.record_answer(recent.id, "U1", "W1", 3)
    clock.advance(days=335)

    assert store.purge_answers_older_than(730) == 2

    assert store.all_answers(old.id) == []
    assert store.all_checklists(old.id) == []
    assert store.has_finished(old.id, "U1")
    assert store.answers_of(recent.id, "U1") == {"W1": 3}
    assert len(store.list_snapshots("T1", "C1")) == 1


def test_retention_setting_is_applied_at_startup(
    store: Store, clock: FakeClock, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_ = open_team_round(store)
    store.record_answer(round_.id, "U1", "W1", 3)
    store.close()
    clock.advance(days=31)
    monkeypatch.setenv("WI3_RETENTION_DAYS", "30")
    with Store.open(data_dir, clock=clock) as again:
        assert again.retention_days == 30
        assert again.all_answers(round_.id) == []


def test_retention_setting_is_read_and_checked() -> None:
    assert retention_days_from_env({}) == 730
    assert retention_days_from_env({"WI3_RETENTION_DAYS": "90"}) == 90
    for bad in ("0", "-5", "two years", "1.5"):
        with pytest.raises(StorageError, match="WI3_RETENTION_DAYS"):
            retention_days_from_env({"WI3_RETENTION_DAYS": bad})


def test_data_files_are_readable_by_the_owner_only(store: Store) -> None:
    round_ = open_team_round(store)
    store.record_answer(round_.id, "U1", "W1", 3)
    for path in store.data_dir.rglob("*.json"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
