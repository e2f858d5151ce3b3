"""How a team moved since its previous round about the same subject, element by element.

Positions run from 0.0 to just under 4.0 (the whole part is the phase), and a team's item
scores move in small steps, so tiny shifts are noise. "Same" therefore means the position
changed by less than `SAME_BAND` (|Δ| < 0.1); a change of 0.1 or more is up or down. An
element that had no position last time (no previous round, too few answers then, or a
divided team) but has one now is "new". An element without a position now has no trend at
all and is left out of the mapping: there is nothing to compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from model import Element, ProfileResult

SAME_BAND = 0.1
"""|Δposition| below this counts as "same"."""

TrendPoint = tuple[datetime, Mapping[Element, float | None]]
"""One round on a trend line: when it closed, and each element's position (None: none)."""


class Trend(StrEnum):
    """Direction of an element's position compared with the previous round."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"


def position_trend(current: float, previous: float | None) -> Trend:
    """Trend of one position against the one before it (None: there was none)."""
    if previous is None:
        return Trend.NEW
    change = current - previous
    if abs(change) < SAME_BAND:
        return Trend.SAME
    return Trend.UP if change > 0 else Trend.DOWN


def element_trends(
    current: ProfileResult, previous: ProfileResult | None
) -> dict[Element, Trend]:
    """Trend per element that has a position now; without `previous` every such one is new."""
    trends: dict[Element, Trend] = {}
    for result in current.elements:
        if result.position is None:
            continue
        before = previous.element(result.element).position if previous is not None else None
        trends[result.element] = position_trend(result.position, before)
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
