"""The privacy gate and the history behind every results surface, over a real store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.context import Caller
from conversations.outbound import Reply
from conversations.results.closing import ClosingFlow
from conversations.results.history import History, same_subject
from conversations.results.outcome import Withheld
from conversations.results.reports import ReportsFlow
from model import Element, Phase, load_content
from storage import Round, Store, Team, open_store
from tests.conftest import FakeClock
from tests.model.conftest import by_phase

CONTENT = load_content()
WS, CHANNEL, LEAD = "T0GATE001", "C0GATE001", "U0LEAD001"
PEOPLE = (LEAD, "U0MEMB002", "U0MEMB003", "U0MEMB004", "U0MEMB005")
ITEM_IDS = [i.id for i in CONTENT.questionnaire.items]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2027, 5, 3, 9, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(tmp_path / "data", clock=clock) as opened:
        opened.save_team(Team(WS, CHANNEL, leads=(LEAD,)))
        yield opened


def team(store: Store) -> Team:
    found = store.get_team(WS, CHANNEL)
    assert found is not None
    return found


def closed_round(store: Store, clock: FakeClock, answers: list[dict[str, int | None]],
                 subject: str | None = None) -> Round:
    round_ = store.open_round(WS, CHANNEL, invited=PEOPLE, item_ids=ITEM_IDS,
                              subject=subject, at=clock())
    for user, given in zip(PEOPLE, answers, strict=False):
        store.record_answers(round_.id, user, given)
        store.mark_finished(round_.id, user)
    clock.advance(days=7)
    closing = ClosingFlow(store, CONTENT, clock)
    assert closing.close(round_.id)
    assert closing.publication(round_.id) is not None  # scored into its snapshot
    clock.advance(days=30)
    return round_


def test_a_snapshot_scored_by_the_first_version_shows_nothing(
    store: Store, clock: FakeClock
) -> None:
    round_ = closed_round(store, clock, [by_phase(4, 4, 2)] * 3)
    snapshot = store.get_snapshot(round_.id)
    assert snapshot is not None
    legacy = dict(snapshot.result["team"], version=1, item_medians={})
    store.save_snapshot(replace(snapshot, result={**snapshot.result, "team": legacy}))
    outcome = History(store, CONTENT).outcome(store.get_snapshot(round_.id), team(store))  # type: ignore[arg-type]
    assert outcome.result is None and outcome.withheld == Withheld.VERSION
    lead = Caller(WS, LEAD, "en", CHANNEL)
    (reply,) = ReportsFlow(store, CONTENT, clock).status(lead, team(store))
    assert isinstance(reply, Reply)
    assert "scored by an earlier version of WI3" in str(reply.message)


def test_a_round_scored_by_v2_reads_as_v3_from_the_item_scores_it_kept(
    store: Store, clock: FakeClock
) -> None:
    """Closed rounds of customers exist: scored by v2, they are scored again by v3 (the
    headline of v2 said "pioneering" here: S2 at exactly 3.5 read S3 only later)."""
    round_ = closed_round(store, clock, [by_phase(5, 4, 5)] * 2 + [by_phase(5, 3, 5)] * 2)
    snapshot = store.get_snapshot(round_.id)
    assert snapshot is not None
    v2 = {key: value for key, value in snapshot.result["team"].items()
          if key not in ("overall_high", "overall_position")}
    v2.update(version=2, overall=1, elements=[
        {key: value for key, value in element.items()
         if key not in ("low", "high", "short_phases", "edge", "spread", "minority")}
        for element in v2["elements"]])
    kept = {key: value for key, value in snapshot.result.items() if key != "finished"}
    store.save_snapshot(replace(snapshot, result={**kept, "team": v2}))
    outcome = History(store, CONTENT).outcome(store.get_snapshot(round_.id), team(store))  # type: ignore[arg-type]
    assert outcome.result is not None and outcome.finished is None
    assert outcome.result.overall == Phase.FACILITATING
    assert outcome.result.element(Element.WAARDE).position == 2.0
    assert outcome.result.element(Element.WAARDE).spread is None  # the answers are not kept
    lead = Caller(WS, LEAD, "en", CHANNEL)
    (reply,) = ReportsFlow(store, CONTENT, clock).status(lead, team(store))
    assert isinstance(reply, Reply)
    assert "4 of 5 answered): overall *facilitating*" in str(reply.message)


def test_raising_the_minimum_hides_what_fewer_people_answered_in_earlier_rounds(
    store: Store, clock: FakeClock
) -> None:
    four = [by_phase(4, 4, 2)] * 3 + [by_phase(4, 4, None)]
    round_ = closed_round(store, clock, four)
    history = History(store, CONTENT)
    snapshot = store.get_snapshot(round_.id)
    assert snapshot is not None
    before = history.outcome(snapshot, team(store)).result
    assert before is not None and before.item("W5").counted
    store.save_team(replace(team(store), min_responses=4))
    after = history.outcome(snapshot, team(store))
    assert after.min_responses == 4
    assert after.result is not None and not after.result.item("W5").counted  # three answered
    store.save_team(replace(team(store), min_responses=5))
    assert history.outcome(snapshot, team(store)).withheld == Withheld.MINIMUM


def test_rounds_are_compared_only_with_rounds_about_the_same_subject(
    store: Store, clock: FakeClock
) -> None:
    closed_round(store, clock, [by_phase(4, 3, 1)] * 3, subject="Our Wiki")
    chat = closed_round(store, clock, [by_phase(4, 4, 2)] * 3, subject="our chat")
    wiki = closed_round(store, clock, [by_phase(4, 4, 2)] * 3, subject="our wiki")
    history = History(store, CONTENT)
    chat_outcome = history.outcome(store.get_snapshot(chat.id), team(store))  # type: ignore[arg-type]
    wiki_outcome = history.outcome(store.get_snapshot(wiki.id), team(store))  # type: ignore[arg-type]
    assert chat_outcome.previous is None  # the wiki is another initiative
    assert wiki_outcome.previous is not None
    assert wiki_outcome.previous.element(Element.WAARDE).phase == Phase.PIONEERING
    assert same_subject(None, "") and same_subject(" Our Wiki", "our wiki")
    assert not same_subject(None, "our wiki")
