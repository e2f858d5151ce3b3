"""The discussion guide a lead gets by DM when a round's results are posted.

Pure: a `RoundOutcome` (through the privacy gate, exactly what the channel post shows) in,
a message out. It turns the results into a conversation:

1. one line: the headline as the post says it (scoring v3) and the bottleneck (or the
   element furthest behind);
2. for that element, the statements between the team and its next phase with the team's
   score, each with one or two open questions (`model/content/discussion.toml`), or that
   too few answered them to say;
3. the minorities that see an element much lower or higher, to hear them out;
4. for every divided element, the statements that split the team, with their questions
   and one about hearing both camps;
5. the top barriers and the start reasons the team ticked (only tallies the gate shows),
   and every barrier that confirms a statement the guide shows: whatever it relies on, it
   lists (§3.7 rule 7);
6. "Plan actions", which opens the commitments modal.
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
    MORE_IN_REPORT,
    minority_lines,
    next_level_short,
    shown_inhibitors,
    step_heading,
    ticked_items,
    work_order,
)
from conversations.views.scores import (
    element_name,
    finding_line,
    overall_phrase,
    statement_line,
)
from model import Content, ElementResult, Phase, TeamResult
from model.scoring import confirming

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
    minorities = minority_lines(lang, result, content)
    if minorities:
        blocks.append(section("\n".join(minorities)))
    blocks += [section(_divided_text(lang, e, result, content))
               for e in result.elements if e.divided]
    ticked = _ticked_text(lang, result, content, focus)
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
    """The element to talk about first: the bottleneck, else the element furthest behind
    (divided ones have their own section); None when none has a position."""
    placed = [e for e in work_order(result) if e.phase is not None and not e.divided]
    if result.bottleneck is not None and result.bottleneck not in result.divided_on:
        return result.element(result.bottleneck)
    return placed[0] if placed else None


def headline(lang: str, channel: str, result: TeamResult, focus: ElementResult | None,
             content: Content) -> str:
    """The headline as the post says it, and the bottleneck, in one line."""
    overall = overall_phrase(lang, result, content)
    if focus is None or result.bottleneck in result.divided_on:
        # a divided bottleneck: the headline says "divided on" it, its own section follows
        return t(lang, "actions.guide.headline_phase", channel=channel, overall=overall)
    key = "headline" if result.bottleneck == focus.element else "headline_furthest"
    return t(lang, f"actions.guide.{key}", channel=channel, overall=overall,
             element=element_name(lang, focus.element, content))


def _focus_text(lang: str, focus: ElementResult, result: TeamResult, content: Content) -> str:
    phase = focus.phase
    assert phase is not None
    lines = [step_heading(lang, focus.element, phase, content)]
    shown, _ = shown_inhibitors(result, focus.element)
    if not shown:
        key = "too_few" if next_level_short(focus) else "nothing_below"
        lines.append(t(lang, f"actions.guide.{key}"))
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
        lines.append(t(lang, MORE_IN_REPORT, n=len(split) - MAX_SPLIT))
    return "\n".join(lines)


def _questions(lang: str, item_id: str, content: Content) -> list[str]:
    return [t(lang, "actions.guide.question", question=q.get(normalise_lang(lang)))
            for q in content.questions_for(item_id)]


def _ticked_text(lang: str, result: TeamResult, content: Content,
                 focus: ElementResult | None) -> str | None:
    """The barriers ticked most, every barrier confirming a statement the guide shows, and
    the start reasons, each only where the gate shows it."""
    questionnaire = content.questionnaire
    shown = shown_inhibitors(result, focus.element)[0] if focus is not None else ()
    confirmed = {f.item_id for f in shown if f.confirmed}
    relied = {o.id for o in confirming(result.barriers, questionnaire.barriers)
              if confirmed & set(o.confirms)}
    lines = []
    for key, tally, options, most, also in (
        ("barriers", result.barriers, questionnaire.barriers, MAX_BARRIERS, relied),
        ("start_reasons", result.start_reasons, questionnaire.start_reasons, None, set()),
    ):
        if tally is None:
            continue
        labels = {o.id: o.label.get(normalise_lang(lang)) for o in options}
        items = ticked_items(lang, tally, labels, most, also=also)
        if items:
            lines.append(t(lang, f"actions.guide.{key}", people=tally.contributors,
                           items=" · ".join(items)))
    if not lines:
        return None
    return "\n".join([t(lang, "actions.guide.ticked_title"), *lines])
