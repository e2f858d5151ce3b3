"""Round lifecycle: one open round per team, idempotent close and marks, scheduler queries."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from storage import RoundAlreadyOpenError, RoundClosedError, Store, UnknownRoundError

from .conftest import ITEMS, FakeClock, open_team_round


def test_open_round_is_found_by_id_and_by_team(store: Store, clock: FakeClock) -> None:
    round_ = open_team_round(store)
    assert round_.status == "open" and round_.opened_at == clock.now
    assert round_.invited == ("U1", "U2", "U3") and round_.item_ids == ITEMS
    assert store.get_round(round_.id) == round_
    assert store.open_round_for("T1", "C1") == round_
    assert store.open_round_for("T1", "C2") is None
    assert store.get_round("no-such-round") is None


def test_second_open_round_for_a_team_is_refused_with_the_open_one(store: Store) -> None:
    first = open_team_round(store)
    with pytest.raises(RoundAlreadyOpenError) as raised:
        store.open_round("T1", "C1", kind="pulse", pulse_number=1)
    assert raised.value.round == first
    other_team = store.open_round("T1", "C2", kind="pulse", pulse_number=1)
    assert other_team.kind == "pulse" and other_team.pulse_number == 1


def test_concurrent_opens_for_one_team_give_exactly_one_round(store: Store) -> None:
    outcomes: list[str] = []

    def start() -> None:
        try:
            store.open_round("T1", "C1")
            outcomes.append("opened")
        except RoundAlreadyOpenError:
            outcomes.append("refused")

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["opened"] + ["refused"] * 7
    assert len(store.list_rounds("T1", "C1")) == 1


def test_close_is_true_only_for_the_call_that_closed_it(store: Store, clock: FakeClock) -> None:
    round_ = open_team_round(store)
    clock.advance(hours=2)
    assert store.close_round(round_.id) is True
    assert store.close_round(round_.id) is False
    closed = store.get_round(round_.id)
    assert closed is not None and closed.status == "closed" and closed.closed_at == clock.now
    assert store.open_round_for("T1", "C1") is None
    assert store.open_round("T1", "C1").id != round_.id  # the team may start a new one


def test_results_posted_and_reminder_marks_are_true_once(store: Store) -> None:
    round_ = open_team_round(store)
    assert store.mark_reminder_sent(round_.id) is True
    assert store.mark_reminder_sent(round_.id) is False
    store.close_round(round_.id)
    assert [r.id for r in store.rounds_awaiting_results()] == [round_.id]
    assert store.mark_results_posted(round_.id) is True
    assert store.mark_results_posted(round_.id) is False
    assert store.rounds_awaiting_results() == []


def test_closed_round_without_posted_results_is_remembered_across_restart(
    store: Store, restart: Callable[[], Store]
) -> None:
    round_ = open_team_round(store)
    store.close_round(round_.id)
    again = restart()
    assert [r.id for r in again.rounds_awaiting_results()] == [round_.id]
    assert again.open_rounds() == []


def test_due_rounds_are_open_rounds_past_their_closing_time(
    store: Store, clock: FakeClock
) -> None:
    soon = open_team_round(store, "C1", closes_at=clock.now.replace(hour=12))
    open_team_round(store, "C2", closes_at=clock.now.replace(day=10))
    open_team_round(store, "C3")  # no closing time: closed by hand only
    assert store.due_rounds() == []
    clock.advance(hours=4)
    assert [r.id for r in store.due_rounds()] == [soon.id]
    store.close_round(soon.id)
    assert store.due_rounds() == []


def test_rounds_for_user_lists_open_rounds_they_are_invited_to(store: Store) -> None:
    first = open_team_round(store, "C1", invited=("U1", "U2"))
    second = open_team_round(store, "C2", invited=("U2",))
    open_team_round(store, "C3", invited=("U2",), workspace="T2")
    assert [r.id for r in store.rounds_for_user("T1", "U2")] == [first.id, second.id]
    assert [r.id for r in store.rounds_for_user("T1", "U1")] == [first.id]
    store.close_round(first.id)
    assert store.rounds_for_user("T1", "U1") == []


def test_add_invited_keeps_each_member_once(store: Store) -> None:
    round_ = open_team_round(store, invited=("U1",))
    assert store.add_invited(round_.id, ["U2", "U1", "U3"]).invited == ("U1", "U2", "U3")
    store.close_round(round_.id)
    with pytest.raises(RoundClosedError):
        store.add_invited(round_.id, ["U4"])


def test_invitation_fan_out_progress_resumes_after_restart(
    store: Store, restart: Callable[[], Store]
) -> None:
    round_ = open_team_round(store)
    assert store.mark_invitation_sent(round_.id, "U1") is True
    assert store.mark_invitation_sent(round_.id, "U1") is False
    assert store.mark_invitation_sent(round_.id, "U2") is True
    assert restart().invitations_sent(round_.id) == {"U1", "U2"}


def test_list_rounds_gives_a_teams_history_oldest_first(store: Store, clock: FakeClock) -> None:
    ids = []
    for number in range(1, 4):
        round_ = store.open_round("T1", "C1", kind="pulse", pulse_number=number)
        clock.advance(days=7)
        store.close_round(round_.id)
        ids.append(round_.id)
    rounds = store.list_rounds("T1", "C1")
    assert [r.id for r in rounds] == ids
    assert [r.pulse_number for r in rounds] == [1, 2, 3]
    assert store.list_rounds("T1", "C404") == []


def test_unknown_round_ids_raise_a_clear_error(store: Store) -> None:
    with pytest.raises(UnknownRoundError, match="no round with id"):
        store.close_round("20250101T000000-deadbeef")
    with pytest.raises(UnknownRoundError):
        store.record_answers("../../etc/passwd", "U1", {"W1": 3})


def test_reminder_progress_is_recorded_once_per_member_and_survives_a_restart(
    store: Store, restart: Callable[[], Store]
) -> None:
    round_ = open_team_round(store)
    assert store.mark_reminder_sent_to(round_.id, "U1") is True
    assert store.mark_reminder_sent_to(round_.id, "U1") is False
    assert restart().reminders_sent(round_.id) == frozenset({"U1"})


def test_a_member_is_someone_a_round_of_the_team_invited_open_or_closed(
    store: Store, restart: Callable[[], Store]
) -> None:
    """The dashboard's "your teams": every team that asked the person, across a restart,
    until they ask to be forgotten."""
    closed = store.open_round("T1", "C2", invited=["U1", "U2"])
    store.close_round(closed.id)
    store.open_round("T1", "C1", invited=["U1"])
    store.open_round("T2", "C3", invited=["U1"])
    assert store.teams_of_member("T1", "U1") == ["C1", "C2"]
    assert store.teams_of_member("T1", "U2") == ["C2"]
    assert store.teams_of_member("T1", "U9") == []
    again = restart()
    assert again.teams_of_member("T1", "U1") == ["C1", "C2"]
    again.forget_user("T1", "U1")
    assert again.teams_of_member("T1", "U1") == []
    assert again.teams_of_member("T2", "U1") == ["C3"]
