"""Simple charts as inline SVG, laid out here and drawn by the templates.

No drawing library in the request path: a trend is a few polylines, a distribution five
rectangles, a standing a strip with a box and a marker. Geometry only (numbers in a
viewBox); colours and words are the templates'. Each chart has a text alternative on the
page (a table or a sentence), so nothing is said by colour or shape alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from model import Element

ELEMENT_MARKS = {Element.WAARDE: "circle", Element.IMPACT: "square",
                 Element.INNOVATIE: "diamond", Element.INVESTERING: "triangle"}
"""Each element has its own marker shape as well as its own colour."""

TREND_WIDTH, TREND_HEIGHT = 640, 260
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 44, 16, 12, 36
POSITIONS = 4.0


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Series:
    element: Element
    name: str
    mark: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        """The polyline through the points ("x,y x,y ...")."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    series: tuple[Series, ...]
    x_labels: tuple[Point, ...]
    bands: tuple[tuple[float, float, int], ...]
    """(y of the top, height, phase) of each phase's band."""
    left: int
    right: float


def trend_chart(dates: Sequence[str], positions: Sequence[Mapping[Element, float | None]],
                names: Mapping[Element, str], figure: Mapping[Element, Sequence[str]]
                ) -> TrendChart:
    """Rounds evenly spaced left to right, positions 0-4 bottom to top; an element
    without a position in a round leaves a gap in its line, never a guessed point."""
    inner_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    inner_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    count = len(dates)
    step = inner_width / max(count - 1, 1)

    def x(n: int) -> float:
        return TREND_LEFT + (step * n if count > 1 else inner_width / 2)

    def y(position: float) -> float:
        return TREND_TOP + inner_height * (1 - position / POSITIONS)

    series = []
    for element in Element:
        points = tuple(Point(x(n), y(p), figure[element][n])
                       for n, round_positions in enumerate(positions)
                       if (p := round_positions.get(element)) is not None)
        series.append(Series(element, names[element], ELEMENT_MARKS[element], points))
    bands = tuple((y(phase + 1), inner_height / POSITIONS, phase) for phase in range(4))
    return TrendChart(TREND_WIDTH, TREND_HEIGHT, tuple(series),
                      tuple(Point(x(n), TREND_HEIGHT - 12, label)
                            for n, label in enumerate(dates)),
                      bands, TREND_LEFT, TREND_WIDTH - TREND_RIGHT)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    answer: int
    count: int


def distribution(counts: Sequence[int], width: float = 200.0) -> tuple[Segment, ...]:
    """Answers 1..5 as adjacent segments of one bar, each as wide as its share."""
    total = sum(counts)
    segments, x = [], 0.0
    for answer, count in enumerate(counts, 1):
        share = width * count / total if total else 0.0
        if count:
            segments.append(Segment(x, share, answer, count))
        x += share
    return tuple(segments)


@dataclass(frozen=True)
class Strip:
    """Where a team stands on one element among the organisation's teams (0-4)."""

    width: float
    low: float
    q1: float
    median: float
    q3: float
    high: float
    team: float | None


def strip(positions: Sequence[float], team: float | None, width: float = 400.0) -> Strip:
    """The spread of the teams' positions as a box (quartiles) and whiskers (lowest,
    highest), with the team's own position as a marker. No other team is drawn alone."""
    ordered = sorted(positions)

    def at(share: float) -> float:
        index = share * (len(ordered) - 1)
        below = int(index)
        above = min(below + 1, len(ordered) - 1)
        return ordered[below] + (ordered[above] - ordered[below]) * (index - below)

    def scaled(position: float) -> float:
        return width * position / POSITIONS

    return Strip(width, scaled(ordered[0]), scaled(at(0.25)), scaled(at(0.5)),
                 scaled(at(0.75)), scaled(ordered[-1]),
                 scaled(team) if team is not None else None)
