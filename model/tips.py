"""Tips for an element's next step, chosen by the team's findings (wi3-instrument.md §3.6).

Each tip names the statements it addresses. For an element in a phase, the tips for the
step from that phase come first when they address the element's biggest inhibitor, then
the second biggest, and so on; tips that address none of them follow in content order.
Renderers take the first few of each level: team tips for the team, organisation tips
"for your sponsor".
"""

from __future__ import annotations

from collections.abc import Sequence

from model.elements import Element, Phase
from model.loader import load_content
from model.questionnaire import Content, Tip, TipLevel
from model.results import Finding


def tips_for(
    element: Element, phase: Phase | int, *, content: Content | None = None
) -> tuple[Tip, ...]:
    """Tips for the step after `phase`: 0 -> getting started, 1 -> 2, 2 -> 3, 3 -> sustain.

    A phase outside 0..3 raises ValueError. An element without a phase (too few answers,
    or a divided team) has no next step, so callers should not ask.
    """
    return (content or load_content()).tips_for(element, phase)


def chosen_tips(
    element: Element,
    phase: Phase,
    inhibitors: Sequence[Finding],
    level: TipLevel,
    *,
    content: Content | None = None,
) -> tuple[Tip, ...]:
    """The element's tips of one level for its next step, those for its biggest
    inhibitors first (`inhibitors` largest gap first; other elements' are ignored)."""
    order = [f.item_id for f in inhibitors if f.element == element]

    def rank(tip: Tip) -> int:
        return min((order.index(i) for i in tip.addresses if i in order), default=len(order))

    tips = [tip for tip in tips_for(element, phase, content=content) if tip.level == level]
    return tuple(sorted(tips, key=rank))
