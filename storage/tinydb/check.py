"""``python -m storage check DIR``: the state of a data directory, without changing it.

Unlike ``Store.open`` (which stops at the first bad file), the check looks at every file
and reports every problem, so an operator sees the whole picture at once.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock

from storage.errors import StorageError
from storage.tinydb.claims import BUCKET_SECONDS, claim_logs, read_log
from storage.tinydb.jsonfile import read_data_file
from storage.tinydb.layout import (
    LOCK_FILE,
    OWNER_FILE,
    SECRET_FILE,
    Data,
    FileSpec,
    data_files,
    schema_version_of,
    temp_files,
)
from storage.tinydb.secret import read_secret, secret_is_private


@dataclass
class CheckReport:
    """What ``check`` found; ``ok`` is False if anything needs an operator's attention."""

    data_dir: Path
    exists: bool = True
    in_use: bool | None = None
    """True if a running process holds the directory's lock (None: could not tell)."""
    owner: str | None = None
    files: Counter[str] = field(default_factory=Counter)
    schema_versions: Counter[int] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Harmless findings: leftover temp files, files that are not ours, orphan round files."""

    @property
    def ok(self) -> bool:
        return self.exists and not self.problems

    def lines(self) -> list[str]:
        """The report as plain lines for the terminal."""
        if not self.exists:
            return [f"{self.data_dir}: no such data directory", "status: PROBLEM"]
        out = [f"data directory: {self.data_dir}"]
        if self.in_use is not None:
            owner = f" (process {self.owner})" if self.in_use and self.owner else ""
            out.append(f"in use by a running wi3: {'yes' if self.in_use else 'no'}{owner}")
        out.append("files: " + _pairs(self.files))
        out.append("schema versions: " + _pairs(self.schema_versions))
        out.append("contents: " + _pairs(self.counts))
        out.extend(f"note: {note}" for note in self.notes)
        out.extend(f"problem: {problem}" for problem in self.problems)
        out.append("status: OK" if self.ok else f"status: {len(self.problems)} PROBLEM(S)")
        return out


def _pairs(counter: Counter[Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(counter.items())) or "none"


def check(data_dir: str | Path) -> CheckReport:
    """Inspect a data directory read-only and report every problem found."""
    path = Path(data_dir).absolute()
    report = CheckReport(path)
    if not path.is_dir():
        report.exists = False
        return report
    report.in_use, report.owner = _lock_state(path)
    team_rounds: dict[tuple[str, str], set[str]] = {}
    round_files: list[FileSpec] = []
    for file_path, spec in data_files(path):
        if spec is None:
            report.notes.append(f"{file_path} is not a wi3 data file (ignored)")
            continue
        data = _checked(report, file_path, spec)
        if data is None:
            continue
        _count(report, spec, data)
        if spec.kind == "rounds":
            team_rounds[(str(spec.workspace_id), str(spec.channel_id))] = set(data["rounds"])
        if spec.kind == "round":
            round_files.append(spec)
    for spec in round_files:
        known = team_rounds.get((str(spec.workspace_id), str(spec.channel_id)), set())
        if spec.round_id not in known:
            report.notes.append(f"{path / spec.relpath} belongs to no known round (orphan)")
    for tmp in temp_files(path):
        report.notes.append(f"{tmp} is an interrupted write; it is removed at the next start")
    _check_claims(report, path)
    _check_secret(report, path)
    return report


def _check_claims(report: CheckReport, path: Path) -> None:
    """Request-claim logs: live claims counted, damaged lines reported."""
    now = time.time()
    for log in claim_logs(path):
        report.files["claims"] += 1
        claims, complete, bad = read_log(log.path)
        if (log.bucket + 1) * BUCKET_SECONDS > now:
            report.counts["request_keys"] += sum(1 for expires in claims.values()
                                                 if expires > now)
        if bad:
            report.problems.append(f"{log.path}: line(s) {', '.join(map(str, bad))} are not "
                                   "request claims")
        if complete < log.path.stat().st_size:
            report.notes.append(f"{log.path} ends in a cut-off line (an interrupted write); "
                                "it is trimmed at the next start")


def _lock_state(path: Path) -> tuple[bool | None, str | None]:
    lock = filelock.FileLock(str(path / LOCK_FILE), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        try:
            owner = (path / OWNER_FILE).read_text(encoding="ascii").strip() or None
        except OSError:
            owner = None
        return True, owner
    except OSError:
        return None, None
    lock.release()
    return False, None


def _checked(report: CheckReport, file_path: Path, spec: FileSpec) -> Data | None:
    report.files[spec.kind] += 1
    try:
        data, _ = read_data_file(file_path, spec)
    except StorageError as err:
        report.problems.append(str(err))
        return None
    if data is not None:
        report.schema_versions[schema_version_of(file_path, data)] += 1
    return data


def _count(report: CheckReport, spec: FileSpec, data: Data) -> None:
    tables = {name: table for name, table in data.items() if name != "_meta"}
    if spec.kind == "index":
        report.counts["workspaces"] += len(tables.get("workspaces", {}))
        report.counts["teams"] += len(tables.get("teams", {}))
    elif spec.kind == "rounds":
        for doc in tables.get("rounds", {}).values():
            report.counts[f"rounds_{doc['status']}"] += 1
    elif spec.kind == "round":
        answers = tables.get("answers", {})
        report.counts["answers"] += len(answers)
        report.counts["respondents"] += len({d["respondent"] for d in answers.values()})
    elif spec.kind == "snapshots":
        report.counts["snapshots"] += len(tables.get("snapshots", {}))
    elif spec.kind in ("users", "users_whole"):
        report.counts["cached_users"] += len(tables.get("users", {}))
    elif spec.kind == "summaries":
        report.counts["last_results"] += len(tables.get("summaries", {}))
    elif spec.kind == "dedupe":
        report.counts["request_keys"] += len(tables.get("claims", {}))
    elif spec.kind == "commitments":
        report.counts["commitments"] += len(tables.get("commitments", {}))
    elif spec.kind == "outbox":
        for doc in tables.get("messages", {}).values():
            report.counts[f"outbox_{doc['state']}"] += 1


def _check_secret(report: CheckReport, path: Path) -> None:
    try:
        secret = read_secret(path)
    except StorageError as err:
        report.problems.append(str(err))
        return
    holds_data = sum(report.files.values()) > 0
    if secret is None:
        if holds_data:
            report.problems.append(f"{path / SECRET_FILE} is missing; restore it from a backup")
    elif not secret_is_private(path):
        report.notes.append(f"{path / SECRET_FILE} is readable by others; "
                            "it is set to 0600 at the next start")
