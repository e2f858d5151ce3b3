"""Golden cases for scoring answers into phases (wi3-instrument.md §3.2)."""

from __future__ import annotations

import pytest

from model import Element, Phase, score_respondent, score_team
from tests.model.conftest import by_phase, per_element

VALUE, IMPACT, INNOVATION, INVESTMENT = list(Element)


def test_everyone_strongly_agreeing_is_strategic_everywhere() -> None:
    result = score_team([by_phase(5, 5, 5)] * 4)
    for element in result.elements:
        assert element.phase == Phase.STRATEGIC
        assert (element.s1, element.s2, element.s3, element.index) == (5.0, 5.0, 5.0, 3.0)
        assert not element.inconsistent and not element.disagreement
        assert element.answered == element.item_count
    assert result.overall == Phase.STRATEGIC
    assert result.overall_index == 3.0
    assert result.bottleneck == VALUE  # all equal: questionnaire order decides
    assert not result.imbalance
    assert result.respondent_count == 4


def test_everyone_strongly_disagreeing_has_not_started() -> None:
    result = score_team([by_phase(1, 1, 1)] * 3)
    assert [e.phase for e in result.elements] == [Phase.NOT_STARTED] * 4
    assert [e.index for e in result.elements] == [1.0] * 4
    assert result.overall == Phase.NOT_STARTED
    assert result.bottleneck == VALUE
    assert not result.imbalance


def test_mixed_profile_names_the_lagging_element_as_bottleneck() -> None:
    answers = per_element(waarde=(5, 4, 3), impact=(4, 4, 2), innovatie=(4, 3, 2),
                          investering=(4, 4, 3))
    result = score_team([answers] * 3)
    phases = {e.element: e.phase for e in result.elements}
    assert phases == {VALUE: Phase.FACILITATING, IMPACT: Phase.FACILITATING,
                      INNOVATION: Phase.PIONEERING, INVESTMENT: Phase.FACILITATING}
    assert result.element(INNOVATION).index == 1.75
    assert result.element(IMPACT).index == 2.0
    assert result.bottleneck == INNOVATION
    assert result.overall == Phase.FACILITATING  # floor(2.0625), within lowest + 1
    assert result.overall_index == pytest.approx(2.0625)
    assert not result.imbalance


def test_bottleneck_ties_go_to_the_lower_index_then_questionnaire_order() -> None:
    lower_index = per_element(waarde=(4, 3, 3), impact=(4, 3, 1), innovatie=(5, 5, 5),
                              investering=(4, 3, 3))
    assert score_respondent(lower_index).bottleneck == IMPACT
    same_index = per_element(waarde=(5, 5, 5), impact=(4, 3, 3), innovatie=(5, 5, 5),
                             investering=(4, 3, 3))
    assert score_respondent(same_index).bottleneck == IMPACT


def test_strategic_claims_without_facilitation_are_flagged_inconsistent() -> None:
    answers = per_element(waarde=(4, 4, 4), impact=(3, 2, 4), innovatie=(4, 4, 4),
                          investering=(4, 3, 4))
    result = score_respondent(answers)
    impact = result.element(IMPACT)
    assert impact.inconsistent  # S3 = 4 > S2 + 1 = 3
    assert impact.phase == Phase.PIONEERING
    assert not result.element(INVESTMENT).inconsistent  # S3 = S2 + 1 exactly is fine
    assert not result.element(VALUE).inconsistent


def test_phases_two_apart_are_flagged_as_imbalance() -> None:
    apart = per_element(waarde=(5, 5, 5), impact=(1, 1, 1), innovatie=(4, 4, 2),
                        investering=(4, 4, 2))
    result = score_respondent(apart)
    assert result.imbalance
    assert result.bottleneck == IMPACT
    assert result.overall == Phase.PIONEERING  # capped at lowest phase + 1
    one_apart = per_element(waarde=(5, 5, 5), impact=(4, 4, 2), innovatie=(4, 4, 2),
                            investering=(4, 4, 2))
    assert not score_respondent(one_apart).imbalance


def test_every_element_facilitating_is_facilitating_overall() -> None:
    # Each index is 1.875 (S3 low), but a team cannot be below all of its elements.
    result = score_respondent(by_phase(4, 4, 2, W4=1, I5=1, N4=1, V5=1))
    assert {e.phase for e in result.elements} == {Phase.FACILITATING}
    assert result.overall_index is not None and result.overall_index < 2
    assert result.overall == Phase.FACILITATING


def test_a_split_team_shows_disagreement_on_every_item() -> None:
    result = score_team([by_phase(1, 1, 1), by_phase(5, 5, 5)] * 2)
    assert set(result.item_medians.values()) == {3.0}
    assert set(result.item_iqrs.values()) == {4.0}
    assert len(result.disagreement_items) == 22
    assert all(e.disagreement for e in result.elements)
    assert [e.phase for e in result.elements] == [Phase.PIONEERING] * 4


def test_disagreement_needs_three_answers_to_an_item() -> None:
    result = score_team([by_phase(1, 1, 1), by_phase(5, 5, 5), by_phase(3, 3, 3, W1=None)])
    assert result.item_iqrs["W1"] is None
    assert "W1" not in result.disagreement_items
    assert result.item_iqrs["W2"] == 2.0  # [1, 3, 5]: quartiles 2 and 4
    assert "W2" in result.disagreement_items


