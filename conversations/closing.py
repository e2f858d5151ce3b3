"""Closing a round and everything that reads closed rounds: results post, status, export.

Closing is idempotent: `Store.close_round` says yes to exactly one caller, and the results
post is marked as published only after Slack took it, so a restart re-publishes a round
whose post never went out (`Store.rounds_awaiting_results`) and never one that did.

History reads snapshots (aggregates saved at closing), never raw answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conversations.charts import radar_chart, radar_title, trend_title
from conversations.context import Caller
from conversations.diagnostic import subject_text
from conversations.export import results_csv, rows_from_outcomes
from conversations.i18n import t
from conversations.outbound import Outbound, PostToChannel, Reply, SendDM, UploadFile
from conversations.pulse import TREND_PULSES, pulse_publication, score_pulse, snapshot_extras
from conversations.team import may_manage, refusal
from conversations.trend import element_trends, trend_points
from conversations.views.diagnostic import notice
from conversations.views.results import RoundOutcome, results_post
from conversations.views.status import OpenRoundStatus, TeamRow, status_all, status_message
from model import Content, TeamResult, score_team
from storage import ResultSnapshot, Round, Store, Team

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class PublishResults:
    """Post a round's results to its channel (chart attached), then mark it published."""

    round_id: str
    channel_id: str
    message: dict[str, Any]
    chart: UploadFile | None = None


