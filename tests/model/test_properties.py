"""Properties of scoring v3 that must hold for any answers (hypothesis).

The four properties of wi3-instrument.md §3.7 (monotone, bounded, complete, honest) run
under `SCORING_PROPERTIES`: 500 derandomised examples each in CI. The others (labels and
positions agree, privacy, order, snapshots) keep the faster settings they had.

Teams are generated the way real ones behave: people who answer everything, people who
stop early (answer a first part of the statements), and colluders who answer only
"don't know".
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from model import (
    Element,
    ItemScore,
    Phase,
    ProfileResult,
    TeamResult,
    load_content,
    score_items,
    score_respondent,
    score_team,
)
from model.position import label, position, position_float, rounded_label
from tests.model.conftest import SCORING_PROPERTIES

QUESTIONNAIRE = load_content().questionnaire
ITEM_IDS = [item.id for item in QUESTIONNAIRE.items]
BARRIER_IDS = [option.id for option in QUESTIONNAIRE.barriers]
Answers = dict[str, int | None]

answer = st.sampled_from([None, 1, 2, 3, 4, 5])
full = st.lists(answer, min_size=len(ITEM_IDS), max_size=len(ITEM_IDS)).map(
    lambda values: dict(zip(ITEM_IDS, values, strict=True)))
"""Everyone's answers, one per statement (a list is much cheaper to draw than a dict)."""
stops_early = st.tuples(full, st.integers(0, len(ITEM_IDS) - 1)).map(
    lambda pair: dict(list(pair[0].items())[:pair[1]]))
dont_know_only = st.just(dict.fromkeys(ITEM_IDS, None))
respondent = st.one_of(full, full, stops_early, dont_know_only)
team = st.lists(respondent, min_size=0, max_size=9)
raiser = st.tuples(full, st.sampled_from(ITEM_IDS), st.integers(1, 4)).map(
    lambda drawn: {**drawn[0], drawn[1]: drawn[2]})
"""Someone with at least one answer below 5: an answer there is to raise."""


@st.composite
def team_with_a_raiser(draw: st.DrawFn) -> list[Answers]:
    """A team in which some answer can be raised (every example tests something)."""
    others = draw(st.lists(respondent, max_size=8))
    at = draw(st.integers(0, len(others)))
    return [*others[:at], draw(raiser), *others[at:]]


minimum = st.integers(3, 5)
checklists = st.lists(st.lists(st.sampled_from(BARRIER_IDS), max_size=3), max_size=9)
fast = settings(max_examples=100, deadline=None)
level_mean = st.fractions(min_value=1, max_value=5, max_denominator=60)
EPSILON = 1e-9


def _labels(profile: ProfileResult) -> list[tuple[Phase, ...]]:
    """Every label a surface shows: per element its label and range, and the headline."""
    shown: list[tuple[Phase, ...]] = [
        (e.low_phase, e.high_phase, *((e.phase,) if e.phase is not None else ()))
        for e in profile.elements]
    return [*shown, (profile.overall, profile.overall_high)]


# -- monotone ----------------------------------------------------------------------------------


@SCORING_PROPERTIES
@given(team_with_a_raiser(), minimum, st.data())
def test_monotone_raising_one_answer_lowers_nothing(
    responses: list[Answers], least: int, data: st.DataObject
) -> None:
    """Raising any one answer never lowers an item score, an element position or range, the
    overall position or any label shown, and never makes that element the bottleneck."""
    raisable = [(n, i) for n, r in enumerate(responses) for i, v in r.items()
                if v is not None and v < 5]
    assert raisable  # the team has a raiser
    who, item_id = data.draw(st.sampled_from(raisable))
    raised = [dict(r) for r in responses]
    old = raised[who][item_id]
    assert old is not None
    raised[who][item_id] = data.draw(st.integers(old + 1, 5))
    element = QUESTIONNAIRE.item(item_id).element
    team_before, team_after = score_team(responses, minimum=least), score_team(raised,
                                                                               minimum=least)
    before_item, after_item = team_before.item(item_id), team_after.item(item_id)
    if before_item.score is not None:
        assert after_item.score is not None and after_item.score >= before_item.score
    pairs = [(team_before, team_after),
             (score_respondent(responses[who]), score_respondent(raised[who]))]
    for before, after in pairs:
        for old_e, new_e in zip(before.elements, after.elements, strict=True):
            if old_e.position is not None:
                assert new_e.position is not None
                assert new_e.position >= old_e.position - EPSILON, (old_e, new_e)
            assert new_e.low >= old_e.low - EPSILON and new_e.high >= old_e.high - EPSILON
        assert after.overall_position >= before.overall_position - EPSILON
        for old_labels, new_labels in zip(_labels(before), _labels(after), strict=True):
            assert all(new >= old for old, new in zip(old_labels, new_labels, strict=True))
        if after.bottleneck == element:
            assert before.bottleneck == element


