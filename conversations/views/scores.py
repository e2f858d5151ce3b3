"""How scores read on every results surface: names, positions, ranges, bars, the headline,
findings, trends and participation (scoring v3, wi3-instrument.md §3.7).

One place, so the channel post, the pulse post, the status views, App Home, the guide, the
report and the export say a position, a phase or a finding the same way. Figures are cut
(not rounded) to one decimal, so a shown figure never crosses a threshold the real one has
not reached: a position of 1.99 reads 1.9 under "pioneering", an inhibitor at 3.48 reads
3.4, never 3.5. What the answers cannot settle is not claimed: an element whose missing
answers leave its phase open reads "pioneering or facilitating (too few answers on its
facilitating statements)", and so does the headline; a divided element reads "the team is
divided" instead of its phase, and a headline resting on it names no phase.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from conversations.i18n import Lang, normalise_lang, t
from conversations.trend import element_trend, position_change
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
    """"*Value*  `▰▰▰ ▰▰▱ ▱▱▱ ▱▱▱` 1.8 · Pioneering", or its range, or "divided", or why it
    has no position; "on the edge between ..." where one person's answers decide."""
    name = element_name(lang, result.element, content)
    if result.phase is None or result.position is None:
        return t(lang, "results.element.not_enough", element=name, counted=result.counted,
                 total=result.item_count, minimum=minimum)
    figure = (cut(lang, result.position) if result.settled
              else t(lang, "results.element.figure_range", low=cut(lang, result.low),
                     high=cut(lang, result.high)))
    bar = position_bar(result.position)
    if result.divided:
        return t(lang, "results.element.divided", element=name, bar=bar, position=figure,
                 polarised=result.polarised, counted=result.counted)
    if not result.settled:
        return t(lang, "results.element.range", element=name, bar=bar, position=figure,
                 phases=phase_range(lang, result.low_phase, result.high_phase, content,
                                    capital=True),
                 levels=levels_text(lang, result.short_phases))
    line = t(lang, "results.element.placed", element=name, bar=bar, position=figure,
             phase=phase_name(lang, result.phase, content))
    if result.edge is not None:
        line += " · " + edge_text(lang, result.edge, content)
    return line


def edge_text(lang: str, edge: tuple[Phase, Phase], content: Content) -> str:
    """"_on the edge between pioneering and facilitating_" (rule 5)."""
    return t(lang, "results.element.edge", low=phase_word(lang, edge[0], content),
             high=phase_word(lang, edge[1], content))


def phase_range(lang: str, low: Phase, high: Phase, content: Content, *,
                capital: bool = False) -> str:
    """"pioneering", "pioneering or facilitating", "anywhere from getting started to
    strategic": the phases a position may be in."""
    name = phase_name if capital else phase_word
    if low == high:
        return name(lang, low, content)
    key = "results.range.adjacent" if high - low == 1 else "results.range.wide"
    text = t(lang, key, low=phase_word(lang, low, content), high=phase_word(lang, high, content))
    return text[:1].upper() + text[1:] if capital else text


def levels_text(lang: str, levels: Sequence[Phase]) -> str:
    """"strategic", "pioneering and facilitating": the levels of statements named by the
    phase they belong to, as an adjective ("de strategische stellingen")."""
    return joined(lang, [t(lang, f"results.levels.p{int(level)}") for level in levels])


def joined(lang: str, words: Sequence[str]) -> str:
    """"Value", "Value and Impact", "Value, Impact and Innovation"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + t(lang, "results.format.and") + words[-1]


class Placed(Protocol):
    """An element's place, as a full result (`ElementResult`) or a summary has it."""

    @property
    def element(self) -> Element: ...

    @property
    def phase(self) -> Phase | None: ...

    @property
    def divided(self) -> bool: ...

    @property
    def low_phase(self) -> Phase: ...

    @property
    def high_phase(self) -> Phase: ...


def element_state(lang: str, result: Placed, content: Content) -> str:
    """The element in a word or three: its phase, its range, "divided" or "n/a" (status
    views)."""
    if result.phase is None:
        return t(lang, "results.element.na")
    if result.divided:
        return t(lang, "results.element.divided_short")
    return phase_range(lang, result.low_phase, result.high_phase, content)


