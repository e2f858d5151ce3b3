"""Drivers and inhibitors: what to build on, and what separates a team from its next phase.

As wi3-instrument.md §3.6 rule 7 says, with the thresholds of scoring v3 (§3.7), per
element with a position that the team is not divided on, over counted items only:

* Drivers: items tagged with the element's current or next phase scoring 4.0 or more,
  strongest first ("in place, build on it"). Phase 0 has no items of its own, so it looks
  at P1; phase 3 has no next phase, so it looks at P3.
* Inhibitors: what the next phase needs and the team does not give it yet, largest gap to
  the bar first: for phase 0 the P1 items below 2.5 (the bar to start); for phase 1 the
  P2 items below 3.5; for phase 2 the P3 items below 3.5 and the P2 items below 4.0 (v3's
  step to strategic needs facilitating firm, S2 = 4.0); for phase 3 the P3 items below
  3.5 ("what could slip"). Because a phase is missed only when a level mean is below its
  bar, and a mean below a bar has an item below it, an element below phase 3 always
  learns what holds it back when its next phase's items were counted (no dead zone).
  Where missing answers leave the element's phase open (a range over two labels, §3.7
  rule 2), the steps of every phase in the range are looked at, so a unanimous weak level
  still shows when another level lacked answers.
* An inhibitor is *confirmed* when the team ticked (in a tally it may see, by enough
  people: §3.7 rule 7, decided by the caller) a barrier whose `confirms` list names it.

Elements without a position get no findings: there is no step to look at. Divided ones
neither: the team first talks about what splits it (the post lists those statements).
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
FIRM_BAR = Fraction(4)

DRIVER_TAGS: dict[Phase, tuple[Phase, ...]] = {
    Phase.NOT_STARTED: (Phase.PIONEERING,),
    Phase.PIONEERING: (Phase.PIONEERING, Phase.FACILITATING),
    Phase.FACILITATING: (Phase.FACILITATING, Phase.STRATEGIC),
    Phase.STRATEGIC: (Phase.STRATEGIC,),
}
"""The item tags of an element's current and next phase."""

NEXT_BARS: dict[Phase, dict[Phase, Fraction]] = {
    Phase.NOT_STARTED: {Phase.PIONEERING: START_BAR},
    Phase.PIONEERING: {Phase.FACILITATING: BAR},
    Phase.FACILITATING: {Phase.STRATEGIC: BAR, Phase.FACILITATING: FIRM_BAR},
    Phase.STRATEGIC: {Phase.STRATEGIC: BAR},
}
"""Per phase: the item tags that separate an element from its next phase, and the bar
each must reach (phase 3: what could slip)."""


def bar_for(phase: Phase, tag: Phase | None = None) -> Fraction:
    """The score an inhibitor of an element in `phase` falls short of (by item tag)."""
    bars = NEXT_BARS[phase]
    if tag is not None and tag in bars:
        return bars[tag]
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
        if result.phase is None or result.divided:
            continue
        bars = _inhibitor_bars(result.phase, result.high_phase)
        for item in questionnaire.items_for(result.element):
            score = scores.get(item.id)
            if score is None:
                continue
            if item.phase in DRIVER_TAGS[result.phase] and score >= DRIVER_SCORE:
                drivers.append(_finding(item, score, bar_for(result.phase),
                                        FindingKind.DRIVER, confirmed=False))
            bar = bars.get(item.phase)
            if bar is not None and score < bar:
                inhibitors.append(_finding(item, score, bar, FindingKind.INHIBITOR,
                                           confirmed=item.id in confirmed_items))
    drivers.sort(key=lambda f: (-f.score, order[f.item_id]))
    inhibitors.sort(key=lambda f: (-f.gap, not f.confirmed, order[f.item_id]))
    return tuple(drivers), tuple(inhibitors)


def _inhibitor_bars(phase: Phase, high: Phase) -> dict[Phase, Fraction]:
    """The bar per item tag over the phases from `phase` up to `high` (the element's
    range): the nearest step decides a tag's bar."""
    bars: dict[Phase, Fraction] = {}
    for step in range(phase, max(phase, high) + 1):
        for tag, bar in NEXT_BARS[Phase(step)].items():
            bars.setdefault(tag, bar)
    return bars


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
