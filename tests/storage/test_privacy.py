"""Pseudonymous answers, forget-me, and retention of raw answers."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import Progress, ResultSnapshot, StorageError, Store, Team, UserInfo
from storage.tinydb import TinyDBStore
from tests.pg import StoreBackend

from .conftest import ITEMS, FakeClock, open_team_round


def test_stored_answers_do_not_contain_slack_user_ids(
    store: Store, store_backend: StoreBackend
) -> None:
    round_ = open_team_round(store, invited=("U0SECRET1", "U0SECRET2"))
    store.save_team(Team("T1", "C1", leads=("L1",)))
    store.answer_and_advance(Progress(round_.id, "U0SECRET1", position=1), "W1", 3,
                             expected_position=0)
    store.record_answers(round_.id, "U0SECRET1", {"W2": 4})
    store.record_checklist(round_.id, "U0SECRET1", ["time"], [])
    store.mark_finished(round_.id, "U0SECRET2")
    raw = store_backend.raw()
    assert raw.count("U0SECRET1") == 1 and raw.count("U0SECRET2") == 1  # the invited list


def test_forget_leaves_no_trace_of_the_user_id_and_keeps_the_counts_right(
    store: Store, store_backend: StoreBackend, clock: FakeClock
) -> None:
    """Lead, invitee of an open and a closed round, DMs sent, answers, checklist, progress,
    participation, cached profile: after forget, no file or table holds the id."""
    forgotten, stays = "U0FORGET9", "U0STAYS01"
    store.save_team(Team("T1", "C1", leads=(forgotten, stays)))
    closed = store.open_round("T1", "C1", invited=(stays, forgotten, "U3"), item_ids=ITEMS)
    for user in (forgotten, stays):
        store.mark_invitation_sent(closed.id, user)
        store.record_answers(closed.id, user, dict.fromkeys(ITEMS, 4))
        store.mark_finished(closed.id, user)
    store.record_checklist(closed.id, forgotten, ["time"], ["distance"])
    store.mark_reminder_sent_to(closed.id, forgotten)
    store.close_round(closed.id)
    store.save_snapshot(ResultSnapshot(closed.id, "T1", "C1", "diagnostic", None, clock.now,
                                       invited_count=3, responses=2, result={"overall": 2}))
    still_open = open_team_round(store, "C2", invited=(forgotten, stays))
    store.answer_and_advance(Progress(still_open.id, forgotten, position=1), ITEMS[0], 3,
                             expected_position=0)
    store.save_user(UserInfo("T1", forgotten, dm_channel="D0FORGET9", locale="nl-NL"))
    assert forgotten in store_backend.raw()

    assert store.forget_user("T1", forgotten) == len(ITEMS) + 1

    assert forgotten not in store_backend.raw()
    after = store.get_round(closed.id)
    assert after is not None and len(after.invited) == 3 and stays in after.invited
    assert len(store.get_round(still_open.id).invited) == 2  # type: ignore[union-attr]
    assert store.finished_count(closed.id) == 1
    assert store.all_answers(closed.id) == [dict.fromkeys(ITEMS, 4)]
    assert [s.responses for s in store.list_snapshots("T1", "C1")] == [2]
    team = store.get_team("T1", "C1")
    assert team is not None and team.leads == (stays,)
    # nobody left to send to: a resumed fan-out skips the stand-in, reminders too
    assert set(after.invited) <= store.invitations_sent(closed.id) | {"U3"}
    assert store.unfinished_invitees(still_open.id) == (stays,)
    assert store.rounds_for_user("T1", forgotten) == []
    assert store.forget_user("T1", forgotten) == 0


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
    store.record_answers(still_open.id, "U1", {"W3": 3})
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
    store.record_answers(here.id, "U1", {"W1": 2})
    store.record_answers(there.id, "U1", {"W1": 5})
    store.forget_user("T1", "U1")
    assert store.answers_of(there.id, "U1") == {"W1": 5}
    assert "U1" in store.get_round(there.id).invited  # type: ignore[union-attr]


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
    store.record_answers(recent.id, "U1", {"W1": 3})
    clock.advance(days=335)

    assert store.purge_answers_older_than(730) == 2

    assert store.all_answers(old.id) == []
    assert store.all_checklists(old.id) == []
    assert store.has_finished(old.id, "U1")
    assert store.answers_of(recent.id, "U1") == {"W1": 3}
    assert len(store.list_snapshots("T1", "C1")) == 1


def test_retention_setting_is_applied_at_startup(
    store: Store, store_backend: StoreBackend, clock: FakeClock
) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 3})
    store.close()
    clock.advance(days=31)
    with store_backend.open(retention_days=30) as again:
        assert again.all_answers(round_.id) == []


@pytest.mark.backends("tinydb")
def test_the_secret_is_private_and_stable_across_restarts(
    store: TinyDBStore, restart: Callable[[], Store]
) -> None:
    secret = store.data_dir / "secret.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 2})
    again = restart()
    assert again.answers_of(round_.id, "U1") == {"W1": 2}  # same key, same pseudonym


@pytest.mark.backends("tinydb")
def test_a_secret_lost_from_a_directory_with_data_is_not_silently_replaced(
    store: TinyDBStore, data_dir: Path
) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 2})
    store.close()
    (data_dir / "secret.key").unlink()
    with pytest.raises(StorageError, match=r"secret\.key is missing"):
        TinyDBStore.open(data_dir)
    assert not (data_dir / "secret.key").exists()


@pytest.mark.backends("tinydb")
def test_data_files_are_readable_by_the_owner_only(store: TinyDBStore) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 3})
    for path in store.data_dir.rglob("*.json"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


@pytest.mark.backends("tinydb")
def test_a_data_directory_open_to_others_is_closed_at_start_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    os.chmod(data_dir, 0o755)
    with caplog.at_level(logging.WARNING, logger="wi3.storage"):
        TinyDBStore.open(data_dir).close()
        TinyDBStore.open(data_dir).close()  # the second start finds nothing to fix
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    [line] = [r.getMessage() for r in caplog.records if r.name == "wi3.storage.tinydb.core"]
    assert str(data_dir) in line and "0755" in line and "0700" in line
