"""The records the storage layer hands out: frozen dataclasses in the product's words.

No TinyDB type ever leaves the package; callers see only these. Times are timezone-aware
datetimes (stored as ISO 8601 UTC). Validation lives here so a bad value is refused where
it is made, not discovered later in a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal, TypedDict

from model import LANGS, Lang
from model import MIN_RESPONSES_FLOOR as MIN_RESPONSES_FLOOR
from storage.ids import is_slack_id

RoundKind = Literal["diagnostic", "pulse"]
RoundStatus = Literal["open", "closed"]
Frequency = Literal["weekly", "biweekly", "monthly"]
CommitmentState = Literal["open", "working", "done", "dropped"]

ROUND_KINDS: tuple[str, ...] = ("diagnostic", "pulse")
ROUND_STATUSES: tuple[str, ...] = ("open", "closed")
FREQUENCIES: tuple[str, ...] = ("weekly", "biweekly", "monthly")
COMMITMENT_STATES: tuple[str, ...] = ("open", "working", "done", "dropped")
ACTIVE_STATES: tuple[str, ...] = ("open", "working")
"""States of a commitment still under way: its owner gets the due-date DM."""
MAX_COMMITMENT_TEXT = 300
"""Characters of one commitment ("what we will do"), so a list of them stays readable."""
DEFAULT_RETENTION_DAYS = 730
"""How long raw answers are kept unless WI3_RETENTION_DAYS says otherwise."""

SCORES = frozenset({1, 2, 3, 4, 5})
"""The Likert scale, 1 (strongly disagree) to 5 (strongly agree); None means don't know."""

DEFAULT_PULSE_WEEKDAY = 0
"""Monday: when a pulse runs unless the lead picks another day."""
DEFAULT_PULSE_TIME = "10:00"
"""When a pulse runs unless the lead picks another time (the team's local time)."""

_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def require_aware(value: datetime | None, what: str) -> None:
    """Refuse naive datetimes: a time without a zone cannot be stored as UTC honestly."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")


def validate_score(score: object) -> None:
    """1..5 on the Likert scale, or None for "don't know"."""
    if score is not None and (isinstance(score, bool) or score not in SCORES):
        raise ValueError(f"score must be 1 to 5 or None (don't know); got {score!r}")


def check_answers(round_id: str, item_ids: Sequence[str],
                  answers: Mapping[str, int | None]) -> None:
    """Refuse answers that cannot belong to a round: bad scores, unknown items."""
    for item_id, score in answers.items():
        validate_score(score)
        if not isinstance(item_id, str) or not item_id:
            raise ValueError(f"item id must be a non-empty string; got {item_id!r}")
        if item_ids and item_id not in item_ids:
            raise ValueError(f"item {item_id!r} is not part of round {round_id}")


def is_current(stored_position: int, expected_position: int, item_ids: Sequence[str],
               item_id: str) -> bool:
    """Whether an answer to ``item_id``, clicked at ``expected_position``, is an answer to
    the question the respondent is at (the rule ``answer_and_advance`` enforces)."""
    if stored_position != expected_position:
        return False
    if not item_ids:
        return True
    return expected_position < len(item_ids) and item_ids[expected_position] == item_id


def _require_choice(value: str, choices: tuple[str, ...], what: str) -> None:
    if value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}; got {value!r}")


def _freeze(obj: object, name: str, value: object) -> None:
    """Set a field on a frozen dataclass during __post_init__ (normalising input)."""
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Workspace:
    """A Slack workspace (Slack's team) or Enterprise Grid org that installed wi3."""

    id: str
    enterprise_id: str | None = None
    name: str | None = None
    bot_user_id: str | None = None
    installed_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.installed_at, "installed_at")


@dataclass(frozen=True)
class PulseSchedule:
    """When a team's recurring pulse check runs, and where the scheduler left off."""

    frequency: Frequency = "weekly"
    weekday: int = DEFAULT_PULSE_WEEKDAY
    """0 = Monday ... 6 = Sunday."""
    time: str = DEFAULT_PULSE_TIME
    """Local time of day, "HH:MM", in the team's timezone."""
    enabled: bool = True
    next_run_at: datetime | None = None
    last_period_key: str | None = None
    """Key of the last period a pulse was opened for, so a period never gets two pulses."""

    def __post_init__(self) -> None:
        _require_choice(self.frequency, FREQUENCIES, "pulse frequency")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"pulse weekday must be 0 (Monday) to 6 (Sunday); got {self.weekday}")
        if not _HH_MM.fullmatch(self.time):
            raise ValueError(f'pulse time must be "HH:MM" (24-hour); got {self.time!r}')
        require_aware(self.next_run_at, "next_run_at")