# -- bounded -----------------------------------------------------------------------------------


@SCORING_PROPERTIES
@given(level_mean, level_mean, level_mean, st.integers(0, 2), level_mean)
def test_bounded_a_position_moves_at_most_two_per_point_of_a_level_mean(
    s1: Fraction, s2: Fraction, s3: Fraction, which: int, other: Fraction
) -> None:
    levels = [s1, s2, s3]
    moved = list(levels)
    moved[which] = other
    change = abs(position(*moved) - position(*levels))
    assert change <= 2 * abs(other - levels[which])
    assert 0 <= position(*levels) <= 4


@SCORING_PROPERTIES
@given(level_mean, level_mean, level_mean)
def test_the_floating_point_position_agrees_with_the_exact_one(
    s1: Fraction, s2: Fraction, s3: Fraction
) -> None:
    """Leaving each person out is computed in floating point (`model.respondents`): it must
    give the exact position and, where that is a whole number, its label."""
    exact = position(s1, s2, s3)
    approximate = position_float(float(s1), float(s2), float(s3))
    assert abs(approximate - float(exact)) < 1e-9
    assert rounded_label(approximate) == label(exact)


six_or_more = st.lists(
    st.lists(st.integers(1, 5), min_size=len(ITEM_IDS), max_size=len(ITEM_IDS)).map(
        lambda values: dict(zip(ITEM_IDS, values, strict=True))),
    min_size=6, max_size=9)


@SCORING_PROPERTIES
@given(six_or_more, st.lists(respondent, max_size=2), st.data())
def test_bounded_one_answer_in_a_team_of_six_moves_nothing_by_two_phases(
    answering: list[Answers], others: list[Answers], data: st.DataObject
) -> None:
    """Where six or more people answered each statement, one person changing one answer
    moves no element and no headline by more than one phase."""
    responses = [*answering, *others]
    who = data.draw(st.integers(0, len(answering) - 1))
    item_id = data.draw(st.sampled_from(ITEM_IDS))
    changed = [dict(r) for r in responses]
    changed[who][item_id] = data.draw(st.integers(1, 5))
    before, after = score_team(responses), score_team(changed)
    for old_labels, new_labels in zip(_labels(before), _labels(after), strict=True):
        assert all(abs(new - old) <= 1 for old, new in zip(old_labels, new_labels, strict=True))
    for old_e, new_e in zip(before.elements, after.elements, strict=True):
        assert old_e.position is not None and new_e.position is not None
        assert abs(new_e.position - old_e.position) < 1


# -- complete ----------------------------------------------------------------------------------


@SCORING_PROPERTIES
@given(team, minimum)
def test_complete_every_element_counts_in_the_headline(
    responses: list[Answers], least: int
) -> None:
    """Divided or short of answers, no element is left out of the headline."""
    result = score_team(responses, minimum=least)
    lows = [e.low for e in result.elements]
    assert result.overall_position == min(lows)
    assert result.overall == label(min(lows))
    assert result.overall_high == label(min(e.high for e in result.elements))
    assert result.overall <= result.overall_high
    assert all(result.overall <= e.low_phase for e in result.elements)
    assert result.further == sum(1 for e in result.elements if e.low_phase > result.overall)
    for element in result.elements:
        if element.divided and element.low_phase == result.overall:
            assert element.element in result.divided_on


@SCORING_PROPERTIES
@given(team, minimum, st.data())
def test_complete_missing_answers_widen_the_range_instead(
    responses: list[Answers], least: int, data: st.DataObject
) -> None:
    """A statement losing its answers (everyone now says "don't know") widens its
    element's range and never lifts the headline."""
    before = score_team(responses, minimum=least)
    counted = [i.item_id for i in before.items if i.counted]
    assume(counted)
    item_id = data.draw(st.sampled_from(counted))
    silenced = [{**r, item_id: None} if item_id in r else r for r in responses]
    after = score_team(silenced, minimum=least)
    element = QUESTIONNAIRE.item(item_id).element
    old, new = before.element(element), after.element(element)
    assert new.low <= old.low + EPSILON and new.high >= old.high - EPSILON
    assert after.overall <= before.overall and after.overall_high >= before.overall_high
    assert after.overall_position <= before.overall_position + EPSILON


# -- honest ------------------------------------------------------------------------------------


