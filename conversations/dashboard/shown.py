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
from conversations.views.scores import (
    Headline,
    Placed,
    cut,
    edge_text,
    element_name,
    element_names,
    element_state,
    phase_name,
    phase_range,
)
from model import Content, Element, ElementResult, ItemScore


class Positioned(Placed, Protocol):
    """An element's place with its position and range (a full result's, a summary's or an
    overview cell's)."""

    @property
    def position(self) -> float | None: ...

    @property
    def settled(self) -> bool: ...


@dataclass(frozen=True)
class ShownElement:
    """One element of one team as a page shows it (scoring v3: a divided element keeps its
    position, an element whose missing answers leave its phase open shows its range)."""

    element: Element
    name: str
    state: str
    """"0".."3" (the phase), "open" (a range), "divided" or "na" (too few answers)."""
    position: float | None
    figure: str
    """The position cut to one decimal ("1.8"), its range ("1.4-2.3"), or "" without one."""
    label: str
    """"Pioneering", "pioneering or facilitating", "divided" or "n/a"; "on the edge
    between ..." added where one person's answers decide (full results only)."""
    css: str
    """The heat map cell's class."""

    @property
    def text(self) -> str:
        return f"{self.figure} · {self.label}" if self.figure else self.label


def shown_element(lang: str, placed: Positioned | None, element: Element,
                  content: Content) -> ShownElement:
    """An element as shown: its position and phase (or range), divided, or n/a (also when
    the team's result has nothing for it). The words are `views.scores`' (as in Slack)."""
    name = element_name(lang, element, content)
    if placed is None or placed.phase is None or placed.position is None:
        return ShownElement(element, name, "na", None, "", t(lang, "results.element.na"), "na")
    state = ("divided" if placed.divided else
             str(int(placed.phase)) if placed.settled else "open")
    label = element_state(lang, placed, content)
    if state not in ("divided", "open"):
        label = phase_name(lang, placed.phase, content)
    if isinstance(placed, ElementResult) and placed.edge is not None and not placed.divided:
        label += " · " + edge_text(lang, placed.edge, content)
    return ShownElement(element, name, state, placed.position, _figure(lang, placed), label,
                        cell_class(state, placed.position))


def _figure(lang: str, placed: Positioned) -> str:
    """The position, or its range where missing answers leave the phase open."""
    assert placed.position is not None
    low, high = getattr(placed, "low", None), getattr(placed, "high", None)
    if placed.settled or low is None or high is None:
        return cut(lang, placed.position)
    return t(lang, "results.element.figure_range", low=cut(lang, low), high=cut(lang, high))


def shown_elements(lang: str, placed: Sequence[Positioned], content: Content
                   ) -> tuple[ShownElement, ...]:
    """All four elements in questionnaire order, whatever the result holds."""
    found = {each.element: each for each in placed}
    return tuple(shown_element(lang, found.get(element), element, content)
                 for element in Element)


def overall_text(lang: str, headline: Headline | None, content: Content) -> str:
    """The headline's phase as Slack says it: "Pioneering", "Pioneering or facilitating"
    where missing answers leave it open, "Divided on Value" where it rests on a divided
    element; "n/a" without a headline."""
    if headline is None:
        return t(lang, "results.element.na")
    if headline.divided_on:
        return t(lang, "dashboard.divided_on",
                 elements=element_names(lang, headline.divided_on, content))
    return phase_range(lang, headline.overall, headline.overall_high, content, capital=True)


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
