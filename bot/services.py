"""Everything the listeners need, built once per app: store, flows, people, sender, jobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk import WebClient

from bot.invitations import Invitations
from bot.people import People
from bot.reminders import PulseReminders
from bot.scheduler import Scheduler
from bot.sender import Sender
from bot.throttle import Throttle
from conversations.diagnostic import DiagnosticFlow
from conversations.home import HomeFlow
from conversations.pulse import DEFAULT_TIMEZONE, PulseFlow
from conversations.report.flow import ReportFlow
from conversations.results.closing import ClosingFlow
from conversations.results.reports import ReportsFlow
from conversations.rounds import RoundsFlow
from conversations.team import TeamFlow
from model import Content, load_content
from storage import Store

Clock = Callable[[], datetime]

# Slack allows about one message per second per channel and a workspace-wide burst; DMs are
# separate channels, so invitations are paced by the workspace-wide rate.
INVITATIONS_PER_SECOND = 20.0


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    store: Store
    content: Content
    clock: Clock
    people: People
    diagnostic: DiagnosticFlow
    rounds: RoundsFlow
    team: TeamFlow
    closing: ClosingFlow
    reports: ReportsFlow
    home: HomeFlow
    sender: Sender
    invitations: Invitations
    scheduler: Scheduler
    pulse: PulseFlow
    reminders: PulseReminders
    report: ReportFlow

    @classmethod
    def build(
        cls,
        store: Store,
        client: WebClient,
        *,
        fanout_client: WebClient | None = None,
        clock: Clock = utc_now,
        invitations_per_second: float = INVITATIONS_PER_SECOND,
        scheduler_interval: float = 30.0,
        retention_days: int | None = None,
        default_timezone: str = DEFAULT_TIMEZONE,
    ) -> Services:
        content = load_content()
        people = People(client, store, clock)
        diagnostic = DiagnosticFlow(store, content, clock)
        rounds = RoundsFlow(store, content, diagnostic, clock)
        closing = ClosingFlow(store, content, clock)
        reports = ReportsFlow(store, content, clock)
        home = HomeFlow(store, content, reports, clock)
        invitations_sender = Sender(fanout_client or client, people, closing, _NoQueue())
        invitations = Invitations(
            store, rounds, people, invitations_sender.post_dm,
            Throttle(invitations_per_second, burst=max(1.0, invitations_per_second / 2)),
        )
        sender = Sender(client, people, closing, invitations)
        scheduler = Scheduler(interval=scheduler_interval, clock=clock)
        pulse = PulseFlow(store, content, clock, default_timezone=default_timezone)
        services = cls(store, content, clock, people, diagnostic, rounds, TeamFlow(store, clock),
                       closing, reports, home, sender, invitations, scheduler, pulse,
                       PulseReminders(pulse, people, invitations),
                       ReportFlow(store, content, clock))
        scheduler.add(services.close_due_rounds, name="close-due-rounds")
        scheduler.add(services.open_due_pulses, name="open-due-pulses")
        scheduler.add(services.reminders.run, name="pulse-reminders")
        if retention_days is not None:
            scheduler.add(_daily_purge(store, retention_days, clock()),
                          name="purge-old-answers")
        return services

    def close_due_rounds(self, now: datetime) -> None:
        """Scheduler job: rounds past their deadline close once, results go out once."""
        for round_ in self.store.due_rounds(now):
            self.sender.send(self.closing.close(round_.id), workspace_id=round_.workspace_id)

    def open_due_pulses(self, now: datetime) -> None:
        """Scheduler job: open the pulses whose time has come, once per scheduled period."""
        for workspace_id, outbounds in self.pulse.due(now, self.people.channel_members):
            self.sender.send(outbounds, workspace_id=workspace_id)

    def start_background(self) -> None:
        """After a (re)start: finish interrupted work, then run the timers."""
        self.invitations.start()
        self.invitations.resume()
        for round_ in self.store.rounds_awaiting_results():
            self.sender.send(self.closing.publish(round_.id), workspace_id=round_.workspace_id)
        self.scheduler.start()

    def stop_sending(self) -> None:
        """The bot is stopping: fan-outs (invitations, reminders) start no new DM; those
        under way finish and are recorded, who is left gets theirs after the restart."""
        self.invitations.throttle.stop()

    def stop_background(self) -> None:
        """Stop the timers and the invitation worker; a tick or fan-out in progress
        finishes first (quickly after `stop_sending`)."""
        self.scheduler.stop()
        self.invitations.stop()


def _daily_purge(store: Store, days: int, started: datetime) -> Callable[[datetime], None]:
    """Once a day, raw answers (checklists, progress) older than `days` go; closed rounds'
    snapshots stay. Not on the day of `started`: opening the store purged already."""
    last_day = [started.date()]

    def purge(now: datetime) -> None:
        if last_day[0] != now.date():
            last_day[0] = now.date()
            store.purge_answers_older_than(days, now)

    return purge


class _NoQueue:
    def enqueue(self, round_id: str, user_ids: object = ()) -> None:
        raise RuntimeError("the invitation sender does not queue invitations")

