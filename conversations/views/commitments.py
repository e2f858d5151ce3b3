"""How a team's commitments read: the channel post, the owners' DMs, `/wi3 actions`.

Commitments are team content (what, who, by when, how it went), shown to the team with
their owners; nothing here comes from anyone's answers. A due date reads in each reader's
own calendar through Slack's date formatting, with the ISO date as fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from slack_sdk.models.blocks import Block, ButtonElement, ConfirmObject, DividerBlock

from conversations.actions.read import CommitmentTally, commitment_text
from conversations.i18n import t
from conversations.refs import ActionIds
from conversations.views.common import (
    MAX_MESSAGE_BLOCKS,
    Message,
    actions,
    button,
    context,
    message,
    mrkdwn_escape,
    section,
)
from conversations.views.scores import bounded_list
from model import Content, load_content
from storage import Commitment

SHOWN_UNDER_WAY = 15
"""Commitments under way listed with their own buttons; more would outgrow a message."""
SHOWN_FINISHED = 10
"""Done and dropped commitments listed, newest first; the rest are counted."""
STATE_ACTIONS = {
    "done": ActionIds.COMMITMENT_DONE,
    "working": ActionIds.COMMITMENT_WORKING,
    "dropped": ActionIds.COMMITMENT_DROPPED,
}
"""The owner's answers to the due-date DM, by the state each one sets."""


def due_text(due: date) -> str:
    """A due date in the reader's own calendar ("tomorrow", "Dec 14, 2026"). Noon UTC is
    the same calendar day nearly everywhere."""
    noon = datetime.combine(due, time(12), tzinfo=UTC)
    return f"<!date^{int(noon.timestamp())}^{{date_short_pretty}}|{due.isoformat()}>"


def owner_text(lang: str, owner: str | None) -> str:
    return t(lang, "actions.steps.owner", user=owner) if owner else \
        t(lang, "actions.steps.no_owner")


def state_text(lang: str, commitment: Commitment) -> str:
    return t(lang, f"actions.state.{commitment.state}")


def what(lang: str, commitment: Commitment, content: Content | None = None) -> str:
    """The commitment's text in the reader's language when it is a tip, else as typed;
    unable to ping anyone or fake a link."""
    return mrkdwn_escape(commitment_text(lang, commitment, content or load_content()))


def since_line(lang: str, tally: CommitmentTally) -> str:
    """"Since last round: 2 of 3 commitments done" (and how many were dropped, and how many
    are not yet due), ticked only when everything not dropped is done."""
    details = "".join(t(lang, f"actions.list.since_{part}", n=count) for part, count in (
        ("dropped", tally.dropped), ("not_due", tally.not_due)) if count)
    mark = t(lang, "actions.list.since_all_done" if tally.all_done
             else "actions.list.since_under_way")
    return t(lang, "actions.list.since", mark=mark, done=tally.done, total=tally.total,
             details=details)


def since_blocks(lang: str, tally: CommitmentTally | None) -> list[Block]:
    """The since-last-round line for a results or pulse post, or nothing."""
    return [context(since_line(lang, tally))] if tally is not None else []


# -- the channel ------------------------------------------------------------------------------


def next_steps_post(lang: str, commitments: Sequence[Commitment], *, lead: str,
                    channel_id: str, subject: str) -> Message:
    """"Our next steps": what the team took on, who owns it, by when."""
    lines = [t(lang, "actions.steps.line", number=c.number, text=what(lang, c),
               owner=owner_text(lang, c.owner), due=due_text(c.due)) for c in commitments]
    blocks: list[Block] = [
        section(f"*{t(lang, 'actions.steps.title')}*\n"
                + t(lang, "actions.steps.planned", lead=lead, subject=mrkdwn_escape(subject))),
        section("\n".join(lines)),
        context(t(lang, "actions.steps.footer")),
    ]
    return message(t(lang, "actions.steps.fallback", channel=channel_id), blocks)


def changed_post(lang: str, commitment: Commitment, *, lead: str) -> Message:
    """A lead changed a commitment: the team sees what it is now."""
    line = t(lang, "actions.steps.line", number=commitment.number, text=what(lang, commitment),
             owner=owner_text(lang, commitment.owner), due=due_text(commitment.due))
    blocks: list[Block] = [
        section(t(lang, "actions.steps.changed", lead=lead, number=commitment.number,
                  channel=commitment.channel_id)),
        section(line),
    ]
    return message(t(lang, "actions.steps.changed_fallback", channel=commitment.channel_id),
                   blocks)


def dropped_post(lang: str, commitment: Commitment, *, lead: str) -> Message:
    text = t(lang, "actions.steps.dropped", lead=lead, number=commitment.number,
             channel=commitment.channel_id, text=what(lang, commitment))
    return message(text, [section(text)])


# -- the owner's DMs --------------------------------------------------------------------------


