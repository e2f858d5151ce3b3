"""Trend per element between two rounds (scoring v3, rule 9): up or down only beyond the
noise (at least 0.25 and twice the combined leave-one-out standard error), otherwise no
clear change; new where there was no position before."""

from datetime import UTC, datetime

import pytest

from conversations.trend import (
    MIN_CHANGE,
    Trend,
    beyond_noise,
    element_trend,
    element_trends,
    trend_points,
)
from model import Element, score_items, score_team
from tests.model.conftest import by_phase, per_element


@pytest.mark.parametrize(
    ("change", "spread", "earlier", "clear"),
    [
        (0.3, None, None, True),
        (0.25, None, None, True),
        (0.24, None, None, False),
        (-0.25, 0.0, 0.0, True),
        (0.3, 0.1, 0.1, True),  # twice the combined error: 0.28
        (0.3, 0.15, 0.1, False),  # 0.36
        (-0.5, 0.2, 0.1, True),  # 0.45
        (0.5, 0.3, None, False),  # an older round's unknown spread adds nothing
    ],
)
def test_a_change_is_clear_from_a_quarter_and_twice_its_standard_error(
    change: float, spread: float | None, earlier: float | None, clear: bool
) -> None:
    assert MIN_CHANGE == 0.25
    assert beyond_noise(change, spread, earlier) is clear


def _ten(lowered: bool) -> list[dict[str, int | None]]:
    people = [by_phase(5, 4 if n < 5 else 3, 5) for n in range(10)]
    if lowered:
        people[0]["W2"] = 3
    return people


def test_one_answer_of_ten_people_is_no_clear_change() -> None:
    before, after = score_team(_ten(False)), score_team(_ten(True))
    assert element_trends(after, before)[Element.WAARDE] == Trend.NO_CLEAR_CHANGE


def test_a_team_that_moved_a_phase_moved_up_and_a_small_noisy_shift_did_not() -> None:
    before = score_team([by_phase(4, 3, 2)] * 3 + [by_phase(4, 2, 2)] * 3)
    grown = score_team([by_phase(4, 4, 3)] * 3 + [by_phase(4, 4, 2)] * 3)
    trends = element_trends(grown, before)
    assert set(trends.values()) == {Trend.UP}
    assert element_trends(before, grown) == dict.fromkeys(Element, Trend.DOWN)
    spread = [by_phase(4, 4, 5), by_phase(4, 3, 5), by_phase(4, 4, 5), by_phase(4, 3, 5)]
    noisy = score_team(spread)  # S2 3.5: where one person moves the position most
    shifted = score_team([*spread[:3], by_phase(4, 4, 5)])  # one person, one point higher
    higher = shifted.element(Element.IMPACT).position
    lower = noisy.element(Element.IMPACT).position
    assert higher is not None and lower is not None
    change = higher - lower
    assert change >= MIN_CHANGE
    assert element_trends(shifted, noisy)[Element.IMPACT] == Trend.NO_CLEAR_CHANGE


def test_without_each_persons_answers_the_quarter_alone_decides() -> None:
    before = score_team([by_phase(4, 3, 2)] * 3)
    after = score_team([by_phase(4, 4, 2)] * 3)
    stored = score_items(after.items, minimum=3, respondent_count=3)
    assert stored.element(Element.WAARDE).spread is None
    assert element_trend(stored.element(Element.WAARDE),
                         before.element(Element.WAARDE)) == Trend.UP


def test_first_round_makes_every_placed_element_new() -> None:
    current = score_team([by_phase(4, 4, 2)] * 3)
    assert element_trends(current, None) == dict.fromkeys(Element, Trend.NEW)


def test_trends_follow_each_element_separately() -> None:
    before = score_team([per_element(waarde=(4, 3, 2), impact=(4, 4, 4), innovatie=(4, 4, 4),
                                     investering=(4, 4, 2))] * 3)
    after = score_team([per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 4),
                                    investering=(4, 4, 2))] * 3)
    assert element_trends(after, before) == {
        Element.WAARDE: Trend.UP,
        Element.IMPACT: Trend.DOWN,
        Element.INNOVATIE: Trend.NO_CLEAR_CHANGE,
        Element.INVESTERING: Trend.NO_CLEAR_CHANGE,
    }


def test_element_without_position_now_has_no_trend_and_one_without_before_is_new() -> None:
    nothing_of_innovation = dict.fromkeys(("N1", "N2", "N3", "N4", "N5"))
    before = score_team([by_phase(4, 4, 2, **nothing_of_innovation)] * 3)
    nothing_of_value = dict.fromkeys(("W1", "W2", "W3", "W4", "W5"))
    after = score_team([by_phase(4, 4, 2, **nothing_of_value)] * 3)
    trends = element_trends(after, before)
    assert Element.WAARDE not in trends
    assert trends[Element.INNOVATIE] == Trend.NEW
    assert trends[Element.IMPACT] == Trend.NO_CLEAR_CHANGE


def test_trend_points_are_oldest_first_and_skip_rounds_without_result() -> None:
    early = score_team([by_phase(3, 3, 1)] * 3)
    late = score_team([by_phase(5, 5, 5)] * 3)
    points = trend_points([
        (datetime(2024, 3, 1, tzinfo=UTC), late),
        (datetime(2024, 2, 1, tzinfo=UTC), None),
        (datetime(2024, 1, 1, tzinfo=UTC), early),
    ])
    assert [when.month for when, _ in points] == [1, 3]
    assert points[0][1][Element.WAARDE] == pytest.approx(1.8)
    assert points[1][1][Element.WAARDE] == 4.0
