"""What a person sees on wi3's App Home tab."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from conversations.actions.read import tally
from conversations.context import Caller
from conversations.diagnostic import subject_text
from conversations.i18n import t
from conversations.outbound import Outbound, PublishHome
from conversations.results.outcome import ResultSummary
from conversations.results.reports import ReportsFlow
from conversations.views.commitments import home_lines, home_team_lines
from conversations.views.common import mrkdwn_escape
from conversations.views.home import HomeRound, HomeTeam, home_view
from conversations.views.scores import overall_phrase
from model import Content
from storage import Store


class HomeFlow:
    def __init__(
        self, store: Store, content: Content, reports: ReportsFlow,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.content = content
        self.reports = reports
        self.clock = clock

    def view(self, caller: Caller) -> dict[str, Any]:
        rounds = []
        teams: dict[str, HomeTeam] = {}
        for round_ in self.store.rounds_for_user(caller.workspace_id, caller.user_id):
            answers = self.store.answers_of(round_.id, caller.user_id)
            rounds.append(HomeRound(
                round_id=round_.id,
                channel_id=round_.channel_id,
                subject=subject_text(caller.lang, round_.subject),
                closes_at=round_.closes_at or round_.opened_at,
                answered=len(answers),
                total=len(round_.item_ids),
                finished=self.store.has_finished(round_.id, caller.user_id),
            ))
            teams[round_.channel_id] = HomeTeam(round_.channel_id, is_lead=False)
        led = self.store.teams_led_by(caller.workspace_id, caller.user_id)
        lasts = self.reports.summaries.last(caller.workspace_id, led)
        for team, last in zip(led, lasts, strict=True):
            teams[team.channel_id] = HomeTeam(team.channel_id, True, self._last_line(caller, last))
        owned = self.store.commitments_owned_by(caller.workspace_id, caller.user_id)
        for commitment in owned:
            teams.setdefault(commitment.channel_id, HomeTeam(commitment.channel_id, False))
        shown = [replace(team, commitments_text=self._commitments_text(caller, team))
                 for team in teams.values()]
        return home_view(caller.lang, rounds, shown, self.content,
                         commitments_text=home_lines(caller.lang, owned) if owned else None)

    def _commitments_text(self, caller: Caller, team: HomeTeam) -> str | None:
        """How the team's commitments stand, and which are under way (team content)."""
        commitments = self.store.commitments_of_team(caller.workspace_id, team.channel_id)
        counted = tally(commitments)
        if counted is None:
            return None
        return home_team_lines(caller.lang, counted, [c for c in commitments if c.is_active])

    def _last_line(self, caller: Caller, last: ResultSummary | None) -> str | None:
        """The lead's team's last result in one line, only as far as the privacy gate allows
        (from its summary: no snapshot is read)."""
        if last is None or last.withheld is not None or last.headline is None:
            return None
        return t(caller.lang, "home.last_result", date=f"{last.closed_at:%Y-%m-%d}",
                 subject=mrkdwn_escape(last.subject),
                 overall=overall_phrase(caller.lang, last.headline, self.content))

    def publish(self, caller: Caller) -> list[Outbound]:
        return [PublishHome(caller.user_id, self.view(caller))]
