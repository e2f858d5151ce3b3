"""The PostgreSQL store: everything wi3 keeps, in one database several instances share.

Assembled like the TinyDB store, one part per concern over ``SQLCore``::

    teams      workspaces and team settings       rounds    round lifecycle, fan-out, snapshots
    responses  answers, progress, participation   caches    user cache, request claims
    summaries  each team's last result in short   privacy   forget-me, retention
    backup     export, counts
    lifecycle  uninstall marks, purging a workspace
    commitments  what teams took on (next steps)
    home       App Home's reading, in three statements
    outbox     messages to send once, leases, rate budgets (instances working together)
"""

from __future__ import annotations

from storage.sql.backup import BackupPart
from storage.sql.caches import CachesPart
from storage.sql.commitments import CommitmentsPart
from storage.sql.home import HomePart
from storage.sql.lifecycle import LifecyclePart
from storage.sql.outbox import OutboxPart
from storage.sql.privacy import PrivacyPart
from storage.sql.responses import ResponsesPart
from storage.sql.rounds import RoundsPart
from storage.sql.summaries import SummariesPart
from storage.sql.teams import TeamsPart


class SQLStore(TeamsPart, RoundsPart, ResponsesPart, SummariesPart, CachesPart, CommitmentsPart,
               HomePart, PrivacyPart, LifecyclePart, BackupPart, OutboxPart):
    """Thread-safe persistence in PostgreSQL, shared by any number of instances.

    ``SQLStore.open(url, pseudonym_key=..., migrate=...)`` connects and checks the schema
    and the key; ``SQLStore(engine, pseudonym_key=...)`` uses an engine the caller owns.
    Errors are ``StorageError`` subclasses with one-line messages.
    """
