"""How a pulse is scored (carrying the last result forward) and what its post shows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.closing import ClosingFlow, PublishResults
from conversations.pulse import PulseFlow, score_pulse, virtual_respondents
from model import Element, Phase, TeamResult, load_content, score_team, select_pulse_items
from storage import Round, Store, Team, open_store
from tests.conftest import FakeClock

CONTENT = load_content()
ITEMS = CONTENT.questionnaire.items
WS, CHANNEL = "T0WI3TEST", "C0PULSE01"
PEOPLE = ("U0LEAD001", "U0MEMB002", "U0MEMB003", "U0MEMB004")
PULSE_1 = select_pulse_items(1)


def answers_by_phase(p1: int, p2: int, p3: int) -> dict[str, int | None]:
    score = {Phase.PIONEERING: p1, Phase.FACILITATING: p2, Phase.STRATEGIC: p3}
    return {item.id: score[item.phase] for item in ITEMS}


def facilitating_team() -> TeamResult:
    """Every element facilitating: P1 and P2 statements at 4, strategic ones at 3."""
    return score_team([answers_by_phase(4, 4, 3)] * 3)


def strategic_pulse_item(element: Element) -> str:
    """A pulse number whose statement for `element` is a strategic (P3) one, and that id."""
    for number in range(1, 7):
        item = select_pulse_items(number)[list(Element).index(element)]
        if item.phase == Phase.STRATEGIC:
            return item.id
    raise AssertionError("no strategic statement in the rotation")


# -- the combined profile ----------------------------------------------------------------------


halves = st.sampled_from([None, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0])


@given(st.fixed_dictionaries({item.id: halves for item in ITEMS}))
def test_two_virtual_respondents_have_exactly_the_combined_medians(medians):
    assert dict(score_team(virtual_respondents(medians)).item_medians) == medians


def test_a_median_that_is_not_a_whole_or_half_score_is_refused():
    with pytest.raises(ValueError, match="not a whole or half score"):
        virtual_respondents({"W1": 3.25})


def test_pulse_answers_replace_their_statements_and_the_rest_is_carried_forward():
    base = facilitating_team()
    rising = strategic_pulse_item(Element.INNOVATIE)
    asked = [rising, "W1"]
    pulse = score_pulse([{rising: 5, "W1": 2}] * 3 + [{rising: 5, "W1": 3}], asked, base,
                        content=CONTENT)
    expected = dict(base.item_medians, **{rising: 5.0, "W1": 2.0})
    assert dict(pulse.item_medians) == expected
    assert pulse.respondent_count == 4
    assert pulse.item_answer_counts[rising] == 4 and pulse.item_answer_counts["V1"] == 3
    innovation = pulse.element(Element.INNOVATIE)
    assert innovation.index > base.element(Element.INNOVATIE).index  # type: ignore[operator]
    for element in (Element.IMPACT, Element.INVESTERING):
        assert pulse.element(element) == base.element(element)
    assert all(e.phase is not None for e in pulse.elements)


def test_a_statement_nobody_could_judge_this_time_keeps_its_earlier_median():
    base = facilitating_team()
    pulse = score_pulse([{"W1": None, "I1": 5}] * 3, ["W1", "I1"], base, content=CONTENT)
    assert pulse.item_medians["W1"] == base.item_medians["W1"] == 4.0
    assert pulse.item_answer_counts["W1"] == base.item_answer_counts["W1"]
    assert pulse.item_medians["I1"] == 5.0


def test_disagreement_comes_from_the_pulse_itself_not_from_the_carried_round():
    split = [answers_by_phase(1, 4, 3), answers_by_phase(5, 4, 3), answers_by_phase(1, 4, 3),
             answers_by_phase(5, 4, 3)]
    base = score_team(split)
    assert base.disagreement_items  # the diagnostic disagreed on every P1 statement
    asked = [item.id for item in PULSE_1]
    quarrel = asked[1]
    responses = [{**dict.fromkeys(asked, 3), quarrel: score} for score in (1, 1, 5, 5)]
    pulse = score_pulse(responses, asked, base, content=CONTENT)
    assert pulse.disagreement_items == (quarrel,)
    flagged = [e.element for e in pulse.elements if e.disagreement]
    assert flagged == [CONTENT.questionnaire.item(quarrel).element]


def test_without_an_earlier_result_a_pulse_places_only_what_its_statements_can():
    asked = [item.id for item in PULSE_1]
    pulse = score_pulse([dict.fromkeys(asked, 4)] * 3, asked, None, content=CONTENT)
    assert pulse.respondent_count == 3
    assert {i for i, m in pulse.item_medians.items() if m is not None} == set(asked)
    for item in PULSE_1:
        element = pulse.element(item.element)
        assert element.answered == 1
        assert (element.phase is not None) == (item.phase == Phase.FACILITATING)


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

    def diagnostic(self, answers: Mapping[str, int | None], respondents: int = 3) -> Round:
        round_ = self.store.open_round(WS, CHANNEL, invited=PEOPLE,
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
        out = self.closing.close(round_.id)
        (published,) = [o for o in out if isinstance(o, PublishResults)]
        assert self.closing.published(round_.id)
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


def test_a_pulse_after_a_diagnostic_shows_changes_the_basis_and_a_trend_chart(team3):
    diagnostic = team3.diagnostic(answers_by_phase(4, 4, 2))
    team3.close(diagnostic)
    _first, first = team3.pulse_round(5)  # pioneering statements: the index stays
    text = post_text(first)
    assert "Pulse results combine this pulse's answers with the last full diagnostic." in text
    assert "since the diagnostic → about the same" in text
    assert "since last pulse" not in text
    assert first.chart is not None and first.chart.content.startswith(b"\x89PNG")
    assert first.chart.title == "WI3 pulse trend: our use of social tools at work"
    _second, second = team3.pulse_round(5)  # W2, a facilitating statement, from 4 to 5
    assert "· since last pulse ↑ +0.1 · since the diagnostic ↑ +0.1" in value_line(second)
    _third, third = team3.pulse_round(1)  # W3, the other facilitating one, from 4 to 1
    assert "1.8 · Pioneering · since last pulse ↓ -0.4 · since the diagnostic ↓ -0.2" in (
        value_line(third))


def test_the_pulse_snapshot_keeps_the_combined_profile_and_its_basis(team3):
    diagnostic = team3.diagnostic(answers_by_phase(4, 4, 2))
    team3.close(diagnostic)
    pulse, _published = team3.pulse_round(5)
    snapshot = team3.store.get_snapshot(pulse.id)
    assert snapshot is not None
    assert snapshot.result["basis"] == "diagnostic"
    assert snapshot.result["carried_from"] == diagnostic.id
    stored = TeamResult.from_dict(snapshot.result["team"])
    base = answers_by_phase(4, 4, 2)
    expected = {i: float(v) for i, v in base.items() if v is not None}
    expected.update(dict.fromkeys(pulse.item_ids, 5.0))
    assert dict(stored.item_medians) == expected


def test_pulses_carry_each_other_forward_until_a_diagnostic_comes(team3):
    _first, first = team3.pulse_round(4)
    assert "no full diagnostic to build on yet" in post_text(first)
    second_round, second = team3.pulse_round(4)
    assert "combine this pulse's answers with earlier pulses" in post_text(second)
    medians = TeamResult.from_dict(
        team3.store.get_snapshot(second_round.id).result["team"]).item_medians  # type: ignore[union-attr]
    assert sum(m is not None for m in medians.values()) == 8  # two pulses' statements


def test_a_pulse_below_the_minimum_shows_no_aggregate_no_basis_and_no_chart(team3):
    diagnostic = team3.diagnostic(answers_by_phase(4, 4, 2))
    team3.close(diagnostic)
    pulse, published = team3.pulse_round(5, respondents=2)
    text = post_text(published)
    assert "Only *2 of 4* answered" in text
    assert published.chart is None
    for hidden in ("combine", "since", "▰", "Facilitating", "Pioneering", "Strategic"):
        assert hidden not in text
    assert team3.store.get_snapshot(pulse.id).result["team"] is None  # type: ignore[union-attr]


def test_a_pulse_below_the_minimum_is_no_basis_for_the_next_one(team3):
    team3.pulse_round(5, respondents=2)
    _round, published = team3.pulse_round(3)
    assert "no full diagnostic to build on yet" in post_text(published)
    assert "since last pulse" not in post_text(published)


def test_the_trend_chart_shows_the_last_pulses_above_the_minimum(team3, monkeypatch):
    drawn: list[list[datetime]] = []
    import conversations.pulse as pulse_module

    real_chart = pulse_module.trend_chart

    def spy(lang: str, points: Any, **kwargs: Any) -> bytes:
        drawn.append([when for when, _ in points])
        return real_chart(lang, points, **kwargs)

    monkeypatch.setattr(pulse_module, "trend_chart", spy)
    closed = []
    for number in range(10):
        round_, _ = team3.pulse_round(4, respondents=2 if number == 3 else 3)
        closed.append(team3.store.get_snapshot(round_.id).closed_at)  # type: ignore[union-attr]
    shown = [when for n, when in enumerate(closed) if n != 3]
    assert drawn[-1] == shown[-8:]
    assert all(b - a == timedelta(days=7) for a, b in zip(drawn[-1][4:], drawn[-1][5:],
                                                          strict=False))
