"""Everything the listeners need, built once per app: store, flows, people, sender, jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from bot.clients import Clients, OneToken
from bot.invitations import Invitations
from bot.people import People
from bot.reminders import PulseReminders
from bot.scheduler import Scheduler
from bot.sender import Sender
from bot.throttle import Throttle
from conversations.actions.flow import ActionsFlow
from conversations.diagnostic import DiagnosticFlow
from conversations.home import HomeFlow
from conversations.pulse import DEFAULT_TIMEZONE, PulseFlow
from conversations.report.commitments import for_reports
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
DEFAULT_UNINSTALL_GRACE_DAYS = 30
"""How long the data of a workspace that removed wi3 is kept, for a reinstall to find."""

logger = logging.getLogger(__name__)


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
    actions: ActionsFlow
    report: ReportFlow
    uninstall_grace_days: int = DEFAULT_UNINSTALL_GRACE_DAYS

    @classmethod
    def build(
        cls,
        store: Store,
        client: WebClient | Clients,
        *,
        fanout_client: WebClient | Clients | None = None,
        clock: Clock = utc_now,
        invitations_per_second: float = INVITATIONS_PER_SECOND,
        scheduler_interval: float = 30.0,
        retention_days: int | None = None,
        default_timezone: str = DEFAULT_TIMEZONE,
        uninstall_grace_days: int = DEFAULT_UNINSTALL_GRACE_DAYS,
    ) -> Services:
        """`client`: one bot token's client, or each workspace's (`bot.clients`);
        `fanout_client` the same without 429 retries, for the throttled fan-out."""
        clients = _as_clients(client)
        content = load_content()
        people = People(clients, store, clock)
        diagnostic = DiagnosticFlow(store, content, clock)
        rounds = RoundsFlow(store, content, diagnostic, clock)
        closing = ClosingFlow(store, content, clock)
        reports = ReportsFlow(store, content, clock)
        home = HomeFlow(store, content, reports, clock)
        fanout = _as_clients(fanout_client) if fanout_client is not None else clients
        invitations_sender = Sender(fanout, people, closing, _NoQueue())
        invitations = Invitations(
            store, rounds, people, invitations_sender.post_dm,
            Throttle(invitations_per_second, burst=max(1.0, invitations_per_second / 2)),
        )
        sender = Sender(clients, people, closing, invitations)
        scheduler = Scheduler(interval=scheduler_interval, clock=clock)
        pulse = PulseFlow(store, content, clock, default_timezone=default_timezone)
        actions = ActionsFlow(store, content, clock, default_timezone=default_timezone)
        services = cls(store, content, clock, people, diagnostic, rounds, TeamFlow(store, clock),
                       closing, reports, home, sender, invitations, scheduler, pulse,
                       PulseReminders(pulse, people, invitations), actions,
                       ReportFlow(store, content, clock,
                                  commitments=for_reports(store, people.shown_name)),
                       uninstall_grace_days)
        scheduler.add(services.close_due_rounds, name="close-due-rounds")
        scheduler.add(services.open_due_pulses, name="open-due-pulses")
        scheduler.add(services.reminders.run, name="pulse-reminders")
        scheduler.add(services.follow_up_commitments, name="commitment-follow-ups")
        if retention_days is not None:
            scheduler.add(_daily_purge(store, retention_days, clock()),
                          name="purge-old-answers")
        scheduler.add(services.purge_uninstalled, name="purge-uninstalled-workspaces")
        return services

    def close_due_rounds(self, now: datetime) -> None:
        """Scheduler job: rounds past their deadline close once, results go out once
        (not in workspaces that removed wi3: a reinstall picks them up)."""
        gone = self.store.uninstalled_workspaces()
        for round_ in self.store.due_rounds(now):
            if round_.workspace_id not in gone:
                self.sender.send(self.closing.close(round_.id),
                                 workspace_id=round_.workspace_id)

    def open_due_pulses(self, now: datetime) -> None:
        """Scheduler job: open the pulses whose time has come, once per scheduled period."""
        gone = self.store.uninstalled_workspaces()
        for workspace_id, outbounds in self.pulse.due(now, self.people.channel_members,
                                                      paused=gone):
            self.sender.send(outbounds, workspace_id=workspace_id)

    def uninstalled(self, workspace_id: str, now: datetime) -> None:
        """Slack says the workspace removed wi3: its work stops now, its data goes after
        the grace period (at once with a grace of 0 days)."""
        if self.store.mark_uninstalled(workspace_id, now):
            logger.info("workspace %s removed wi3; its data goes in %d day(s) unless it "
                        "installs wi3 again", workspace_id, self.uninstall_grace_days)
        self.purge_uninstalled(now)

    def purge_uninstalled(self, now: datetime) -> None:
        """Scheduler job: delete the data of workspaces gone longer than the grace period."""
        cutoff = now - timedelta(days=self.uninstall_grace_days)
        for workspace_id in self.store.purge_uninstalled(cutoff):
            logger.info("deleted the data of workspace %s, which removed wi3", workspace_id)

    def follow_up_commitments(self, now: datetime) -> None:
        """Scheduler job: on a commitment's due date its owner is asked how it went, once
        (claimed in storage before the DM goes out)."""
        gone = self.store.uninstalled_workspaces()
        for workspace_id, outbounds in self.actions.due_follow_ups(now, paused=gone):
            self.sender.send(outbounds, workspace_id=workspace_id)

    def start_background(self) -> None:
        """After a (re)start: finish interrupted work, then run the timers."""
        self.invitations.start()
        self.invitations.resume()
        gone = self.store.uninstalled_workspaces()
        for round_ in self.store.rounds_awaiting_results():
            if round_.workspace_id not in gone:
                self.sender.send(self.closing.publish(round_.id),
                                 workspace_id=round_.workspace_id)
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


def _as_clients(client: WebClient | Clients) -> Clients:
    return OneToken(client) if isinstance(client, WebClient) else client


class _NoQueue:
    def enqueue(self, round_id: str, user_ids: object = ()) -> None:
        raise RuntimeError("the invitation sender does not queue invitations")

