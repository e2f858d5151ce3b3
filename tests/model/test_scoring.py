"""Golden cases for scoring v2 (wi3-instrument.md §3.6), including the cases that made
§3.2 unreadable: headline against bars, medians that flip, a split team given a phase."""

from __future__ import annotations

import pytest

from model import (
    Element,
    ItemScore,
    Phase,
    score_items,
    score_respondent,
    score_team,
    with_minimum,
)
from tests.model.conftest import by_phase, per_element

VALUE, IMPACT, INNOVATION, INVESTMENT = list(Element)


def test_everyone_strongly_agreeing_is_strategic_everywhere() -> None:
    result = score_team([by_phase(5, 5, 5)] * 4)
    for element in result.elements:
        assert element.phase == Phase.STRATEGIC
        assert (element.s1, element.s2, element.s3) == (5.0, 5.0, 5.0)
        assert element.position == 3.99  # as firmly strategic as it gets, still phase 3
        assert not element.divided and element.counted == element.item_count
    assert (result.overall, result.further) == (Phase.STRATEGIC, 0)
    assert result.bottleneck is None  # four equal positions: no single bottleneck
    assert not result.imbalance
    assert result.respondent_count == 4


def test_everyone_strongly_disagreeing_is_getting_started_at_position_zero() -> None:
    result = score_team([by_phase(1, 1, 1)] * 3)
    assert [e.phase for e in result.elements] == [Phase.NOT_STARTED] * 4
    assert [e.position for e in result.elements] == [0.0] * 4
    assert result.overall == Phase.NOT_STARTED and result.bottleneck is None


def test_all_twos_read_getting_started_and_plot_inside_the_first_ring() -> None:
    result = score_team([by_phase(2, 2, 2)] * 3)
    for element in result.elements:
        assert element.phase == Phase.NOT_STARTED
        assert element.position == pytest.approx(2 / 3)  # (max(S1, S2) - 1) / 1.5 < 1


def test_facilitating_three_strategic_five_is_pioneering_with_a_pioneering_bar() -> None:
    result = score_team([by_phase(3, 3, 5)] * 3)
    for element in result.elements:
        assert element.phase == Phase.PIONEERING
        assert element.position == pytest.approx(1.8)  # 1 + (S2 - 1) / 2.5, never 2.5


def test_position_within_each_phase_measures_progress_to_the_next_threshold() -> None:
    answers = per_element(waarde=(2, 1, 1), impact=(3, 3, 1), innovatie=(4, 4, 2),
                          investering=(4, 4, 4))
    result = score_team([answers] * 3)
    positions = {e.element: (e.phase, e.position) for e in result.elements}
    assert positions[VALUE] == (Phase.NOT_STARTED, pytest.approx(2 / 3))  # (2 - 1) / 1.5
    assert positions[IMPACT] == (Phase.PIONEERING, pytest.approx(1.8))  # 1 + (3 - 1) / 2.5
    assert positions[INNOVATION] == (Phase.FACILITATING, pytest.approx(2.4))  # 2 + 1 / 2.5
    assert positions[INVESTMENT] == (Phase.STRATEGIC, pytest.approx(3 + 1 / 3))


def test_overall_is_the_lowest_element_phase_with_how_many_are_further() -> None:
    three_and_one = per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                                investering=(4, 3, 2))
    result = score_team([three_and_one] * 3)
    assert [e.phase for e in result.elements] == [Phase.FACILITATING] * 3 + [Phase.PIONEERING]
    assert (result.overall, result.further) == (Phase.PIONEERING, 3)
    two_and_two = per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 3, 2),
                              investering=(4, 3, 2))
    other = score_team([two_and_two] * 3)
    assert (other.overall, other.further) == (Phase.PIONEERING, 2)


def test_the_bottleneck_is_named_only_when_it_is_clearly_behind() -> None:
    clear = per_element(waarde=(4, 4, 3), impact=(4, 4, 3), innovatie=(4, 4, 3),
                        investering=(4, 3, 2))
    assert score_team([clear] * 3).bottleneck == INVESTMENT  # 1.8 against 2.8
    close = [per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                         investering=(4, 4, 2)),
             per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                         investering=(4, 4, 1)),
             per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                         investering=(4, 4, 2))]
    result = score_team(close)
    investment = result.element(INVESTMENT).position
    value = result.element(VALUE).position
    assert investment is not None and value is not None and 0 < value - investment < 0.25
    assert result.bottleneck is None


