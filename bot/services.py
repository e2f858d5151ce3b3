"""Everything the listeners need, built once per app: store, flows, people, sender, jobs."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from bot.clients import Clients, OneToken
from bot.drawing import Drawer
from bot.homes import Homes
from bot.kinds import kinds
from bot.method_budgets import MethodBudgets
from bot.outbox import LEASE_SECONDS, WORKERS, Dispatcher
from bot.people import People
from bot.scheduler import DEFAULT_INTERVAL_SECONDS, Scheduler
from bot.sender import Sender
from bot.throttle import Throttles
from conversations import queued
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
from storage.pseudonyms import is_forgotten

Clock = Callable[[], datetime]

# Slack allows about one message per second per channel and a workspace-wide burst; DMs are
# separate channels, so queued messages are paced by the workspace-wide rate, shared by
# every instance sending to the workspace.
MESSAGES_PER_SECOND = 20.0
PURGE_CLAIM = timedelta(days=2)
OPENING_PULSES = "opening-pulses"
OPENING_PULSES_SECONDS = 900.0
"""Held while pulses open: longer than reading 50,000 people's directory at Slack's Tier 2
(about three minutes); a dead holder's pulses open this much later, within their window."""
"""How long a day's purge is remembered as done (past the day itself, whatever the zone)."""
DEFAULT_UNINSTALL_GRACE_DAYS = 30
"""How long the data of a workspace that removed wi3 is kept, for a reinstall to find."""

logger = logging.getLogger(f"wi3.{__name__}")


def utc_now() -> datetime:
    return datetime.now(UTC)


def instance_name() -> str:
    """Names this process among the instances sharing a database (leases, claims)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


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
    outbox: Dispatcher
    scheduler: Scheduler
    pulse: PulseFlow
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
        messages_per_second: float = MESSAGES_PER_SECOND,
        scheduler_interval: float = DEFAULT_INTERVAL_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
        workers: int = WORKERS,
        retention_days: int | None = None,
        default_timezone: str = DEFAULT_TIMEZONE,
        uninstall_grace_days: int = DEFAULT_UNINSTALL_GRACE_DAYS,
        owner: str | None = None,
        drawer: Drawer | None = None,
        budgets: MethodBudgets | None = None,
    ) -> Services:
        """`client`: one bot token's client, or each workspace's (`bot.clients`).
        `fanout_client` (the same kind) sends the queued messages: make it with
        `rate_limit_retries=0` and `connection_retries=0`, so 429s reach the shared budget
        and a lost answer comes back in doubt instead of being sent blindly again.
        `retention_days` set: the store's retention is applied daily (once a day, in one
        instance). `drawer` makes heavy files (heat map, report PDF); by default in the
        caller's thread (`bot.drawing`)."""
        clients = _as_clients(client)
        budgets = budgets or MethodBudgets(store)
        owner = owner or instance_name()
        content = load_content()
        people = People(clients, store, clock, budgets)
        diagnostic = DiagnosticFlow(store, content, clock)
        rounds = RoundsFlow(store, content, diagnostic, clock)
        closing = ClosingFlow(store, content, clock)
        reports = ReportsFlow(store, content, clock)
        home = HomeFlow(store, content, reports, clock)
        pulse = PulseFlow(store, content, clock, default_timezone=default_timezone)
        fanout = _as_clients(fanout_client) if fanout_client is not None else clients
        outbox = Dispatcher(
            store, fanout, people,
            Throttles(store, messages_per_second), kinds(store, people, rounds, pulse, closing),
            owner=owner, clock=clock, workers=workers, lease_seconds=lease_seconds,
            drawer=drawer, budgets=budgets)
        scheduler = Scheduler(interval=scheduler_interval, clock=clock, leases=store,
                              owner=owner)
        actions = ActionsFlow(store, content, clock, default_timezone=default_timezone)
        report = ReportFlow(store, content, clock,
                            commitments=for_reports(store, people.shown_name))
        services = cls(store, content, clock, people, diagnostic, rounds, TeamFlow(store, clock),
                       closing, reports, home,
                       Sender(clients, people, outbox, drawer, Homes(clients, store, budgets)),
                       outbox,
                       scheduler, pulse, actions, report, uninstall_grace_days)
        scheduler.add(services.close_due_rounds, name="close-due-rounds")
        scheduler.add(lambda now: services.open_due_pulses_alone(now, owner),
                      name="open-due-pulses")
        scheduler.add(services.remind_pulses, name="pulse-reminders")
        scheduler.add(services.follow_up_commitments, name="commitment-follow-ups")
        if retention_days is not None:
            store.claim(_purge_key(clock()), PURGE_CLAIM.total_seconds())  # done at opening
            scheduler.add(services.purge_daily, name="purge-old-answers")
        scheduler.add(services.purge_uninstalled, name="purge-uninstalled-workspaces")
        scheduler.add(lambda _now: outbox.kick(), name="send-queued", shared=False)
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

    def open_due_pulses_alone(self, now: datetime, owner: str) -> None:
        """`open_due_pulses` in one instance at a time, however long it takes: reading a
        large channel's members and directory within Tier 4 and Tier 2 outlasts the
        scheduler's lease, and a second reader would halve both budgets for nothing."""
        if not self.store.hold_lease(OPENING_PULSES, owner, OPENING_PULSES_SECONDS, now):
            return
        try:
            self.open_due_pulses(now)
        finally:
            self.store.release_lease(OPENING_PULSES, owner)

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

    def remind_pulses(self, now: datetime) -> None:
        """Scheduler job: queue the reminders of pulses past halfway, once per pulse."""
        self.sender.send(self.pulse.queue_reminders(now), workspace_id="")

    def purge_daily(self, now: datetime) -> None:
        """Scheduler job: once a day (the day claimed in the store, so once across
        instances), raw answers older than the retention go; closed rounds' snapshots
        stay. Not on the day the store opened: opening purged already."""
        if self.store.claim(_purge_key(now), PURGE_CLAIM.total_seconds()):
            self.store.purge_expired(now)

    def queue_unqueued(self) -> None:
        """After a start: queue what was never queued (rounds from before the outbox, an
        upgrade) — invitations not yet sent, results not yet posted. Queued messages
        stay as they are, so this is safe in every instance, every time."""
        for round_ in self.store.open_rounds():
            sent = self.store.invitations_sent(round_.id)
            self.store.enqueue(queued.invitations(round_, [
                user for user in round_.invited if user not in sent and not is_forgotten(user)]))
        for round_ in self.store.rounds_awaiting_results():
            self.store.enqueue([queued.results(round_)])

    def start_background(self) -> None:
        """After a (re)start: send what is queued (and what never was), run the timers."""
        self.queue_unqueued()
        self.outbox.start()
        self.scheduler.start()

    def stop_sending(self) -> None:
        """The bot is stopping: no queued message starts going out; those under way
        finish and are recorded, the rest wait for another instance or the restart."""
        self.outbox.stop_sending()

    def stop_background(self) -> None:
        """Stop the timers (letting their leases go) and the outbox's workers; a tick or
        send in progress finishes first (quickly after `stop_sending`)."""
        self.scheduler.stop()
        self.outbox.stop()
        self.sender.drawer.close()


def _purge_key(now: datetime) -> str:
    return f"purge:{now.astimezone(UTC).date().isoformat()}"


def _as_clients(client: WebClient | Clients) -> Clients:
    return OneToken(client) if isinstance(client, WebClient) else client
