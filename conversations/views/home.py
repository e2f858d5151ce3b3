"""App Home: my open rounds with Start/Resume, my commitments, my teams (with their
commitments), and for leads the last result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from conversations.i18n import t
from conversations.refs import ActionIds
from conversations.views.about import about_summary
from conversations.views.common import (
    MAX_VIEW_BLOCKS,
    button,
    context,
    header,
    mrkdwn_escape,
    section,
    slack_date,
)
from model import Content


@dataclass(frozen=True)
class HomeRound:
    round_id: str
    channel_id: str
    subject: str
    closes_at: datetime
    answered: int
    total: int
    finished: bool


@dataclass(frozen=True)
class HomeTeam:
    channel_id: str
    is_lead: bool
    last_result_line: str | None = None
    commitments_text: str | None = None
    """How the team's commitments stand, and the ones under way (None: it has none)."""


def home_view(
    lang: str, rounds: Sequence[HomeRound], teams: Sequence[HomeTeam], content: Content,
    *, commitments_text: str | None = None,
) -> dict[str, Any]:
    """Open rounds with Start/Resume, the commitments the person owns, their teams (a
    lead's with their last result, each with its commitments), and what the model is,
    pointing at `/wi3 about`."""
    blocks: list[Block] = [header(t(lang, "home.title")), section(t(lang, "home.intro")),
                           DividerBlock(), section(t(lang, "home.open_rounds"))]
    if not rounds:
        blocks.append(context(t(lang, "home.no_open_rounds")))
    for round_ in rounds[:20]:
        line = t(lang, "home.round_line", channel=round_.channel_id,
                 subject=mrkdwn_escape(round_.subject),
                 deadline=slack_date(round_.closes_at))
        if round_.finished:
            state = t(lang, "home.round_done")
            blocks.append(section(f"{line}\n{state}"))
            continue
        state = t(lang, "home.round_progress", answered=round_.answered, total=round_.total)
        label = t(lang, "nav.resume") if round_.answered else t(lang, "nav.start")
        blocks.append(section(f"{line}\n{state}", accessory=button(
            label, ActionIds.START, round_.round_id, style="primary")))
    if commitments_text is not None:
        blocks += [DividerBlock(), section(commitments_text)]
    blocks += [DividerBlock(), section(t(lang, "home.your_teams"))]
    if not teams:
        blocks.append(context(t(lang, "home.no_teams")))
    for team in teams[:30]:
        mark = t(lang, "home.lead_mark") if team.is_lead else ""
        text = t(lang, "home.team_line", channel=team.channel_id, lead_mark=mark)
        if team.is_lead:
            text += "\n" + (team.last_result_line or t(lang, "home.no_result"))
        if team.commitments_text:
            text += "\n" + team.commitments_text
        blocks.append(section(text))
    blocks = blocks[:MAX_VIEW_BLOCKS - 3]
    blocks += [DividerBlock(), section(t(lang, "about.short_title")),
               context(*about_summary(lang, content))]
    view = View(type="home", blocks=blocks)
    return view.to_dict()
