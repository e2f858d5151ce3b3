"""Properties of scoring that must hold for any answers (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from model import (
    Phase,
    ProfileResult,
    TeamResult,
    load_content,
    score_respondent,
    score_team,
)

ITEM_IDS = [item.id for item in load_content().questionnaire.items]
BARRIER_IDS = [option.id for option in load_content().questionnaire.barriers]

answer = st.sampled_from([None, 1, 2, 3, 4, 5])
respondent = st.fixed_dictionaries({item_id: answer for item_id in ITEM_IDS})
team = st.lists(respondent, min_size=1, max_size=7)
ticks = st.lists(st.sampled_from(BARRIER_IDS), max_size=9)
fast = settings(max_examples=150, deadline=None)


def _no_element_got_worse(before: ProfileResult, after: ProfileResult) -> None:
    for old, new in zip(before.elements, after.elements, strict=True):
        if old.phase is not None:
            assert new.phase is not None and new.phase >= old.phase, (old, new)
        if old.index is not None:
            assert new.index is not None and new.index >= old.index, (old, new)


@fast
@given(team, st.data())
def test_raising_one_answer_never_lowers_an_element(
    responses: list[dict[str, int | None]], data: st.DataObject
) -> None:
    who = data.draw(st.integers(0, len(responses) - 1))
    answered = [i for i in ITEM_IDS if (v := responses[who][i]) is not None and v < 5]
    if not answered:
        return
    item_id = data.draw(st.sampled_from(answered))
    old_value = responses[who][item_id]
    assert old_value is not None
    raised = [dict(r) for r in responses]
    raised[who][item_id] = data.draw(st.integers(old_value + 1, 5))
    _no_element_got_worse(score_team(responses), score_team(raised))
    _no_element_got_worse(score_respondent(responses[who]), score_respondent(raised[who]))


@fast
@given(team, ticks)
def test_phases_and_indices_stay_in_range(
    responses: list[dict[str, int | None]], barrier_ticks: list[str]
) -> None:
    result = score_team(responses, barrier_ticks)
    placed = [e for e in result.elements if e.phase is not None]
    for element in result.elements:
        assert (element.phase is None) == (element.index is None)
        if element.index is not None:
            assert 1.0 <= element.index <= 3.0
            assert element.phase in set(Phase)
        assert 0 <= element.answered <= element.item_count
    if placed:
        low = min(e.phase for e in placed if e.phase is not None)
        assert result.overall is not None and low <= result.overall <= low + 1
        assert result.bottleneck in {e.element for e in placed}
    else:
        assert result.overall is None and result.bottleneck is None
    for finding in result.inhibitors:
        assert finding.score <= 2.5 and finding.gap >= 1.0
    for finding in result.drivers:
        assert finding.score >= 4


@fast
@given(team, ticks, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_respondent_order(
    responses: list[dict[str, int | None]], barrier_ticks: list[str], rng: object
) -> None:
    shuffled = list(responses)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    reversed_ticks = list(reversed(barrier_ticks))
    assert score_team(shuffled, reversed_ticks) == score_team(responses, barrier_ticks)


@fast
@given(team, ticks)
def test_results_survive_a_json_round_trip(
    responses: list[dict[str, int | None]], barrier_ticks: list[str]
) -> None:
    result = score_team(responses, barrier_ticks)
    stored = json.loads(json.dumps(result.to_dict()))
    assert TeamResult.from_dict(stored) == result
    profile = score_respondent(responses[0])
    assert ProfileResult.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile
