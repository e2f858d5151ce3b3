"""Answers, checklists, conversation state and participation of respondents."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from storage import Checklist, Progress, RoundClosedError, StalePositionError, Store

from .conftest import FakeClock, open_team_round


def test_an_answer_given_twice_is_stored_once_and_the_last_score_wins(store: Store) -> None:
    round_ = open_team_round(store)
    assert store.record_answers(round_.id, "U1", {"W1": 2}) == 1
    assert store.record_answers(round_.id, "U1", {"W1": 2}) == 0  # a double click
    assert store.record_answers(round_.id, "U1", {"W1": 4}) == 1  # went back, changed it
    store.record_answers(round_.id, "U1", {"W2": None})  # don't know
    assert store.answers_of(round_.id, "U1") == {"W1": 4, "W2": None}
    assert store.all_answers(round_.id) == [{"W1": 4, "W2": None}]


@pytest.mark.parametrize("score", [0, 6, 2.5, "3", True])
def test_scores_outside_the_scale_are_refused(store: Store, score: object) -> None:
    round_ = open_team_round(store)
    with pytest.raises(ValueError, match="score"):
        store.record_answers(round_.id, "U1", {"W1": score})  # type: ignore[dict-item]
    assert store.answers_of(round_.id, "U1") == {}


def test_an_item_that_is_not_in_the_round_is_refused(store: Store) -> None:
    round_ = open_team_round(store)
    with pytest.raises(ValueError, match="not part of round"):
        store.record_answers(round_.id, "U1", {"V6": 3})


def test_answers_to_a_closed_round_are_refused_and_nothing_changes(store: Store) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 3})
    store.close_round(round_.id)
    with pytest.raises(RoundClosedError, match="closed"):
        store.record_answers(round_.id, "U1", {"W1": 5})
    with pytest.raises(RoundClosedError):
        store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 5,
                                 expected_position=1)
    with pytest.raises(RoundClosedError):
        store.save_progress(Progress(round_.id, "U1", position=3))
    with pytest.raises(RoundClosedError):
        store.mark_finished(round_.id, "U2")
    assert store.answers_of(round_.id, "U1") == {"W1": 3}


def test_record_answers_writes_a_batch_and_counts_changes(store: Store) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 3})
    assert store.record_answers(round_.id, "U1", {"W1": 3, "W2": 4, "W3": None}) == 2
    assert store.answers_of(round_.id, "U1") == {"W1": 3, "W2": 4, "W3": None}


def test_all_answers_groups_by_respondent_and_can_keep_only_finished_ones(store: Store) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 1, "W2": 2})
    store.record_answers(round_.id, "U2", {"W1": 5})
    store.mark_finished(round_.id, "U2")
    assert sorted(store.all_answers(round_.id), key=len) == [{"W1": 5}, {"W1": 1, "W2": 2}]
    assert store.all_answers(round_.id, finished_only=True) == [{"W1": 5}]


def test_conversation_resumes_where_it_stopped_after_a_restart(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    round_ = open_team_round(store)
    assert store.get_progress(round_.id, "U1") is None
    store.record_answers(round_.id, "U1", {"W1": 4, "W2": 3})
    saved = store.save_progress(Progress(round_.id, "U1", position=2))
    assert saved.updated_at == clock.now
    again = restart()
    assert again.get_progress(round_.id, "U1") == saved
    assert again.answers_of(round_.id, "U1") == {"W1": 4, "W2": 3}
    assert again.get_progress(round_.id, "U2") is None


def test_finishing_through_progress_records_participation(store: Store) -> None:
    round_ = open_team_round(store)
    store.save_progress(Progress(round_.id, "U1", position=7, finished=True))
    assert store.has_finished(round_.id, "U1")
    assert store.finished_count(round_.id) == 1
    # a later position update without the flag does not un-finish anyone
    store.save_progress(Progress(round_.id, "U1", position=6))
    progress = store.get_progress(round_.id, "U1")
    assert progress is not None and progress.finished and progress.position == 6


def test_participation_counts_and_who_to_remind(store: Store) -> None:
    round_ = open_team_round(store, invited=("U1", "U2", "U3", "U4"))
    store.record_answers(round_.id, "U1", {"W1": 3})
    store.save_progress(Progress(round_.id, "U2", position=1))
    assert store.mark_finished(round_.id, "U3") is True
    assert store.mark_finished(round_.id, "U3") is False
    assert store.started_count(round_.id) == 3
    assert store.finished_count(round_.id) == 1
    assert store.unfinished_invitees(round_.id) == ("U1", "U2", "U4")
    assert not store.has_finished(round_.id, "U1")


def test_checklist_ticks_are_replaced_and_listed_anonymously(store: Store) -> None:
    round_ = open_team_round(store)
    store.record_checklist(round_.id, "U1", ["time"], [])
    store.record_checklist(round_.id, "U1", ["time", "budget"], ["distance"])
    store.record_checklist(round_.id, "U2", ["culture"], [])
    assert store.checklist_of(round_.id, "U1") == Checklist(("time", "budget"), ("distance",))
    assert store.checklist_of(round_.id, "U3") is None
    assert sorted(store.all_checklists(round_.id), key=lambda c: c.barriers) == [
        Checklist(("culture",), ()), Checklist(("time", "budget"), ("distance",))]


def test_answer_and_advance_keeps_answer_and_position_together(
    store: Store, restart: Callable[[], Store]
) -> None:
    round_ = open_team_round(store)
    step = store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 5)
    assert step.position == 1 and not step.finished
    last = store.answer_and_advance(Progress(round_.id, "U1", position=len(round_.item_ids),
                                             finished=True), "V1", None)
    assert last.finished
    again = restart()
    assert again.answers_of(round_.id, "U1") == {"W1": 5, "V1": None}
    progress = again.get_progress(round_.id, "U1")
    assert progress is not None and progress.position == len(round_.item_ids)
    assert again.has_finished(round_.id, "U1") and again.finished_count(round_.id) == 1


def test_answer_and_advance_writes_neither_when_the_answer_is_refused(store: Store) -> None:
    round_ = open_team_round(store)
    with pytest.raises(ValueError):
        store.answer_and_advance(Progress(round_.id, "U1", position=3), "W1", 9)
    assert store.get_progress(round_.id, "U1") is None
    assert store.answers_of(round_.id, "U1") == {}


def test_an_answer_from_a_stale_position_is_refused_and_says_where_they_are(
    store: Store,
) -> None:
    round_ = open_team_round(store)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 5, expected_position=0)
    with pytest.raises(StalePositionError) as stale:  # the same click again (another instance)
        store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 2,
                                 expected_position=0)
    assert stale.value.current.position == 1
    with pytest.raises(StalePositionError):  # the right position, but another question
        store.answer_and_advance(Progress(round_.id, "U1", position=2), "W3", 2,
                                 expected_position=1)
    assert store.answers_of(round_.id, "U1") == {"W1": 5}
    moved = store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 1,
                                     expected_position=1)
    assert moved.position == 2 and store.answers_of(round_.id, "U1") == {"W1": 5, "W2": 1}


def test_of_concurrent_clicks_on_one_question_exactly_one_moves_the_respondent_on(
    store: Store,
) -> None:
    round_ = open_team_round(store)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def click(score: int) -> None:
        start.wait()
        try:
            store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", score,
                                     expected_position=0)
            outcomes.append("moved")
        except StalePositionError:
            outcomes.append("stale")

    threads = [threading.Thread(target=click, args=(n % 5 + 1,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved"] + ["stale"] * 7
    progress = store.get_progress(round_.id, "U1")
    assert progress is not None and progress.position == 1
    assert len(store.answers_of(round_.id, "U1")) == 1


def test_a_position_is_saved_over_the_expected_one_only(store: Store) -> None:
    """Back, clicked at statement 3 while another click already moved on: refused."""
    round_ = open_team_round(store)
    store.save_progress(Progress(round_.id, "U1", position=3))
    assert store.save_progress(Progress(round_.id, "U1", position=2),
                               expected_position=3).position == 2
    with pytest.raises(StalePositionError) as stale:
        store.save_progress(Progress(round_.id, "U1", position=1), expected_position=3)
    assert stale.value.current.position == 2
    fresh = store.save_progress(Progress(round_.id, "U2", position=1), expected_position=0)
    assert fresh.position == 1
