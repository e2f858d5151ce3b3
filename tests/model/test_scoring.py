"""Golden cases for scoring v3 (wi3-instrument.md §3.7): rule 1's reference values, ranges,
the headline over all four elements, the bottleneck, on the edge, minorities, confirmed
barriers; and the cases that made §3.2 and §3.6 unreadable."""

from __future__ import annotations

from fractions import Fraction

import pytest

from model import (
    Element,
    ItemScore,
    Minority,
    Phase,
    TeamResult,
    score_items,
    score_respondent,
    score_team,
    stored_result,
    with_minimum,
)
from model.position import position
from tests.model.conftest import by_phase, per_element

VALUE, IMPACT, INNOVATION, INVESTMENT = list(Element)
F = Fraction

REFERENCE = [
    ((F(5), F(7, 2), F(5)), F(2)),
    ((F(5), F(139, 40), F(5)), F(199, 100)),
    ((F(5), F(4), F(7, 2)), F(3)),
    ((F(16, 5), F(16, 5), F(16, 5)), F(188, 100)),
    ((F(1), F(2), F(4)), F(2, 3)),
    ((F(5), F(5), F(5)), F(4)),
]
"""Rule 1's reference values: (S1, S2, S3) -> position (0.67 is 2/3)."""


@pytest.mark.parametrize(("levels", "expected"), REFERENCE)
def test_rule_one_reference_values(levels: tuple[Fraction, ...], expected: Fraction) -> None:
    assert position(*levels) == expected


def _mixed(n: int, high: int, low: int, highs: int) -> list[int]:
    """`n` answers: `highs` of them `high`, the rest `low`."""
    return [high] * highs + [low] * (n - highs)


def test_rule_one_reference_values_through_a_team() -> None:
    """Teams whose Investment levels are the reference values, scored as every surface
    scores them."""
    def team_with(n: int, p2: dict[str, list[int]], p3: dict[str, list[int]] | None = None,
                  every: int = 5) -> TeamResult:
        people = []
        for k in range(n):
            answers = by_phase(every, every, every)
            answers.update({item_id: values[k] for item_id, values in p2.items()})
            answers.update({item_id: values[k] for item_id, values in (p3 or {}).items()})
            people.append(answers)
        return score_team(people)

    half = _mixed(10, 4, 3, 5)
    reached = team_with(10, {"V2": half, "V3": half, "V4": half, "V7": half})
    just_below = team_with(10, {"V2": half, "V3": half, "V4": half, "V7": _mixed(10, 4, 3, 4)})
    firm = team_with(10, dict.fromkeys(("V2", "V3", "V4", "V7"), [4] * 10),
                     {"V5": half, "V6": half})
    shown = {name: (result.element(INVESTMENT).s2, result.element(INVESTMENT).position,
                    result.element(INVESTMENT).phase)
             for name, result in (("reached", reached), ("just_below", just_below),
                                  ("firm", firm))}
    assert shown["reached"] == (3.5, 2.0, Phase.FACILITATING)
    assert shown["just_below"][0] == pytest.approx(3.475)
    assert shown["just_below"][1] == pytest.approx(1.99)
    assert shown["just_below"][2] == Phase.PIONEERING
    assert shown["firm"][1:] == (3.0, Phase.STRATEGIC)
    mid = score_team([by_phase(3, 3, 3)] * 4 + [by_phase(4, 4, 4)])
    assert mid.element(VALUE).position == pytest.approx(1.88)
    low = score_team([by_phase(1, 2, 4)] * 3)
    assert low.element(VALUE).position == pytest.approx(2 / 3)
    assert score_team([by_phase(5, 5, 5)] * 3).element(VALUE).position == 4.0


