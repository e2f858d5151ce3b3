"""Properties of scoring v2 that must hold for any answers (hypothesis).

Teams are generated the way real ones behave: people who answer everything, people who
stop early (answer a first part of the statements), and colluders who answer only
"don't know".
"""

from __future__ import annotations

import json
import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from model import (
    Element,
    Phase,
    ProfileResult,
    TeamResult,
    load_content,
    score_respondent,
    score_team,
)

QUESTIONNAIRE = load_content().questionnaire
ITEM_IDS = [item.id for item in QUESTIONNAIRE.items]
BARRIER_IDS = [option.id for option in QUESTIONNAIRE.barriers]
Answers = dict[str, int | None]

answer = st.sampled_from([None, 1, 2, 3, 4, 5])
full = st.fixed_dictionaries({item_id: answer for item_id in ITEM_IDS})
stops_early = st.tuples(full, st.integers(0, len(ITEM_IDS) - 1)).map(
    lambda pair: dict(list(pair[0].items())[:pair[1]]))
dont_know_only = st.just(dict.fromkeys(ITEM_IDS, None))
respondent = st.one_of(full, full, stops_early, dont_know_only)
team = st.lists(respondent, min_size=0, max_size=9)
minimum = st.integers(3, 5)
checklists = st.lists(st.lists(st.sampled_from(BARRIER_IDS), max_size=3), max_size=9)
fast = settings(max_examples=200, deadline=None)


@fast
@given(team, minimum)
def test_the_label_is_always_the_whole_part_of_the_position(
    responses: list[Answers], least: int
) -> None:
    profiles: list[ProfileResult] = [score_team(responses, minimum=least)]
    profiles += [score_respondent(r) for r in responses[:2]]
    for profile in profiles:
        for element in profile.elements:
            assert (element.phase is None) == (element.position is None)
            if element.position is not None:
                assert 0.0 <= element.position < 4.0
                assert math.floor(element.position) == element.phase
            if element.divided:
                assert element.phase is None


@fast
@given(team, minimum)
def test_overall_is_never_above_any_element_phase(responses: list[Answers], least: int) -> None:
    result = score_team(responses, minimum=least)
    phases = [e.phase for e in result.elements if e.phase is not None]
    if phases:
        assert result.overall is not None
        assert all(result.overall <= phase for phase in phases)
        assert result.overall in phases
        assert result.further == sum(1 for phase in phases if phase > result.overall)
    else:
        assert result.overall is None and result.bottleneck is None and result.further == 0


@fast
@given(team, minimum, checklists, st.data())
def test_no_figure_depends_on_a_statement_fewer_than_the_minimum_answered(
    responses: list[Answers], least: int, ticks: list[list[str]], data: st.DataObject
) -> None:
    """Non-interference: whatever the few answered on a thin statement, and whatever the
    few ticked in a thin checklist, the result is the same, so none of it shows."""
    answered = {i: sum(1 for r in responses if r.get(i) is not None) for i in ITEM_IDS}
    thin = {i for i, n in answered.items() if n < least}
    contributors = sum(1 for t in ticks if t)
    assume(thin or contributors < least)
    changed = []
    for person in responses:
        other = dict(person)
        for item_id in thin & {i for i, v in person.items() if v is not None}:
            other[item_id] = data.draw(answer)  # another answer, or don't know
        changed.append(other)
    other_ticks = ticks
    if contributors < least:
        other_ticks = data.draw(st.lists(st.lists(st.sampled_from(BARRIER_IDS), max_size=3),
                                         max_size=9).filter(
            lambda ts: sum(1 for t in ts if t) < least))
    assert score_team(changed, barriers=other_ticks, minimum=least) == score_team(
        responses, barriers=ticks, minimum=least)


@st.composite
def two_camps(draw: st.DrawFn) -> tuple[Answers, Answers]:
    """Two views of the same statements: both camps answer (or skip) the same ones.

    (Camps that answer *different* statements decide which statements reach the minimum
    at all; with a minimum of three, three like-minded people may do that by design.)
    """
    a = draw(full)
    b = {i: None if v is None else draw(st.integers(1, 5)) for i, v in a.items()}
    return a, b