@SCORING_PROPERTIES
@given(team, minimum, st.data())
def test_honest_whatever_the_missing_answers_would_have_been_lies_in_the_range(
    responses: list[Answers], least: int, data: st.DataObject
) -> None:
    """The range and the headline's two labels cover every way the statements without
    enough answers could have been answered, so a label they cannot settle is not claimed."""
    result = score_team(responses, minimum=least)
    filled = [item if item.counted else ItemScore(
        item.item_id, _counts(value := data.draw(st.integers(1, 5)), least), 0, float(value))
        for item in result.items]
    completed = score_items(filled, minimum=least, respondent_count=least)
    for claimed, actual in zip(result.elements, completed.elements, strict=True):
        assert actual.position is not None
        assert claimed.low - EPSILON <= actual.position <= claimed.high + EPSILON
        assert claimed.low_phase <= label(actual.position) <= claimed.high_phase
        if claimed.settled and claimed.phase is not None:
            assert actual.phase == claimed.phase
    assert result.overall <= completed.overall <= result.overall_high


def _counts(value: int, people: int) -> tuple[int, ...]:
    return tuple(people if v == value else 0 for v in range(1, 6))


@SCORING_PROPERTIES
@given(st.lists(full, min_size=4, max_size=9), st.data())
def test_honest_an_element_not_on_the_edge_keeps_its_label_without_any_one_person(
    responses: list[Answers], data: st.DataObject
) -> None:
    """On the edge is what leaving one person out does: without anyone whose absence
    leaves every statement counted, the label stays within the edge (or unchanged)."""
    result = score_team(responses)
    who = data.draw(st.integers(0, len(responses) - 1))
    rest = score_team(responses[:who] + responses[who + 1:])
    for element, without in zip(result.elements, rest.elements, strict=True):
        if element.counted != without.counted or element.phase is None:
            continue  # the rest no longer reach the minimum somewhere: not left out
        assert without.phase is not None
        lowest, highest = element.edge or (element.phase, element.phase)
        assert lowest <= without.phase <= highest
        assert lowest <= element.phase <= highest


# -- the other properties --------------------------------------------------------------------


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
            assert 0.0 <= element.low <= element.high <= 4.0
            if element.position is not None:
                assert element.phase == min(math.floor(element.position), 3)
                assert element.low - EPSILON <= element.position <= element.high + EPSILON
            assert (element.position is None) == (element.counted == 0)


@fast
@given(team, minimum, checklists, st.data())
def test_no_figure_depends_on_a_statement_fewer_than_the_minimum_answered(
    responses: list[Answers], least: int, ticks: list[list[str]], data: st.DataObject
) -> None:
    """Non-interference: whatever the few answered on a thin statement, and whatever the
    few ticked in a thin checklist, the result is the same, so none of it shows (on the
    edge, spread and minorities included)."""
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
    """Two views of the same statements: both camps answer (or skip) the same ones."""
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
def test_a_team_split_in_two_halves_reads_divided_and_keeps_its_place(
    halves: tuple[list[Answers], list[Answers]]
) -> None:
    low, high = halves
    result = score_team([*low, *high])
    assert all(e.divided and e.position is not None for e in result.elements)
    assert result.divided_on  # the headline names no phase
    assert result.inhibitors == () and result.drivers == ()
    assert all(e.minority is None for e in result.elements)


@fast
@given(st.lists(st.tuples(answer, answer, answer), min_size=3, max_size=6))
def test_a_tie_names_no_bottleneck(patterns: list[tuple[int | None, ...]]) -> None:
    """Every element gets the same answers per phase tag, so all positions are equal."""
    by_tag = [{i.id: p[i.phase - 1] for i in QUESTIONNAIRE.items} for p in patterns]
    result = score_team(by_tag)
    assert result.bottleneck is None


@fast
@given(team, minimum)
def test_a_named_bottleneck_is_clearly_behind_over_its_whole_range(
    responses: list[Answers], least: int
) -> None:
    result = score_team(responses, minimum=least)
    if result.bottleneck is not None:
        behind = result.element(result.bottleneck)
        assert all(behind.high <= other.low - 0.25 + EPSILON
                   for other in result.elements if other.element != behind.element)


@fast
@given(team, minimum)
def test_below_phase_three_every_element_learns_what_holds_it_back(
    responses: list[Answers], least: int
) -> None:
    result = score_team(responses, minimum=least)
    for element in result.placed:
        assert element.phase is not None
        if element.divided or element.phase == Phase.STRATEGIC:
            continue
        next_level = Phase(element.phase + 1)
        if next_level not in element.unanswered_phases:
            assert result.inhibitors_for(element.element), element


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


@fast
@given(respondent)
def test_a_respondents_profile_survives_a_json_round_trip(answers: Answers) -> None:
    profile = score_respondent(answers)
    assert ProfileResult.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_elements_are_listed_in_questionnaire_order() -> None:
    assert [e.element for e in score_team([]).elements] == list(Element)