def test_phases_two_apart_are_flagged_as_imbalance() -> None:
    apart = per_element(waarde=(5, 5, 5), impact=(1, 1, 1), innovatie=(4, 4, 2),
                        investering=(4, 4, 2))
    result = score_respondent(apart)
    assert result.imbalance
    assert result.bottleneck == IMPACT
    assert (result.overall, result.further) == (Phase.NOT_STARTED, 3)
    one_apart = per_element(waarde=(5, 5, 5), impact=(4, 4, 2), innovatie=(4, 4, 2),
                            investering=(4, 4, 2))
    assert not score_respondent(one_apart).imbalance


def test_a_three_against_two_split_is_divided_whichever_side_has_three() -> None:
    for low, high in ((3, 2), (2, 3)):
        result = score_team([by_phase(1, 1, 1)] * low + [by_phase(5, 5, 5)] * high)
        assert all(e.divided and e.phase is None and e.position is None
                   for e in result.elements)
        assert len(result.polarised_items) == 23
        assert result.overall is None and result.bottleneck is None
        assert result.inhibitors == () and result.drivers == ()


def test_a_few_polarised_statements_do_not_divide_an_element() -> None:
    team = [by_phase(4, 4, 3, I2=1, I3=1)] * 2 + [by_phase(4, 4, 3, I2=5, I3=5)] * 2
    result = score_team(team)
    impact = result.element(IMPACT)
    assert (impact.polarised, impact.counted) == (2, 6)
    assert not impact.divided and impact.phase == Phase.PIONEERING
    assert result.polarised_items == ("I2", "I3")
    three_of_six = [by_phase(4, 4, 3, I2=1, I3=1, I4=1)] * 2 + [
        by_phase(4, 4, 3, I2=5, I3=5, I4=5)] * 2
    assert score_team(three_of_six).element(IMPACT).divided  # half or more


def test_polarised_means_forty_percent_at_each_end() -> None:
    def polarised(*answers: int) -> bool:
        return score_team([by_phase(3, 3, 3, W2=a) for a in answers]).item("W2").polarised

    assert polarised(1, 2, 4, 5, 3)  # 40% low, 40% high
    assert not polarised(1, 4, 5, 3, 3)  # 20% low
    assert not polarised(2, 2, 3, 3, 3)


def test_an_item_counts_only_when_the_minimum_number_of_people_answered_it() -> None:
    team = [by_phase(4, 4, 4, W2=5), by_phase(4, 4, 4, W2=1, W3=None),
            by_phase(4, 4, 4, W2=None, W3=None)]
    result = score_team(team)
    assert result.item("W2") == ItemScore("W2")  # two answers: no score, no counts
    assert not result.item("W3").counted
    assert result.item("W4") == ItemScore("W4", (0, 0, 0, 3, 0), 0, 4.0, False)
    assert result.element(VALUE).counted == 3
    stricter = score_team(team + [by_phase(4, 4, 4)] * 1, minimum=4)
    assert stricter.item("W1").counted and not stricter.item("W2").counted


def test_item_scores_are_means_with_dont_know_left_out() -> None:
    team = [by_phase(4, 4, 4, W2=1), by_phase(4, 4, 4, W2=2), by_phase(4, 4, 4, W2=None),
            by_phase(4, 4, 4, W2=5), by_phase(4, 4, 4, W2=4)]
    w2 = score_team(team).item("W2")
    assert (w2.score, w2.counts, w2.dont_know, w2.answered) == (3.0, (1, 1, 0, 1, 1), 1, 4)


def test_answers_of_people_who_stopped_early_count_per_item() -> None:
    finished = [by_phase(4, 4, 2)] * 2
    stopped = {"W1": 4, "W2": 4}
    result = score_team([*finished, stopped])
    assert result.item("W2").answered == 3 and result.item("W3").answered == 0
    assert result.respondent_count == 3


def test_exactly_two_and_a_half_counts_as_started() -> None:
    answers = per_element(waarde=(2, 2, 1), impact=(3, 2, 1), innovatie=(1, 1, 1),
                          investering=(2, 3, 1))
    result = score_respondent(dict(answers, I1=2, W2=3, W4=None))
    assert result.element(VALUE).s2 == 2.5
    assert result.element(VALUE).phase == Phase.PIONEERING
    assert result.element(INNOVATION).phase == Phase.NOT_STARTED


