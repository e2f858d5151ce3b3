"""What leads and admins read about closed rounds: status, the overview, the CSV export
(with the team's commitments), and posting a round's results to the channel again. Every
figure comes through the privacy gate (`History.outcome`), exactly as in the channel
post."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from conversations.actions.read import since_last_round, team_commitments
from conversations.context import Caller
from conversations.diagnostic import subject_text
from conversations.export import commitments_csv, results_csv, rows_from_outcomes
from conversations.i18n import t
from conversations.outbound import Outbound, PostToChannel, Reply, UploadFile
from conversations.report.glance import at_a_glance
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

    def status_all(self, caller: Caller) -> Iterator[Outbound]:
        """`/wi3 status all`: every team's phases, for a workspace admin. The reply lists
        the first teams, read from their last-result summaries (one small record each, never
        their snapshots; the others are counted); the heat map and a CSV of every team come
        by DM (`conversations.report.glance`), from the summaries of all teams.

        The reply comes first and is sent before the rest is read: the bot sends what this
        yields as it comes, so the admin is not kept waiting by 5,000 teams' summaries."""
        if not caller.is_admin:
            yield Reply(notice(t(caller.lang, "admin.only")))
            return
        listed = self.store.list_teams(caller.workspace_id, limit=MAX_OVERVIEW_TEAMS)
        rows = self._rows(caller.workspace_id, listed)
        more = self.store.count_teams(caller.workspace_id) - len(listed)
        yield Reply(status_all(caller.lang, rows, self.content, more=more))
        every = rows if more <= 0 else self._rows(caller.workspace_id,
                                                  self.store.list_teams(caller.workspace_id))
        glance = at_a_glance(caller, every, self.content, self.clock())
        if glance is not None:
            yield glance.notice
            yield from glance.files

    def _rows(self, workspace_id: str, teams: list[Team]) -> list[TeamRow]:
        lasts = self.summaries.last(workspace_id, teams)
        return [TeamRow(team.channel_id, last) for team, last in zip(teams, lasts, strict=True)]

    def export(self, caller: Caller, team: Team) -> list[Outbound]:
        """`/wi3 export`: the team's closed rounds as CSV, and its commitments as a second
        CSV when it has any, by DM to the requester."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        outcomes = [self.history.outcome(s, team) for s in self.history.snapshots(team)]
        csv_text = results_csv(rows_from_outcomes(outcomes), caller.lang, self.content)
        stamp = f"{team.channel_id}-{self.clock():%Y%m%d}"
        out: list[Outbound] = [
            UploadFile(None, caller.user_id, f"wi3-{stamp}.csv", csv_text.encode("utf-8"),
                       t(caller.lang, "export.title", channel=team.channel_id))]
        commitments = team_commitments(self.store, team)
        if not commitments:
            return [*out, Reply(notice(t(caller.lang, "export.sent", count=len(outcomes))))]
        closed = {r.id: r.closed_at for r in self.store.list_rounds(team.workspace_id,
                                                                   team.channel_id)}
        steps = commitments_csv(commitments, closed, caller.lang)
        out.append(UploadFile(None, caller.user_id, f"wi3-{stamp}-next-steps.csv",
                              steps.encode("utf-8"),
                              t(caller.lang, "actions.csv.title", channel=team.channel_id)))
        listed = t(caller.lang, "export.commitments", count=len(commitments))
        return [*out, Reply(notice(t(caller.lang, "export.sent_with_steps",
                                     count=len(outcomes), commitments=listed)))]

    def repost(self, caller: Caller, team: Team, round_id: str) -> list[Outbound]:
        """The status view's "post full results again" button (lead only)."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        snapshot = self.store.get_snapshot(round_id)
        if snapshot is None or snapshot.channel_id != team.channel_id:
            return [Reply(notice(t(caller.lang, "question.round_unknown")))]
        outcome = self.history.outcome(snapshot, team)
        since = since_last_round(self.store, team, snapshot) if outcome.result else None
        if snapshot.kind == "pulse":
            post = pulse_post(team.language, outcome, self.content,
                              basis=snapshot.result.get("basis"), since=since)
        else:
            post = results_post(team.language, outcome, self.content, since=since)
        return [PostToChannel(team.channel_id, post)]
