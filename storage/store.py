"""The Store: everything wi3 keeps, behind methods in the product's words.

It is assembled from one part per concern, each in its own module, over ``StoreCore``
(which owns the directory, its files and locks)::

    workspaces  workspaces and team settings       rounds     round lifecycle, snapshots
    responses   answers, progress, participation   caches     user cache, request keys
    privacy     forget-me, retention               backup     export / import
"""

from __future__ import annotations

from storage.backup import BackupMixin
from storage.caches import CachesMixin
from storage.core import DEFAULT_RETENTION_DAYS, retention_days_from_env, utc_now
from storage.privacy import PrivacyMixin
from storage.responses import ResponsesMixin
from storage.rounds import RoundsMixin
from storage.workspaces import WorkspacesMixin


class Store(
    WorkspacesMixin,
    RoundsMixin,
    ResponsesMixin,
    CachesMixin,
    PrivacyMixin,
    BackupMixin,
):
    """Thread-safe persistence for one data directory, owned by this process.

    ``Store.open(data_dir, clock=..., retention_days=...)`` takes the directory's lock,
    validates every file, runs migrations and purges expired answers; use it as a context
    manager or call ``close()``. Errors are ``StorageError`` subclasses with one-line
    messages.
    """


__all__ = ["DEFAULT_RETENTION_DAYS", "Store", "retention_days_from_env", "utc_now"]
