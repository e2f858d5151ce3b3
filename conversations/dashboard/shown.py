"""The one place a gated result turns into what a dashboard page shows.

Every figure on a page comes from `conversations.results` (the privacy gate, the history
and the last-result summaries) as a `TeamResult` or a `ResultSummary`; the functions here
say how an element, an overall phase or a statement reads on the web, with the words of
`conversations.views.scores` (the same as in Slack). When scoring adds something a page
should show (a range, "on the edge"), it is added here and in the templates, nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from conversations.dashboard.colours import cell_class
from conversations.i18n import normalise_lang, t
from conversations.results.outcome import Withheld
from conversations.views.scores import Placed, cut, element_name, element_state, phase_name
from model import Content, Element, ItemScore, Phase


class Positioned(Placed, Protocol):
    """An element's place with its position (a full result's or a summary's)."""

    @property
    def position(self) -> float | None: ...


@dataclass(frozen=True)
class ShownElement:
    """One element of one team as a page shows it."""

    element: Element
    name: str
    state: str
    """"0".."3" (the phase), "divided" or "na" (too few answers)."""
    position: float | None
    figure: str
    """The position cut to one decimal ("1.8"), or "" without one."""
    label: str
    """"Pioneering", "divided" or "n/a"."""
    css: str
    """The heat map cell's class."""

    @property
    def text(self) -> str:
        return f"{self.figure} · {self.label}" if self.figure else self.label


def shown_element(lang: str, placed: Positioned | None, element: Element,
                  content: Content) -> ShownElement:
    """An element as shown: its position and phase, divided, or n/a (also when the team's
    result has nothing for it)."""
    name = element_name(lang, element, content)
    if placed is None:
        return ShownElement(element, name, "na", None, "", t(lang, "results.element.na"), "na")
    state = "divided" if placed.divided else (
        "na" if placed.phase is None else str(int(placed.phase)))
    position = placed.position if state not in ("divided", "na") else None
    figure = cut(lang, position) if position is not None else ""
    label = (phase_name(lang, placed.phase, content)
             if placed.phase is not None and not placed.divided
             else element_state(lang, placed, content))
    return ShownElement(element, name, state, position, figure, label,
                        cell_class(state, position))


def shown_elements(lang: str, placed: Sequence[Positioned], content: Content
                   ) -> tuple[ShownElement, ...]:
    """All four elements in questionnaire order, whatever the result holds."""
    found = {each.element: each for each in placed}
    return tuple(shown_element(lang, found.get(element), element, content)
                 for element in Element)


def overall_label(lang: str, overall: Phase | None, content: Content) -> str:
    """The overall phase's name, or "n/a" without one."""
    if overall is None:
        return t(lang, "results.element.na")
    return phase_name(lang, overall, content)


def withheld_text(lang: str, reason: Withheld | None, responses: int, invited: int,
                  minimum: int) -> str:
    """Why a round shows no figure (the counts only)."""
    key = (reason or Withheld.MINIMUM).value
    return t(lang, f"dashboard.withheld.{key}", responses=responses, invited=invited,
             minimum=minimum)


@dataclass(frozen=True)
class StatementRow:
    """A statement the gate counted: its distribution and score (leads' material)."""

    item_id: str
    element: str
    theme: str
    counts: tuple[int, ...]
    dont_know: int
    score: str
    polarised: bool

    @property
    def answered(self) -> int:
        return sum(self.counts)


def statement_rows(lang: str, items: Sequence[ItemScore], content: Content
                   ) -> tuple[StatementRow, ...]:
    """The counted statements in questionnaire order; a statement the gate left without a
    distribution (too few answers) is not listed at all."""
    known = {item.id: item for item in content.questionnaire.items}
    order = {item.id: n for n, item in enumerate(content.questionnaire.items)}
    rows = []
    for score in sorted(items, key=lambda s: order.get(s.item_id, len(order))):
        item = known.get(score.item_id)
        if item is None or score.counts is None or score.score is None:
            continue
        rows.append(StatementRow(
            item_id=score.item_id, element=element_name(lang, item.element, content),
            theme=item.theme.get(normalise_lang(lang)), counts=tuple(score.counts),
            dont_know=score.dont_know or 0, score=cut(lang, score.score),
            polarised=score.polarised))
    return tuple(rows)


def day(moment: datetime | None) -> str:
    """A date as pages show it (UTC, ISO: the same in both languages)."""
    return "" if moment is None else f"{moment:%Y-%m-%d}"