class TeamSettings(TypedDict, total=False):
    """The team settings ``TeamStore.update_team`` changes one by one (leads and the pulse
    schedule have their own updates)."""

    language: Lang
    min_responses: int
    subject: str | None
    round_days: int
    auto_close: bool
    timezone: str | None


TEAM_SETTINGS: tuple[str, ...] = tuple(TeamSettings.__annotations__)


@dataclass(frozen=True)
class Team:
    """The group of people behind one channel, keyed by (workspace_id, channel_id)."""

    workspace_id: str
    channel_id: str
    leads: tuple[str, ...] = ()
    language: Lang = "en"
    min_responses: int = MIN_RESPONSES_FLOOR
    subject: str | None = None
    """What the diagnostic is about ("our wiki"); None means the organisation as a whole."""
    round_days: int = 7
    auto_close: bool = False
    timezone: str | None = None
    pulse: PulseSchedule | None = None
    created_at: datetime | None = None
    """Filled in by the store on first save."""

    def __post_init__(self) -> None:
        _freeze(self, "leads", tuple(dict.fromkeys(self.leads)))
        _require_choice(self.language, LANGS, "language")
        if self.min_responses < MIN_RESPONSES_FLOOR:
            raise ValueError(
                f"min_responses must be at least {MIN_RESPONSES_FLOOR}; got {self.min_responses}"
            )
        if self.round_days < 1:
            raise ValueError(f"round_days must be at least 1; got {self.round_days}")
        require_aware(self.created_at, "created_at")


def with_settings(team: Team, settings: TeamSettings) -> Team:
    """``team`` with the named settings changed (checked like a new team's); ValueError
    for a name that is not in ``TEAM_SETTINGS`` or a value a team cannot have."""
    unknown = set(settings) - set(TEAM_SETTINGS)
    if unknown:
        raise ValueError(f"not a team setting: {', '.join(sorted(unknown))}")
    return replace(team, **settings)


@dataclass(frozen=True)
class Round:
    """One diagnostic or pulse run for a team, from opening to closing."""

    id: str
    workspace_id: str
    channel_id: str
    kind: RoundKind
    subject: str | None
    status: RoundStatus
    opened_at: datetime
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    invited: tuple[str, ...] = ()
    """User ids of the members asked to answer, in invitation order. A member who asked to
    be forgotten stays counted as ``forgotten:N`` (see ``storage.pseudonyms``)."""
    item_ids: tuple[str, ...] = ()
    pulse_number: int | None = None
    results_posted_at: datetime | None = None
    reminder_sent_at: datetime | None = None

    def __post_init__(self) -> None:
        _freeze(self, "invited", tuple(dict.fromkeys(self.invited)))
        _freeze(self, "item_ids", tuple(self.item_ids))
        _require_choice(self.kind, ROUND_KINDS, "round kind")
        _require_choice(self.status, ROUND_STATUSES, "round status")
        for name in ("opened_at", "closes_at", "closed_at", "results_posted_at",
                     "reminder_sent_at"):
            require_aware(getattr(self, name), name)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Progress:
    """Where one respondent is in a round, so the conversation resumes after a restart."""

    round_id: str
    user: str
    position: int = 0
    """Index of the current question in the round's item_ids."""
    finished: bool = False
    checklist_done: bool = False
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.position < 0:
            raise ValueError(f"position must be 0 or more; got {self.position}")
        require_aware(self.updated_at, "updated_at")


@dataclass(frozen=True)
class RequestClaim:
    """A request to remember as handled (``RequestClaims``), given to the write that does
    what the request asks so both are saved together: a click then costs one durable
    write, and a click whose write failed is not remembered (it may be tried again)."""

    key: str
    ttl_seconds: float

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("a request claim needs a key")
        if not self.ttl_seconds > 0:
            raise ValueError(f"ttl_seconds must be positive; got {self.ttl_seconds}")


@dataclass(frozen=True)
class Checklist:
    """One respondent's ticks on the barrier checklist and the why-did-we-start question."""

    barriers: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserInfo:
    """What we cached about a Slack user, to avoid asking Slack on every message."""

    workspace_id: str
    user_id: str
    dm_channel: str | None = None
    locale: str | None = None
    timezone: str | None = None
    fetched_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.fetched_at, "fetched_at")


