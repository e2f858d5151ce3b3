"""The TinyDB store: everything wi3 keeps, in files of one data directory.

It is assembled from one part per concern, each in its own module, over ``StoreCore``
(which owns the directory, its files and locks)::

    workspaces  workspaces and team settings       rounds     round lifecycle, snapshots
    responses   answers, progress, participation   caches     user cache, request keys
    summaries   each team's last result in short   privacy    forget-me, retention
    backup      export / import
    lifecycle   uninstall marks, purging a workspace
    commitments what teams took on (next steps)
    outbox      messages to send once (sharded files); leases, rate budgets (memory)
"""

from __future__ import annotations

from storage.home import home_by_parts
from storage.records import HomeReading
from storage.tinydb.backup import BackupMixin
from storage.tinydb.caches import CachesMixin
from storage.tinydb.commitments import CommitmentsMixin
from storage.tinydb.lifecycle import LifecycleMixin
from storage.tinydb.outbox import OutboxMixin
from storage.tinydb.privacy import PrivacyMixin
from storage.tinydb.responses import ResponsesMixin
from storage.tinydb.rounds import RoundsMixin
from storage.tinydb.summaries import SummariesMixin
from storage.tinydb.workspaces import WorkspacesMixin


class TinyDBStore(
    WorkspacesMixin,
    RoundsMixin,
    ResponsesMixin,
    SummariesMixin,
    CachesMixin,
    CommitmentsMixin,
    PrivacyMixin,
    LifecycleMixin,
    BackupMixin,
    OutboxMixin,
):
    """Thread-safe persistence for one data directory, owned by this process.

    ``TinyDBStore.open(data_dir, clock=..., retention_days=...)`` takes the directory's
    lock, reads the index and the round directory, purges expired answers (other files are
    read and validated when first used); use it as a context manager or call ``close()``.
    Errors are ``StorageError`` subclasses with one-line messages.
    """

    def home_of(self, workspace_id: str, user_id: str) -> HomeReading:
        """App Home's reading: each part from memory or a cached file, one after another."""
        return home_by_parts(self, workspace_id, user_id)
