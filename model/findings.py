"""Drivers and inhibitors: what to build on, and what separates a team from its next phase.

As wi3-instrument.md §3.6 rule 7 says, per element with a phase, over counted items only:

* Drivers: items tagged with the element's current or next phase scoring 4.0 or more,
  strongest first ("in place, build on it"). Phase 0 has no items of its own, so it looks
  at P1; phase 3 has no next phase, so it looks at P3.
* Inhibitors: items tagged with the element's *next* phase scoring below 3.5, the bar
  that phase's sum must reach; for phase 0 the P1 items below 2.5 (the bar to start);
  for phase 3 the P3 items below 3.5 ("what could slip"). Largest gap to the bar first.
  Because a phase is missed only when its sum is below the bar, and a mean below a bar
  has an item below it, an element below phase 3 always learns what holds it back when
  its next phase's items were counted (no dead zone between the old thresholds).
* An inhibitor is *confirmed* when the team ticked (in a tally it may see) a barrier
  whose `confirms` list names the item.

Elements without a phase (not enough answers, or divided) get no findings: without a phase
there is no next step to look at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from model.elements import Phase
from model.questionnaire import Item, Option, Questionnaire
from model.results import ElementResult, Finding, FindingKind

DRIVER_SCORE = Fraction(4)
BAR = Fraction(7, 2)
START_BAR = Fraction(5, 2)

DRIVER_TAGS: dict[Phase, tuple[Phase, ...]] = {
    Phase.NOT_STARTED: (Phase.PIONEERING,),
    Phase.PIONEERING: (Phase.PIONEERING, Phase.FACILITATING),
    Phase.FACILITATING: (Phase.FACILITATING, Phase.STRATEGIC),
    Phase.STRATEGIC: (Phase.STRATEGIC,),
}
"""The item tags of an element's current and next phase."""

NEXT_TAG: dict[Phase, Phase] = {
    Phase.NOT_STARTED: Phase.PIONEERING,
    Phase.PIONEERING: Phase.FACILITATING,
    Phase.FACILITATING: Phase.STRATEGIC,
    Phase.STRATEGIC: Phase.STRATEGIC,
}
"""The item tag that separates an element from its next phase (phase 3: what could slip)."""


def bar_for(phase: Phase) -> Fraction:
    """The score an inhibitor of an element in `phase` falls short of."""
    return START_BAR if phase == Phase.NOT_STARTED else BAR


def find_drivers_and_inhibitors(
    elements: Sequence[ElementResult],
    scores: Mapping[str, Fraction],
    questionnaire: Questionnaire,
    ticked: Iterable[Option],
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(drivers strongest first, inhibitors largest gap first; ties: confirmed first, then
    questionnaire order). `scores` holds the counted items only."""
    confirmed_items = {item_id for option in ticked for item_id in option.confirms}
    order = {item.id: n for n, item in enumerate(questionnaire.items)}
    drivers: list[Finding] = []
    inhibitors: list[Finding] = []
    for result in elements:
        if result.phase is None:
            continue
        bar = bar_for(result.phase)
        for item in questionnaire.items_for(result.element):
            score = scores.get(item.id)
            if score is None:
                continue
            if item.phase in DRIVER_TAGS[result.phase] and score >= DRIVER_SCORE:
                drivers.append(_finding(item, score, bar, FindingKind.DRIVER, confirmed=False))
            if item.phase == NEXT_TAG[result.phase] and score < bar:
                inhibitors.append(_finding(item, score, bar, FindingKind.INHIBITOR,
                                           confirmed=item.id in confirmed_items))
    drivers.sort(key=lambda f: (-f.score, order[f.item_id]))
    inhibitors.sort(key=lambda f: (-f.gap, not f.confirmed, order[f.item_id]))
    return tuple(drivers), tuple(inhibitors)


def _finding(item: Item, score: Fraction, bar: Fraction, kind: FindingKind,
             confirmed: bool) -> Finding:
    return Finding(
        item_id=item.id,
        element=item.element,
        theme=item.theme,
        score=float(score),
        kind=kind,
        confirmed=confirmed,
        gap=float(bar - score),
    )