def test_quartiles_interpolate_inclusively() -> None:
    team = [by_phase(3, 3, 3, I1=value) for value in (1, 2, 4, 5)]
    result = score_team(team)
    assert result.item_iqrs["I1"] == 2.5  # Q1 = 1.75, Q3 = 4.25
    assert result.element(IMPACT).disagreement
    assert not result.element(VALUE).disagreement
    close = score_team([by_phase(3, 3, 3, I1=value) for value in (2, 3, 4)])
    assert close.item_iqrs["I1"] == 1.0
    assert close.disagreement_items == ()


def test_team_uses_the_median_per_item_and_skips_dont_know() -> None:
    team = [by_phase(4, 4, 4, W2=1), by_phase(4, 4, 4, W2=2), by_phase(4, 4, 4, W2=None),
            by_phase(4, 4, 4, W2=5), by_phase(4, 4, 4, W2=4)]
    result = score_team(team)
    assert result.item_medians["W2"] == 3.0  # median of 1, 2, 4, 5
    assert result.item_answer_counts["W2"] == 4
    assert result.item_answer_counts["W3"] == 5
    assert result.element(VALUE).s2 == 3.5  # mean of medians 3 and 4
    assert result.element(VALUE).phase == Phase.STRATEGIC  # exactly 3.5 reaches the bar


def test_exactly_two_and_a_half_counts_as_started() -> None:
    answers = per_element(waarde=(2, 2, 1), impact=(3, 2, 1), innovatie=(1, 1, 1),
                          investering=(2, 3, 1))
    result = score_respondent(dict(answers, I1=2, W2=3))
    assert result.element(VALUE).s2 == 2.5
    assert result.element(VALUE).phase == Phase.PIONEERING
    assert result.element(INNOVATION).phase == Phase.NOT_STARTED


def test_element_without_facilitating_answers_has_no_phase() -> None:
    answers = by_phase(4, 4, 4, N2=None, N3=None)
    result = score_respondent(answers)
    innovation = result.element(INNOVATION)
    assert (innovation.phase, innovation.index, innovation.s2) == (None, None, None)
    assert not innovation.sufficient
    assert innovation.unanswered_phases == (Phase.FACILITATING,)
    assert innovation.answered == 3
    assert result.bottleneck != INNOVATION
    assert result.overall == Phase.STRATEGIC


def test_missing_pioneering_answers_only_matter_for_the_phase_zero_check() -> None:
    low = score_respondent(by_phase(None, 2, 1))
    assert all(e.phase is None and e.index is None for e in low.elements)
    assert low.overall is None and low.bottleneck is None
    high = score_respondent(by_phase(None, 4, 2))
    assert all(e.phase == Phase.FACILITATING for e in high.elements)
    assert high.element(VALUE).unanswered_phases == (Phase.PIONEERING,)


def test_missing_strategic_answers_stop_at_facilitating_and_say_so() -> None:
    result = score_respondent(by_phase(5, 5, None))
    for element in result.elements:
        assert element.phase == Phase.FACILITATING
        assert element.index == 2.0  # lower bound: S3 counted as 1
        assert element.unanswered_phases == (Phase.STRATEGIC,)
        assert not element.inconsistent


def test_nobody_answering_gives_no_phases() -> None:
    for result in (score_team([by_phase(None, None, None)] * 3), score_team([])):
        assert all(e.phase is None and e.answered == 0 for e in result.elements)
        assert (result.overall, result.overall_index, result.bottleneck) == (None, None, None)
        assert not result.imbalance
        assert result.drivers == () and result.inhibitors == ()
    assert score_team([]).respondent_count == 0


def test_a_single_respondent_scores_like_a_team_of_one() -> None:
    answers = per_element(waarde=(5, 4, 3), impact=(4, 2, None), innovatie=(4, 3, 2),
                          investering=(None, 4, 1))
    alone = score_respondent(answers)
    team = score_team([answers])
    assert team.elements == alone.elements
    assert (team.overall, team.bottleneck, team.imbalance) == (
        alone.overall, alone.bottleneck, alone.imbalance)
    assert team.disagreement_items == ()


@pytest.mark.parametrize("bad", [{"W1": 6}, {"W1": 0}, {"W1": True}, {"W1": 2.5}, {"X9": 3}])
def test_impossible_answers_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"W1|X9"):
        score_team([bad])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        score_respondent(bad)  # type: ignore[arg-type]


def test_unknown_checklist_ticks_are_refused() -> None:
    with pytest.raises(ValueError, match="'speed'"):
        score_team([], barrier_ticks=["speed"])
    with pytest.raises(ValueError, match="'boredom'"):
        score_team([], start_reason_ticks=["boredom"])


def test_ticks_are_tallied_per_option() -> None:
    result = score_team([by_phase(3, 3, 3)] * 3, barrier_ticks=["time", "roi", "time"],
                        start_reason_ticks=["distance"])
    assert result.barrier_tally["time"] == 2
    assert result.barrier_tally["roi"] == 1
    assert result.barrier_tally["budget"] == 0
    assert next(iter(result.barrier_tally)) == "leadership"
    assert len(result.barrier_tally) == 10
    assert result.start_reason_tally == {"distance": 1, "share_and_search": 0, "tooling": 0}