def test_the_position_fills_its_stages_one_after_another_without_jumps() -> None:
    assert position(F(5, 2), F(1), F(1)) == 1  # getting started, complete at M = 2.5
    assert position(F(5), F(7, 2), F(1)) == 2  # pioneering complete at S2 = 3.5
    assert position(F(5), F(7, 2), F(5)) == 2  # strategic statements wait for S2 = 4.0
    assert position(F(5), F(15, 4), F(5)) == F(5, 2)
    assert position(F(3), F(3), F(5)) == F(9, 5)  # facilitating three: pioneering, 1.8
    for s2 in (F(349, 100), F(7, 2), F(351, 100)):
        assert abs(position(F(5), s2, F(5)) - position(F(5), F(7, 2), F(5))) <= F(2, 100)


def test_everyone_strongly_agreeing_is_strategic_everywhere() -> None:
    result = score_team([by_phase(5, 5, 5)] * 4)
    for element in result.elements:
        assert (element.phase, element.position, element.low, element.high) == (
            Phase.STRATEGIC, 4.0, 4.0, 4.0)
        assert not element.divided and element.counted == element.item_count
        assert element.spread == 0.0 and element.edge is None and element.minority is None
    assert (result.overall, result.overall_high, result.further) == (
        Phase.STRATEGIC, Phase.STRATEGIC, 0)
    assert result.bottleneck is None and not result.imbalance
    assert result.respondent_count == 4


def test_everyone_strongly_disagreeing_is_getting_started_at_position_zero() -> None:
    result = score_team([by_phase(1, 1, 1)] * 3)
    assert [(e.phase, e.position) for e in result.elements] == [(Phase.NOT_STARTED, 0.0)] * 4
    assert result.overall == Phase.NOT_STARTED and result.bottleneck is None
    twos = score_team([by_phase(2, 2, 2)] * 3)
    assert all(e.position == pytest.approx(2 / 3) for e in twos.elements)


def test_ten_people_at_exactly_three_and_a_half_and_one_answer_less() -> None:
    """Issue 22, first team: one answer of ten people moves Value by 0.02, not two phases."""
    def team(lowered: bool) -> TeamResult:
        people = [by_phase(5, 4 if n < 5 else 3, 5) for n in range(10)]
        if lowered:
            people[0]["W2"] = 3
        return score_team(people)

    before, after = team(False), team(True)
    assert before.element(VALUE).position == 2.0 and before.overall == Phase.FACILITATING
    value = after.element(VALUE)
    assert value.position == pytest.approx(1.9867, abs=1e-4)
    assert value.phase == Phase.PIONEERING
    assert value.edge == (Phase.PIONEERING, Phase.FACILITATING)
    assert after.overall == Phase.PIONEERING and after.bottleneck is None
    assert not after.imbalance
    assert before.element(VALUE).edge == (Phase.PIONEERING, Phase.FACILITATING)


def test_a_divided_element_keeps_its_position_and_counts_in_the_overall() -> None:
    """Issue 22, second team: raising answers on a split element never lowers the headline."""
    def team(raised: bool) -> TeamResult:
        value = [4, 4, 4, 2, 3 if raised else 2]
        return score_team([per_element(waarde=(v, v, v), impact=(5, 5, 5), innovatie=(5, 5, 5),
                                       investering=(5, 5, 5)) for v in value])

    split, raised = team(False), team(True)
    value = split.element(VALUE)
    assert value.divided and value.position == pytest.approx(1.88)
    assert value.phase == Phase.PIONEERING  # the label the views replace by "divided"
    assert split.overall == Phase.PIONEERING and split.divided_on == (VALUE,)
    assert split.others_phase == Phase.STRATEGIC
    assert split.bottleneck == VALUE
    assert not raised.element(VALUE).divided
    assert raised.overall == Phase.PIONEERING and raised.divided_on == ()
    assert raised.overall_position >= split.overall_position
    assert split.drivers_for(VALUE) == () and split.inhibitors_for(VALUE) == ()


