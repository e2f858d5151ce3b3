"""`/wi3 status` for a lead and the all-teams overview for a workspace admin.

Counts only, never names: an open round shows how many were invited, started and
finished, and how many more need to finish before results can be shown. A closed round
shows phases only when it passed the privacy gate; otherwise only "x of y answered" and
why, exactly as the channel post does. Every line names the round's subject.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.models.blocks import Block

from conversations.i18n import t
from conversations.refs import ActionIds
from conversations.results.outcome import ResultSummary, RoundOutcome
from conversations.trend import Trend, element_trends
from conversations.views.common import (
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
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
from conversations.views.scores import (
    Placed,
    element_name,
    element_state,
    overall_phrase,
    participation,
    participation_note,
)
from model import Content, Element, load_content

REPOST_RESULTS = ActionIds.REPOST_RESULTS
"""Button on the lead's status: post the last closed round's full results to the channel.

Its value is the closed round's id. Same string as `conversations.refs.ActionIds`.
"""

MAX_OVERVIEW_TEAMS = 100
"""Teams listed in the admin overview; the rest are counted ("and N more", CSV has all)."""

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class OpenRoundStatus:
    """Progress of a team's open round, in counts only. `now` makes "days left" testable."""

    subject: str
    invited: int
    started: int
    finished: int
    min_responses: int
    closes_at: datetime
    now: datetime

    @property
    def still_needed(self) -> int:
        """How many more people must finish before results can be shown."""
        return max(0, self.min_responses - self.finished)


@dataclass(frozen=True)
class TeamRow:
    """One team in the admin overview: its channel and its last closed diagnostic in short,
    if any."""

    channel_id: str
    last: ResultSummary | None


def status_message(
    lang: str,
    *,
    channel_id: str,
    open_round: OpenRoundStatus | None,
    last: RoundOutcome | None,
    trend: Mapping[Element, Trend] | None = None,
    content: Content | None = None,
) -> Message:
    """The lead's ephemeral status: the open round's progress and the last result in short.

    `trend` overrides the arrows; by default they compare `last` with `last.previous`.
    """
    content = content or load_content()
    blocks: list[Block] = [section(f"*{t(lang, 'results.status.title', channel=channel_id)}*")]
    blocks.append(section(open_round_text(lang, open_round)))
    blocks.append(section(last_round_text(lang, last, trend, content)))
    if last is not None and last.result is not None:
        label = t(lang, "results.status.repost")
        blocks.append(actions("wi3_status", button(label, REPOST_RESULTS, last.round_id)))
    blocks.append(context(t(lang, "results.status.only_you")))
    return message(t(lang, "results.status.fallback"), blocks)


def open_round_text(lang: str, open_round: OpenRoundStatus | None) -> str:
    """"Open round about X: 3 of 8 finished, 5 started. Closes in 2 days (…)", and how many
    more need to finish while fewer than the minimum have."""
    if open_round is None:
        return t(lang, "results.status.no_open")
    text = t(lang, "results.status.open", subject=mrkdwn_escape(open_round.subject),
             finished=open_round.finished, invited=open_round.invited,
             started=open_round.started, days_left=days_left_text(lang, open_round))
    if open_round.still_needed:
        text += "\n" + t(lang, "results.status.still_needed", n=open_round.still_needed,
                         min_responses=open_round.min_responses)
    return text


def days_left_text(lang: str, open_round: OpenRoundStatus) -> str:
    """Whole days left, rounded up, so "closes in 1 day" never means "already closed"."""
    deadline = slack_date(open_round.closes_at)
    remaining = open_round.closes_at - open_round.now
    if remaining <= timedelta(0):
        return t(lang, "results.status.overdue", deadline=deadline)
    days = math.ceil(remaining / ONE_DAY)
    if days == 1:
        return t(lang, "results.status.day_left", deadline=deadline)
    return t(lang, "results.status.days_left", days=days, deadline=deadline)


