"""What wi3 keeps, as protocols by concern, in the product's words.

Flows, services and listeners depend on these, never on a backend class. Each backend
(``storage.tinydb``: files in a data directory; ``storage.sql``: PostgreSQL) implements all
of them, and ``storage.open_store`` picks one. Records are the frozen dataclasses of
``storage.records``; errors are ``storage.errors.StorageError`` subclasses.

The rules a product depends on are conditional writes the backend enforces, not locks in
one process:

- one open round per team (``open_round`` raises RoundAlreadyOpenError);
- a respondent answers only the question they are at (``answer_and_advance`` with
  ``expected_position`` raises StalePositionError otherwise);
- nothing is written to a round after it closed (RoundClosedError), and ``close_round``
  says whether this very call closed it;
- ``mark_results_posted``, ``mark_reminder_sent``, the fan-out marks and ``claim`` are
  compare-and-set: True for exactly one caller;
- a state change and the messages it causes are written together: ``open_round``,
  ``add_invited``, ``close_round`` and ``mark_reminder_sent`` take ``outbox``, the
  messages to queue (``Outbox``) with the change, and only when the change happens;
- the outbox hands each due message to one dispatcher at a time (``claim_next``), and a
  claim whose holder died is handed out again, marked in doubt;
- team settings change one field at a time (``update_team``, ``add_lead``, ...), and a
  pulse schedule only over the one the caller read (``update_pulse``), never by writing
  back a whole record read earlier.

Times default to the store's clock; every ``at``/``now`` must be timezone-aware.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar, Unpack

from storage.records import (
    Checklist,
    Claim,
    Commitment,
    CommitmentPlan,
    CommitmentState,
    HomeReading,
    LastResult,
    OutboxBacklog,
    OutboxState,
    Outgoing,
    Pace,
    Progress,
    PulseSchedule,
    RequestClaim,
    ResultSnapshot,
    Round,
    RoundKind,
    Team,
    TeamSettings,
    UserInfo,
    Workspace,
)

T = TypeVar("T")

OutboxOf = Callable[[Round], Iterable[Outgoing]]
"""The messages a change to a round causes, made from the round as the change leaves it
(called inside the write: no store calls, nothing slow)."""

Answers = dict[str, int | None]
"""One respondent's answers: item id -> 1..5, or None for "don't know"."""


class TeamStore(Protocol):
    """Workspaces that installed wi3, and each team's settings."""

    def save_workspace(self, workspace: Workspace) -> Workspace:
        """Insert or replace a workspace; installed_at defaults to now."""
        ...

    def get_workspace(self, workspace_id: str) -> Workspace | None: ...

    def list_workspaces(self) -> list[Workspace]: ...

    def save_team(self, team: Team) -> Team:
        """Insert or replace a team's settings; keeps the first created_at. (For a new
        team; change an existing one field by field, below.)"""
        ...

    def update_team(self, workspace_id: str, channel_id: str,
                    **settings: Unpack[TeamSettings]) -> Team | None:
        """Change the named settings (``TEAM_SETTINGS``) and nothing else; the team as
        stored afterwards, or None if there is no such team. ValueError on a bad value."""
        ...

    def add_lead(self, workspace_id: str, channel_id: str, user_id: str) -> bool:
        """Make a user a lead of the team; True if they were not one already."""
        ...

    def remove_lead(self, workspace_id: str, channel_id: str, user_id: str) -> bool:
        """Remove a lead; True if removed. A team's last lead stays (False)."""
        ...

    def update_pulse(self, workspace_id: str, channel_id: str,
                     schedule: PulseSchedule | None, *, expected: PulseSchedule | None) -> bool:
        """Replace the team's pulse schedule with ``schedule`` only if it is still
        ``expected`` (what the caller read); False if it changed meanwhile (read again)."""
        ...

    def get_team(self, workspace_id: str, channel_id: str) -> Team | None: ...

    def list_teams(self, workspace_id: str | None = None, *,
                   limit: int | None = None) -> list[Team]:
        """Teams in workspace and channel order (all workspaces when None); the first
        ``limit`` of them when given (only they are read)."""
        ...

    def count_teams(self, workspace_id: str) -> int:
        """How many teams a workspace has."""
        ...

    def teams_led_by(self, workspace_id: str, user_id: str) -> list[Team]:
        """The teams a person leads, in channel order (an indexed lookup)."""
        ...

    def teams_with_pulse_due(self, now: datetime | None = None) -> list[Team]:
        """Teams whose pulse is on and whose next run is at or before ``now`` (or not
        planned yet): the scheduler's question every tick, answered without reading the
        other teams."""
        ...


