"""A closed pulse: what its snapshot keeps, and what its post and chart show.

How a pulse is scored (carrying the last result forward) is the model's, tested in
tests/model/test_tips_and_pulse.py; here a real store and `ClosingFlow` close pulses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import conversations.results.publication as publication_module
from conversations.charts import trend_chart
from conversations.pulse import PulseFlow
from conversations.results.closing import ClosingFlow
from conversations.results.publication import PublishResults
from model import Phase, TeamResult, load_content
from storage import Round, Store, Team, open_store
from tests.conftest import FakeClock

CONTENT = load_content()
ITEMS = CONTENT.questionnaire.items
WS, CHANNEL = "T0WI3TEST", "C0PULSE01"
PEOPLE = ("U0LEAD001", "U0MEMB002", "U0MEMB003", "U0MEMB004")


def answers_by_phase(p1: int, p2: int, p3: int) -> dict[str, int | None]:
    score = {Phase.PIONEERING: p1, Phase.FACILITATING: p2, Phase.STRATEGIC: p3}
    return {item.id: score[item.phase] for item in ITEMS}


# -- closing a pulse: snapshot, post, chart ------------------------------------------------------


class Team3:
    """A team of four with a minimum of three responses, in a real store."""

    def __init__(self, store: Store, clock: FakeClock) -> None:
        self.store = store
        self.clock = clock
        self.pulse = PulseFlow(store, CONTENT, clock)
        self.closing = ClosingFlow(store, CONTENT, clock)
        store.save_team(Team(WS, CHANNEL, leads=(PEOPLE[0],)))

    def team(self) -> Team:
        team = self.store.get_team(WS, CHANNEL)
        assert team is not None
        return team

    def diagnostic(self, answers: Mapping[str, int | None], respondents: int = 3,
                   subject: str | None = None) -> Round:
        round_ = self.store.open_round(WS, CHANNEL, invited=PEOPLE, subject=subject,
                                       item_ids=[i.id for i in ITEMS], at=self.clock())
        self._answer(round_, answers, respondents)
        return round_

    def pulse_round(self, score: int, respondents: int = 3) -> tuple[Round, PublishResults]:
        round_ = self.pulse.open_pulse(self.team(), PEOPLE, self.clock())
        self._answer(round_, dict.fromkeys(round_.item_ids, score), respondents)
        return round_, self._published(round_)

    def _answer(self, round_: Round, answers: Mapping[str, int | None], n: int) -> None:
        for user in PEOPLE[:n]:
            self.store.record_answers(round_.id, user, answers)
            self.store.mark_finished(round_.id, user)

    def close(self, round_: Round) -> PublishResults:
        return self._published(round_)

    def _published(self, round_: Round) -> PublishResults:
        self.clock.advance(days=2)
        assert self.closing.close(round_.id)
        published = self.closing.publication(round_.id)
        assert published is not None
        self.clock.advance(days=5)
        return published


@pytest.fixture
def team3(tmp_path: Path) -> Iterator[Team3]:
    clock = FakeClock(datetime(2027, 1, 4, 9, tzinfo=UTC))
    with open_store(tmp_path / "data", clock=clock) as store:
        yield Team3(store, clock)


def post_text(published: PublishResults) -> str:
    return "\n".join(_texts(published.message["blocks"]))


def value_line(published: PublishResults) -> str:
    return next(line for line in post_text(published).splitlines()
                if line.startswith("*Value*"))


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for value in node.values() for t in _texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in _texts(value)]
    return []


def test_a_pulse_after_a_diagnostic_shows_changes_the_basis_and_a_trend_chart(team3: Team3) -> None:
    diagnostic = team3.diagnostic(answers_by_phase(4, 4, 2))  # Value 2.4, facilitating
    team3.close(diagnostic)
    _first, first = team3.pulse_round(5)  # pioneering statements: positions stay
    text = post_text(first)
    assert "Pulse results combine this pulse's answers with the last full diagnostic" in text
    assert "since the diagnostic → no clear change" in text
    assert "since last pulse" not in text
    assert first.chart is not None and isinstance(first.chart.content, bytes)
    assert first.chart.content.startswith(b"\x89PNG")
    assert first.chart.title == "WI3 pulse trend: our use of social tools at work"
    _second, second = team3.pulse_round(5)  # W2 from 4 to 5: S2 up, S3 (the position) same
    assert "2.4 · Facilitating · since last pulse → no clear change" in value_line(second)
    _third, third = team3.pulse_round(1)  # W3 from 4 to 1: S2 3.3, back to pioneering
    assert "1.9 · Pioneering · since last pulse ↓ -0.5 · since the diagnostic ↓ -0.5" in (
        value_line(third))


def test_the_pulse_snapshot_keeps_the_combined_items_and_its_basis(team3: Team3) -> None:
    diagnostic = team3.diagnostic(answers_by_phase(4, 4, 2))
    team3.close(diagnostic)
    pulse, _published = team3.pulse_round(5)
    snapshot = team3.store.get_snapshot(pulse.id)
    assert snapshot is not None
    assert snapshot.result["basis"] == "diagnostic"
    assert snapshot.result["carried_from"] == diagnostic.id
    stored = TeamResult.from_dict(snapshot.result["team"])
    assert stored.fresh_items == pulse.item_ids
    scores = {i.item_id: i.score for i in stored.items}
    expected = {i: float(v) for i, v in answers_by_phase(4, 4, 2).items() if v is not None}
    expected.update(dict.fromkeys(pulse.item_ids, 5.0))
    assert scores == expected


def test_pulses_carry_each_other_forward_until_a_diagnostic_comes(team3: Team3) -> None:
    _first, first = team3.pulse_round(4)
    assert "no full diagnostic to build on yet" in post_text(first)
    second_round, second = team3.pulse_round(4)
    assert "combine this pulse's answers with earlier pulses" in post_text(second)
    snapshot = team3.store.get_snapshot(second_round.id)
    assert snapshot is not None
    items = TeamResult.from_dict(snapshot.result["team"]).items
    assert sum(i.counted for i in items) == 8  # two pulses' statements


def test_a_pulse_carries_forward_and_compares_only_within_its_subject(team3: Team3) -> None:
    wiki = team3.diagnostic(answers_by_phase(4, 4, 2), subject="our wiki")
    team3.close(wiki)
    _round, published = team3.pulse_round(4)  # about the team's whole use of social tools
    text = post_text(published)
    assert "no full diagnostic to build on yet" in text
    assert "since the diagnostic" not in text


def test_a_pulse_below_the_minimum_shows_no_aggregate_no_basis_and_no_chart(team3: Team3) -> None:
    diagnostic = team3.diagnostic(answers_by_phase(4, 4, 2))
    team3.close(diagnostic)
    pulse, published = team3.pulse_round(5, respondents=2)
    text = post_text(published)
    assert "*2 of 4* answered, but no statement was answered by at least *3* people" in text
    assert published.chart is None
    for hidden in ("combine", "since", "▰", "Facilitating", "Pioneering", "Strategic", "4,",
                   "4."):
        assert hidden not in text
    assert team3.store.get_snapshot(pulse.id).result["team"] is None  # type: ignore[union-attr]


def test_a_pulse_below_the_minimum_is_no_basis_for_the_next_one(team3: Team3) -> None:
    team3.pulse_round(5, respondents=2)
    _round, published = team3.pulse_round(3)
    assert "no full diagnostic to build on yet" in post_text(published)
    assert "since last pulse" not in post_text(published)


def test_the_trend_chart_shows_the_last_pulses_above_the_minimum(
    team3: Team3, monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[list[datetime]] = []
    real_chart = trend_chart  # the function publication calls

    def spy(lang: str, points: Any, **kwargs: Any) -> bytes:
        drawn.append([when for when, _ in points])
        return real_chart(lang, points, **kwargs)

    monkeypatch.setattr(publication_module, "trend_chart", spy)
    closed: list[datetime] = []
    for number in range(10):
        round_, _ = team3.pulse_round(4, respondents=2 if number == 3 else 3)
        closed.append(team3.store.get_snapshot(round_.id).closed_at)  # type: ignore[union-attr]
    shown = [when for n, when in enumerate(closed) if n != 3]
    assert drawn[-1] == shown[-8:]
    assert all(b - a == timedelta(days=7) for a, b in zip(drawn[-1][4:], drawn[-1][5:],
                                                          strict=False))