def test_a_unanimous_weak_element_does_not_vanish_when_its_start_lacks_answers() -> None:
    """Issue 22, third team: six people, Value's phase-2 statements all 2, four "don't know"
    on its phase-1 statement: a range up to pioneering, not "strategic"."""
    team = [by_phase(4, 4, 4, W1=None if n < 4 else 4, W2=2, W3=2, W4=2) for n in range(6)]
    result = score_team(team)
    value = result.element(VALUE)
    assert value.s1 is None and value.short_phases == (Phase.PIONEERING,)
    assert (value.low, value.high) == pytest.approx((2 / 3, 1.4))
    assert (value.low_phase, value.high_phase) == (Phase.NOT_STARTED, Phase.PIONEERING)
    assert (result.overall, result.overall_high) == (Phase.NOT_STARTED, Phase.PIONEERING)
    assert result.short_on == (VALUE,)
    assert [f.item_id for f in result.inhibitors_for(VALUE)] == ["W2", "W3", "W4"]


def test_one_missing_answer_is_no_bottleneck() -> None:
    """Issue 22, fourth team: three people, 5 everywhere, one "don't know" on Value's only
    strategic statement: facilitating or strategic, and no bottleneck."""
    result = score_team([by_phase(5, 5, 5, W5=None)] + [by_phase(5, 5, 5)] * 2)
    value = result.element(VALUE)
    assert (value.position, value.low, value.high) == (2.0, 2.0, 4.0)
    assert not value.settled and value.short_phases == (Phase.STRATEGIC,)
    assert (result.overall, result.overall_high) == (Phase.FACILITATING, Phase.STRATEGIC)
    assert result.bottleneck is None and result.short_on == (VALUE,)
    assert result.inhibitors_for(VALUE) == ()


def test_a_minority_that_disagrees_with_everything_is_counted() -> None:
    """Issue 22, fifth team: seven people 5 everywhere, three 1 everywhere."""
    result = score_team([by_phase(5, 5, 5)] * 7 + [by_phase(1, 1, 1)] * 3)
    for element in result.elements:
        assert element.position == pytest.approx(2.6) and not element.divided
        assert element.minority == Minority(count=3, answered=10, lower=True)
    assert result.overall == Phase.FACILITATING
    two = score_team([by_phase(5, 5, 5)] * 6 + [by_phase(1, 1, 1)] * 2)
    assert all(e.minority is None for e in two.elements)  # fewer than the minimum


def test_a_minority_seeing_much_more_than_a_team_near_the_start_is_counted() -> None:
    result = score_team([by_phase(1, 1, 1)] * 6 + [by_phase(5, 5, 4)] * 3)
    value = result.element(VALUE)
    assert value.position is not None and value.position < 1.5
    assert value.minority == Minority(count=3, answered=9, lower=False)


def test_a_minority_needs_a_quarter_of_those_who_answered() -> None:
    many = score_team([by_phase(5, 5, 5)] * 10 + [by_phase(1, 1, 1)] * 3)
    assert all(e.minority is None for e in many.elements)  # 3 of 13 is under a quarter
    enough = score_team([by_phase(5, 5, 5)] * 9 + [by_phase(1, 1, 1)] * 3)
    assert all(e.minority == Minority(3, 12, True) for e in enough.elements)


def test_a_barrier_one_person_ticked_confirms_nothing() -> None:
    """Issue 22, sixth team: "Proving ROI" ticked by one person is no confirmed barrier."""
    team = [by_phase(4, 3, 2)] * 4
    one = score_team(team, barriers=[["roi"], ["time"], ["time"], ["budget"]])
    assert one.barriers is not None and one.barriers.counts["roi"] == 1
    assert not any(f.confirmed for f in one.inhibitors if f.item_id in ("W3", "W4"))
    two = score_team(team, barriers=[["roi"], ["roi"], ["time"], ["budget"]])
    assert any(f.confirmed for f in two.inhibitors if f.item_id in ("W3", "W4"))
    nine = score_team([by_phase(4, 3, 2)] * 9, barriers=[["roi"]] * 2 + [["time"]] * 7)
    assert not any(f.confirmed for f in nine.inhibitors)  # 2 of 9: under a quarter