class Headline(Protocol):
    """What the headline may claim, as a full result (`ProfileResult`) or a summary has it."""

    @property
    def overall(self) -> Phase: ...

    @property
    def overall_high(self) -> Phase: ...

    @property
    def further(self) -> int: ...

    @property
    def bottleneck(self) -> Element | None: ...

    @property
    def divided_on(self) -> tuple[Element, ...]: ...

    @property
    def short_on(self) -> tuple[Element, ...]: ...

    @property
    def others_phase(self) -> Phase | None: ...


def overall_phrase(lang: str, headline: Headline, content: Content) -> str:
    """The headline in a few words (status lines, App Home, the overview): "overall
    *pioneering*", "overall *pioneering or facilitating*", or "*divided on Value*"."""
    if headline.divided_on:
        return t(lang, "results.overall.divided_short",
                 elements=element_names(lang, headline.divided_on, content))
    return t(lang, "results.overall.short",
             phase=phase_range(lang, headline.overall, headline.overall_high, content))


def element_names(lang: str, elements: Sequence[Element], content: Content) -> str:
    return joined(lang, [element_name(lang, e, content) for e in elements])


def overall_lines(lang: str, profile: Headline, content: Content) -> list[str]:
    """The headline: the overall phase (or both it may be, or the team divided on the
    element it rests on), how many elements are further, and the bottleneck."""
    if profile.divided_on:
        divided = element_names(lang, profile.divided_on, content)
        others = profile.others_phase
        head = (t(lang, "results.overall.divided", elements=divided,
                  phase=phase_word(lang, others, content)) if others is not None
                else t(lang, "results.overall.divided_all", elements=divided))
    elif profile.short_on:
        head = t(lang, "results.overall.range",
                 phases=phase_range(lang, profile.overall, profile.overall_high, content),
                 elements=element_names(lang, profile.short_on, content))
    else:
        head = t(lang, "results.overall.phase",
                 phase=phase_word(lang, profile.overall, content))
    lines = [head]
    lines.append(t(lang, "results.overall.further", n=profile.further) if profile.further
                 else t(lang, "results.overall.none_further"))
    if profile.bottleneck is None:
        lines.append(t(lang, "results.overall.no_bottleneck"))
    else:
        key = ("bottleneck_divided" if profile.bottleneck in profile.divided_on
               else "bottleneck")
        lines.append(t(lang, f"results.overall.{key}",
                       element=element_name(lang, profile.bottleneck, content)))
    return lines


def participation(lang: str, responses: int, invited: int, finished: int | None) -> str:
    """"7 of 12 answered (6 finished)": the same words on the close reply, the post,
    status and the report (§3.7 rule 8). Rounds closed before v3 did not keep how many
    finished: "7 of 12 answered"."""
    if finished is None:
        return t(lang, "results.participation.answered", responses=responses, invited=invited)
    return t(lang, "results.participation.finished", responses=responses, invited=invited,
             finished=finished)


def participation_note(lang: str, responses: int, invited: int) -> str | None:
    """Below half of those invited: read it as the view of those who answered."""
    if 2 * responses < invited:
        return t(lang, "results.participation.below_half")
    return None


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
    """"↑ +0.3", "↓ -0.4", "→ no clear change" or "new" for one element (rule 9)."""
    trend = element_trend(current.element(element), earlier.element(element))
    if trend is None:
        return ""
    change = position_change(current, earlier, element)
    return t(lang, f"results.trend.{trend.value}",
             change="" if change is None else signed(lang, change))


def bounded_list(
    lang: str, title: str, lines: Sequence[str], max_items: int, *, empty: str | None = None,
    budget: int = MAX_SECTION_TEXT, more_key: str = "results.more",
) -> str:
    """Title plus at most `max_items` lines, then "…and N more" (`more_key` may say where
    the rest is), within `budget` characters (by default a whole section)."""
    if not lines:
        return "\n".join([title, empty]) if empty else title
    shown = list(lines[:max_items])
    while True:
        hidden = len(lines) - len(shown)
        more = [t(lang, more_key, n=hidden)] if hidden else []
        text = "\n".join([title, *shown, *more])
        if len(text) <= budget or not shown:
            return text
        shown.pop()


def _lang(lang: str) -> Lang:
    """Content texts know only the supported languages; map a locale onto one."""
    return normalise_lang(lang)
