"""What a person sees on wi3's App Home tab."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from storage import Commitment, Store


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
        """The tab, from one reading of the store (`Store.home_of`)."""
        reading = self.store.home_of(caller.workspace_id, caller.user_id)
        rounds = []
        teams: dict[str, HomeTeam] = {}
        for invited in reading.rounds:
            round_ = invited.round
            rounds.append(HomeRound(
                round_id=round_.id,
                channel_id=round_.channel_id,
                subject=subject_text(caller.lang, round_.subject),
                closes_at=round_.closes_at or round_.opened_at,
                answered=invited.answered,
                total=len(round_.item_ids),
                finished=invited.finished,
            ))
            teams[round_.channel_id] = HomeTeam(round_.channel_id, is_lead=False)
        lasts = self.reports.summaries.of_kept(reading.led, reading.last_results)
        for team, last in zip(reading.led, lasts, strict=True):
            teams[team.channel_id] = HomeTeam(team.channel_id, True, self._last_line(caller, last))
        for commitment in reading.owned:
            teams.setdefault(commitment.channel_id, HomeTeam(commitment.channel_id, False))
        shown = [replace(team, commitments_text=self._commitments_text(
                     caller, reading.commitments.get(team.channel_id, ())))
                 for team in teams.values()]
        return home_view(caller.lang, rounds, shown, self.content,
                         commitments_text=(home_lines(caller.lang, reading.owned)
                                           if reading.owned else None))

    @staticmethod
    def _commitments_text(caller: Caller, commitments: Sequence[Commitment]) -> str | None:
        """How the team's commitments stand, and which are under way (team content)."""
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