@fast
@given(two_camps())
def test_a_three_against_two_split_cannot_swing_an_element_from_zero_to_three(
    camps: tuple[Answers, Answers]
) -> None:
    a, b = camps
    three_a = score_team([a, a, a, b, b])
    three_b = score_team([a, a, b, b, b])
    for left, right in zip(three_a.elements, three_b.elements, strict=True):
        if left.phase is not None and right.phase is not None:
            assert {left.phase, right.phase} != {Phase.NOT_STARTED, Phase.STRATEGIC}


low_side = st.fixed_dictionaries({i: st.sampled_from([1, 2]) for i in ITEM_IDS})
high_side = st.fixed_dictionaries({i: st.sampled_from([4, 5]) for i in ITEM_IDS})


@fast
@given(st.integers(2, 5).flatmap(
    lambda k: st.tuples(st.lists(low_side, min_size=k, max_size=k),
                        st.lists(high_side, min_size=k, max_size=k))))
def test_a_team_split_in_two_halves_reads_divided(
    halves: tuple[list[Answers], list[Answers]]
) -> None:
    low, high = halves
    result = score_team([*low, *high])
    assert all(e.divided and e.phase is None for e in result.elements)
    assert result.overall is None and result.bottleneck is None
    assert result.inhibitors == () and result.drivers == ()


@fast
@given(st.lists(st.tuples(answer, answer, answer), min_size=3, max_size=6))
def test_a_tie_names_no_bottleneck(patterns: list[tuple[int | None, ...]]) -> None:
    """Every element gets the same answers per phase tag, so all positions are equal."""
    by_tag = [{i.id: p[i.phase - 1] for i in QUESTIONNAIRE.items} for p in patterns]
    result = score_team(by_tag)
    positions = {e.position for e in result.elements if e.position is not None}
    assume(len(result.placed) >= 2)
    assert len(positions) == 1
    assert result.bottleneck is None


@fast
@given(team, minimum)
def test_a_named_bottleneck_is_clearly_behind_every_other_element(
    responses: list[Answers], least: int
) -> None:
    result = score_team(responses, minimum=least)
    positions = sorted((e.position, e.element) for e in result.placed
                       if e.position is not None)
    assume(len(positions) >= 2)
    gap = positions[1][0] - positions[0][0]
    if result.bottleneck is None:
        assert gap < 0.25 + 1e-9
    else:
        assert result.bottleneck == positions[0][1] and gap >= 0.25 - 1e-9


@fast
@given(team, minimum)
def test_below_phase_three_every_element_learns_what_holds_it_back(
    responses: list[Answers], least: int
) -> None:
    result = score_team(responses, minimum=least)
    for element in result.placed:
        assert element.phase is not None
        next_items_counted = element.phase < Phase.FACILITATING or element.s3 is not None
        if element.phase < Phase.STRATEGIC and next_items_counted:
            assert result.inhibitors_for(element.element), element


@fast
@given(team, st.data())
def test_raising_one_answer_never_lowers_a_placed_element(
    responses: list[Answers], data: st.DataObject
) -> None:
    raisable = [(n, i) for n, r in enumerate(responses) for i, v in r.items()
                if v is not None and v < 5]
    assume(raisable)
    who, item_id = data.draw(st.sampled_from(raisable))
    raised = [dict(r) for r in responses]
    old = raised[who][item_id]
    assert old is not None
    raised[who][item_id] = data.draw(st.integers(old + 1, 5))
    pairs = [(score_team(responses), score_team(raised)),
             (score_respondent(responses[who]), score_respondent(raised[who]))]
    for before, after in pairs:
        for old_e, new_e in zip(before.elements, after.elements, strict=True):
            if old_e.position is not None and new_e.position is not None:
                assert new_e.position >= old_e.position - 1e-9, (old_e, new_e)


@fast
@given(team, checklists, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_respondent_order(
    responses: list[Answers], ticks: list[list[str]], rng: object
) -> None:
    shuffled = list(responses)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert score_team(shuffled, barriers=list(reversed(ticks))) == score_team(
        responses, barriers=ticks)


@fast
@given(team, checklists)
def test_results_survive_a_json_round_trip(
    responses: list[Answers], ticks: list[list[str]]
) -> None:
    result = score_team(responses, barriers=ticks)
    assert TeamResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assume(responses)
    profile = score_respondent(responses[0])
    assert ProfileResult.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_elements_are_listed_in_questionnaire_order() -> None:
    assert [e.element for e in score_team([]).elements] == list(Element)