class RoundStore(Protocol):
    """A team's rounds, from opening to results posted."""

    def open_round(
        self,
        workspace_id: str,
        channel_id: str,
        *,
        kind: RoundKind = "diagnostic",
        subject: str | None = None,
        invited: Iterable[str] = (),
        item_ids: Iterable[str] = (),
        closes_at: datetime | None = None,
        pulse_number: int | None = None,
        at: datetime | None = None,
        outbox: OutboxOf | None = None,
    ) -> Round:
        """Open a new round; RoundAlreadyOpenError (carrying it) if the team has one.
        ``outbox(round)`` is queued with it (the invitations, an announcement)."""
        ...

    def get_round(self, round_id: str) -> Round | None: ...

    def open_round_for(self, workspace_id: str, channel_id: str) -> Round | None: ...

    def open_rounds(self) -> list[Round]:
        """Every open round, oldest first."""
        ...

    def due_rounds(self, now: datetime | None = None) -> list[Round]:
        """Open rounds whose closing time has come."""
        ...

    def rounds_for_user(self, workspace_id: str, user_id: str) -> list[Round]:
        """Open rounds in a workspace to which the user is invited, oldest first."""
        ...

    def teams_of_member(self, workspace_id: str, user_id: str) -> list[str]:
        """Channels of the teams whose rounds, open or closed, invited the user (the
        people a team asked are its members; "forget me" ends that), in channel order."""
        ...

    def rounds_awaiting_results(self) -> list[Round]:
        """Closed rounds whose results were not posted yet (say, after a crash)."""
        ...

    def list_rounds(self, workspace_id: str, channel_id: str) -> list[Round]:
        """Every round of a team, oldest first."""
        ...

    def add_invited(self, round_id: str, user_ids: Iterable[str], *,
                    outbox: OutboxOf | None = None) -> Round:
        """Add members to an open round's invitation list (each kept once, in order),
        queueing ``outbox(round)`` with them."""
        ...

    def close_round(self, round_id: str, at: datetime | None = None, *,
                    outbox: OutboxOf | None = None) -> bool:
        """Close an open round; True only for the call that closed it, which alone
        queues ``outbox(round)`` (the results post) with the close."""
        ...

    def mark_results_posted(self, round_id: str, at: datetime | None = None) -> bool:
        """Record that results went out; True only the first time."""
        ...

    def mark_reminder_sent(self, round_id: str, at: datetime | None = None, *,
                           outbox: OutboxOf | None = None) -> bool:
        """Record that the round's reminders are under way; True only the first time,
        which alone queues ``outbox(round)`` (one reminder per member) with the mark."""
        ...


class FanOutProgress(Protocol):
    """Which members an open round's invitation and reminder DMs reached, so a restart
    resumes a fan-out instead of starting it again (keyed by the user id the DM needs)."""

    def mark_invitation_sent(self, round_id: str, user_id: str,
                             at: datetime | None = None) -> bool:
        """True the first time this member's invitation is recorded."""
        ...

    def invitations_sent(self, round_id: str) -> frozenset[str]: ...

    def mark_reminder_sent_to(self, round_id: str, user_id: str,
                              at: datetime | None = None) -> bool:
        """True the first time this member's reminder is recorded."""
        ...

    def reminders_sent(self, round_id: str) -> frozenset[str]: ...


