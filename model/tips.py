"""Tips for an element's next step (wi3-instrument.md §3.4); the wording is content."""

from __future__ import annotations

from model.elements import Element, Phase
from model.loader import load_content
from model.questionnaire import Content, Tip


def tips_for(
    element: Element, phase: Phase | int, *, content: Content | None = None
) -> tuple[Tip, ...]:
    """Tips for the step after `phase`: 0 -> getting started, 1 -> 2, 2 -> 3, 3 -> sustain.

    A phase outside 0..3 raises ValueError. An element without a phase (too few answers)
    has no next step, so callers should not ask.
    """
    return (content or load_content()).tips_for(element, phase)
