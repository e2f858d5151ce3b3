"""Trend per element between two rounds: up, down, same (|Δposition| < 0.1) or new."""

from datetime import UTC, datetime

import pytest

from conversations.trend import SAME_BAND, Trend, element_trends, position_trend, trend_points
from model import Element, score_team
from tests.model.conftest import by_phase, per_element


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [
        (2.0, 2.0, Trend.SAME),
        (2.09, 2.0, Trend.SAME),
        (1.91, 2.0, Trend.SAME),
        (2.1, 2.0, Trend.UP),
        (1.9, 2.0, Trend.DOWN),
        (3.0, 1.0, Trend.UP),
        (0.0, 3.99, Trend.DOWN),
        (1.5, None, Trend.NEW),
    ],
)
def test_position_trend_uses_a_band_of_one_tenth(now, before, expected):
    assert SAME_BAND == 0.1
    assert position_trend(now, before) == expected


def test_first_round_makes_every_placed_element_new():
    current = score_team([by_phase(4, 4, 2)] * 3)
    assert element_trends(current, None) == dict.fromkeys(Element, Trend.NEW)


def test_trends_follow_each_element_separately():
    before = score_team([per_element(waarde=(4, 3, 2), impact=(4, 4, 4), innovatie=(4, 4, 4),
                                     investering=(4, 4, 2))] * 3)
    after = score_team([per_element(waarde=(4, 4, 2), impact=(4, 4, 3), innovatie=(4, 4, 4),
                                    investering=(4, 4, 2))] * 3)
    assert element_trends(after, before) == {
        Element.WAARDE: Trend.UP,
        Element.IMPACT: Trend.DOWN,
        Element.INNOVATIE: Trend.SAME,
        Element.INVESTERING: Trend.SAME,
    }


def test_element_without_position_now_has_no_trend_and_one_without_before_is_new():
    no_innovation_p2 = {"N2": None, "N3": None}
    before = score_team([by_phase(4, 4, 2, **no_innovation_p2)] * 3)
    after = score_team([by_phase(4, 4, 2, W2=None, W3=None, W4=None)] * 3)
    trends = element_trends(after, before)
    assert Element.WAARDE not in trends
    assert trends[Element.INNOVATIE] == Trend.NEW
    assert trends[Element.IMPACT] == Trend.SAME


def test_trend_points_are_oldest_first_and_skip_rounds_without_result():
    early = score_team([by_phase(3, 3, 1)] * 3)
    late = score_team([by_phase(5, 5, 5)] * 3)
    points = trend_points([
        (datetime(2024, 3, 1, tzinfo=UTC), late),
        (datetime(2024, 2, 1, tzinfo=UTC), None),
        (datetime(2024, 1, 1, tzinfo=UTC), early),
    ])
    assert [when.month for when, _ in points] == [1, 3]
    assert points[0][1][Element.WAARDE] == pytest.approx(1.8)
    assert points[1][1][Element.WAARDE] == 3.99
