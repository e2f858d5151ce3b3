"""Is this file's data something wi3 can use? One answer for startup, reloads and imports.

A file that parses as JSON can still be wrong: a hand edit may leave a score of 7, a team
with a minimum of 1 respondent, or a round filed under another team. Every document is
decoded the way the Store will decode it later, so such a file stops the start (naming the
file and the document) instead of failing on some later click.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from storage.errors import CorruptFileError
from storage.records import validate_score
from storage.tinydb import codec
from storage.tinydb.layout import META_TABLE, Data, FileSpec, migrate, validate

Check = Callable[[FileSpec, str, Mapping[str, Any]], None]


def checked(path: Path, spec: FileSpec, data: Any) -> tuple[Data, bool]:
    """Migrate to the current schema and validate; (data, whether a migration ran).

    Raises CorruptFileError or SchemaVersionError naming ``path``.
    """
    data, migrated = migrate(path, spec, data)
    validate(path, spec, data)
    for table_name, table in data.items():
        check = _CHECKS.get((spec.kind, table_name))
        if check is None or table_name == META_TABLE:
            continue
        for key, doc in table.items():
            try:
                check(spec, key, doc)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise CorruptFileError(path, f"{table_name}[{key!r}]: {_reason(err)}") from err
    return data, migrated


def _reason(err: Exception) -> str:
    return f"missing {err}" if isinstance(err, KeyError) else str(err)


def _same(label: str, found: object, expected: object) -> None:
    if expected is not None and found != expected:
        raise ValueError(f"{label} is {found!r} but the file belongs to {expected!r}")


def _workspace(_spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    _same("id", codec.workspace_from_doc(doc).id, key)


def _team(_spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    team = codec.team_from_doc(doc)
    _same("team", f"{team.workspace_id}/{team.channel_id}", key)


def _user(spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    user = codec.user_from_doc(doc)
    _same("user_id", user.user_id, key)
    _same("workspace_id", user.workspace_id, spec.workspace_id)


def _home(_spec: FileSpec, _key: str, doc: Mapping[str, Any]) -> None:
    if not isinstance(doc["fingerprint"], str):
        raise ValueError("fingerprint must be a string")


def _round(spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    round_ = codec.round_from_doc(doc)
    _same("id", round_.id, key)
    _same("team", (round_.workspace_id, round_.channel_id), (spec.workspace_id, spec.channel_id))


def _snapshot(spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    snap = codec.snapshot_from_doc(doc)
    _same("round_id", snap.round_id, key)
    _same("team", (snap.workspace_id, snap.channel_id), (spec.workspace_id, spec.channel_id))


def _last_result(spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    last = codec.last_result_from_doc(doc)
    _same("channel_id", last.channel_id, key)
    _same("workspace_id", last.workspace_id, spec.workspace_id)
    if not isinstance(doc["summary"], dict):
        raise ValueError("summary must be a JSON object")


def _answer(_spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    validate_score(doc["score"])
    _same("key", f"{doc['respondent']}:{doc['item']}", key)
    codec.required_time(doc["at"])


def _progress(spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    codec.progress_from_doc(str(spec.round_id), key, doc, finished=False)


def _moment(_spec: FileSpec, _key: str, doc: Mapping[str, Any]) -> None:
    codec.required_time(doc["at"])


def _checklist(_spec: FileSpec, _key: str, doc: Mapping[str, Any]) -> None:
    codec.required_time(doc["at"])
    if not all(isinstance(v, str) for v in [*doc["barriers"], *doc["reasons"]]):
        raise ValueError("barriers and reasons must be lists of option ids")


def _commitment(spec: FileSpec, key: str, doc: Mapping[str, Any]) -> None:
    commitment = codec.commitment_from_doc(doc)
    _same("id", commitment.id, key)
    _same("team", (commitment.workspace_id, commitment.channel_id),
          (spec.workspace_id, spec.channel_id))


def _claim(_spec: FileSpec, _key: str, doc: Mapping[str, Any]) -> None:
    if isinstance(doc["expires"], bool) or not isinstance(doc["expires"], int | float):
        raise ValueError("expires must be a number")


_CHECKS: Mapping[tuple[str, str], Check] = {
    ("index", "workspaces"): _workspace,
    ("index", "teams"): _team,
    ("users", "users"): _user,
    ("users", "homes"): _home,
    ("users_whole", "users"): _user,
    ("summaries", "summaries"): _last_result,
    ("rounds", "rounds"): _round,
    ("snapshots", "snapshots"): _snapshot,
    ("round", "answers"): _answer,
    ("round", "progress"): _progress,
    ("round", "participation"): _moment,
    ("round", "invitations"): _moment,
    ("round", "reminders"): _moment,
    ("round", "checklists"): _checklist,
    ("round", "claims"): _claim,
    ("dedupe", "claims"): _claim,
    ("commitments", "commitments"): _commitment,
}