def test_overall_is_the_lowest_low_with_how_many_are_further() -> None:
    three_and_one = per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                                investering=(4, 3, 2))
    result = score_team([three_and_one] * 3)
    assert [e.phase for e in result.elements] == [Phase.FACILITATING] * 3 + [Phase.PIONEERING]
    assert (result.overall, result.further) == (Phase.PIONEERING, 3)
    assert result.overall_position == pytest.approx(1.8)


def test_the_bottleneck_is_clearly_behind_over_its_whole_range() -> None:
    clear = per_element(waarde=(4, 4, 3), impact=(4, 4, 3), innovatie=(4, 4, 3),
                        investering=(4, 3, 2))
    assert score_team([clear] * 3).bottleneck == INVESTMENT  # 1.8 against 2.8
    close = [per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                         investering=(4, 4, investment)) for investment in (2, 1, 2)]
    assert score_team(close).bottleneck is None
    unsure = [dict(clear, V2=None, V3=None, V5=None, V6=None)] * 3  # its range reaches up
    result = score_team(unsure)
    assert result.element(INVESTMENT).high >= result.element(VALUE).low - 0.25
    assert result.bottleneck is None


def test_phases_certainly_two_apart_are_flagged_as_imbalance() -> None:
    apart = per_element(waarde=(5, 5, 5), impact=(1, 1, 1), innovatie=(4, 4, 2),
                        investering=(4, 4, 2))
    result = score_respondent(apart)
    assert result.imbalance and result.bottleneck == IMPACT
    assert (result.overall, result.further) == (Phase.NOT_STARTED, 3)
    one_apart = per_element(waarde=(5, 5, 5), impact=(4, 4, 2), innovatie=(4, 4, 2),
                            investering=(4, 4, 2))
    assert not score_respondent(one_apart).imbalance
    unsure = score_respondent(dict(apart, I1=None, I2=None, I3=None, I4=None))
    assert not unsure.imbalance  # Impact may lie anywhere up to the others


def test_a_three_against_two_split_is_divided_and_still_placed() -> None:
    for low, high in ((3, 2), (2, 3)):
        result = score_team([by_phase(1, 1, 1)] * low + [by_phase(5, 5, 5)] * high)
        assert all(e.divided and e.position is not None for e in result.elements)
        assert len(result.polarised_items) == 23
        assert result.divided_on == tuple(Element) and result.others_phase is None
        assert result.inhibitors == () and result.drivers == ()


def test_a_few_polarised_statements_do_not_divide_an_element() -> None:
    team = [by_phase(4, 4, 3, I2=1, I3=1)] * 2 + [by_phase(4, 4, 3, I2=5, I3=5)] * 2
    impact = score_team(team).element(IMPACT)
    assert (impact.polarised, impact.counted, impact.divided) == (2, 6, False)
    three_of_six = [by_phase(4, 4, 3, I2=1, I3=1, I4=1)] * 2 + [
        by_phase(4, 4, 3, I2=5, I3=5, I4=5)] * 2
    assert score_team(three_of_six).element(IMPACT).divided  # half or more


def test_polarised_means_forty_percent_at_each_end() -> None:
    def polarised(*answers: int) -> bool:
        return score_team([by_phase(3, 3, 3, W2=a) for a in answers]).item("W2").polarised

    assert polarised(1, 2, 4, 5, 3)
    assert not polarised(1, 4, 5, 3, 3)
    assert not polarised(2, 2, 3, 3, 3)