class ClosingFlow:
    def __init__(self, store: Store, content: Content, clock: Clock) -> None:
        self.store = store
        self.content = content
        self.clock = clock

    # -- closing ------------------------------------------------------------------------------

    def close(self, round_id: str) -> list[Outbound | PublishResults]:
        """Close the round if it is open; only the call that closed it publishes."""
        if not self.store.close_round(round_id, self.clock()):
            return []
        return self.publish(round_id)

    def close_command(self, caller: Caller, team: Team) -> list[Outbound | PublishResults]:
        """`/wi3 close` by a lead."""
        if not may_manage(team, caller):
            return [*refusal(team, caller)]
        round_ = self.store.open_round_for(team.workspace_id, team.channel_id)
        if round_ is None:
            return [Reply(notice(t(caller.lang, "round.none_open", channel=team.channel_id)))]
        out = self.close(round_.id)
        finished = self.store.finished_count(round_.id)
        out.insert(0, Reply(notice(t(caller.lang, "round.closed", finished=finished,
                                     invited=len(round_.invited)))))
        return out

    def due(self, now: datetime) -> list[Outbound | PublishResults]:
        """Scheduler job: close rounds past their deadline (also after downtime), and
        re-publish any closed round whose post never went out."""
        out: list[Outbound | PublishResults] = []
        for round_ in self.store.due_rounds(now):
            out += self.close(round_.id)
        return out

    def all_finished(self, round_id: str) -> list[Outbound | PublishResults]:
        """Close early when the team enabled it and every invited member has finished."""
        round_ = self.store.get_round(round_id)
        if round_ is None or not round_.is_open:
            return []
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        if team is None or not team.auto_close or self.store.unfinished_invitees(round_id):
            return []  # cheap checks first: this runs after every answer
        return self.close(round_id)

    def published(self, round_id: str) -> bool:
        return self.store.mark_results_posted(round_id, self.clock())

    def publish(self, round_id: str) -> list[Outbound | PublishResults]:
        """Score the closed round, keep its snapshot, and say what to post."""
        round_ = self.store.get_round(round_id)
        team = self.store.get_team(round_.workspace_id, round_.channel_id) if round_ else None
        if round_ is None or team is None or round_.results_posted_at is not None:
            return []
        snapshot = self.store.get_snapshot(round_id) or self._snapshot(round_, team)
        outcome = self._outcome(snapshot, team)
        if round_.kind == "pulse":
            return [*self._closed_notices(round_), self._pulse_results(snapshot, outcome, team)]
        lang = team.language
        chart = None
        if outcome.result is not None:
            png = radar_chart(lang, outcome.result, outcome.previous,
                              title=radar_title(lang, outcome.subject), content=self.content)
            chart = UploadFile(team.channel_id, None, f"wi3-{round_id}.png", png,
                               radar_title(lang, outcome.subject))
        post = results_post(lang, outcome, self.content)
        return [*self._closed_notices(round_), PublishResults(round_id, team.channel_id, post,
                                                               chart)]

    def _snapshot(self, round_: Round, team: Team) -> ResultSnapshot:
        responses = self.store.finished_count(round_.id)
        result: TeamResult | None = None
        extras: dict[str, Any] = {}
        if responses >= team.min_responses and round_.kind == "pulse":
            result, extras = self._score_pulse(round_, team)
        elif responses >= team.min_responses:
            ticks = [b for checklist in self.store.all_checklists(round_.id)
                     for b in checklist.barriers]
            reasons = [r for checklist in self.store.all_checklists(round_.id)
                       for r in checklist.reasons]
            result = score_team(self.store.all_answers(round_.id), ticks,
                                start_reason_ticks=reasons, content=self.content)
        snapshot = ResultSnapshot(
            round_id=round_.id,
            workspace_id=round_.workspace_id,
            channel_id=round_.channel_id,
            kind=round_.kind,
            subject=round_.subject,
            closed_at=round_.closed_at or self.clock(),
            invited_count=len(round_.invited),
            responses=responses,
            result={"min_responses": team.min_responses,
                    "team": result.to_dict() if result else None, **extras},
            pulse_number=round_.pulse_number,
        )
        self.store.save_snapshot(snapshot)
        return snapshot

    def _score_pulse(self, round_: Round, team: Team) -> tuple[TeamResult, dict[str, Any]]:
        """A pulse carries the team's last result forward (see `conversations.pulse`)."""
        base = self._latest_result(team, round_.closed_at or self.clock(), exclude=round_.id)
        result = score_pulse(self.store.all_answers(round_.id), round_.item_ids,
                             base[1] if base else None, content=self.content)
        return result, snapshot_extras(base[0] if base else None)

    def _pulse_results(
        self, snapshot: ResultSnapshot, outcome: RoundOutcome, team: Team
    ) -> PublishResults:
        """Changes since the last pulse and the last diagnostic, and the pulses' trend."""
        lang = team.language
        last = self._latest_result(team, snapshot.closed_at, exclude=snapshot.round_id,
                                   kind="diagnostic")
        pulses = [s for s in self._history(team, "pulse") if s.closed_at <= snapshot.closed_at]
        trend = trend_points((s.closed_at, self._team_result(s, team)) for s in pulses)
        post, png = pulse_publication(
            lang, outcome, basis=snapshot.result.get("basis"),
            last_diagnostic=last[1] if last else None, trend=trend[-TREND_PULSES:],
            content=self.content)
        chart = None
        if png is not None:
            title = trend_title(lang, outcome.subject)
            chart = UploadFile(team.channel_id, None, f"wi3-{snapshot.round_id}.png", png, title)
        return PublishResults(snapshot.round_id, team.channel_id, post, chart)

    def _latest_result(
        self, team: Team, before: datetime, *, exclude: str, kind: str | None = None
    ) -> tuple[ResultSnapshot, TeamResult] | None:
        """The team's newest closed round up to `before` with a result above its minimum."""
        for earlier in reversed(self._history(team, kind)):
            if earlier.round_id == exclude or earlier.closed_at > before:
                continue
            result = self._team_result(earlier, team)
            if result is not None:
                return earlier, result
        return None

    def _closed_notices(self, round_: Round) -> list[Outbound]:
        """Members still in the middle are told the round closed (their answers count)."""
        out: list[Outbound] = []
        for user_id in self.store.unfinished_invitees(round_.id):
            if self.store.get_progress(round_.id, user_id) is None:
                continue
            info = self.store.get_user(round_.workspace_id, user_id)
            lang = info.locale if info and info.locale else "en"
            out.append(SendDM(user_id, notice(t(lang, "closed.notice",
                                                 channel=round_.channel_id))))
        return out

    # -- reading history ----------------------------------------------------------------------

    def _team_result(self, snapshot: ResultSnapshot, team: Team) -> TeamResult | None:
        """The stored aggregate, only while the round meets the team's current minimum."""
        stored = snapshot.result.get("team") if snapshot.result else None
        minimum = max(team.min_responses, int(snapshot.result.get("min_responses", 3)))
        if stored is None or snapshot.responses < minimum:
            return None
        return TeamResult.from_dict(stored)

    def _outcome(self, snapshot: ResultSnapshot, team: Team) -> RoundOutcome:
        result = self._team_result(snapshot, team)
        previous = None
        previous_at = None
        for earlier in reversed(self._history(team, snapshot.kind)):
            if earlier.closed_at >= snapshot.closed_at or earlier.round_id == snapshot.round_id:
                continue
            previous = self._team_result(earlier, team)
            if previous is not None:
                previous_at = earlier.closed_at
                break
        minimum = max(team.min_responses, int(snapshot.result.get("min_responses", 3)))
        if result is None and snapshot.responses >= minimum:
            minimum = snapshot.responses + 1  # stored without aggregate: keep it hidden
        return RoundOutcome(
            round_id=snapshot.round_id,
            kind=snapshot.kind,
            subject=subject_text(team.language, snapshot.subject),
            channel_id=snapshot.channel_id,
            closed_at=snapshot.closed_at,
            invited=snapshot.invited_count,
            responses=snapshot.responses,
            min_responses=minimum,
            result=result,
            previous=previous if result is not None else None,
            previous_closed_at=previous_at if result is not None else None,
        )

    def _history(self, team: Team, kind: str | None = None) -> list[ResultSnapshot]:
        snapshots = self.store.list_snapshots(team.workspace_id, team.channel_id)
        return [s for s in snapshots if kind is None or s.kind == kind]

    def last_outcome(self, team: Team) -> RoundOutcome | None:
        history = self._history(team, "diagnostic")
        return self._outcome(history[-1], team) if history else None

    def repost(self, caller: Caller, team: Team, round_id: str) -> list[Outbound]:
        """The status view's "post full results again" button (lead only)."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        snapshot = self.store.get_snapshot(round_id)
        if snapshot is None or snapshot.channel_id != team.channel_id:
            return [Reply(notice(t(caller.lang, "question.round_unknown")))]
        outcome = self._outcome(snapshot, team)
        return [PostToChannel(team.channel_id, results_post(team.language, outcome,
                                                            self.content))]

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
        """`/wi3 status all`: every team's phases, for a workspace admin."""
        if not caller.is_admin:
            return [Reply(notice(t(caller.lang, "admin.only")))]
        rows = [TeamRow(team.channel_id, self.last_outcome(team))
                for team in self.store.list_teams(caller.workspace_id)]
        return [Reply(status_all(caller.lang, rows, self.content))]

    def export(self, caller: Caller, team: Team) -> list[Outbound]:
        """`/wi3 export`: the team's closed rounds as CSV, by DM to the requester."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        outcomes = [self._outcome(s, team) for s in self._history(team)]
        csv_text = results_csv(rows_from_outcomes(outcomes), caller.lang, self.content)
        filename = f"wi3-{team.channel_id}-{self.clock():%Y%m%d}.csv"
        return [
            UploadFile(None, caller.user_id, filename, csv_text.encode("utf-8"),
                       t(caller.lang, "export.title", channel=team.channel_id)),
            Reply(notice(t(caller.lang, "export.sent", count=len(outcomes)))),
        ]
