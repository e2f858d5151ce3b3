"""The loaded content of the instrument: items, checklists, tips, names.

Plain frozen dataclasses; `model.loader` builds them from the TOML files in
`model/content/` and guarantees the invariants documented here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from model.elements import Element, ElementInfo, Phase, PhaseInfo, Text


@dataclass(frozen=True)
class Item:
    """One statement of the questionnaire, answered 1..5 or "don't know".

    `phase` is the phase tag (P1..P3) the item evidences; `theme` is the short label
    used when the item shows up as a driver or inhibitor.
    """

    id: str
    element: Element
    phase: Phase
    theme: Text
    text: Text


@dataclass(frozen=True)
class Option:
    """One choice of a checklist (barriers, reasons to start).

    For a barrier, `confirms` lists the item ids whose themes it confirms as inhibitors.
    """

    id: str
    label: Text
    confirms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    """Every item in questionnaire order, plus the two checklists and the answer scale.

    `scale` holds the labels of answers 1..5 in order; `dont_know` labels the skip.

    Invariants (checked on load): ids are unique, every element has at least one item
    for each phase tag 1..3, barrier `confirms` name existing items.
    """

    items: tuple[Item, ...]
    barriers: tuple[Option, ...]
    barrier_max: int
    barrier_question: Text
    start_reasons: tuple[Option, ...]
    start_question: Text
    scale: tuple[Text, ...]
    dont_know: Text

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError names the id when there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"unknown item id {item_id!r}")

    def items_for(self, element: Element) -> tuple[Item, ...]:
        """The element's items in questionnaire order."""
        return tuple(item for item in self.items if item.element == element)

    def barrier(self, barrier_id: str) -> Option:
        """The barrier option with this id; KeyError when there is none."""
        for option in self.barriers:
            if option.id == barrier_id:
                return option
        raise KeyError(f"unknown barrier id {barrier_id!r}")


class TipLevel(StrEnum):
    """Who can act on a tip: the team itself, or the organisation (it needs a sponsor)."""

    TEAM = "team"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Tip:
    """Practical advice for one element's next step.

    `transition` is (from, to): (1, 2) for pioneering -> facilitating, (0, 1) for getting
    started, and (3, 3) for sustaining the strategic phase. `addresses` names the items
    whose low score the tip answers (items of the element tagged with the phase the step
    leads to; for (3, 3) the strategic ones), so results can show the tips for the team's
    biggest inhibitors first. `level` says who can act on it. `source` says where the
    advice is grounded, in each language, since the report prints it under the tip for
    consultants and teams alike.
    """

    element: Element
    transition: tuple[Phase, Phase]
    text: Text
    level: TipLevel
    addresses: tuple[str, ...]
    source: Text


@dataclass(frozen=True)
class About:
    """Where the model comes from, for `/wi3 about`: what it looks at, whose it is, and
    what this product added (its operationalisation, not the authors' words)."""

    intro: Text
    source: Text
    operationalisation: Text


@dataclass(frozen=True)
class Content:
    """Everything the model says to users, loaded and validated from `model/content/`."""

    questionnaire: Questionnaire
    elements: Mapping[Element, ElementInfo]
    phases: Mapping[Phase, PhaseInfo]
    tips: tuple[Tip, ...]
    about: About
    discussion: Mapping[str, tuple[Text, ...]]
    """Per statement (item id), the one or two open questions a team can discuss when
    the statement holds it back or splits it (the leads' discussion guide)."""

    def questions_for(self, item_id: str) -> tuple[Text, ...]:
        """The open questions about a statement; none for an id the content does not know
        (a snapshot from an older questionnaire)."""
        return tuple(self.discussion.get(item_id, ()))

    def tip_with_text(self, text: str) -> Tip | None:
        """The tip whose text, in either language, is `text` (spacing aside), if any.

        A commitment picked from the suggestions is saved as the tip's text in the team's
        language; this finds the tip again, so that each reader gets it in their own
        language. Tip texts are unique per language (checked on load)."""
        wanted = " ".join(text.split())
        for tip in self.tips:
            if wanted in (" ".join(tip.text.en.split()), " ".join(tip.text.nl.split())):
                return tip
        return None

    def tips_for(self, element: Element, phase: Phase | int) -> tuple[Tip, ...]:
        """Tips for the next step from `phase` (phase 3: tips to sustain it)."""
        start = Phase(phase)
        return tuple(
            tip for tip in self.tips if tip.element == element and tip.transition[0] == start
        )
