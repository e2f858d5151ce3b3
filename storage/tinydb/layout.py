"""Where each kind of data lives in the data directory, and what a valid file looks like.

The data is partitioned so that one write touches one small file::

    DIR/index.json                               workspaces, teams (settings)
    DIR/users/<workspace>/<00-ff>.json           user cache, sharded by user id
    DIR/summaries/<workspace>/<00-ff>.json       each team's last result in short,
                                                 sharded by channel id
    DIR/claims/<minute>-<0-f>.log                processed request keys (not JSON: one
                                                 line appended per claim, see claims.py)
    DIR/uninstalls.json                          workspaces that removed wi3, until purged
    DIR/outbox/<0-f>.json                        messages to send once, sharded by key
    DIR/teams/<workspace>/<channel>/rounds.json  metadata of every round of that team
    DIR/teams/<workspace>/<channel>/snapshots.json   closed-round aggregates
    DIR/teams/<workspace>/<channel>/round-<id>.json  answers, progress, participation,
                                                     invitations, reminders, checklists,
                                                     claims of the clicks that wrote them
    DIR/teams/<workspace>/<channel>/round-<id>.log   its journal: what writes put since
                                                     the file was last rewritten, one
                                                     line each (see journal.py)
    DIR/teams/<workspace>/<channel>/commitments.json what the team took on (next steps)
    DIR/secret.key                               HMAC secret for respondent keys (0600)
    DIR/.lock, DIR/.owner                        single-owner lock and its holder's pid

Two older kinds are still read, once, and folded into the new ones at start (and after an
import): ``users/<workspace>.json`` (the whole user cache of a workspace in one file) and
``dedupe/<0-f>.json`` (request keys in JSON files, rewritten on every claim; an export
still carries the live claims in this form).

Every JSON file is a TinyDB database with a ``_meta`` table holding ``schema_version`` and
the file's ``kind``; validation and migrations are keyed on both.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from storage.errors import CorruptFileError, SchemaVersionError
from storage.ids import ROUND_ID, SLACK_ID, is_slack_id, require_slack_id

SCHEMA_VERSION = 1
"""Version written into every file's _meta table by this code."""

META_TABLE = "_meta"
META_KEY = "schema"
INDEX_FILE = "index.json"
UNINSTALLS_FILE = "uninstalls.json"
SECRET_FILE = "secret.key"
LOCK_FILE = ".lock"
OWNER_FILE = ".owner"
OUTBOX_SHARDS = 16
USER_SHARDS = 256
"""User cache files per workspace: about 200 profiles each at 50,000 people."""
SUMMARY_SHARDS = 256
"""Last-result files per workspace: about 20 teams each at 5,000 teams, so an overview
of a hundred teams reads about a third of them (and little of each)."""

_SLACK = SLACK_ID.pattern
_TEAM = rf"teams/(?P<workspace_id>{_SLACK})/(?P<channel_id>{_SLACK})"
_TMP_RE = re.compile(r"\..+\.[0-9a-f]{16}\.tmp")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("index", re.compile(r"index\.json")),
    ("users", re.compile(rf"users/(?P<workspace_id>{_SLACK})/(?P<shard>[0-9a-f]{{2}})\.json")),
    ("summaries",
     re.compile(rf"summaries/(?P<workspace_id>{_SLACK})/(?P<shard>[0-9a-f]{{2}})\.json")),
    ("users_whole", re.compile(rf"users/(?P<workspace_id>{_SLACK})\.json")),
    ("dedupe", re.compile(r"dedupe/(?P<shard>[0-9a-f])\.json")),
    ("uninstalls", re.compile(r"uninstalls\.json")),
    ("outbox", re.compile(r"outbox/(?P<shard>[0-9a-f])\.json")),
    ("rounds", re.compile(rf"{_TEAM}/rounds\.json")),
    ("snapshots", re.compile(rf"{_TEAM}/snapshots\.json")),
    ("round", re.compile(rf"{_TEAM}/round-(?P<round_id>{ROUND_ID.pattern})\.json")),
    ("commitments", re.compile(rf"{_TEAM}/commitments\.json")),
)
"""Matched with ``fullmatch``: a name with anything after the pattern is not ours."""