def assigned_dm(lang: str, commitment: Commitment, *, lead: str) -> Message:
    """"<@lead> put you down for a commitment": what, by when, and that wi3 will ask."""
    text = t(lang, "actions.owner.assigned", lead=lead, channel=commitment.channel_id,
             text=what(lang, commitment), due=due_text(commitment.due))
    return message(t(lang, "actions.owner.assigned_fallback", channel=commitment.channel_id,
                     due=commitment.due.isoformat()), [section(text)])


def due_dm(lang: str, commitment: Commitment) -> Message:
    """The due-date DM: how did it go? Done (primary), Still working, Dropped."""
    text = t(lang, "actions.owner.due", channel=commitment.channel_id, text=what(lang, commitment))
    buttons = [button(t(lang, f"actions.owner.{state}"), action_id, commitment.id,
                      style="primary" if state == "done" else None)
               for state, action_id in STATE_ACTIONS.items()]
    blocks: list[Block] = [section(text), actions("wi3_follow_up", *buttons)]
    return message(t(lang, "actions.owner.due_fallback", channel=commitment.channel_id),
                   blocks)


def answered_dm(lang: str, commitment: Commitment) -> Message:
    """The due-date DM once answered: what was recorded, no buttons left."""
    text = t(lang, f"actions.owner.answered_{commitment.state}", text=what(lang, commitment))
    return message(text, [section(text)])


# -- `/wi3 actions` ---------------------------------------------------------------------------


def commitments_list(lang: str, channel_id: str, commitments: Sequence[Commitment], *,
                     is_lead: bool, plan_round: str | None) -> Message:
    """The team's commitments: under way first (a lead may edit or drop each), then done
    and dropped, newest first; for a lead, "Plan actions" on the last round's results."""
    under_way = [c for c in commitments if c.is_active]
    finished = sorted((c for c in commitments if not c.is_active),
                      key=lambda c: c.number, reverse=True)
    blocks: list[Block] = [section(t(lang, "actions.list.title", channel=channel_id))]
    if not commitments:
        blocks.append(section(t(lang, "actions.list.none")))
    if under_way:
        blocks.append(section(t(lang, "actions.list.under_way")))
    for commitment in under_way[:SHOWN_UNDER_WAY]:
        blocks.append(section(_list_line(lang, commitment)))
        if is_lead:
            blocks.append(actions(f"wi3_commitment_{commitment.number}",
                                  *_lead_buttons(lang, commitment)))
    if len(under_way) > SHOWN_UNDER_WAY:
        blocks.append(context(t(lang, "results.more", n=len(under_way) - SHOWN_UNDER_WAY)))
    if finished:
        lines = [_list_line(lang, c) for c in finished]
        blocks += [DividerBlock(), section(bounded_list(
            lang, t(lang, "actions.list.finished"), lines, SHOWN_FINISHED))]
    if is_lead:
        blocks.append(_plan_block(lang, plan_round))
    return message(t(lang, "actions.list.fallback"), blocks[:MAX_MESSAGE_BLOCKS])


def _list_line(lang: str, commitment: Commitment) -> str:
    return t(lang, "actions.list.line", number=commitment.number, text=what(lang, commitment),
             owner=owner_text(lang, commitment.owner), due=due_text(commitment.due),
             state=state_text(lang, commitment))


def _lead_buttons(lang: str, commitment: Commitment) -> list[ButtonElement]:
    sure = ConfirmObject(title=t(lang, "actions.list.drop_title"),
                         text=t(lang, "actions.list.drop_text"),
                         confirm=t(lang, "actions.list.drop_yes"),
                         deny=t(lang, "actions.list.drop_no"), style="danger")
    return [button(t(lang, "actions.list.edit"), ActionIds.EDIT_COMMITMENT, commitment.id),
            button(t(lang, "actions.list.drop"), ActionIds.DROP_COMMITMENT, commitment.id,
                   style="danger", confirm=sure)]


def _plan_block(lang: str, plan_round: str | None) -> Block:
    if plan_round is None:
        return context(t(lang, "actions.list.no_round"))
    return actions("wi3_plan", button(t(lang, "actions.list.plan"), ActionIds.PLAN_ACTIONS,
                                      plan_round, style="primary"))


# -- App Home ---------------------------------------------------------------------------------


def home_lines(lang: str, owned: Sequence[Commitment]) -> str:
    """"Your commitments": the ones a person owns and that are still under way."""
    lines = [t(lang, "actions.home.line", channel=c.channel_id, text=what(lang, c),
               due=due_text(c.due), state=state_text(lang, c)) for c in owned if c.is_active]
    return bounded_list(lang, t(lang, "actions.home.title"), lines, SHOWN_FINISHED,
                        empty=t(lang, "actions.home.none"))


def home_team_lines(lang: str, tally: CommitmentTally, under_way: Sequence[Commitment]
                    ) -> str:
    """Under a team on App Home: how its commitments went, and the ones under way."""
    lines = [t(lang, "actions.home.team_line", text=what(lang, c), owner=owner_text(lang, c.owner),
               due=due_text(c.due)) for c in under_way]
    title = t(lang, "actions.home.team", done=tally.done, total=tally.total)
    return bounded_list(lang, title, lines, 3)
