"""The channel post for a closed pulse: a short nudge, not the full report.

The headline and element lines read exactly as in the full results (same positions,
ranges, phases and "on the edge"), each element with its change since the last pulse and
since the last diagnostic about the same subject, up or down only beyond the noise (rule 9
of scoring v3, `conversations.trend`); then one team tip for the element furthest behind.
It shows every statement the team is split on: a pulse has no report to point to.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from conversations.actions.read import CommitmentTally
from conversations.i18n import normalise_lang, t
from conversations.results.outcome import RoundOutcome
from conversations.views.commitments import since_blocks
from conversations.views.common import Message, context, header, message, section
from conversations.views.results import (
    fallback,
    flag_lines,
    response_lines,
    withheld_post,
    work_order,
)
from conversations.views.scores import (
    element_line,
    element_name,
    overall_lines,
    trend_text,
)
from model import Content, ElementResult, TeamResult, TipLevel, chosen_tips, load_content

BASES = ("diagnostic", "pulses")
"""What a pulse's carried scores can rest on (`conversations.results.snapshot.basis_of`)."""


def pulse_post(
    lang: str,
    outcome: RoundOutcome,
    content: Content | None = None,
    *,
    basis: str | None = None,
    last_diagnostic: TeamResult | None = None,
    since: CommitmentTally | None = None,
) -> Message:
    """The pulse's post; `basis` says what its carried scores rest on ("diagnostic",
    "pulses" or None), `last_diagnostic` the team's last full round on the same subject,
    `since` how the commitments planned after that round went."""
    content = content or load_content()
    if outcome.result is None:
        return withheld_post(lang, outcome)
    result = outcome.result
    lines = [_element_line(lang, e, result, outcome.previous, last_diagnostic, content)
             for e in result.elements]
    blocks: list[Block] = [
        header(t(lang, "results.pulse.title", subject=outcome.subject)),
        context(*response_lines(lang, outcome)),
        context(t(lang, f"pulse.basis.{basis if basis in BASES else 'alone'}")),
        section("\n".join(overall_lines(lang, result, content))),
        section("\n".join(lines)),
        *since_blocks(lang, since),
    ]
    flags = flag_lines(lang, result, content, max_topics=len(result.items))
    if flags:
        blocks.append(section("\n".join(flags)))
    focus = _focus(lang, result, content)
    if focus:
        blocks.append(section(focus))
    blocks.append(context(t(lang, "results.post.position_legend"), t(lang, "results.pulse.legend"),
                          t(lang, "results.post.privacy", min_responses=outcome.min_responses),
                          t(lang, "results.post.about")))
    return message(fallback(lang, outcome, result, content), blocks)


def _element_line(
    lang: str, element_result: ElementResult, result: TeamResult,
    last_pulse: TeamResult | None, last_diagnostic: TeamResult | None, content: Content,
) -> str:
    line = element_line(lang, element_result, content, result.minimum)
    parts = [line]
    if element_result.position is not None:
        for key, earlier in (("results.pulse.vs_pulse", last_pulse),
                             ("results.pulse.vs_diagnostic", last_diagnostic)):
            if earlier is not None:
                parts.append(t(lang, key, trend=trend_text(lang, result, earlier,
                                                           element_result.element)))
    return " · ".join(parts)


def _focus(lang: str, result: TeamResult, content: Content) -> str | None:
    """One team tip for the element furthest behind, chosen by its inhibitors."""
    placed = [e for e in work_order(result) if e.phase is not None and not e.divided]
    if not placed:
        return None
    element, phase = placed[0].element, placed[0].phase
    assert phase is not None
    tips = chosen_tips(element, phase, result.inhibitors, TipLevel.TEAM, content=content)
    return t(lang, "results.pulse.focus", element=element_name(lang, element, content),
             tip=tips[0].text.get(normalise_lang(lang)))