# Tables each kind of file may hold, with the fields every document in them must have.
TABLES: Mapping[str, Mapping[str, frozenset[str]]] = {
    "index": {
        "workspaces": frozenset({"id"}),
        "teams": frozenset({"workspace_id", "channel_id", "leads", "language",
                            "min_responses", "round_days", "auto_close"}),
    },
    "users": {"users": frozenset({"workspace_id", "user_id"}),
              "homes": frozenset({"fingerprint"})},
    "summaries": {"summaries": frozenset({"workspace_id", "channel_id", "round_id",
                                          "closed_at", "summary"})},
    "users_whole": {"users": frozenset({"workspace_id", "user_id"})},
    "dedupe": {"claims": frozenset({"expires"})},
    "uninstalls": {"uninstalls": frozenset({"at"})},
    "outbox": {"messages": frozenset({"seq", "kind", "workspace_id", "state", "attempts",
                                      "in_doubt", "queued_at"})},
    "rounds": {"rounds": frozenset({"id", "workspace_id", "channel_id", "kind", "status",
                                    "opened_at", "invited", "item_ids"})},
    "snapshots": {"snapshots": frozenset({"round_id", "workspace_id", "channel_id", "kind",
                                          "closed_at", "invited_count", "responses",
                                          "result"})},
    "round": {
        "answers": frozenset({"respondent", "item", "score", "at"}),
        "progress": frozenset({"position"}),
        "participation": frozenset({"at"}),
        "invitations": frozenset({"at"}),
        "reminders": frozenset({"at"}),
        "checklists": frozenset({"barriers", "reasons", "at"}),
        "claims": frozenset({"expires"}),
    },
    "commitments": {"commitments": frozenset({"id", "workspace_id", "channel_id", "round_id",
                                              "number", "text", "owner", "due", "remind_at",
                                              "state"})},
}

Data = dict[str, Any]
Migration = Callable[["FileSpec", Data], Data]

MIGRATIONS: dict[int, Migration] = {}
"""Step from version N to N+1, keyed by N. Empty while version 1 is the only one."""


def is_valid_id(value: str) -> bool:
    """A Slack workspace or channel id: they become file names, so nothing else."""
    return is_slack_id(value)


def require_id(value: str, what: str) -> str:
    return require_slack_id(value, what)


def is_temp_file(name: str) -> bool:
    """A half-written file left by a crash: never the authoritative state."""
    return _TMP_RE.fullmatch(name) is not None


@dataclass(frozen=True)
class FileSpec:
    """What a data file is, derived from its path relative to the data directory."""

    kind: str
    relpath: str
    workspace_id: str | None = None
    channel_id: str | None = None
    round_id: str | None = None

    def meta(self) -> Data:
        """The _meta document this file must carry."""
        doc: Data = {"schema_version": SCHEMA_VERSION, "kind": self.kind}
        for name in ("workspace_id", "channel_id", "round_id"):
            value = getattr(self, name)
            if value is not None:
                doc[name] = value
        return doc


def classify(relpath: str) -> FileSpec | None:
    """The spec of a data file, or None if the path is not one of ours."""
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(relpath)
        if match:
            groups = {k: v for k, v in match.groupdict().items() if k != "shard"}
            return FileSpec(kind=kind, relpath=relpath, **groups)
    return None


def index_spec() -> FileSpec:
    return FileSpec("index", INDEX_FILE)


def shard_of(key: str, shards: int) -> int:
    """Which of ``shards`` files holds ``key`` (stable across runs and machines)."""
    return zlib.crc32(key.encode("utf-8")) % shards


def uninstalls_spec() -> FileSpec:
    return FileSpec("uninstalls", UNINSTALLS_FILE)


def users_spec(workspace_id: str, user_id: str) -> FileSpec:
    shard = shard_of(user_id, USER_SHARDS)
    return FileSpec("users", f"users/{workspace_id}/{shard:02x}.json",
                    workspace_id=workspace_id)


def dedupe_spec(stripe: int) -> FileSpec:
    """Request claims as JSON (an older layout, and how an export carries them)."""
    return FileSpec("dedupe", f"dedupe/{stripe:x}.json")


def summaries_spec(workspace_id: str, channel_id: str) -> FileSpec:
    shard = shard_of(channel_id, SUMMARY_SHARDS)
    return FileSpec("summaries", f"summaries/{workspace_id}/{shard:02x}.json",
                    workspace_id=workspace_id)


def all_summaries_specs(workspace_id: str) -> list[FileSpec]:
    return [FileSpec("summaries", f"summaries/{workspace_id}/{shard:02x}.json",
                     workspace_id=workspace_id) for shard in range(SUMMARY_SHARDS)]


