"""Commitments: numbered per team, owned, due once, changed, forgotten; on both backends."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from storage import (
    MAX_COMMITMENT_TEXT,
    Commitment,
    CommitmentPlan,
    CorruptFileError,
    Store,
    UnknownCommitmentError,
    UnknownRoundError,
)

from .conftest import START, FakeClock, open_team_round

DUE = date(2025, 3, 17)
REMIND = datetime(2025, 3, 17, 8, 0, tzinfo=START.tzinfo)


def plan(text: str = "Share three success stories", owner: str = "U1",
         remind_at: datetime = REMIND) -> CommitmentPlan:
    return CommitmentPlan(text, owner, DUE, remind_at)


def planned(store: Store, *plans: CommitmentPlan, channel: str = "C1") -> list[Commitment]:
    round_ = open_team_round(store, channel=channel)
    return store.add_commitments("T1", channel, round_.id, list(plans) or [plan()],
                                 planned_by="L1")


def test_plans_are_stored_together_numbered_in_order_and_found_again(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    first, second = planned(store, plan("Share stories", "U1"), plan("Name an owner", "U2"))
    assert (first.number, second.number) == (1, 2)
    assert first.id != second.id and first.state == "open" and first.round_id
    assert first.planned_by == "L1" and first.planned_at == clock.now
    assert first.due == DUE and first.remind_at == REMIND and first.reminded_at is None
    again = restart()
    assert again.commitments_of_team("T1", "C1") == [first, second]
    assert again.get_commitment(second.id) == second
    third = again.add_commitments("T1", "C1", first.round_id, [plan("Budget talk")],
                                  planned_by="L1")
    assert [c.number for c in third] == [3]
    assert again.get_commitment("no-such-id") is None


def test_a_round_of_another_team_or_none_is_refused(store: Store) -> None:
    round_ = open_team_round(store, channel="C1")
    open_team_round(store, channel="C2")
    with pytest.raises(UnknownRoundError):
        store.add_commitments("T1", "C2", round_.id, [plan()], planned_by="L1")
    with pytest.raises(UnknownRoundError):
        store.add_commitments("T1", "C1", "no-such-round", [plan()], planned_by="L1")
    assert store.commitments_of_team("T1", "C2") == []


def test_teams_are_numbered_apart_and_owners_find_theirs_across_teams(store: Store) -> None:
    [in_one] = planned(store, plan(owner="U7"), channel="C1")
    in_two = planned(store, plan(owner="U8"), plan(owner="U7"), channel="C2")
    assert [c.number for c in in_two] == [1, 2]
    assert store.commitments_owned_by("T1", "U7") == [in_one, in_two[1]]
    assert store.commitments_owned_by("T2", "U7") == []
    assert store.commitments_of_team("T1", "C9") == []


def test_the_due_date_dm_is_due_once_and_a_new_date_arms_it_again(
    store: Store, restart: Callable[[], Store]
) -> None:
    early, late = planned(store, plan("early"), plan("late", remind_at=REMIND + timedelta(days=2)))
    assert store.due_commitments(REMIND - timedelta(minutes=1)) == []
    assert store.due_commitments(REMIND) == [early]
    assert store.mark_commitment_reminded(early.id, REMIND) is True
    assert store.mark_commitment_reminded(early.id, REMIND) is False
    again = restart()
    assert again.due_commitments(REMIND + timedelta(days=3)) == [
        again.get_commitment(late.id)]
    moved = again.update_commitment(early.id, due=DUE + timedelta(days=7),
                                    remind_at=REMIND + timedelta(days=7))
    assert moved.reminded_at is None and moved.due == DUE + timedelta(days=7)
    same = again.update_commitment(late.id, remind_at=late.remind_at, text="late, still")
    assert again.mark_commitment_reminded(same.id) is True
    assert again.update_commitment(late.id, text="late again").reminded_at is not None


def test_only_commitments_under_way_get_the_dm(store: Store) -> None:
    done, working, dropped = planned(store, plan("a"), plan("b"), plan("c"))
    store.update_commitment(done.id, state="done")
    store.update_commitment(working.id, state="working")
    store.update_commitment(dropped.id, state="dropped")
    assert [c.id for c in store.due_commitments(REMIND)] == [working.id]


def test_a_change_keeps_what_is_not_given_and_stamps_the_time(
    store: Store, clock: FakeClock
) -> None:
    [commitment] = planned(store)
    clock.advance(hours=3)
    changed = store.update_commitment(commitment.id, text="  Share   five stories ",
                                      owner="U9")
    assert changed.text == "Share five stories" and changed.owner == "U9"
    assert (changed.due, changed.state, changed.number) == (DUE, "open", 1)
    assert changed.updated_at == clock.now and changed.planned_at == commitment.planned_at
    assert store.get_commitment(commitment.id) == changed
    assert store.commitments_owned_by("T1", "U1") == []
    assert store.commitments_owned_by("T1", "U9") == [changed]


def test_unknown_commitments_are_refused_by_name(store: Store) -> None:
    with pytest.raises(UnknownCommitmentError, match="nope"):
        store.update_commitment("nope", state="done")
    with pytest.raises(UnknownCommitmentError):
        store.mark_commitment_reminded("nope")


def test_leads_saving_at_once_get_consecutive_numbers_and_one_dm_claim_wins(
    store: Store,
) -> None:
    round_ = open_team_round(store)
    saved: list[Commitment] = []
    lock = threading.Lock()

    def save(n: int) -> None:
        added = store.add_commitments("T1", "C1", round_.id, [plan(f"plan {n}"),
                                                              plan(f"plan {n}b")],
                                      planned_by="L1")
        with lock:
            saved.extend(added)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(c.number for c in saved) == list(range(1, 13))
    claims: list[bool] = []
    target = saved[0].id
    racers = [threading.Thread(target=lambda: claims.append(
        store.mark_commitment_reminded(target))) for _ in range(6)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sorted(claims) == [False] * 5 + [True]


def test_forget_me_takes_the_name_off_and_leaves_the_teams_commitment(
    store: Store, restart: Callable[[], Store]
) -> None:
    [theirs, other] = planned(store, plan(owner="U1"), plan(owner="U2"))
    store.forget_user("T1", "L1")
    store.forget_user("T1", "U1")
    again = restart()
    kept = again.get_commitment(theirs.id)
    assert kept is not None and kept.owner is None and kept.planned_by is None
    assert kept.text == theirs.text
    assert again.commitments_owned_by("T1", "U1") == []
    assert again.get_commitment(other.id) == Commitment(**{**other.__dict__,
                                                           "planned_by": None})


@pytest.mark.parametrize(("text", "owner"), [
    ("   ", "U1"), ("x" * (MAX_COMMITMENT_TEXT + 1), "U1"), ("Fine", "not a user"),
])
def test_a_plan_without_text_or_with_a_bad_owner_is_refused(text: str, owner: str) -> None:
    with pytest.raises(ValueError):
        CommitmentPlan(text, owner, DUE, REMIND)


@pytest.mark.backends("tinydb")
def test_a_hand_edited_commitment_is_refused_at_first_use_naming_file_and_record(
    store: Store, restart: Callable[[], Store], data_dir: Path
) -> None:
    [commitment] = planned(store)
    store.close()
    path = data_dir / "teams" / "T1" / "C1" / "commitments.json"
    data = json.loads(path.read_text())
    data["commitments"][commitment.id]["state"] = "forgotten about"
    path.write_text(json.dumps(data))
    again = restart()  # the start reads only what it needs to serve (issue 17)
    with pytest.raises(CorruptFileError, match=rf"commitments\.json.*{commitment.id}.*state"):
        again.commitments_of_team("T1", "C1")
    assert json.loads(path.read_text()) == data  # never "repaired"