def last_round_text(
    lang: str, last: RoundOutcome | None, trend: Mapping[Element, Trend] | None,
    content: Content,
) -> str:
    """The last closed round in short: the headline and each element's phase (or range,
    or "divided"), or why not; how many answered as the post says it."""
    if last is None:
        return t(lang, "results.status.no_results")
    counts = {"date": slack_date(last.closed_at), "responses": last.responses,
              "invited": last.invited, "subject": mrkdwn_escape(last.subject)}
    if last.result is None:
        reason = last.withheld.value if last.withheld else "minimum"
        return t(lang, f"results.status.last_withheld_{reason}",
                 min_responses=last.min_responses, **counts)
    result = last.result
    if trend is None:
        trend = element_trends(result, last.previous) if last.previous is not None else {}
    head = t(lang, "results.status.last", overall=overall_phrase(lang, result, content),
             further=result.further,
             participation=participation(lang, last.responses, last.invited, last.finished),
             **counts)
    lines = [head, " · ".join(element_phases(lang, result.elements, content, trend))]
    note = participation_note(lang, last.responses, last.invited)
    return "\n".join([*lines, note] if note else lines)


def element_phases(
    lang: str, elements: Sequence[Placed], content: Content,
    trend: Mapping[Element, Trend] | None = None,
) -> list[str]:
    """"Value: facilitating ↑" per element; "divided" or "n/a" without a phase."""
    parts = []
    for element_result in elements:
        name = element_name(lang, element_result.element, content)
        phase = element_state(lang, element_result, content)
        direction = (trend or {}).get(element_result.element)
        if direction is None:
            parts.append(t(lang, "results.status.last_element", element=name, phase=phase))
        else:
            arrow = t(lang, f"results.trend.{direction.value}", change="").strip()
            parts.append(t(lang, "results.status.last_element_trend", element=name,
                           phase=phase, trend=arrow))
    return parts


def status_all(lang: str, rows: Sequence[TeamRow], content: Content | None = None, *,
               more: int = 0) -> Message:
    """The admin's overview: each team's phase per element and overall, in the given order.

    Teams whose last round is withheld show "n/a — x of y answered"; the list is cut with
    "and N more teams" (the `more` teams not in `rows` among them) so the message stays
    within Slack's block and text limits.
    """
    content = content or load_content()
    title = t(lang, "results.overview.title")
    blocks: list[Block] = [header(title)]
    if not rows:
        blocks.append(section(t(lang, "results.overview.empty")))
        return message(t(lang, "results.overview.fallback"), blocks)
    lines = [team_line(lang, row, content) for row in rows[:MAX_OVERVIEW_TEAMS]]
    budget = MAX_MESSAGE_BLOCKS - len(blocks) - 2  # room for "and N more" and the note
    sections, shown = pack_lines(lines, budget)
    blocks.extend(section(text) for text in sections)
    hidden = len(rows) - shown + more
    if hidden:
        blocks.append(section(t(lang, "results.overview.more", count=hidden)))
    blocks.append(context(t(lang, "results.overview.note")))
    return message(t(lang, "results.overview.fallback"), blocks)


def team_line(lang: str, row: TeamRow, content: Content) -> str:
    """One team: overall phase and phase per element, or why there is none."""
    last = row.last
    if last is None:
        return t(lang, "results.overview.team_none", channel=row.channel_id)
    subject = mrkdwn_escape(last.subject)
    if last.withheld is not None:
        return t(lang, "results.overview.team_na", channel=row.channel_id, subject=subject,
                 responses=last.responses, invited=last.invited,
                 min_responses=last.min_responses)
    elements = " · ".join(element_phases(lang, last.elements, content))
    date = slack_date(last.closed_at)
    if last.headline is None:
        return t(lang, "results.overview.team_na", channel=row.channel_id, subject=subject,
                 responses=last.responses, invited=last.invited,
                 min_responses=last.min_responses)
    return t(lang, "results.overview.team", channel=row.channel_id, date=date, subject=subject,
             overall=overall_phrase(lang, last.headline, content), elements=elements)


def pack_lines(lines: Sequence[str], max_sections: int) -> tuple[list[str], int]:
    """Lines joined into as few sections as fit; returns (section texts, lines used)."""
    sections: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        candidate = "\n".join([*current, line])
        if current and len(candidate) > MAX_SECTION_TEXT:
            if len(sections) + 1 >= max_sections:
                break
            sections.append("\n".join(current))
            current = [line]
        else:
            current.append(line)
        used += 1
    if current:
        sections.append("\n".join(current))
    return sections, used