def test_an_item_counts_only_when_the_minimum_number_of_people_answered_it() -> None:
    team = [by_phase(4, 4, 4, W2=5), by_phase(4, 4, 4, W2=1, W3=None),
            by_phase(4, 4, 4, W2=None, W3=None)]
    result = score_team(team)
    assert result.item("W2") == ItemScore("W2")
    assert result.item("W4") == ItemScore("W4", (0, 0, 0, 3, 0), 0, 4.0, False)
    assert result.element(VALUE).counted == 3
    assert result.element(VALUE).short_phases == (Phase.FACILITATING,)


def test_item_scores_are_means_with_dont_know_left_out() -> None:
    team = [by_phase(4, 4, 4, W2=1), by_phase(4, 4, 4, W2=2), by_phase(4, 4, 4, W2=None),
            by_phase(4, 4, 4, W2=5), by_phase(4, 4, 4, W2=4)]
    w2 = score_team(team).item("W2")
    assert (w2.score, w2.counts, w2.dont_know, w2.answered) == (3.0, (1, 1, 0, 1, 1), 1, 4)


def test_a_level_without_any_counted_statement_ranges_over_the_whole_scale() -> None:
    result = score_respondent(by_phase(4, 4, None))
    for element in result.elements:
        assert element.unanswered_phases == (Phase.STRATEGIC,)
        assert element.position == 2.0 and element.phase == Phase.FACILITATING
        assert (F(element.low), F(element.high)) == (F(2), position(F(4), F(4), F(5)))
    nothing = score_team([by_phase(None, None, None)] * 3)
    for element in nothing.elements:
        assert (element.position, element.phase, element.low, element.high) == (
            None, None, 0.0, 4.0)
    assert (nothing.overall, nothing.overall_high) == (Phase.NOT_STARTED, Phase.STRATEGIC)
    assert nothing.drivers == () and nothing.inhibitors == () and nothing.fresh_items == ()


def test_on_the_edge_only_when_leaving_one_person_out_crosses_a_phase() -> None:
    firm = score_team([by_phase(5, 5, 5)] * 3 + [by_phase(4, 4, 4)] * 3)
    assert all(e.edge is None for e in firm.elements)
    small = score_team([by_phase(5, 4, 4), by_phase(5, 3, 4), by_phase(5, 4, 4)])
    assert all(e.edge is None for e in small.elements)  # leaving one out: two answers left


def test_the_spread_is_the_leave_one_out_standard_error() -> None:
    result = score_team([by_phase(5, 3, 5), by_phase(5, 4, 5), by_phase(5, 5, 5),
                         by_phase(5, 4, 5)])
    # S2 = 4; leaving out the 3, a 4 or the 5 gives 4.33, 4 or 3.67: 3.33, 3.0 or 2.33
    value = result.element(VALUE)
    left_out = [float(position(F(5), s2, F(5))) for s2 in (F(13, 3), F(4), F(11, 3), F(4))]
    mean = sum(left_out) / 4
    expected = (3 / 4 * sum((p - mean) ** 2 for p in left_out)) ** 0.5
    assert value.spread == pytest.approx(expected)
    assert score_items(result.items, minimum=3, respondent_count=4).element(VALUE).spread is None


def test_a_respondent_sees_their_own_answers_scored_by_the_same_rules() -> None:
    answers = per_element(waarde=(5, 4, 3), impact=(4, 2, None), innovatie=(4, 3, 2),
                          investering=(None, 4, 1))
    alone = score_respondent(answers)
    team = score_team([answers] * 3)
    for mine, ours in zip(alone.elements, team.elements, strict=True):
        assert (mine.position, mine.low, mine.high, mine.phase) == (
            ours.position, ours.low, ours.high, ours.phase)
    assert (team.overall, team.overall_high, team.further, team.bottleneck) == (
        alone.overall, alone.overall_high, alone.further, alone.bottleneck)


@pytest.mark.parametrize("bad", [{"W1": 6}, {"W1": 0}, {"W1": True}, {"W1": 2.5}, {"X9": 3}])
def test_impossible_answers_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"W1|X9"):
        score_team([bad])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        score_respondent(bad)  # type: ignore[arg-type]


