"""An element's position from its level means: scoring v3, rules 1 and 2 (wi3-instrument.md §3.7).

The position runs from 0 to 4 in four stages that fill one after another, so it has no
jumps: a small change in what the team answered is a small change in the position, and
no single answer can flip a phase two steps (v2 read S3 only once S2 passed 3.5, so one
answer could move an element from "strategic" to "pioneering").

With M = max(S1, S2) and clamp(x) = min(1, max(0, x)):

* g0 = clamp((M - 1) / 1.5): getting started, complete at M = 2.5;
* g1 = min(clamp((S2 - 1) / 2.5), clamp((M - 2.5) / 0.5)): pioneering towards
  facilitating, complete at S2 = 3.5;
* g2 = min(clamp((S3 - 1) / 2.5), clamp((S2 - 3.5) / 0.5)): facilitating towards strategic,
  complete when the strategic statements are agreed and facilitating is firm (S2 = 4.0);
* g3 = clamp(min(S2 - 0.5, S3) - 3.5): how firmly strategic.

position = g0 + g1 + g2 + g3, and its label is floor(position), 3 at most. Each stage is
non-decreasing in every level mean, so raising an answer never lowers a position, and
none rises faster than 2 per point of a level mean (the "bounded" property).

Rule 2: where a level has statements without enough answers, the position is computed
twice, those statements at 1 and at 5: the range [low, high] in which the team's real
position lies whatever they would have said. A level with no counted statement ranges
over 1-5. Arithmetic is exact (fractions), so a mean of exactly 3.5 reaches 3.5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from model.elements import Phase
from model.questionnaire import Item

LOWEST, HIGHEST = Fraction(1), Fraction(5)
"""The ends of the answer scale: where a statement without enough answers could lie."""
TOP = Fraction(4)
"""The highest position: as firmly strategic as the scale allows."""
STARTED = Fraction(5, 2)
REACHED = Fraction(7, 2)
FIRM = Fraction(1, 2)
"""How far above 3.5 the facilitating statements must be for the step to strategic."""


ZERO, ONE = Fraction(0), Fraction(1)
PER_START = Fraction(2, 3)
PER_STEP = Fraction(2, 5)
PER_FIRM = Fraction(2)
"""1 / 1.5, 1 / 2.5 and 1 / 0.5: how fast each stage fills per point of a level mean."""


def clamp(value: Fraction) -> Fraction:
    """Between 0 and 1: how far one stage is filled."""
    return ONE if value >= ONE else ZERO if value <= ZERO else value


def position(s1: Fraction, s2: Fraction, s3: Fraction) -> Fraction:
    """The position 0-4 from the three level means (each 1-5)."""
    m = max(s1, s2)
    getting_started = clamp((m - 1) * PER_START)
    pioneering = min(clamp((s2 - 1) * PER_STEP), clamp((m - STARTED) * PER_FIRM))
    facilitating = min(clamp((s3 - 1) * PER_STEP), clamp((s2 - REACHED) * PER_FIRM))
    strategic = clamp(min(s2 - FIRM, s3) - REACHED)
    return getting_started + pioneering + facilitating + strategic


def position_float(s1: float, s2: float, s3: float) -> float:
    """`position` in floating point, for the many positions `model.respondents` computes
    (one per person left out); equal to it up to rounding (a test checks)."""
    m = max(s1, s2)
    getting_started = _clamp_float((m - 1) / 1.5)
    pioneering = min(_clamp_float((s2 - 1) / 2.5), _clamp_float((m - 2.5) / 0.5))
    facilitating = min(_clamp_float((s3 - 1) / 2.5), _clamp_float((s2 - 3.5) / 0.5))
    strategic = _clamp_float(min(s2 - 0.5, s3) - 3.5)
    return getting_started + pioneering + facilitating + strategic


def _clamp_float(value: float) -> float:
    return 1.0 if value >= 1.0 else 0.0 if value <= 0.0 else value


ROUNDING = 1e-9
"""Far below the distance of any position the answers can give from a whole number (their
denominators are small), far above floating-point rounding."""


def label(value: Fraction | float) -> Phase:
    """The phase a position reads as: its whole part, strategic at most."""
    return Phase(min(int(value), int(Phase.STRATEGIC)))


def rounded_label(value: float) -> Phase:
    """The label of a position computed in floating point (a whole number computed as
    1.9999999999999998 is still 2)."""
    return label(value + ROUNDING)


@dataclass(frozen=True)
class Level:
    """One level's statements (P1, P2 or P3 of an element): the exact team scores of those
    counted, and how many have no score (too few answers)."""

    counted: tuple[Fraction, ...]
    missing: int

    @property
    def mean(self) -> Fraction | None:
        """The mean of the counted scores (S1, S2 or S3 as shown), None without any."""
        return sum(self.counted, Fraction(0)) / len(self.counted) if self.counted else None

    def at(self, missing_at: Fraction) -> Fraction:
        """The level mean with each statement lacking answers put at `missing_at`."""
        total = len(self.counted) + self.missing
        if not total:
            return missing_at
        return (sum(self.counted, Fraction(0)) + self.missing * missing_at) / total

    @property
    def point(self) -> Fraction:
        """The level mean the position uses: the counted statements' mean; a level with no
        counted statement at its low end (so without S3 an element stays facilitating at
        most, and without S1 M is S2, as in v2)."""
        mean = self.mean
        return LOWEST if mean is None else mean


@dataclass(frozen=True)
class Placement:
    """An element's position and its range, exact."""

    position: Fraction | None
    """From the counted statements (None: not one statement of the element counted)."""
    low: Fraction
    high: Fraction


LEVEL_TAGS = (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC)


def element_levels(items: Sequence[Item], scores: Mapping[str, Fraction]) -> tuple[Level, ...]:
    """An element's three levels (P1, P2, P3) from the exact scores of its counted items
    (an item not in `scores` lacks answers)."""
    return tuple(
        Level(counted=tuple(scores[item.id] for item in items
                            if item.phase == tag and item.id in scores),
              missing=sum(1 for item in items if item.phase == tag and item.id not in scores))
        for tag in LEVEL_TAGS)


def point(levels: Sequence[Level]) -> Fraction | None:
    """The position alone (rule 1), None when no statement of the element counted."""
    if not any(level.counted for level in levels):
        return None
    p1, p2, p3 = levels
    return position(p1.point, p2.point, p3.point)


def placement(levels: Sequence[Level]) -> Placement:
    """Rules 1 and 2 for one element's three levels (P1, P2, P3)."""
    p1, p2, p3 = levels
    low = position(p1.at(LOWEST), p2.at(LOWEST), p3.at(LOWEST))
    high = position(p1.at(HIGHEST), p2.at(HIGHEST), p3.at(HIGHEST))
    return Placement(point(levels), low, high)