def test_element_without_facilitating_answers_has_no_phase() -> None:
    result = score_respondent(by_phase(4, 4, 4, N2=None, N3=None))
    innovation = result.element(INNOVATION)
    assert (innovation.phase, innovation.position, innovation.s2) == (None, None, None)
    assert not innovation.placed and not innovation.divided
    assert innovation.unanswered_phases == (Phase.FACILITATING,)
    assert innovation.counted == 3
    assert result.overall == Phase.STRATEGIC


def test_missing_pioneering_answers_only_matter_for_the_phase_zero_check() -> None:
    low = score_respondent(by_phase(None, 2, 1))
    assert all(e.phase is None and e.position is None for e in low.elements)
    assert low.overall is None and low.bottleneck is None
    high = score_respondent(by_phase(None, 4, 2))
    assert all(e.phase == Phase.FACILITATING for e in high.elements)
    assert high.element(VALUE).unanswered_phases == (Phase.PIONEERING,)


def test_missing_strategic_answers_stop_at_facilitating_and_say_so() -> None:
    result = score_respondent(by_phase(5, 5, None))
    for element in result.elements:
        assert element.phase == Phase.FACILITATING
        assert element.position == 2.0  # no progress can be shown without S3
        assert element.unanswered_phases == (Phase.STRATEGIC,)


def test_nobody_answering_gives_no_phases() -> None:
    for result in (score_team([by_phase(None, None, None)] * 3), score_team([])):
        assert all(e.phase is None and e.counted == 0 for e in result.elements)
        assert (result.overall, result.bottleneck) == (None, None)
        assert not result.imbalance
        assert result.drivers == () and result.inhibitors == ()
    assert score_team([]).respondent_count == 0


def test_a_respondent_sees_their_own_answers_scored_by_the_same_rules() -> None:
    answers = per_element(waarde=(5, 4, 3), impact=(4, 2, None), innovatie=(4, 3, 2),
                          investering=(None, 4, 1))
    alone = score_respondent(answers)
    team = score_team([answers] * 3)
    assert team.elements == alone.elements
    assert (team.overall, team.further, team.bottleneck, team.imbalance) == (
        alone.overall, alone.further, alone.bottleneck, alone.imbalance)


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
    assert next(iter(result.barriers.counts)) == "leadership"
    assert len(result.barriers.counts) == 10
    assert result.start_reasons is not None
    assert dict(result.start_reasons.counts) == {"distance": 2, "share_and_search": 0,
                                                 "tooling": 1}
    padded = score_team(answers, barriers=[["time"], [], []], start_reasons=[["tooling"]] * 2)
    assert padded.barriers is None and padded.start_reasons is None


def test_a_hidden_barrier_tally_confirms_nothing() -> None:
    answers = [by_phase(4, 4, 3, I4=2)] * 3
    shown = score_team(answers, barriers=[["leadership"]] * 3)
    hidden = score_team(answers, barriers=[["leadership"]] * 2)
    assert [f.confirmed for f in shown.inhibitors if f.item_id == "I4"] == [True]
    assert [f.confirmed for f in hidden.inhibitors if f.item_id == "I4"] == [False]


def test_raising_the_minimum_later_hides_what_no_longer_meets_it() -> None:
    team = [by_phase(4, 4, 3)] * 3 + [by_phase(4, 4, None)] * 2
    result = score_team(team, barriers=[["time"]] * 4)
    assert result.element(VALUE).phase == Phase.FACILITATING and result.item("W5").counted
    raised = with_minimum(result, 4)
    assert not raised.item("W5").counted  # three answered it
    assert raised.item("W1").counted and raised.minimum == 4
    assert raised.element(VALUE).unanswered_phases == (Phase.STRATEGIC,)
    assert raised.barriers == result.barriers
    assert with_minimum(result, 5).barriers is None
    assert with_minimum(result, 3) is result


def test_scoring_stored_item_scores_gives_the_same_result() -> None:
    result = score_team([by_phase(4, 3, 2), by_phase(5, 4, 1), by_phase(3, 3, 2)],
                        barriers=[["roi"]] * 3)
    again = score_items(result.items, minimum=3, respondent_count=3, barriers=result.barriers,
                        fresh_items=result.fresh_items)
    assert again == result