def outbox_spec(shard: int) -> FileSpec:
    return FileSpec("outbox", f"outbox/{shard:x}.json")


def rounds_spec(workspace_id: str, channel_id: str) -> FileSpec:
    return FileSpec("rounds", f"teams/{workspace_id}/{channel_id}/rounds.json",
                    workspace_id=workspace_id, channel_id=channel_id)


def snapshots_spec(workspace_id: str, channel_id: str) -> FileSpec:
    return FileSpec("snapshots", f"teams/{workspace_id}/{channel_id}/snapshots.json",
                    workspace_id=workspace_id, channel_id=channel_id)


def round_spec(workspace_id: str, channel_id: str, round_id: str) -> FileSpec:
    return FileSpec("round", f"teams/{workspace_id}/{channel_id}/round-{round_id}.json",
                    workspace_id=workspace_id, channel_id=channel_id, round_id=round_id)


def commitments_spec(workspace_id: str, channel_id: str) -> FileSpec:
    return FileSpec("commitments", f"teams/{workspace_id}/{channel_id}/commitments.json",
                    workspace_id=workspace_id, channel_id=channel_id)


def data_files(data_dir: Path) -> list[tuple[Path, FileSpec | None]]:
    """Every JSON file under the data directory, with its spec (None: not ours)."""
    found: list[tuple[Path, FileSpec | None]] = []
    for path in sorted(data_dir.rglob("*.json")):
        if path.is_file() and not is_temp_file(path.name):
            relpath = path.relative_to(data_dir).as_posix()
            found.append((path, classify(relpath)))
    return found


def temp_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob(".*.tmp") if p.is_file() and is_temp_file(p.name))


def schema_version_of(path: Path, data: Any) -> int:
    """The file's schema version; CorruptFileError if the _meta table is missing or odd."""
    if not isinstance(data, dict):
        raise CorruptFileError(path, "the top level is not a JSON object")
    meta = data.get(META_TABLE)
    doc = meta.get(META_KEY) if isinstance(meta, dict) else None
    if not isinstance(doc, dict):
        raise CorruptFileError(path, "no _meta table with the schema version")
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CorruptFileError(path, f"schema_version is {version!r}, not a positive integer")
    return version


def migrate(path: Path, spec: FileSpec, data: Data) -> tuple[Data, bool]:
    """Bring a file's data up to SCHEMA_VERSION; refuse versions from the future."""
    version = schema_version_of(path, data)
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(path, version, SCHEMA_VERSION)
    changed = False
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise CorruptFileError(path, f"no migration from schema version {version}")
        data = step(spec, data)
        version += 1
        data[META_TABLE][META_KEY]["schema_version"] = version
        changed = True
    return data, changed


def validate(path: Path, spec: FileSpec, data: Data) -> None:
    """Check a current-version file's shape: known tables, documents with their fields."""
    meta = data[META_TABLE][META_KEY]
    if meta.get("kind") != spec.kind:
        raise CorruptFileError(
            path, f"_meta says kind {meta.get('kind')!r}, expected {spec.kind!r}")
    for name in ("workspace_id", "channel_id", "round_id"):
        expected = getattr(spec, name)
        if expected is not None and meta.get(name) != expected:
            raise CorruptFileError(path, f"_meta {name} is {meta.get(name)!r}, "
                                         f"but the file name says {expected!r}")
    tables = TABLES[spec.kind]
    for table_name, table in data.items():
        if table_name == META_TABLE:
            continue
        if table_name not in tables:
            raise CorruptFileError(path, f"unexpected table {table_name!r}")
        _validate_table(path, table_name, table, tables[table_name])


def _validate_table(path: Path, name: str, table: Any, required: frozenset[str]) -> None:
    if not isinstance(table, dict):
        raise CorruptFileError(path, f"table {name!r} is not a JSON object")
    for key, doc in table.items():
        if not isinstance(doc, dict):
            raise CorruptFileError(path, f"{name}[{key!r}] is not a JSON object")
        missing = required - doc.keys()
        if missing:
            raise CorruptFileError(path, f"{name}[{key!r}] lacks {', '.join(sorted(missing))}")


def relpath_is_safe(relpath: str) -> bool:
    """Whether an imported path names one of our files (never anything outside DIR)."""
    pure = PurePosixPath(relpath)
    return not pure.is_absolute() and ".." not in pure.parts and classify(relpath) is not None