class ResponseStore(Protocol):
    """What respondents give (answers, checklists) and where they are in a round; filed
    under pseudonyms, so the stored answers do not say who gave them."""

    def record_answers(self, round_id: str, user_id: str, answers: Mapping[str, int | None],
                       at: datetime | None = None) -> int:
        """Store several answers of one respondent at once; returns how many changed."""
        ...

    def answer_and_advance(self, progress: Progress, item_id: str, score: int | None,
                           at: datetime | None = None, *,
                           expected_position: int | None = None,
                           claim: RequestClaim | None = None) -> Progress:
        """Store an answer and the respondent's next position together (both or neither).

        With ``expected_position`` (the position the respondent was at when they clicked)
        the write happens only if that is still their stored position and ``item_id`` is
        the question there; otherwise StalePositionError carries where they are now.
        With ``claim`` (the click's request, see ``RequestClaims``), the claim is saved in
        the same write, or RepeatedRequestError is raised first when it is taken already;
        a write that is refused or fails saves no claim. ``finished`` and
        ``checklist_done`` never go back to False (a flag stored True stays).
        """
        ...

    def answers_of(self, round_id: str, user_id: str) -> Answers: ...

    def all_answers(self, round_id: str, *, finished_only: bool = False) -> list[Answers]:
        """Every respondent's answers, one dict each, with no way to tell who is who."""
        ...

    def record_checklist(self, round_id: str, user_id: str, barriers: Sequence[str],
                         reasons: Sequence[str], at: datetime | None = None) -> None:
        """Store a respondent's barrier and start-reason ticks (replacing earlier ones)."""
        ...

    def checklist_of(self, round_id: str, user_id: str) -> Checklist | None: ...

    def all_checklists(self, round_id: str) -> list[Checklist]: ...

    def get_progress(self, round_id: str, user_id: str) -> Progress | None:
        """Where a respondent is in a round; None if they have not started."""
        ...

    def save_progress(self, progress: Progress, *,
                      expected_position: int | None = None,
                      claim: RequestClaim | None = None) -> Progress:
        """Store a respondent's position; finished=True also records participation.
        With ``expected_position``, only over that stored position (else
        StalePositionError carries where they are now); ``claim`` as in
        ``answer_and_advance``, and flags stored True stay True."""
        ...

    def mark_finished(self, round_id: str, user_id: str, at: datetime | None = None) -> bool:
        """Record that a respondent finished; True the first time."""
        ...

    def has_finished(self, round_id: str, user_id: str) -> bool: ...

    def finished_count(self, round_id: str) -> int: ...

    def started_count(self, round_id: str) -> int:
        """Respondents who answered something, have a position, or finished."""
        ...

    def unfinished_invitees(self, round_id: str) -> tuple[str, ...]:
        """Invited members who have not finished (for reminders), in invitation order."""
        ...


class SnapshotStore(Protocol):
    """Closed rounds' aggregates, kept so history and trends never need raw answers."""

    def save_snapshot(self, snapshot: ResultSnapshot) -> None:
        """Keep a round's aggregates (replacing an earlier snapshot of it)."""
        ...

    def get_snapshot(self, round_id: str) -> ResultSnapshot | None: ...

    def list_snapshots(self, workspace_id: str, channel_id: str) -> list[ResultSnapshot]:
        """A team's snapshots, oldest first."""
        ...


class CommitmentStore(Protocol):
    """What a team took on after its results, who owns it and how it went.

    Team content, not answers: stored under user ids and shown to the team. Numbers count
    from 1 per team in the order planned; the due-date DM is claimed once per commitment
    (``mark_commitment_reminded``), and a new ``remind_at`` arms it again.
    """

    def add_commitments(self, workspace_id: str, channel_id: str, round_id: str,
                        plans: Sequence[CommitmentPlan], *, planned_by: str,
                        at: datetime | None = None) -> list[Commitment]:
        """Store a lead's plans for a round of the team together (all or none), each with a
        new id and the team's next number, state "open". UnknownRoundError when the round
        is not the team's."""
        ...

    def get_commitment(self, commitment_id: str) -> Commitment | None: ...

    def commitments_of_team(self, workspace_id: str, channel_id: str) -> list[Commitment]:
        """A team's commitments in the order planned (by number)."""
        ...

    def commitments_owned_by(self, workspace_id: str, user_id: str) -> list[Commitment]:
        """The commitments a user owns in a workspace, in channel and planned order."""
        ...

    def due_commitments(self, now: datetime | None = None) -> list[Commitment]:
        """Commitments still under way whose due-date DM is due and not claimed yet,
        earliest first."""
        ...

    def mark_commitment_reminded(self, commitment_id: str, at: datetime | None = None) -> bool:
        """Claim the due-date DM; True for exactly one caller (until it is armed again)."""
        ...

    def update_commitment(self, commitment_id: str, *, text: str | None = None,
                          owner: str | None = None, due: date | None = None,
                          remind_at: datetime | None = None,
                          state: CommitmentState | None = None,
                          at: datetime | None = None) -> Commitment:
        """Change what is given (None: unchanged); a ``remind_at`` other than the stored one
        arms the due-date DM again. UnknownCommitmentError when there is none."""
