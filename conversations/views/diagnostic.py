"""Views of the diagnostic conversation in DMs: invitation, one question, checklist, summary."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    Option,
    PlainTextObject,
    StaticMultiSelectElement,
)

from conversations.i18n import t
from conversations.refs import ActionIds, encode_ref
from conversations.views.common import (
    Message,
    actions,
    button,
    context,
    header,
    message,
    mrkdwn_escape,
    section,
    slack_date,
)

SCALE = (1, 2, 3, 4, 5)


def answer_label(lang: str, score: int | None) -> str:
    """How an answer reads back to the person who gave it."""
    return t(lang, "scale.dont_know") if score is None else t(lang, f"scale.{score}")


def invitation(
    lang: str,
    *,
    round_id: str,
    channel_id: str,
    lead_id: str,
    subject: str,
    question_count: int,
    deadline: datetime,
    min_responses: int,
    pulse: bool = False,
) -> Message:
    """The DM that invites someone to a round; its first button is Start (primary)."""
    deadline_text = slack_date(deadline)
    subject = mrkdwn_escape(subject)
    if pulse:
        about = t(lang, "invite.pulse_about", channel=channel_id, subject=subject,
                  count=question_count, deadline=deadline_text)
    else:
        minutes = max(1, round(question_count * 0.25 + 1))
        about = t(lang, "invite.about", lead=lead_id, channel=channel_id, subject=subject,
                  count=question_count, minutes=minutes, deadline=deadline_text)
    blocks = [
        header(t(lang, "invite.title")),
        section(t(lang, "invite.intro")),
        section(about),
        context(t(lang, "common.privacy", min_responses=min_responses)),
        actions_start(lang, round_id),
    ]
    fallback = "invite.pulse_fallback" if pulse else "invite.fallback"
    return message(t(lang, fallback, channel=channel_id), blocks)


def actions_start(lang: str, round_id: str, *, resume: bool = False) -> ActionsBlock:
    label = t(lang, "nav.resume") if resume else t(lang, "nav.start")
    return actions("wi3_invite", button(label, ActionIds.START, round_id, style="primary"))


def question(
    lang: str,
    *,
    round_id: str,
    item_id: str,
    statement: str,
    element_name: str,
    subject: str,
    number: int,
    total: int,
    answered: bool = False,
    previous: int | None = None,
) -> Message:
    """One statement with the 1..5 scale, then Back / Don't know / Finish later.

    The progress line names what the round is about (`subject`), so someone answering about
    one initiative ("our wiki") does not answer about social tools in general.
    When ``answered`` (after Back), ``previous`` is the answer given before (``None``: don't know).
    Button values carry the round and item, so an old message can only ever answer its own item.
    Built once per distinct screen (every click shows one), then copied.
    """
    return copy.deepcopy(_question(lang, round_id, item_id, statement, element_name, subject,
                                   number, total, answered, previous))


@functools.lru_cache(maxsize=2048)
def _question(
    lang: str,
    round_id: str,
    item_id: str,
    statement: str,
    element_name: str,
    subject: str,
    number: int,
    total: int,
    answered: bool,
    previous: int | None,
) -> Message:
    ref = encode_ref(round_id, item_id)
    scale = [
        button(
            t(lang, f"scale.{score}"),
            ActionIds.answer(score),
            f"{ref}|{score}",
            style="primary" if answered and previous == score else None,
        )
        for score in SCALE
    ]
    nav = []
    if number > 1:
        nav.append(button(t(lang, "nav.back"), ActionIds.BACK, ref))
    nav.append(button(t(lang, "nav.dont_know"), ActionIds.DONT_KNOW, ref))
    nav.append(button(t(lang, "nav.later"), ActionIds.LATER, ref))
    blocks = [
        section(f"*{statement}*"),
        context(t(lang, "question.progress", n=number, total=total, element=element_name,
                  subject=mrkdwn_escape(subject))),
        actions("wi3_scale", *scale),
        actions("wi3_nav", *nav),
    ]
    if answered:
        previous_line = t(lang, "question.previous_answer", answer=answer_label(lang, previous))
        blocks.insert(2, context(previous_line))
    text = t(lang, "question.fallback", n=number, total=total, statement=statement)
    return message(text, blocks)


def paused(lang: str, *, round_id: str, number: int, total: int, deadline: datetime) -> Message:
    text = t(lang, "question.paused", n=number, total=total, deadline=slack_date(deadline))
    return message(text, [section(text), actions_start(lang, round_id, resume=True)])


def notice(text: str) -> Message:
    """A one-line message (stale button, closed round, thanks...)."""
    return message(text, [section(text)])


def checklist(
    lang: str,
    *,
    round_id: str,
    barriers: Sequence[tuple[str, str]],
    barrier_max: int,
    reasons: Sequence[tuple[str, str]],
    error: str | None = None,
) -> Message:
    """The two optional closing questions: barriers (pick up to N) and why we started."""
    barrier_options = [Option(value=oid, text=PlainTextObject(text=label[:75]))
                       for oid, label in barriers]
    reason_options = [Option(value=oid, text=PlainTextObject(text=label[:75]))
                      for oid, label in reasons]
    blocks = [
        header(t(lang, "checklist.title")),
        section(t(lang, "checklist.barriers", max=barrier_max)),
        actions(
            "wi3_barriers",
            StaticMultiSelectElement(
                action_id=ActionIds.BARRIERS,
                placeholder=PlainTextObject(text=t(lang, "checklist.barriers_placeholder",
                                                   max=barrier_max)),
                options=barrier_options,
                max_selected_items=barrier_max,
            ),
        ),
        section(t(lang, "checklist.reasons")),
        actions("wi3_reasons", CheckboxesElement(action_id=ActionIds.REASONS,
                                                 options=reason_options)),
    ]
    if error:
        blocks.append(context(f"⚠️ {error}"))
    blocks.append(
        actions(
            "wi3_checklist",
            button(t(lang, "checklist.done"), ActionIds.CHECKLIST_DONE, round_id, style="primary"),
            button(t(lang, "checklist.skip"), ActionIds.CHECKLIST_SKIP, round_id),
        )
    )
    return message(t(lang, "checklist.fallback"), blocks)


def summary(
    lang: str,
    *,
    subject: str,
    element_lines: Sequence[str],
    overall_phase: str | None,
    channel_id: str,
    deadline: datetime,
    min_responses: int,
    pulse: bool = False,
) -> Message:
    """The personal summary at the end: only the respondent sees it."""
    intro = t(lang, "summary.intro", subject=mrkdwn_escape(subject))
    blocks = [header(t(lang, "summary.title")), section(intro)]
    blocks.append(section("\n".join(element_lines)))
    if overall_phase:
        blocks.append(section(t(lang, "summary.overall", phase=overall_phase)))
    key = "summary.pulse_next" if pulse else "summary.next"
    blocks.append(context(t(lang, key, channel=channel_id, deadline=slack_date(deadline),
                            min_responses=min_responses)))
    return message(t(lang, "summary.fallback"), blocks)


def my_answers(lang: str, *, channel_id: str, lines: Mapping[str, str]) -> Message:
    """`/wi3 me`: the caller's own answers (ephemeral)."""
    body = "\n".join(
        t(lang, "me.line", n=n, statement=statement, answer=answer)
        for n, (statement, answer) in enumerate(lines.items(), start=1)
    )
    blocks: list[Block] = [section(t(lang, "me.title", channel=channel_id))]
    # Split the list over several sections so long answers never exceed the section limit.
    chunk: list[str] = []
    for line in body.splitlines():
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    blocks.append(context(t(lang, "me.only_you")))
    return message(t(lang, "me.title", channel=channel_id), blocks)
