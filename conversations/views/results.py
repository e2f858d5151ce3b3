"""What the team gets back in its channel when a round closes: phases, findings, tips, trend.

Pure: a `RoundOutcome` (model results plus plain round metadata) in, a message dict out.
Privacy is decided in one place: a round below the team's minimum has no result at all
(`RoundOutcome` refuses one), and the renderer only looks at `outcome.result is None`, so
a post below the threshold cannot show a score, a finding or a tally, not even the
previous round's.

Every list that can grow (drivers, inhibitors, disagreement topics) is cut with "and N
more", so a post stays within Slack's 50 blocks and 3000 characters per section whatever
the result holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import Block, DividerBlock

from conversations.i18n import Lang, normalise_lang, t
from conversations.trend import index_change, index_trend
from conversations.views.common import (
    MAX_SECTION_TEXT,
    Message,
    context,
    header,
    message,
    mrkdwn_escape,
    section,
    slack_date,
)
from model import Content, Element, ElementResult, Finding, Phase, TeamResult, load_content

KINDS = ("diagnostic", "pulse")
MIN_RESPONSES_FLOOR = 3
"""No team may see results from fewer answers than this (DESIGN.md: never below 3)."""

BAR_CELLS = 10
INDEX_LOW, INDEX_HIGH = 1.0, 3.0
MAX_FINDINGS = 5
MAX_TOPICS = 6
TIPS_PER_ELEMENT = 2


@dataclass(frozen=True)
class RoundOutcome:
    """A closed round as the views see it: aggregates and counts, never who answered what.

    `result` is None exactly when fewer than `min_responses` members answered; the
    constructor refuses anything else, so a renderer cannot show scores below the
    threshold by mistake. `previous` is the team's previous closed round above the
    threshold (for a pulse: the previous pulse).
    """

    round_id: str
    kind: str
    subject: str
    channel_id: str
    closed_at: datetime
    invited: int
    responses: int
    min_responses: int
    result: TeamResult | None
    previous: TeamResult | None = None
    previous_closed_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.closed_at.tzinfo is None:
            raise ValueError("closed_at must be timezone-aware (UTC)")
        if self.min_responses < MIN_RESPONSES_FLOOR:
            raise ValueError(f"min_responses must be at least {MIN_RESPONSES_FLOOR}")
        if self.above_threshold != (self.result is not None):
            raise ValueError(
                f"{self.responses} responses with a minimum of {self.min_responses}: a result "
                f"is required at or above the minimum and forbidden below it"
            )

    @property
    def above_threshold(self) -> bool:
        """Enough members answered for the team to see its aggregate."""
        return self.responses >= self.min_responses


def results_post(
    lang: str,
    outcome: RoundOutcome,
    content: Content | None = None,
    *,
    last_diagnostic: TeamResult | None = None,
) -> Message:
    """The channel post for a closed round, in the team's language.

    A pulse shows each element's change since the last pulse (`outcome.previous`) and,
    when given, since the last full diagnostic (`last_diagnostic`).
    """
    content = content or load_content()
    if outcome.result is None:
        return below_threshold_post(lang, outcome)
    if outcome.kind == "pulse":
        return _pulse_post(lang, outcome, outcome.result, content, last_diagnostic)
    return _diagnostic_post(lang, outcome, outcome.result, content)


def below_threshold_post(lang: str, outcome: RoundOutcome) -> Message:
    """How many answered and how many were needed; nothing from any result."""
    counts = {"responses": outcome.responses, "invited": outcome.invited,
              "min_responses": outcome.min_responses}
    subject = mrkdwn_escape(outcome.subject)
    blocks: list[Block] = [
        header(t(lang, "results.post.below_title", subject=outcome.subject)),
        section(t(lang, "results.post.below", **counts)),
        context(t(lang, "results.post.closed_on", date=slack_date(outcome.closed_at)),
                t(lang, "results.post.below_next")),
    ]
    return message(t(lang, "results.post.below_fallback", subject=subject, **counts), blocks)


# -- the full diagnostic ------------------------------------------------------------------------


def _diagnostic_post(
    lang: str, outcome: RoundOutcome, result: TeamResult, content: Content
) -> Message:
    blocks: list[Block] = [
        header(t(lang, "results.post.title", subject=outcome.subject)),
        context(response_line(lang, outcome)),
        section(overall_text(lang, result, content)),
        DividerBlock(),
    ]
    for element_result in result.elements:
        line = element_line(lang, element_result, content)
        if outcome.previous is not None and element_result.index is not None:
            line += " · " + trend_text(lang, result, outcome.previous, element_result.element)
        blocks.append(section("\n".join([line, *element_notes(lang, element_result, content)])))
    flags = flag_lines(lang, result, content)
    if flags:
        blocks.append(section("\n".join(flags)))
    blocks.append(DividerBlock())
    blocks.extend(_findings_blocks(lang, result, content))
    blocks.extend(_tips_blocks(lang, result, content))
    blocks.append(context(*_legends(lang, outcome)))
    return message(_fallback(lang, outcome, result, content), blocks)


def _findings_blocks(lang: str, result: TeamResult, content: Content) -> list[Block]:
    drivers = [finding_line(lang, f, content) for f in result.drivers]
    inhibitors = [finding_line(lang, f, content) for f in result.inhibitors]
    blocks: list[Block] = [
        section(bounded_list(lang, t(lang, "results.post.drivers_title"), drivers,
                             MAX_FINDINGS, empty=t(lang, "results.post.drivers_none"))),
        section(bounded_list(lang, t(lang, "results.post.inhibitors_title"), inhibitors,
                             MAX_FINDINGS, empty=t(lang, "results.post.inhibitors_none"))),
    ]
    tally = barrier_tally_text(lang, result, content)
    if tally:
        blocks.append(section(tally))
    return blocks


def _tips_blocks(lang: str, result: TeamResult, content: Content) -> list[Block]:
    blocks: list[Block] = []
    for element, phase in tips_order(result):
        tips = content.tips_for(element, phase)
        if not tips:
            continue
        lines = [tip_heading(lang, element, phase, content)]
        lines += [t(lang, "results.post.tip", text=tip.text.get(_lang(lang)))
                  for tip in tips[:TIPS_PER_ELEMENT]]
        blocks.append(section("\n".join(lines)))
    if blocks:
        blocks.insert(0, section(t(lang, "results.post.tips_title")))
    return blocks


def _legends(lang: str, outcome: RoundOutcome) -> list[str]:
    legends = [t(lang, "results.post.index_legend")]
    if outcome.previous is not None:
        legends.append(trend_legend(lang, outcome.previous_closed_at))
    legends.append(t(lang, "results.post.privacy", min_responses=outcome.min_responses))
    return legends


def _fallback(lang: str, outcome: RoundOutcome, result: TeamResult, content: Content) -> str:
    subject = mrkdwn_escape(outcome.subject)
    if result.overall is None:
        return t(lang, "results.post.fallback_no_overall", subject=subject)
    return t(lang, "results.post.fallback", subject=subject,
             phase=phase_name(lang, result.overall, content))


# -- pulses -------------------------------------------------------------------------------------


def _pulse_post(
    lang: str, outcome: RoundOutcome, result: TeamResult, content: Content,
    last_diagnostic: TeamResult | None,
) -> Message:
    blocks: list[Block] = [
        header(t(lang, "results.pulse.title", subject=outcome.subject)),
        context(response_line(lang, outcome)),
        section(overall_text(lang, result, content)),
    ]
    lines = [_pulse_element_line(lang, r, result, outcome.previous, last_diagnostic, content)
             for r in result.elements]
    blocks.append(section("\n".join(lines)))
    flags = flag_lines(lang, result, content)
    if flags:
        blocks.append(section("\n".join(flags)))
    focus = _pulse_focus(lang, result, content)
    if focus:
        blocks.append(section(focus))
    legends = [t(lang, "results.post.index_legend"), t(lang, "results.pulse.legend"),
               t(lang, "results.post.privacy", min_responses=outcome.min_responses)]
    blocks.append(context(*legends))
    return message(_fallback(lang, outcome, result, content), blocks)


def _pulse_element_line(
    lang: str, element_result: ElementResult, result: TeamResult,
    last_pulse: TeamResult | None, last_diagnostic: TeamResult | None, content: Content,
) -> str:
    line = element_line(lang, element_result, content)
    if element_result.index is None:
        return line
    element = element_result.element
    parts = [line]
    for key, earlier in (("results.pulse.vs_pulse", last_pulse),
                         ("results.pulse.vs_diagnostic", last_diagnostic)):
        if earlier is not None:
            parts.append(t(lang, key, trend=trend_text(lang, result, earlier, element)))
    return " · ".join(parts)


def _pulse_focus(lang: str, result: TeamResult, content: Content) -> str | None:
    """One tip for the bottleneck: a pulse is a nudge, not the full report."""
    if result.bottleneck is None:
        return None
    phase = result.element(result.bottleneck).phase
    tips = content.tips_for(result.bottleneck, phase) if phase is not None else ()
    if not tips:
        return None
    return t(lang, "results.pulse.focus", element=element_name(lang, result.bottleneck, content),
             tip=tips[0].text.get(_lang(lang)))


# -- pieces shared with the status views --------------------------------------------------------


def response_line(lang: str, outcome: RoundOutcome) -> str:
    """"Closed <date> · 6 of 8 answered"."""
    return t(lang, "results.post.closed", date=slack_date(outcome.closed_at),
             responses=outcome.responses, invited=outcome.invited)


def overall_text(lang: str, result: TeamResult, content: Content) -> str:
    """Overall phase and the bottleneck element."""
    if result.overall is None:
        return t(lang, "results.post.overall_none")
    lines = [t(lang, "results.post.overall", phase=phase_name(lang, result.overall, content))]
    if result.bottleneck is not None:
        lines.append(t(lang, "results.post.bottleneck",
                       element=element_name(lang, result.bottleneck, content)))
    return "\n".join(lines)


def element_line(lang: str, element_result: ElementResult, content: Content) -> str:
    """"*Value*  ▰▰▰▰▱▱▱▱▱▱ 1.9 · Pioneering", or a plain "not enough answers"."""
    name = element_name(lang, element_result.element, content)
    if element_result.phase is None or element_result.index is None:
        return t(lang, "results.post.element_insufficient", element=name,
                 answered=element_result.answered, total=element_result.item_count)
    return t(lang, "results.post.element", element=name, bar=index_bar(element_result.index),
             index=number(lang, element_result.index),
             phase=phase_name(lang, element_result.phase, content))


def element_notes(lang: str, element_result: ElementResult, content: Content) -> list[str]:
    """Caveats under an element line: unjudged strategic items, an inconsistent profile."""
    notes = []
    if element_result.phase is not None and Phase.STRATEGIC in element_result.unanswered_phases:
        notes.append(t(lang, "results.post.strategic_unanswered",
                       phase=phase_name(lang, Phase.FACILITATING, content)))
    if element_result.inconsistent:
        notes.append(t(lang, "results.post.inconsistent"))
    return notes


def flag_lines(lang: str, result: TeamResult, content: Content) -> list[str]:
    """Imbalance between elements, and the topics the team disagrees on (never people)."""
    lines = []
    if result.imbalance:
        lines.append(t(lang, "results.post.imbalance"))
    topics = disagreement_topics(lang, result, content)
    if topics:
        shown = topics[:MAX_TOPICS]
        text = ", ".join(shown)
        if len(topics) > len(shown):
            text += " " + t(lang, "results.post.more", n=len(topics) - len(shown))
        lines.append(t(lang, "results.post.disagreement", topics=text))
    return lines


def disagreement_topics(lang: str, result: TeamResult, content: Content) -> list[str]:
    """"business case (Value)" for each item the team disagrees on, in questionnaire order.

    An item id the current content no longer knows is skipped rather than guessed at.
    """
    topics = []
    known = {item.id: item for item in content.questionnaire.items}
    for item_id in result.disagreement_items:
        item = known.get(item_id)
        if item is not None:
            topics.append(t(lang, "results.post.topic", theme=item.theme.get(_lang(lang)),
                            element=element_name(lang, item.element, content)))
    return topics


def finding_line(lang: str, finding: Finding, content: Content) -> str:
    """One driver or inhibitor: its theme and element; confirmed inhibitors marked."""
    key = "results.post.finding_confirmed" if finding.confirmed else "results.post.finding"
    return t(lang, key, theme=finding.theme.get(_lang(lang)),
             element=element_name(lang, finding.element, content))


def barrier_tally_text(lang: str, result: TeamResult, content: Content) -> str | None:
    """Barriers the team ticked, most ticked first (ties in checklist order); None if none."""
    labels = {option.id: option.label.get(_lang(lang)) for option in content.questionnaire.barriers}
    ticked = [(count, n, option_id) for n, (option_id, count)
              in enumerate(result.barrier_tally.items()) if count > 0 and option_id in labels]
    if not ticked:
        return None
    ticked.sort(key=lambda row: (-row[0], row[1]))
    parts = [t(lang, "results.post.barrier", label=labels[option_id], count=count)
             for count, _, option_id in ticked]
    return bounded_list(lang, t(lang, "results.post.barriers_title"), [" · ".join(parts)], 1)


def tips_order(result: TeamResult) -> list[tuple[Element, Phase]]:
    """Elements with a phase, the bottleneck first, then questionnaire order."""
    placed = [(r.element, r.phase) for r in result.elements if r.phase is not None]
    return sorted(placed, key=lambda pair: pair[0] != result.bottleneck)


def tip_heading(lang: str, element: Element, phase: Phase, content: Content) -> str:
    """"*Value* · from Pioneering to Facilitating", or "staying Strategic" at the top."""
    name = element_name(lang, element, content)
    if phase == Phase.STRATEGIC:
        return t(lang, "results.post.tip_sustain", element=name,
                 phase=phase_name(lang, phase, content))
    return t(lang, "results.post.tip_next", element=name,
             from_phase=phase_name(lang, phase, content),
             to_phase=phase_name(lang, Phase(phase + 1), content))


def trend_text(lang: str, current: TeamResult, earlier: TeamResult, element: Element) -> str:
    """"↑ +0.3", "↓ -0.2", "→ same" or "new" for one element against an earlier round."""
    now = current.element(element).index
    if now is None:
        return ""
    trend = index_trend(now, earlier.element(element).index)
    change = index_change(current, earlier, element)
    signed = "" if change is None else number(lang, change, signed=True)
    return t(lang, f"results.trend.{trend.value}", change=signed)


def trend_legend(lang: str, since: datetime | None) -> str:
    """What the arrows mean; "same" is a change of less than 0.1 (see conversations.trend)."""
    if since is None:
        return t(lang, "results.post.trend_legend_undated")
    return t(lang, "results.post.trend_legend", date=slack_date(since))


def bounded_list(
    lang: str, title: str, lines: Sequence[str], max_items: int, *, empty: str | None = None
) -> str:
    """Title plus at most `max_items` lines, then "…and N more"; fits one section."""
    if not lines:
        return "\n".join([title, empty]) if empty else title
    shown = list(lines[:max_items])
    while True:
        hidden = len(lines) - len(shown)
        more = [t(lang, "results.post.more", n=hidden)] if hidden else []
        text = "\n".join([title, *shown, *more])
        if len(text) <= MAX_SECTION_TEXT or not shown:
            return text
        shown.pop()


def index_bar(index: float) -> str:
    """The index (1.0..3.0) as ten cells, e.g. 2.0 -> ▰▰▰▰▰▱▱▱▱▱."""
    share = (index - INDEX_LOW) / (INDEX_HIGH - INDEX_LOW)
    filled = max(0, min(BAR_CELLS, round(share * BAR_CELLS)))
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def number(lang: str, value: float, *, signed: bool = False) -> str:
    """One decimal with the language's decimal mark ("2.1" / "2,1")."""
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return text.replace(".", t(lang, "results.format.decimal_mark"))


def element_name(lang: str, element: Element, content: Content) -> str:
    return content.elements[element].name.get(_lang(lang))


def phase_name(lang: str, phase: Phase, content: Content) -> str:
    return content.phases[phase].name.get(_lang(lang))


def _lang(lang: str) -> Lang:
    """Content texts know only the supported languages; map a locale onto one."""
    return normalise_lang(lang)