class LastResults(Protocol):
    """Each team's last closed diagnostic in short, written when it closes, so overviews
    (``/wi3 status all``, App Home) read one small record per team, never snapshots."""

    def save_last_result(self, last: LastResult) -> bool:
        """Keep a team's last result, unless a later one (``LastResult.order``) is kept
        already; True if this one is kept now."""
        ...

    def last_results(
        self, workspace_id: str, channel_ids: Iterable[str] | None = None
    ) -> dict[str, LastResult]:
        """The kept last results of a workspace's teams (of these channels, if given),
        by channel id; teams without one are left out."""
        ...


class HomeReads(Protocol):
    """What App Home shows a person, in one reading (each part as its own method gives
    it)."""

    def home_of(self, workspace_id: str, user_id: str) -> HomeReading:
        """The person's open rounds with their progress, the teams they lead with their
        last results, their commitments and those of each team concerned."""
        ...


class RequestClaims(Protocol):
    """Requests already handled (Slack retries, double clicks), for a while.

    A click that writes passes its ``RequestClaim`` to that write instead
    (``answer_and_advance``, ``save_progress``): one durable write per click. A key is
    claimed one way, never both: a claim given to a write is checked by the writes that
    bring the same key (TinyDB keeps it in the round's file), not by ``claim``."""

    def claim(self, key: str, ttl_seconds: float) -> bool:
        """True for exactly one caller per key within ``ttl_seconds``."""
        ...


class UserCache(Protocol):
    """What Slack told us about a user, to avoid asking on every message."""

    def get_user(self, workspace_id: str, user_id: str) -> UserInfo | None: ...

    def save_user(self, info: UserInfo) -> UserInfo:
        """Cache a user's profile; fetched_at defaults to now."""
        ...

    def save_profiles(self, profiles: Iterable[UserInfo]) -> None:
        """Cache many people's locale and time zone at once (a read of the workspace's
        directory), in a few writes whatever their number; fetched_at defaults to now.
        A cached DM channel stays."""
        ...


class HomeViews(Protocol):
    """What each person's App Home shows, as a fingerprint of the view last published to
    them: a Home that would not change is not published again (``views.publish`` is
    rate-limited per workspace), whichever instance serves the next open."""

    def published_home(self, workspace_id: str, user_id: str) -> str | None:
        """The fingerprint of the view last published to the person, or None."""
        ...

    def remember_home(self, workspace_id: str, user_id: str, fingerprint: str) -> None:
        """Slack now shows the person the view with this fingerprint."""
        ...


class PrivacyStore(Protocol):
    """Forget-me and the retention of raw answers."""

    def forget_user(self, workspace_id: str, user_id: str) -> int:
        """Remove every trace of a user from the workspace's data: answers, checklists,
        progress, participation, cached profile and Home, lead roles, their user id in
        invitation lists (where a ``forgotten:N`` stand-in keeps the counts right), and
        their name on commitments (which stay, as the team's, without an owner).
        Snapshots stay. Returns how many answers were removed."""
        ...

    def purge_answers_older_than(self, days: int, now: datetime | None = None) -> int:
        """Delete raw answers, checklists and progress of rounds opened more than ``days``
        ago; snapshots and participation stay. Returns how many answers went."""
        ...

    def purge_expired(self, now: datetime | None = None) -> int:
        """Apply the store's retention setting, drop expired request claims, and drop
        outbox messages finished more than ``OUTBOX_KEEP_DAYS`` ago."""
        ...


