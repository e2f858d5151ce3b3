"""What each person's answers tell beyond the item scores: scoring v3 rules 5, 6 and 9.

Item scores say where the team stands; they cannot say whether one person decides it.
From the answers of each respondent (never shown, never kept), per element:

* **On the edge** (rule 5): the element's position is computed again leaving out each
  respondent in turn, only where the rest still reach the team's minimum on every
  statement the element counts. Where those positions (and the team's own) carry two
  labels, one person's answers decide the phase: the element is "on the edge between"
  them. Its label stays floor(position).
* **Spread** (rule 9): the leave-one-out (jackknife) standard error of the position, over
  everyone who answered one of the element's counted statements,
  sqrt((n - 1) / n * sum((p_i - mean)^2)). Trends compare two rounds' positions with it.
  It is never shown, so here a person is left out even where the rest fall below the
  minimum: the estimate needs all of them.
* **Minority** (rule 6): people whose own mean on the element's counted statements is 2.0
  or below while the team's position is 2 or more (or 4.0 or above while it is below 1.5),
  when there are at least the team's minimum of them and at least a quarter of those who
  answered. Counted, never named. Not for a divided element: "divided" already says the
  team is split.

Statements too few people answered play no part (`scores` holds the counted ones only),
so none of this depends on an answer the item scores hide. Arithmetic is exact.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from model.elements import Phase
from model.position import LEVEL_TAGS, label, position_float, rounded_label
from model.questionnaire import Item
from model.results import ItemScore, Minority

LOW_VIEW, HIGH_VIEW = Fraction(2), Fraction(4)
"""A personal mean at or below 2.0 sees the element much lower; at or above 4.0, higher."""
LOW_POSITION_FOR_HIGH_VIEW = Fraction(3, 2)
MINORITY_SHARE = Fraction(1, 4)

Answers = Mapping[str, int | None]


@dataclass(frozen=True)
class Individual:
    """Rules 5, 6 and 9 for one element."""

    edge: tuple[Phase, Phase] | None
    spread: float | None
    minority: Minority | None


def individual(
    items: Sequence[Item],
    scores: Mapping[str, ItemScore],
    exact: Mapping[str, Fraction],
    position: Fraction,
    answers: Sequence[Answers],
    *,
    fresh: Collection[str],
    minimum: int,
    divided: bool,
    minorities: bool,
) -> Individual:
    """Rules 5, 6 and 9 for the element of `items`. `exact` holds the counted items' exact
    scores, `fresh` the ids of those scored from `answers` (a pulse carries the others
    forward: they stay as they are when a person is left out).

    The positions without one person are computed in floating point (there is one per
    person, and exact fractions cost a multiple); their labels allow for its rounding.
    """
    element = _Element(items, scores, exact, fresh)
    own = [{i: v for i in element.sums if (v := person.get(i)) is not None}
           for person in answers]
    contributors = [given for given in own if given]
    edge_labels = {label(position)}
    spread_positions = []
    for given in contributors:
        left_out = element.without(given)
        if left_out is None:  # they alone answered the element (a minimum of one)
            continue
        spread_positions.append(left_out)
        if all(element.sums[i][1] - 1 >= minimum for i in given):
            edge_labels.add(rounded_label(left_out))
    return Individual(
        edge=(min(edge_labels), max(edge_labels)) if len(edge_labels) > 1 else None,
        spread=_jackknife(spread_positions),
        minority=(_minority(contributors, position, minimum)
                  if minorities and not divided else None),
    )


class _Element:
    """An element's counted statements, ready to take one person's answers out."""

    def __init__(self, items: Sequence[Item], scores: Mapping[str, ItemScore],
                 exact: Mapping[str, Fraction], fresh: Collection[str]) -> None:
        self.levels = [[item.id for item in items if item.phase == tag and item.id in exact]
                       for tag in LEVEL_TAGS]
        self.means = {item_id: float(score) for item_id, score in exact.items()}
        self.sums = {item.id: _sum(scores[item.id]) for item in items
                     if item.id in exact and item.id in fresh}

    def without(self, given: Mapping[str, int]) -> float | None:
        """The position with these answers taken out (None: nothing of the element left)."""
        levels = []
        for ids in self.levels:
            means = []
            for item_id in ids:
                if item_id not in given:
                    means.append(self.means[item_id])
                    continue
                total, count = self.sums[item_id]
                if count > 1:
                    means.append((total - given[item_id]) / (count - 1))
            levels.append(means)
        if not any(levels):
            return None
        s1, s2, s3 = (math.fsum(means) / len(means) if means else 1.0 for means in levels)
        return position_float(s1, s2, s3)


def _sum(score: ItemScore) -> tuple[int, int]:
    """An item's answers as (total, how many), to take one person's answer out."""
    counts = score.counts or ()
    return sum(v * c for v, c in enumerate(counts, start=1)), sum(counts)


def _jackknife(positions: Sequence[float]) -> float | None:
    """The leave-one-out standard error; None with fewer than two people to leave out.
    (`fsum`: the same whatever order the people come in.)"""
    n = len(positions)
    if n < 2:
        return None
    mean = math.fsum(positions) / n
    return math.sqrt((n - 1) / n * math.fsum((p - mean) ** 2 for p in positions))


def _minority(
    contributors: Sequence[Mapping[str, int]], position: Fraction, minimum: int
) -> Minority | None:
    means = [Fraction(sum(given.values()), len(given)) for given in contributors]
    answered = len(means)
    if position >= Phase.FACILITATING:
        count, lower = sum(1 for m in means if m <= LOW_VIEW), True
    elif position < LOW_POSITION_FOR_HIGH_VIEW:
        count, lower = sum(1 for m in means if m >= HIGH_VIEW), False
    else:
        return None
    if count >= minimum and count >= MINORITY_SHARE * answered:
        return Minority(count, answered, lower)
    return None