def test_a_minimum_below_three_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        score_team([by_phase(3, 3, 3)] * 3, minimum=2)


def test_unknown_checklist_ticks_are_refused() -> None:
    with pytest.raises(ValueError, match="'speed'"):
        score_team([], barriers=[["speed"]])
    with pytest.raises(ValueError, match="'boredom'"):
        score_team([], start_reasons=[["boredom"]])


def test_ticks_are_tallied_only_when_enough_people_ticked_something() -> None:
    answers = [by_phase(3, 3, 3)] * 4
    result = score_team(answers, barriers=[["time", "roi"], ["time"], [], ["budget", "budget"]],
                        start_reasons=[["distance"], ["distance"], ["tooling"]])
    assert result.barriers is not None and result.barriers.contributors == 3
    assert result.barriers.counts["time"] == 2 and result.barriers.counts["budget"] == 1
    assert len(result.barriers.counts) == 10
    assert result.start_reasons is not None
    assert dict(result.start_reasons.counts) == {"distance": 2, "share_and_search": 0,
                                                 "tooling": 1}
    padded = score_team(answers, barriers=[["time"], [], []], start_reasons=[["tooling"]] * 2)
    assert padded.barriers is None and padded.start_reasons is None


def test_raising_the_minimum_later_hides_what_no_longer_meets_it() -> None:
    team = [by_phase(4, 4, 3)] * 3 + [by_phase(4, 4, None)] * 3
    result = score_team(team, barriers=[["time"]] * 4)
    assert result.item("W5").counted
    raised = with_minimum(result, 4)
    assert not raised.item("W5").counted and raised.item("W1").counted
    assert raised.element(VALUE).short_phases == (Phase.STRATEGIC,)
    assert raised.element(VALUE).spread is None  # its statements changed: answers gone
    assert raised.barriers == result.barriers and with_minimum(result, 5).barriers is None
    assert with_minimum(result, 3) is result


def test_a_raised_minimum_keeps_what_each_person_told_where_nothing_changed() -> None:
    result = score_team([by_phase(5, 5, 5)] * 7 + [by_phase(1, 1, 1)] * 3)
    raised = with_minimum(result, 4)
    assert raised.element(VALUE).spread == result.element(VALUE).spread
    assert raised.element(VALUE).minority is None  # three people are fewer than four


def test_scoring_stored_item_scores_gives_the_same_headline() -> None:
    result = score_team([by_phase(4, 3, 2), by_phase(5, 4, 1), by_phase(3, 3, 2)],
                        barriers=[["roi"]] * 3)
    again = score_items(result.items, minimum=3, respondent_count=3, barriers=result.barriers,
                        fresh_items=result.fresh_items)
    assert (again.overall, again.overall_high, again.bottleneck, again.inhibitors) == (
        result.overall, result.overall_high, result.bottleneck, result.inhibitors)
    assert [e.position for e in again.elements] == [e.position for e in result.elements]


def test_a_scoring_v2_snapshot_is_scored_again_by_v3() -> None:
    """Rounds closed before v3 read like new ones, from the item scores they kept."""
    v2 = score_team([by_phase(5, 4, 5)] * 2 + [by_phase(5, 3, 5)] * 2).to_dict()
    v2.update(version=2)
    for element in v2["elements"]:  # what v2 stored: no range, no edge
        for key in ("low", "high", "short_phases", "edge", "spread", "minority"):
            element.pop(key)
    for key in ("overall_high", "overall_position"):
        v2.pop(key)
    rescored = stored_result(v2)
    assert rescored.element(VALUE).position == 2.0 and rescored.overall == Phase.FACILITATING
    assert rescored.element(VALUE).spread is None and rescored.element(VALUE).edge is None
    with pytest.raises(ValueError):
        stored_result({"kind": "team", "version": 1, "elements": []})
    with pytest.raises(ValueError):
        stored_result({"kind": "team", "version": 2, "items": "nonsense"})