class Outbox(Protocol):
    """Messages that must go out once: queued with the change that causes them, handed to
    one dispatcher at a time, and recorded when Slack took them."""

    def enqueue(self, messages: Iterable[Outgoing], at: datetime | None = None) -> int:
        """Queue messages; one whose key is queued or sent already stays as it is.
        Returns how many were new."""
        ...

    def claim_next(self, owner: str, lease_seconds: float,
                   now: datetime | None = None) -> Claim | None:
        """The longest-waiting due message that nobody holds, or whose holder's claim has
        expired (then it comes ``in_doubt``), now held by ``owner`` for ``lease_seconds``;
        None if nothing is due."""
        ...

    def record_sent(self, claim: Claim, receipt: str | None, at: datetime | None = None, *,
                    then: Iterable[Outgoing] = ()) -> bool:
        """Slack took it (``receipt``: its ts or file id): the message is sent, with what
        that means for its kind (``INVITATION``, ``REMINDER``, ``RESULTS``), and ``then``
        is queued, all in one write. False if it was recorded as sent already."""
        ...

    def record_not_sent(self, claim: Claim, *, retry_at: datetime | None, in_doubt: bool,
                        problem: str | None = None, counts: bool = True) -> bool:
        """It did not go out (``in_doubt``: it may have); try again at ``retry_at``, or
        never (None: failed). ``counts=False`` gives the attempt back (it never started).
        False if the claim was no longer this one (another dispatcher took it over)."""
        ...

    def record_void(self, claim: Claim) -> bool:
        """Nothing to send any more (the round it was about has moved on): forget the
        message, so its key may be queued again. False if the claim was no longer this one."""
        ...

    def outbox_state(self, key: str) -> OutboxState | None:
        """Where a message stands (None: not queued, or voided, or purged)."""
        ...

    def outbox_counts(self) -> dict[str, int]:
        """How many messages are in each state (for health, tests and figures)."""
        ...

    def outbox_backlog(self, now: datetime | None = None) -> tuple[OutboxBacklog, ...]:
        """What waits to be sent, per kind (kinds with nothing waiting are left out):
        cheap enough to ask at every metrics scrape."""
        ...


class Leases(Protocol):
    """Who does a piece of shared work (a scheduler job) for now: one holder at a time,
    and another takes over once the holder stops renewing."""

    def hold_lease(self, name: str, owner: str, seconds: float,
                   now: datetime | None = None) -> bool:
        """Take the lease, or renew it when ``owner`` holds it; True while ``owner``
        holds it for the next ``seconds``."""
        ...

    def release_lease(self, name: str, owner: str) -> None:
        """Give the lease up (when stopping), so another can take it at once."""
        ...


class RateBudgets(Protocol):
    """A sending pace per workspace, shared by everyone sending there."""

    def change_pace(self, workspace_id: str,
                    change: Callable[[Pace | None], tuple[Pace, T]]) -> T:
        """Apply ``change`` to the workspace's pace (None before the first) with nobody
        else changing it meanwhile; keep the pace it returns, return what else it returns."""
        ...


class WorkspaceLifecycle(Protocol):
    """Workspaces that removed wi3: their work stops at once, and their data goes after a
    grace period unless wi3 is installed there again first."""

    def mark_uninstalled(self, workspace_id: str, at: datetime | None = None) -> bool:
        """Record that the workspace removed wi3; True the first time (a repeated event
        keeps the first moment)."""
        ...

    def mark_installed(self, workspace_id: str) -> bool:
        """wi3 is installed in the workspace (again): its data stays. True if it had been
        marked uninstalled."""
        ...

    def uninstalled_workspaces(self) -> Mapping[str, datetime]:
        """Workspaces marked uninstalled whose data is still kept, with the moment."""
        ...

    def purge_uninstalled(self, before: datetime) -> tuple[str, ...]:
        """Delete everything kept about each workspace marked uninstalled at or before
        ``before``: teams, rounds, answers, snapshots, the user cache, the workspace and
        its mark. Returns their ids. A workspace installed again meanwhile is kept."""
        ...


class StoreHealth(Protocol):
    """The store as a whole: is it writing, and letting it go."""

    def write_problem(self) -> str | None:
        """None while writes succeed; else one line from the most recent failed write,
        until a later write succeeds."""
        ...

    def write_failures(self) -> int:
        """How many writes failed since the store was opened (for metrics)."""
        ...

    def close(self) -> None:
        """Release the store (its directory lock, its database connections)."""
        ...


class Store(
    TeamStore,
    RoundStore,
    FanOutProgress,
    ResponseStore,
    SnapshotStore,
    CommitmentStore,
    LastResults,
    HomeReads,
    RequestClaims,
    UserCache,
    HomeViews,
    PrivacyStore,
    WorkspaceLifecycle,
    Outbox,
    Leases,
    RateBudgets,
    StoreHealth,
    Protocol,
):
    """Everything wi3 keeps: what a flow, service or listener is given."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
