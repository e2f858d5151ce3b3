"""wi3's persistence: protocols in the product's words over two backends.

Depend on the protocols, open through the factory::

    from storage import Store, Team, Round, StorageError, open_store

    with open_store(data_dir) as store:                        # TinyDB files (default)
        ...
    store = open_store(database_url=url, pseudonym_key=key)  # PostgreSQL

``storage.tinydb`` and ``storage.sql`` are the backends; nothing backend-shaped (TinyDB
tables, SQL rows) leaves them. ``python -m storage`` checks, exports, migrates and copies.
"""

from storage.clock import Clock, utc_now
from storage.errors import (
    CorruptFileError,
    RepeatedRequestError,
    RoundAlreadyOpenError,
    RoundClosedError,
    SchemaVersionError,
    StalePositionError,
    StorageError,
    StorageWriteError,
    StoreClosedError,
    StoreLockedError,
    StoreUnavailableError,
    UnknownCommitmentError,
    UnknownRoundError,
)
from storage.factory import is_database_url, open_store
from storage.protocols import (
    Answers,
    CommitmentStore,
    FanOutProgress,
    HomeReads,
    LastResults,
    PrivacyStore,
    RequestClaims,
    ResponseStore,
    RoundStore,
    SnapshotStore,
    Store,
    StoreHealth,
    TeamStore,
    UserCache,
    WorkspaceLifecycle,
)
from storage.records import (
    ACTIVE_STATES,
    COMMITMENT_STATES,
    DEFAULT_PULSE_TIME,
    DEFAULT_PULSE_WEEKDAY,
    DEFAULT_RETENTION_DAYS,
    MAX_COMMITMENT_TEXT,
    MIN_RESPONSES_FLOOR,
    Checklist,
    Commitment,
    CommitmentPlan,
    CommitmentState,
    HomeReading,
    InvitedRound,
    LastResult,
    Progress,
    PulseSchedule,
    RequestClaim,
    ResultSnapshot,
    Round,
    Team,
    UserInfo,
    Workspace,
)
from storage.tinydb.check import CheckReport, check

__all__ = [
    "ACTIVE_STATES",
    "COMMITMENT_STATES",
    "DEFAULT_PULSE_TIME",
    "DEFAULT_PULSE_WEEKDAY",
    "DEFAULT_RETENTION_DAYS",
    "MAX_COMMITMENT_TEXT",
    "MIN_RESPONSES_FLOOR",
    "Answers",
    "CheckReport",
    "Checklist",
    "Clock",
    "Commitment",
    "CommitmentPlan",
    "CommitmentState",
    "CommitmentStore",
    "CorruptFileError",
    "FanOutProgress",
    "HomeReading",
    "HomeReads",
    "InvitedRound",
    "LastResult",
    "LastResults",
    "PrivacyStore",
    "Progress",
    "PulseSchedule",
    "RepeatedRequestError",
    "RequestClaim",
    "RequestClaims",
    "ResponseStore",
    "ResultSnapshot",
    "Round",
    "RoundAlreadyOpenError",
    "RoundClosedError",
    "RoundStore",
    "SchemaVersionError",
    "SnapshotStore",
    "StalePositionError",
    "StorageError",
    "StorageWriteError",
    "Store",
    "StoreClosedError",
    "StoreHealth",
    "StoreLockedError",
    "StoreUnavailableError",
    "Team",
    "TeamStore",
    "UnknownCommitmentError",
    "UnknownRoundError",
    "UserCache",
    "UserInfo",
    "Workspace",
    "WorkspaceLifecycle",
    "check",
    "is_database_url",
    "open_store",
    "utc_now",
]
