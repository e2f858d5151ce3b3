"""Drivers and inhibitors, as proposed in wi3-instrument.md §3.3.

For each element with a phase, look at the items tagged with the current phase and the
target phase (current + 1): phase 0 looks at P1 and P2 items, phase 3 at P3 items only.
An item scoring >= 4 is a driver ("in place, build on it"); one scoring <= 2.5 is an
inhibitor, ranked by its gap to 3.5, largest first. An inhibitor is *confirmed* when the
team ticked a barrier whose `confirms` list (content) names the item. Elements without a
phase get no findings: without a phase there is no next step to look at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from model.elements import Phase
from model.questionnaire import Item, Option, Questionnaire
from model.results import ElementResult, Finding, FindingKind

DRIVER_SCORE = Fraction(4)
INHIBITOR_SCORE = Fraction(5, 2)
BAR = Fraction(7, 2)

LOOK_AT: dict[Phase, tuple[Phase, ...]] = {
    Phase.NOT_STARTED: (Phase.PIONEERING, Phase.FACILITATING),
    Phase.PIONEERING: (Phase.PIONEERING, Phase.FACILITATING),
    Phase.FACILITATING: (Phase.FACILITATING, Phase.STRATEGIC),
    Phase.STRATEGIC: (Phase.STRATEGIC,),
}
"""Which item phase tags matter for an element in a given phase."""


def find_drivers_and_inhibitors(
    elements: Sequence[ElementResult],
    scores: Mapping[str, Fraction | None],
    questionnaire: Questionnaire,
    ticked: Iterable[Option],
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(drivers strongest first, inhibitors largest gap first), ties in questionnaire order."""
    confirmed_items = {item_id for option in ticked for item_id in option.confirms}
    order = {item.id: n for n, item in enumerate(questionnaire.items)}
    drivers: list[Finding] = []
    inhibitors: list[Finding] = []
    for result in elements:
        if result.phase is None:
            continue
        for item in questionnaire.items_for(result.element):
            score = scores[item.id]
            if item.phase not in LOOK_AT[result.phase] or score is None:
                continue
            if score >= DRIVER_SCORE:
                drivers.append(_finding(item, score, FindingKind.DRIVER, confirmed=False))
            elif score <= INHIBITOR_SCORE:
                confirmed = item.id in confirmed_items
                inhibitors.append(_finding(item, score, FindingKind.INHIBITOR, confirmed))
    drivers.sort(key=lambda f: (-f.score, order[f.item_id]))
    inhibitors.sort(key=lambda f: (-f.gap, not f.confirmed, order[f.item_id]))
    return tuple(drivers), tuple(inhibitors)


def _finding(item: Item, score: Fraction, kind: FindingKind, confirmed: bool) -> Finding:
    return Finding(
        item_id=item.id,
        element=item.element,
        theme=item.theme,
        score=float(score),
        kind=kind,
        confirmed=confirmed,
        gap=float(BAR - score),
    )
