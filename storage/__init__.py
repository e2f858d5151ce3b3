"""wi3's persistence: crash-safe, thread-safe, partitioned TinyDB files behind a domain API.

Import what you need from here; nothing TinyDB-shaped leaves this package::

    from storage import Store, Team, Round, StorageError
"""

from storage.check import CheckReport, check
from storage.errors import (
    CorruptFileError,
    RoundAlreadyOpenError,
    RoundClosedError,
    SchemaVersionError,
    StorageError,
    StorageWriteError,
    StoreClosedError,
    StoreLockedError,
    UnknownRoundError,
)
from storage.records import (
    MIN_RESPONSES_FLOOR,
    Checklist,
    Progress,
    PulseSchedule,
    ResultSnapshot,
    Round,
    Team,
    UserInfo,
    Workspace,
)
from storage.store import DEFAULT_RETENTION_DAYS, Store, retention_days_from_env

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "MIN_RESPONSES_FLOOR",
    "CheckReport",
    "Checklist",
    "CorruptFileError",
    "Progress",
    "PulseSchedule",
    "ResultSnapshot",
    "Round",
    "RoundAlreadyOpenError",
    "RoundClosedError",
    "SchemaVersionError",
    "StorageError",
    "StorageWriteError",
    "Store",
    "StoreClosedError",
    "StoreLockedError",
    "Team",
    "UnknownRoundError",
    "UserInfo",
    "Workspace",
    "check",
    "retention_days_from_env",
]
