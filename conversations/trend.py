"""How a team moved since its previous round, element by element.

The continuous index runs from 1.0 to 3.0, and a team's item medians move in steps of 0.5
per item, so tiny shifts are noise. "Same" therefore means the index changed by less than
`SAME_BAND` (|Δindex| < 0.1); a change of 0.1 or more is up or down. An element that had no
index last time (no previous round, or too few answers then) but has one now is "new".
An element without an index now has no trend at all and is left out of the mapping:
there is nothing to compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from model import Element, ProfileResult

SAME_BAND = 0.1
"""|Δindex| below this counts as "same"."""

TrendPoint = tuple[datetime, Mapping[Element, float | None]]
"""One round on a trend line: when it closed, and each element's index (None: no index)."""


class Trend(StrEnum):
    """Direction of an element's index compared with the previous round."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"


def index_trend(current: float, previous: float | None) -> Trend:
    """Trend of one index against the one before it (None: there was none)."""
    if previous is None:
        return Trend.NEW
    change = current - previous
    if abs(change) < SAME_BAND:
        return Trend.SAME
    return Trend.UP if change > 0 else Trend.DOWN


def element_trends(
    current: ProfileResult, previous: ProfileResult | None
) -> dict[Element, Trend]:
    """Trend per element that has an index now; without `previous` every such element is new."""
    trends: dict[Element, Trend] = {}
    for result in current.elements:
        if result.index is None:
            continue
        before = previous.element(result.element).index if previous is not None else None
        trends[result.element] = index_trend(result.index, before)
    return trends


def index_change(
    current: ProfileResult, previous: ProfileResult | None, element: Element
) -> float | None:
    """Current minus previous index of one element; None when either has no index."""
    if previous is None:
        return None
    now, before = current.element(element).index, previous.element(element).index
    if now is None or before is None:
        return None
    return now - before


def trend_points(rounds: Iterable[tuple[datetime, ProfileResult | None]]) -> list[TrendPoint]:
    """Points for `charts.trend_chart`, oldest first, skipping rounds without a result.

    A round below the team's threshold has no result and must not show up with scores,
    so it is left out rather than drawn as a gap.
    """
    shown = sorted(((when, result) for when, result in rounds if result is not None),
                   key=lambda pair: pair[0])
    return [(when, {r.element: r.index for r in result.elements}) for when, result in shown]

