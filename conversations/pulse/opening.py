"""What every part of the pulse flow shares: its state, and opening a pulse round.

A pulse is a round of kind "pulse" that asks one statement per element, chosen by
`model.select_pulse_items(pulse_number)` so that consecutive pulses cover every statement.
It runs in the same DM conversation as the full diagnostic and stays open for
`PULSE_WINDOW` (two days); it is about the team's standing subject (`Team.subject`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from conversations import queued
from conversations.i18n import t
from conversations.schedule import zone
from conversations.views.common import slack_date
from conversations.views.diagnostic import notice
from model import Content, select_pulse_items
from storage import PulseSchedule, Round, Store, Team
from storage.records import Outgoing

Clock = Callable[[], datetime]
PULSE_WINDOW = timedelta(days=2)
DEFAULT_TIMEZONE = "Europe/Amsterdam"
WEEKEND = 5


class PulseOpening:
    """State shared by the pulse flow's parts, and opening the team's next pulse."""

    def __init__(
        self,
        store: Store,
        content: Content,
        clock: Clock,
        *,
        default_timezone: str = DEFAULT_TIMEZONE,
        window: timedelta = PULSE_WINDOW,
    ) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.default_timezone = default_timezone
        self.window = window

    def open_pulse(self, team: Team, invited: Sequence[str], now: datetime) -> Round:
        """Open the team's next pulse round, with its announcement and invitations queued
        (RoundAlreadyOpenError if a round is open)."""
        number = self.next_pulse_number(team)
        items = select_pulse_items(number, content=self.content)
        return self.store.open_round(
            team.workspace_id, team.channel_id, kind="pulse", subject=team.subject,
            invited=invited, item_ids=[item.id for item in items],
            closes_at=now + self.window, pulse_number=number, at=now,
            outbox=lambda round_: [self.announcement(team, round_),
                                   *queued.invitations(round_)],
        )

    def next_pulse_number(self, team: Team) -> int:
        """Pulses count from 1 per team, so the rotation covers every statement in turn."""
        numbers = [r.pulse_number or 0 for r in
                   self.store.list_rounds(team.workspace_id, team.channel_id)
                   if r.kind == "pulse"]
        return max(numbers, default=0) + 1

    def announcement(self, team: Team, round_: Round) -> Outgoing:
        text = t(team.language, "pulse.announcement", channel=team.channel_id,
                 questions=len(round_.item_ids), deadline=slack_date(self.closes(round_)))
        return queued.post(round_, "announcement", notice(text))

    def timezone_of(self, team: Team) -> str:
        return self.choose_timezone(None, team)

    def choose_timezone(self, caller_timezone: str | None, team: Team) -> str:
        """The lead's Slack timezone, else the team's, else the configured default."""
        for name in (caller_timezone, team.timezone):
            if name and zone(name, "").key == name:
                return name
        return self.default_timezone

    def fresh(self, team: Team) -> Team:
        return self.store.get_team(team.workspace_id, team.channel_id) or team

    def closes(self, round_: Round) -> datetime:
        return round_.closes_at or round_.opened_at + self.window

    @staticmethod
    def with_weekend_note(lang: str, schedule: PulseSchedule, text: str) -> str:
        if schedule.weekday >= WEEKEND:
            return f"{text}\n{t(lang, 'pulse.weekend')}"
        return text