@dataclass(frozen=True)
class ResultSnapshot:
    """Aggregates of a closed round, kept so history and trends never need raw answers."""

    round_id: str
    workspace_id: str
    channel_id: str
    kind: RoundKind
    subject: str | None
    closed_at: datetime
    invited_count: int
    responses: int
    result: Mapping[str, Any] = field(default_factory=dict)
    """JSON-safe aggregate (the model's TeamResult.to_dict())."""
    pulse_number: int | None = None

    def __post_init__(self) -> None:
        _require_choice(self.kind, ROUND_KINDS, "round kind")
        require_aware(self.closed_at, "closed_at")
        if self.responses < 0 or self.invited_count < 0:
            raise ValueError("responses and invited_count must be 0 or more")


def _check_commitment_text(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValueError("a commitment needs a text saying what will be done")
    if len(cleaned) > MAX_COMMITMENT_TEXT:
        raise ValueError(f"a commitment's text is at most {MAX_COMMITMENT_TEXT} characters; "
                         f"got {len(cleaned)}")
    return cleaned


def _check_owner(owner: str | None) -> None:
    if owner is not None and not is_slack_id(owner):
        raise ValueError(f"a commitment's owner must be a Slack user id; got {owner!r}")


@dataclass(frozen=True)
class CommitmentPlan:
    """One action a lead takes on for the team, before it is stored: what, who, by when.

    ``remind_at`` is the moment of the due-date DM (the due date's morning where the
    owner is), worked out by the flow that knows the owner's timezone."""

    text: str
    owner: str
    due: date
    remind_at: datetime

    def __post_init__(self) -> None:
        _freeze(self, "text", _check_commitment_text(self.text))
        _check_owner(self.owner)
        require_aware(self.remind_at, "remind_at")


@dataclass(frozen=True)
class Commitment:
    """An action a team took on after a round's results: team content, visible to the
    team (never an answer). Numbered per team in the order planned."""

    id: str
    workspace_id: str
    channel_id: str
    round_id: str
    """The round whose results the team was acting on."""
    number: int
    text: str
    owner: str | None
    """The user who took it on; None once they asked to be forgotten."""
    due: date
    remind_at: datetime
    state: CommitmentState = "open"
    planned_by: str | None = None
    planned_at: datetime | None = None
    updated_at: datetime | None = None
    reminded_at: datetime | None = None
    """When the due-date DM was claimed; None while it is still to go out."""

    def __post_init__(self) -> None:
        _freeze(self, "text", _check_commitment_text(self.text))
        _check_owner(self.owner)
        _check_owner(self.planned_by)
        _require_choice(self.state, COMMITMENT_STATES, "commitment state")
        if self.number < 1:
            raise ValueError(f"commitments are numbered from 1; got {self.number}")
        for name in ("remind_at", "planned_at", "updated_at", "reminded_at"):
            require_aware(getattr(self, name), name)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


def changed_commitment(current: Commitment, *, text: str | None, owner: str | None,
                       due: date | None, remind_at: datetime | None,
                       state: CommitmentState | None, at: datetime) -> Commitment:
    """``current`` with what is given changed (None: unchanged), as both backends store an
    update: a due-date DM time other than the stored one arms the DM again."""
    rearmed = remind_at is not None and remind_at != current.remind_at
    return replace(
        current,
        text=current.text if text is None else text,
        owner=current.owner if owner is None else owner,
        due=current.due if due is None else due,
        remind_at=current.remind_at if remind_at is None else remind_at,
        state=current.state if state is None else state,
        reminded_at=None if rearmed else current.reminded_at,
        updated_at=at,
    )
# -- the outbox: messages that must go out once ---------------------------------------------

INVITATION = "invitation"
"""A round's invitation DM to one member. Its receipt also records the invitation as sent
(``FanOutProgress.invitations_sent``)."""
REMINDER = "reminder"
"""A pulse's reminder DM to one member; its receipt also records the reminder as sent."""
RESULTS = "results"
"""A closed round's results post in its channel; its receipt also marks the results posted."""
OutboxState = Literal["pending", "sending", "sent", "failed"]
OUTBOX_KEEP_DAYS = 14
"""How long a sent (or failed) message's key is kept, so queueing it again does nothing."""


@dataclass(frozen=True)
class Outgoing:
    """One message to send once, queued with the state change that causes it.

    ``key`` names the message: a second one queued with the same key is the same message
    (left as it is). ``kind`` says how the bot turns it into a Slack call (``bot.outbox``);
    ``message`` carries a rendered message for kinds sent as written, while kinds such as
    ``INVITATION`` are rendered when they go out, from the round as it is then. ``user_id``
    is the person a DM goes to, ``channel_id`` the channel a post goes to.
    """

    key: str
    kind: str
    workspace_id: str
    round_id: str | None = None
    user_id: str | None = None
    channel_id: str | None = None
    message: Mapping[str, Any] | None = None
    due_at: datetime | None = None
    """Not before this time (None: at once)."""

    def __post_init__(self) -> None:
        if not self.key or not self.kind:
            raise ValueError("an outgoing message needs a key and a kind")
        require_aware(self.due_at, "due_at")


@dataclass(frozen=True)
class OutboxBacklog:
    """What waits in the outbox for one kind of message, for watching it.

    ``due``: messages whose time has come and that are not sent yet (waiting for a
    sender, being sent, or waiting to be tried again); ``scheduled``: queued for later
    and never tried. ``oldest_due_since``: since when the longest-waiting due message has
    been due (None: nothing is due).
    """

    kind: str
    due: int
    scheduled: int
    oldest_due_since: datetime | None


@dataclass(frozen=True)
class Claim:
    """A queued message one dispatcher holds, for a while, to send it.

    ``in_doubt``: an earlier claim ended without a receipt and without a known failure (its
    holder died, or Slack's answer was lost), so the message may already be in Slack: ask
    Slack before sending it again. ``first_claimed_at`` bounds how far back to look.
    """

    outgoing: Outgoing
    token: str
    attempts: int
    """Claims before this one that counted (a send tried)."""
    in_doubt: bool
    first_claimed_at: datetime
    claimed_until: datetime
    came_due_at: datetime | None = None
    """When the message came due for this claim (an earlier claim's lease ran out, or its
    retry time came): earlier holders' sends had ended by then, so a look at Slack begun
    after it sees them all (delivery checks share one look per conversation)."""

    def __post_init__(self) -> None:
        require_aware(self.first_claimed_at, "first_claimed_at")
        require_aware(self.claimed_until, "claimed_until")
        if self.came_due_at is not None:
            require_aware(self.came_due_at, "came_due_at")


@dataclass(frozen=True)
class Pace:
    """A workspace's shared sending budget (``RateBudgets``): opaque to storage, kept for
    whoever paces sends (``bot.throttle``), in seconds since the epoch."""

    next_free: float
    paused_until: float
    rate: float
    recovered_at: float
    pauses: int = 0
@dataclass(frozen=True)
class LastResult:
    """A team's last closed diagnostic in short: what overviews show of it, written when
    it closed (``LastResults``), so they never read the team's snapshots."""

    workspace_id: str
    channel_id: str
    round_id: str
    closed_at: datetime
    summary: Mapping[str, Any] = field(default_factory=dict)
    """JSON-safe; its content is ``conversations.results.summary``'s business."""

    def __post_init__(self) -> None:
        require_aware(self.closed_at, "closed_at")

    @property
    def order(self) -> tuple[datetime, str]:
        """Which of two results of a team is the later one."""
        return (self.closed_at, self.round_id)


@dataclass(frozen=True)
class InvitedRound:
    """An open round a person is invited to, and how far they are in it (App Home)."""

    round: Round
    answered: int
    finished: bool


@dataclass(frozen=True)
class HomeReading:
    """Everything App Home shows a person, read at once (``HomeReads.home_of``): one
    request to the database instead of a statement per round, team and commitment list."""

    rounds: tuple[InvitedRound, ...] = ()
    """The open rounds they are invited to (as ``rounds_for_user`` orders them)."""
    led: tuple[Team, ...] = ()
    """The teams they lead (as ``teams_led_by``)."""
    last_results: Mapping[str, LastResult] = field(default_factory=dict)
    """The kept last results of the teams they lead, by channel id."""
    owned: tuple[Commitment, ...] = ()
    """The commitments they own (as ``commitments_owned_by``)."""
    commitments: Mapping[str, tuple[Commitment, ...]] = field(default_factory=dict)
    """By channel id, each commitment of the teams of their rounds, the teams they lead
    and the teams of the commitments they own (as ``commitments_of_team``); a channel
    with none has an empty tuple."""
