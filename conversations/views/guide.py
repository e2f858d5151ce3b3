"""The discussion guide a lead gets by DM when a round's results are posted.

Pure: a `RoundOutcome` (through the privacy gate, exactly what the channel post shows) in,
a message out. It turns the results into a conversation:

1. one line: the overall phase and the bottleneck (or the element furthest behind);
2. for that element, the statements between the team and its next phase with the team's
   score, each with one or two open questions (`model/content/discussion.toml`);
3. for every divided element, the statements that split the team, with their questions
   and one about hearing both camps;
4. the top barriers and the start reasons the team ticked (only tallies the gate shows);
5. "Plan actions", which opens the commitments modal.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from conversations.i18n import normalise_lang, t
from conversations.refs import ActionIds
from conversations.results.outcome import RoundOutcome
from conversations.views.common import (
    Message,
    actions,
    button,
    context,
    header,
    message,
    section,
)
from conversations.views.results import (
    shown_inhibitors,
    step_heading,
    ticked_items,
    work_order,
)
from conversations.views.scores import (
    element_name,
    finding_line,
    phase_word,
    statement_line,
)
from model import Content, ElementResult, Phase, TeamResult

MAX_BARRIERS = 3
"""The barriers the team ticked most; the channel post has them all."""
MAX_SPLIT = 3
"""Statements shown per divided element (each with its questions); the rest are counted."""


def guide_message(lang: str, outcome: RoundOutcome, content: Content) -> Message | None:
    """The guide for one lead in their language; None when the round shows no result."""
    result = outcome.result
    if result is None:
        return None
    channel = outcome.channel_id
    focus = focus_element(result)
    blocks: list[Block] = [
        header(t(lang, "actions.guide.title", subject=outcome.subject)),
        section(headline(lang, channel, result, focus, content)),
        section(t(lang, "actions.guide.intro", channel=channel)),
    ]
    if focus is not None:
        blocks.append(section(_focus_text(lang, focus, result, content)))
    blocks += [section(_divided_text(lang, e, result, content))
               for e in result.elements if e.divided]
    ticked = _ticked_text(lang, result, content)
    if ticked:
        blocks.append(section(ticked))
    blocks += [
        context(t(lang, "actions.guide.privacy", min_responses=outcome.min_responses)),
        section(t(lang, "actions.guide.plan_hint")),
        actions("wi3_guide", button(t(lang, "actions.guide.plan"), ActionIds.PLAN_ACTIONS,
                                    outcome.round_id, style="primary")),
    ]
    return message(t(lang, "actions.guide.fallback", channel=channel), blocks)


def focus_element(result: TeamResult) -> ElementResult | None:
    """The element to talk about first: the bottleneck, else the placed element furthest
    behind; None when no element has a phase."""
    placed = [e for e in work_order(result) if e.phase is not None]
    if result.bottleneck is not None:
        return result.element(result.bottleneck)
    return placed[0] if placed else None


def headline(lang: str, channel: str, result: TeamResult, focus: ElementResult | None,
             content: Content) -> str:
    """The overall phase and the bottleneck in one line."""
    if result.overall is None:
        return t(lang, "actions.guide.headline_none", channel=channel)
    phase = phase_word(lang, result.overall, content)
    if focus is None:
        return t(lang, "actions.guide.headline_phase", channel=channel, phase=phase)
    key = "headline" if result.bottleneck is not None else "headline_furthest"
    return t(lang, f"actions.guide.{key}", channel=channel, phase=phase,
             element=element_name(lang, focus.element, content))


def _focus_text(lang: str, focus: ElementResult, result: TeamResult, content: Content) -> str:
    phase = focus.phase
    assert phase is not None
    lines = [step_heading(lang, focus.element, phase, content)]
    shown, _ = shown_inhibitors(result, focus.element)
    if not shown:
        lines.append(t(lang, "actions.guide.nothing_below"))
        return "\n".join(lines)
    title = "slip_title" if phase == Phase.STRATEGIC else "inhibitors_title"
    lines.append(t(lang, f"results.post.{title}"))
    for finding in shown:
        lines += [finding_line(lang, finding), *_questions(lang, finding.item_id, content)]
    return "\n".join(lines)


def _divided_text(lang: str, divided: ElementResult, result: TeamResult,
                  content: Content) -> str:
    lines = [t(lang, "actions.guide.divided_title",
               element=element_name(lang, divided.element, content)),
             t(lang, "actions.guide.divided_intro")]
    known = {item.id: item for item in content.questionnaire.items_for(divided.element)}
    split = [(item_id, score) for item_id in result.polarised_items
             if item_id in known and (score := result.item(item_id).score) is not None]
    for item_id, score in split[:MAX_SPLIT]:
        lines += [statement_line(lang, known[item_id].theme, score),
                  *_questions(lang, item_id, content)]
    if len(split) > MAX_SPLIT:
        lines.append(t(lang, "results.more", n=len(split) - MAX_SPLIT))
    return "\n".join(lines)


def _questions(lang: str, item_id: str, content: Content) -> list[str]:
    return [t(lang, "actions.guide.question", question=q.get(normalise_lang(lang)))
            for q in content.questions_for(item_id)]


def _ticked_text(lang: str, result: TeamResult, content: Content) -> str | None:
    """The barriers ticked most and the start reasons, each only where the gate shows it."""
    questionnaire = content.questionnaire
    lines = []
    for key, tally, options, most in (
        ("barriers", result.barriers, questionnaire.barriers, MAX_BARRIERS),
        ("start_reasons", result.start_reasons, questionnaire.start_reasons, None),
    ):
        if tally is None:
            continue
        labels = {o.id: o.label.get(normalise_lang(lang)) for o in options}
        items = ticked_items(lang, tally, labels, most)
        if items:
            lines.append(t(lang, f"actions.guide.{key}", people=tally.contributors,
                           items=" · ".join(items)))
    if not lines:
        return None
    return "\n".join([t(lang, "actions.guide.ticked_title"), *lines])
