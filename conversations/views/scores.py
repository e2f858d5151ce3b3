"""How scores read on every results surface: names, positions, bars, findings, trends.

One place, so the channel post, the pulse post, the status views and the export say a
position, a phase or a finding the same way. Figures are cut (not rounded) to one decimal,
so a shown figure never crosses a threshold the real one has not reached: a position of
1.99 reads 1.9 under "pioneering", an inhibitor at 3.48 reads 3.4, never 3.5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from conversations.i18n import Lang, normalise_lang, t
from conversations.trend import position_change, position_trend
from conversations.views.common import MAX_SECTION_TEXT
from model import Content, Element, ElementResult, Finding, Phase, ProfileResult, Text

CELLS_PER_PHASE = 3
BAR_PHASES = 4
"""The bar has a group of cells per whole position 0-1, 1-2, 2-3, 3-4."""


def element_name(lang: str, element: Element, content: Content) -> str:
    return content.elements[element].name.get(_lang(lang))


def phase_name(lang: str, phase: Phase, content: Content) -> str:
    """The phase's name as a label ("Pioneering")."""
    return content.phases[phase].name.get(_lang(lang))


def phase_word(lang: str, phase: Phase, content: Content) -> str:
    """The phase's name inside a sentence ("from pioneering to facilitating")."""
    name = phase_name(lang, phase, content)
    return name[:1].lower() + name[1:]


def cut(lang: str, value: float) -> str:
    """One decimal, cut rather than rounded, with the language's decimal mark."""
    tenths = math.floor(value * 10 + 1e-9) / 10
    return f"{tenths:.1f}".replace(".", t(lang, "results.format.decimal_mark"))


def signed(lang: str, value: float) -> str:
    """A change, rounded to one decimal, with its sign ("+0.3", "-0,2")."""
    return f"{value:+.1f}".replace(".", t(lang, "results.format.decimal_mark"))


def position_bar(position: float) -> str:
    """The position (0-4) as four groups of cells, one per phase band:
    1.8 -> ▰▰▰ ▰▰▱ ▱▱▱ ▱▱▱ (the whole part is the phase, as in the label)."""
    filled = math.floor(position * CELLS_PER_PHASE + 1e-9)
    cells = "".join("▰" if n < filled else "▱" for n in range(CELLS_PER_PHASE * BAR_PHASES))
    return " ".join(cells[n:n + CELLS_PER_PHASE]
                    for n in range(0, len(cells), CELLS_PER_PHASE))


def element_line(lang: str, result: ElementResult, content: Content, minimum: int) -> str:
    """"*Value*  `▰▰▰ ▰▰▱ ▱▱▱ ▱▱▱` 1.8 · Pioneering", or why it has no phase."""
    name = element_name(lang, result.element, content)
    if result.divided:
        return t(lang, "results.element.divided", element=name, polarised=result.polarised,
                 counted=result.counted)
    if result.phase is None or result.position is None:
        return t(lang, "results.element.not_enough", element=name, counted=result.counted,
                 total=result.item_count, minimum=minimum)
    return t(lang, "results.element.placed", element=name, bar=position_bar(result.position),
             position=cut(lang, result.position),
             phase=phase_name(lang, result.phase, content))


def element_notes(lang: str, result: ElementResult, content: Content) -> list[str]:
    """A caveat under a placed element: nobody could judge its strategic statements."""
    if result.phase is not None and Phase.STRATEGIC in result.unanswered_phases:
        return [t(lang, "results.element.strategic_unanswered",
                  phase=phase_word(lang, Phase.FACILITATING, content))]
    return []


class Placed(Protocol):
    """An element's place, as a full result (`ElementResult`) or a summary has it."""

    @property
    def element(self) -> Element: ...

    @property
    def phase(self) -> Phase | None: ...

    @property
    def divided(self) -> bool: ...


def element_state(lang: str, result: Placed, content: Content) -> str:
    """The element in one word or two: its phase, "divided" or "n/a" (status views)."""
    if result.divided:
        return t(lang, "results.element.divided_short")
    if result.phase is None:
        return t(lang, "results.element.na")
    return phase_word(lang, result.phase, content)


def overall_lines(lang: str, profile: ProfileResult, content: Content) -> list[str]:
    """The headline: overall phase, how many elements are further, and the bottleneck."""
    if profile.overall is None:
        return [t(lang, "results.overall.none")]
    placed = len(profile.placed)
    lines = [t(lang, "results.overall.phase",
               phase=phase_word(lang, profile.overall, content))]
    further = (t(lang, "results.overall.further", n=profile.further, total=placed)
               if profile.further else t(lang, "results.overall.none_further"))
    if placed < len(profile.elements):
        further += " " + t(lang, "results.overall.partial", n=placed,
                           total=len(profile.elements))
    lines.append(further)
    if profile.bottleneck is not None:
        lines.append(t(lang, "results.overall.bottleneck",
                       element=element_name(lang, profile.bottleneck, content)))
    elif placed >= 2:
        lines.append(t(lang, "results.overall.no_bottleneck"))
    return lines


def finding_line(lang: str, finding: Finding) -> str:
    """"• Managers visibly use the tools: 2.1", confirmed inhibitors marked."""
    return statement_line(lang, finding.theme, finding.score, confirmed=finding.confirmed)


def statement_line(lang: str, theme: Text, score: float, *, confirmed: bool = False) -> str:
    """A statement in a few words with the team's score, as findings read."""
    key = "results.finding.confirmed" if confirmed else "results.finding.line"
    return t(lang, key, theme=theme.get(_lang(lang)), score=cut(lang, score))


def trend_text(
    lang: str, current: ProfileResult, earlier: ProfileResult, element: Element
) -> str:
    """"↑ +0.3", "↓ -0.2", "→ about the same" or "new" for one element."""
    now = current.element(element).position
    if now is None:
        return ""
    trend = position_trend(now, earlier.element(element).position)
    change = position_change(current, earlier, element)
    return t(lang, f"results.trend.{trend.value}",
             change="" if change is None else signed(lang, change))


def bounded_list(
    lang: str, title: str, lines: Sequence[str], max_items: int, *, empty: str | None = None,
    budget: int = MAX_SECTION_TEXT,
) -> str:
    """Title plus at most `max_items` lines, then "…and N more", within `budget` characters
    (by default a whole section)."""
    if not lines:
        return "\n".join([title, empty]) if empty else title
    shown = list(lines[:max_items])
    while True:
        hidden = len(lines) - len(shown)
        more = [t(lang, "results.more", n=hidden)] if hidden else []
        text = "\n".join([title, *shown, *more])
        if len(text) <= budget or not shown:
            return text
        shown.pop()


def _lang(lang: str) -> Lang:
    """Content texts know only the supported languages; map a locale onto one."""
    return normalise_lang(lang)
