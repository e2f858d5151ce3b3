"""How a team moved since its previous round about the same subject, element by element.

Scoring v3, rule 9 (wi3-instrument.md §3.7): a change shows as up or down only beyond the
noise, when it is at least `MIN_CHANGE` (0.25) *and* at least twice its standard error,
the two rounds' leave-one-out standard errors combined (`ElementResult.spread`: how far
the position moves when one person is left out). Anything less is "no clear change": one
person answering a little differently next time moves a small team's position that far.
A round scored without each person's answers (an older round) has no known spread: then
the 0.25 alone decides. An element that had no position last time but has one now is
"new". An element without a position now has no trend at all and is left out of the
mapping: there is nothing to compare. The same rule holds for pulses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from model import Element, ElementResult, ProfileResult

MIN_CHANGE = 0.25
"""The smallest change of position shown as up or down, however many answered."""
NOISE_FACTOR = 2.0
"""A change shows only when it is at least this many standard errors."""
ROUNDING = 1e-9

TrendPoint = tuple[datetime, Mapping[Element, float | None]]
"""One round on a trend line: when it closed, and each element's position (None: none)."""


class Trend(StrEnum):
    """Direction of an element's position compared with the previous round."""

    UP = "up"
    DOWN = "down"
    NO_CLEAR_CHANGE = "no_clear_change"
    NEW = "new"


def element_trend(now: ElementResult, before: ElementResult | None) -> Trend | None:
    """The trend of one element against the same element in an earlier round (None: it
    has no position now, so no trend)."""
    if now.position is None:
        return None
    if before is None or before.position is None:
        return Trend.NEW
    change = now.position - before.position
    if not beyond_noise(change, now.spread, before.spread):
        return Trend.NO_CLEAR_CHANGE
    return Trend.UP if change > 0 else Trend.DOWN


def beyond_noise(change: float, spread: float | None, earlier_spread: float | None) -> bool:
    """Whether a change of position is clear: at least 0.25 and twice its standard error."""
    noise = NOISE_FACTOR * math.hypot(spread or 0.0, earlier_spread or 0.0)
    return abs(change) + ROUNDING >= max(MIN_CHANGE, noise)


def element_trends(
    current: ProfileResult, previous: ProfileResult | None
) -> dict[Element, Trend]:
    """Trend per element that has a position now; without `previous` every such one is new."""
    trends: dict[Element, Trend] = {}
    for result in current.elements:
        before = previous.element(result.element) if previous is not None else None
        trend = element_trend(result, before)
        if trend is not None:
            trends[result.element] = trend
    return trends


def position_change(
    current: ProfileResult, previous: ProfileResult | None, element: Element
) -> float | None:
    """Current minus previous position of one element; None when either has none."""
    if previous is None:
        return None
    now, before = current.element(element).position, previous.element(element).position
    if now is None or before is None:
        return None
    return now - before


def trend_points(rounds: Iterable[tuple[datetime, ProfileResult | None]]) -> list[TrendPoint]:
    """Points for `charts.trend_chart`, oldest first, skipping rounds without a result.

    A round whose result may not be shown must not show up with scores, so it is left
    out rather than drawn as a gap.
    """
    shown = sorted(((when, result) for when, result in rounds if result is not None),
                   key=lambda pair: pair[0])
    return [(when, {r.element: r.position for r in result.elements}) for when, result in shown]
