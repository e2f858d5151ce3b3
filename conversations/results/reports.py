"""What leads and admins read about closed rounds: status, the overview, the CSV export,
and posting a round's results to the channel again. Every figure comes through the privacy
gate (`History.outcome`), exactly as in the channel post."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from conversations.context import Caller
from conversations.diagnostic import subject_text
from conversations.export import results_csv, rows_from_outcomes
from conversations.i18n import t
from conversations.outbound import Outbound, PostToChannel, Reply, UploadFile
from conversations.results.history import History
from conversations.results.outcome import RoundOutcome
from conversations.results.summary import Summaries
from conversations.team import may_manage, refusal
from conversations.trend import element_trends
from conversations.views.diagnostic import notice
from conversations.views.pulse import pulse_post
from conversations.views.results import results_post
from conversations.views.status import (
    MAX_OVERVIEW_TEAMS,
    OpenRoundStatus,
    TeamRow,
    status_all,
    status_message,
)
from model import Content
from storage import Store, Team

Clock = Callable[[], datetime]


class ReportsFlow:
    def __init__(self, store: Store, content: Content, clock: Clock) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.history = History(store, content)
        self.summaries = Summaries(store, self.history)

    def last_outcome(self, team: Team) -> RoundOutcome | None:
        """The team's last full diagnostic, as every surface may show it."""
        return self.history.last_outcome(team)

    def status(self, caller: Caller, team: Team) -> list[Outbound]:
        """`/wi3 status`: the open round's progress and the last result, for a lead."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        open_round = self.store.open_round_for(team.workspace_id, team.channel_id)
        progress = None
        if open_round is not None:
            progress = OpenRoundStatus(
                subject=subject_text(caller.lang, open_round.subject),
                invited=len(open_round.invited),
                started=self.store.started_count(open_round.id),
                finished=self.store.finished_count(open_round.id),
                min_responses=team.min_responses,
                closes_at=open_round.closes_at or open_round.opened_at,
                now=self.clock(),
            )
        last = self.last_outcome(team)
        trend = None
        if last is not None and last.result is not None:
            trend = element_trends(last.result, last.previous)
        return [Reply(status_message(caller.lang, channel_id=team.channel_id,
                                     open_round=progress, last=last, trend=trend,
                                     content=self.content))]

    def status_all(self, caller: Caller) -> list[Outbound]:
        """`/wi3 status all`: every team's phases, for a workspace admin. Only the teams
        listed are read, from their last-result summaries (one small record each, never
        their snapshots); the others are counted."""
        if not caller.is_admin:
            return [Reply(notice(t(caller.lang, "admin.only")))]
        listed = self.store.list_teams(caller.workspace_id, limit=MAX_OVERVIEW_TEAMS)
        lasts = self.summaries.last(caller.workspace_id, listed)
        rows = [TeamRow(team.channel_id, last) for team, last in zip(listed, lasts, strict=True)]
        more = self.store.count_teams(caller.workspace_id) - len(listed)
        return [Reply(status_all(caller.lang, rows, self.content, more=more))]

    def export(self, caller: Caller, team: Team) -> list[Outbound]:
        """`/wi3 export`: the team's closed rounds as CSV, by DM to the requester."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        outcomes = [self.history.outcome(s, team) for s in self.history.snapshots(team)]
        csv_text = results_csv(rows_from_outcomes(outcomes), caller.lang, self.content)
        filename = f"wi3-{team.channel_id}-{self.clock():%Y%m%d}.csv"
        return [
            UploadFile(None, caller.user_id, filename, csv_text.encode("utf-8"),
                       t(caller.lang, "export.title", channel=team.channel_id)),
            Reply(notice(t(caller.lang, "export.sent", count=len(outcomes)))),
        ]

    def repost(self, caller: Caller, team: Team, round_id: str) -> list[Outbound]:
        """The status view's "post full results again" button (lead only)."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        snapshot = self.store.get_snapshot(round_id)
        if snapshot is None or snapshot.channel_id != team.channel_id:
            return [Reply(notice(t(caller.lang, "question.round_unknown")))]
        outcome = self.history.outcome(snapshot, team)
        if snapshot.kind == "pulse":
            post = pulse_post(team.language, outcome, self.content,
                              basis=snapshot.result.get("basis"))
        else:
            post = results_post(team.language, outcome, self.content)
        return [PostToChannel(team.channel_id, post)]
