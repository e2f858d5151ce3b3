"""What overviews, App Home and the pulse timer ask of every backend: last results, the
open rounds of a person, the teams a person leads, the pulses that are due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from storage import CommitmentPlan, HomeReading, LastResult, PulseSchedule, Store, Team
from storage.tinydb import TinyDBStore, jsonfile
from storage.tinydb.layout import Data, FileSpec

from .conftest import ITEMS, FakeClock, open_team_round


def _last(round_id: str, channel: str, clock: FakeClock, phase: int,
          workspace: str = "T1") -> LastResult:
    return LastResult(workspace, channel, round_id, clock.now, {"overall": phase})


def test_a_teams_last_result_is_replaced_only_by_a_later_one(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    first = open_team_round(store)
    store.close_round(first.id)
    assert store.save_last_result(_last(first.id, "C1", clock, 1))
    clock.advance(days=7)
    second = store.open_round("T1", "C1")
    store.close_round(second.id)
    assert store.save_last_result(_last(second.id, "C1", clock, 2))
    assert store.save_last_result(_last(second.id, "C1", clock, 3))  # the same round again
    older = replace(_last(first.id, "C1", clock, 1), closed_at=clock.now - timedelta(days=7))
    assert not store.save_last_result(older)  # a late write of an earlier round loses
    [kept] = restart().last_results("T1").values()
    assert (kept.round_id, kept.closed_at, kept.summary) == (second.id, clock.now,
                                                            {"overall": 3})


def test_last_results_are_read_per_workspace_and_for_chosen_channels(
    store: Store, clock: FakeClock
) -> None:
    for workspace, channel in (("T1", "C1"), ("T1", "C2"), ("T1", "C3"), ("T2", "C1")):
        round_ = open_team_round(store, channel, workspace=workspace)
        store.close_round(round_.id)
        store.save_last_result(_last(round_.id, channel, clock, 1, workspace))
    assert list(store.last_results("T1")) == ["C1", "C2", "C3"]
    assert list(store.last_results("T1", ["C3", "C1", "C9"])) == ["C1", "C3"]
    assert store.last_results("T1", []) == {}
    assert [r.workspace_id for r in store.last_results("T2").values()] == ["T2"]
    assert store.last_results("T9") == {}


def test_a_persons_open_rounds_follow_invitations_closing_and_forget_me(
    store: Store, restart: Callable[[], Store]
) -> None:
    first = open_team_round(store, "C1", invited=("U1", "U2"))
    second = open_team_round(store, "C2", invited=("U2",))
    open_team_round(store, "C3", invited=("U1",), workspace="T2")
    assert [r.id for r in store.rounds_for_user("T1", "U1")] == [first.id]
    store.add_invited(second.id, ["U1"])
    assert [r.id for r in store.rounds_for_user("T1", "U1")] == [first.id, second.id]
    store.close_round(first.id)
    assert [r.id for r in store.rounds_for_user("T1", "U1")] == [second.id]
    store = restart()
    assert [r.id for r in store.rounds_for_user("T1", "U1")] == [second.id]
    store.forget_user("T1", "U1")
    assert store.rounds_for_user("T1", "U1") == []
    assert [r.id for r in store.rounds_for_user("T1", "U2")] == [second.id]


def test_the_teams_a_person_leads_follow_the_settings_and_forget_me(
    store: Store, restart: Callable[[], Store]
) -> None:
    store.save_team(Team("T1", "C2", leads=("L1", "L2")))
    store.save_team(Team("T1", "C1", leads=("L1",)))
    store.save_team(Team("T2", "C1", leads=("L1",)))
    assert [t.channel_id for t in store.teams_led_by("T1", "L1")] == ["C1", "C2"]
    store.save_team(Team("T1", "C2", leads=("L2",)))
    assert [t.channel_id for t in store.teams_led_by("T1", "L1")] == ["C1"]
    store = restart()
    assert [t.channel_id for t in store.teams_led_by("T1", "L2")] == ["C2"]
    store.forget_user("T1", "L2")
    assert store.teams_led_by("T1", "L2") == []
    assert [t.leads for t in store.teams_led_by("T1", "L1")] == [("L1",)]


def test_only_teams_whose_pulse_is_on_and_due_are_read(store: Store, clock: FakeClock) -> None:
    def pulse(enabled: bool, hours: float | None) -> PulseSchedule:
        at = clock.now + timedelta(hours=hours) if hours is not None else None
        return PulseSchedule("weekly", 0, "10:00", enabled=enabled, next_run_at=at)

    store.save_team(Team("T1", "C1", pulse=pulse(True, -1)))  # due
    store.save_team(Team("T1", "C2", pulse=pulse(True, None)))  # not planned yet
    store.save_team(Team("T1", "C3", pulse=pulse(True, 1)))  # later
    store.save_team(Team("T1", "C4", pulse=pulse(False, -1)))  # off
    store.save_team(Team("T2", "C5"))  # none
    assert [t.channel_id for t in store.teams_with_pulse_due()] == ["C1", "C2"]
    clock.advance(hours=2)
    assert [t.channel_id for t in store.teams_with_pulse_due()] == ["C1", "C2", "C3"]


@pytest.mark.backends("tinydb")
def test_tinydb_answers_home_questions_from_its_indexes_without_reading_a_file(
    store: TinyDBStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        open_team_round(store, f"C{n}", invited=("U1", f"U{n + 2}"))
    store.close()
    read: list[str] = []
    real_read = jsonfile.read_data_file

    def spy(path: Path, spec: FileSpec) -> tuple[Data | None, bool]:
        read.append(spec.relpath)
        return real_read(path, spec)

    with TinyDBStore.open(store.data_dir, clock=clock) as again:
        monkeypatch.setattr(jsonfile, "read_data_file", spy)
        assert len(again.rounds_for_user("T1", "U1")) == 5
        assert len(again.teams_led_by("T1", "L1")) == 5
        assert again.teams_with_pulse_due() == []
    assert read == []


def test_an_overview_reads_its_first_teams_and_counts_the_rest(store: Store) -> None:
    for workspace, channel in (("T1", "C3"), ("T1", "C1"), ("T2", "C0"), ("T1", "C2")):
        store.save_team(Team(workspace, channel))
    assert [t.channel_id for t in store.list_teams("T1", limit=2)] == ["C1", "C2"]
    assert [(t.workspace_id, t.channel_id) for t in store.list_teams(limit=3)] == [
        ("T1", "C1"), ("T1", "C2"), ("T1", "C3")]
    assert (store.count_teams("T1"), store.count_teams("T2"), store.count_teams("T9")) == (3, 1, 0)


def test_app_homes_reading_is_what_each_question_on_its_own_answers(
    store: Store, clock: FakeClock
) -> None:
    """`home_of` (one reading on PostgreSQL) agrees with the store's own questions: the
    person's open rounds with their answers and finishing, the teams they lead with their
    last results, and the commitments of every team concerned."""
    due, remind = clock.now.date() + timedelta(days=14), clock.now + timedelta(days=13)
    asked = open_team_round(store, "C1", invited=("U1", "U2", "U3"))
    store.record_answers(asked.id, "U1", {ITEMS[0]: 4, ITEMS[1]: None})
    done = open_team_round(store, "C2", invited=("U1",))
    store.record_answers(done.id, "U1", {item: 3 for item in ITEMS})
    store.mark_finished(done.id, "U1")
    open_team_round(store, "C3", invited=("U2",))  # not theirs
    store.save_team(Team("T1", "C4", leads=("U1",)))
    closed = store.open_round("T1", "C4", invited=("U2",), item_ids=ITEMS)
    store.close_round(closed.id)
    store.save_last_result(_last(closed.id, "C4", clock, 2))
    store.save_team(Team("T1", "C5", leads=("U1", "L2")))  # led, no result yet
    store.add_commitments("T1", "C4", closed.id, [CommitmentPlan("Wiki", "U2", due, remind),
                                                  CommitmentPlan("Blog", "U3", due, remind)],
                          planned_by="U1")
    other = open_team_round(store, "C6", invited=("U9",))
    store.add_commitments("T1", "C6", other.id, [CommitmentPlan("Chat", "U9", due, remind),
                                                 CommitmentPlan("Tags", "U1", due, remind)],
                          planned_by="L1")
    reading = store.home_of("T1", "U1")
    assert [(i.round.id, i.answered, i.finished) for i in reading.rounds] == [
        (asked.id, 2, False), (done.id, len(ITEMS), True)]
    assert [r.id for r in store.rounds_for_user("T1", "U1")] == [asked.id, done.id]
    assert list(reading.led) == store.teams_led_by("T1", "U1")
    assert [team.channel_id for team in reading.led] == ["C4", "C5"]
    assert dict(reading.last_results) == store.last_results("T1", ["C4", "C5"])
    assert list(reading.owned) == store.commitments_owned_by("T1", "U1")
    assert [c.text for c in reading.owned] == ["Tags"]
    assert set(reading.commitments) == {"C1", "C2", "C4", "C5", "C6"}
    for channel, kept in reading.commitments.items():
        assert list(kept) == store.commitments_of_team("T1", channel)
    assert [c.text for c in reading.commitments["C6"]] == ["Chat", "Tags"]
    assert store.home_of("T1", "U7") == HomeReading()  # nobody's anything
    assert store.home_of("T2", "U1") == HomeReading()
