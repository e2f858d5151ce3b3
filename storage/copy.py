"""``python -m storage copy DIR --to postgresql://...``: moving up from TinyDB.

Everything in a data directory goes into an empty PostgreSQL database in one transaction,
then the copy is verified: the rows of every table are counted against what was read, and
every closed round's result is recomputed with the model from the copied raw answers and
compared with the one recomputed from the source. Answers stay under the same pseudonyms,
so ``WI3_PSEUDONYM_KEY`` must be the directory's ``secret.key``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from model import score_team
from storage.errors import StorageError
from storage.protocols import ResponseStore
from storage.sql import SQLStore, make_engine, shown
from storage.sql.migrate import upgrade
from storage.sql.schema import DATA_TABLES, commitments
from storage.tinydb import TinyDBStore, check
from storage.tinydb.codec import commitment_from_doc, time_from_text
from storage.tinydb.core import holding

Rows = dict[str, list[dict[str, Any]]]
CHUNK = 5000
"""Rows per INSERT round trip."""


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)
    rounds_scored: int = 0
    rounds_compared_by_answers: int = 0
    skipped: list[str] = field(default_factory=list)

    def lines(self, data_dir: Path, url: str) -> list[str]:
        out = [f"copied {data_dir} into {shown(url)}",
               "rows: " + ", ".join(f"{name}={count}" for name, count in self.counts.items()),
               "verified: every table's row count matches the data directory"]
        closed = self.rounds_scored + self.rounds_compared_by_answers
        out.append(f"verified: {closed} closed round(s) recomputed from the copied answers "
                   f"equal the source ({self.rounds_scored} scored with the model, "
                   f"{self.rounds_compared_by_answers} compared answer by answer: their "
                   "items are not in this questionnaire)")
        out.extend(f"note: {skip}" for skip in self.skipped)
        return out


def copy_to_database(data_dir: str | Path, url: str, pseudonym_key: bytes | None) -> CopyReport:
    """Copy a data directory into an empty database, holding the directory meanwhile (a
    running bot makes it refuse: StoreLockedError)."""
    path = Path(data_dir).absolute()
    state = check(path)
    if not state.exists:
        raise StorageError(f"no data directory at {path}")
    if not state.ok:
        raise StorageError(f"{path} has problems; run `python -m storage check {path}` first")
    with holding(path), TinyDBStore.open(path, read_only=True) as source:
        _require_same_key(path, source.pseudonym_key, pseudonym_key)
        assert pseudonym_key is not None
        rows, skipped = rows_of(source.export_all()["files"])
        engine = make_engine(url)
        try:
            upgrade(engine)
            _fill(engine, rows)
            with SQLStore(engine, pseudonym_key=pseudonym_key) as target:
                target.adopt_key()
                report = _verify(source, target, rows)
        finally:
            engine.dispose()
    report.skipped = skipped
    return report


def _require_same_key(path: Path, source: bytes | None, given: bytes | None) -> None:
    if source is None:
        raise StorageError(f"{path / 'secret.key'} is missing; answers cannot be copied "
                           "without their pseudonym key")
    how = f"export WI3_PSEUDONYM_KEY=$(cat {path / 'secret.key'})"
    if given is None:
        raise StorageError(f"set WI3_PSEUDONYM_KEY to the directory's key first ({how}); "
                           "every instance on the database needs it")
    if given != source:
        raise StorageError("WI3_PSEUDONYM_KEY is not the directory's secret.key: the copied "
                           f"answers would match nobody ({how})")


# -- files to rows ----------------------------------------------------------------------------


def rows_of(files: Mapping[str, Any]) -> tuple[Rows, list[str]]:
    """The rows of every table from an export's files (validated by the TinyDB store)."""
    rows: Rows = defaultdict(list)
    skipped: list[str] = []
    rounds_known = {round_id for name, data in files.items() if name.endswith("/rounds.json")
                    for round_id in data.get("rounds", {})}
    for name, data in sorted(files.items()):
        kind = name.rsplit("/", 1)[-1]
        if name == "index.json":
            _index_rows(rows, data)
        elif kind == "rounds.json":
            rows["rounds"] += [_round_row(doc) for doc in data.get("rounds", {}).values()]
        elif kind == "snapshots.json":
            rows["snapshots"] += [_snapshot_row(doc) for doc in data.get("snapshots", {}).values()]
        elif kind == "commitments.json":
            rows["commitments"] += [_commitment_row(doc)
                                    for doc in data.get("commitments", {}).values()]
        elif kind.startswith("round-"):
            round_id = data["_meta"]["schema"]["round_id"]
            if round_id in rounds_known:
                _response_rows(rows, round_id, data)
            else:
                skipped.append(f"{name} belongs to no known round (orphan); not copied")
        elif name.startswith("users/"):
            rows["user_cache"] += [_user_row(doc) for doc in data.get("users", {}).values()]
        elif name.startswith("summaries/"):
            rows["last_results"] += [
                {"workspace_id": doc["workspace_id"], "channel_id": doc["channel_id"],
                 "round_id": doc["round_id"], "closed_at": _time(doc["closed_at"]),
                 "summary": doc["summary"]}
                for doc in data.get("summaries", {}).values()]
        elif name.startswith("dedupe/"):
            rows["request_claims"] += [
                {"digest": digest, "expires_at": datetime.fromtimestamp(doc["expires"], UTC)}
                for digest, doc in data.get("claims", {}).items()]
    return {table.name: rows.get(table.name, []) for table in DATA_TABLES}, skipped


def _time(value: Any) -> datetime | None:
    return time_from_text(value)


def _index_rows(rows: Rows, data: Mapping[str, Any]) -> None:
    for doc in data.get("workspaces", {}).values():
        rows["workspaces"].append({
            "id": doc["id"], "enterprise_id": doc.get("enterprise_id"), "name": doc.get("name"),
            "bot_user_id": doc.get("bot_user_id"), "installed_at": _time(doc.get("installed_at"))})
    for doc in data.get("teams", {}).values():
        key = {"workspace_id": doc["workspace_id"], "channel_id": doc["channel_id"]}
        rows["teams"].append({
            **key, "language": doc["language"], "min_responses": doc["min_responses"],
            "subject": doc.get("subject"), "round_days": doc["round_days"],
            "auto_close": doc["auto_close"], "timezone": doc.get("timezone"),
            "created_at": _time(doc.get("created_at"))})
        rows["team_leads"] += [{**key, "user_id": lead, "position": position}
                               for position, lead in enumerate(dict.fromkeys(doc["leads"]))]
        pulse = doc.get("pulse")
        if pulse:
            rows["pulse_schedules"].append({
                **key, "frequency": pulse["frequency"], "weekday": pulse["weekday"],
                "time": pulse["time"], "enabled": pulse["enabled"],
                "next_run_at": _time(pulse.get("next_run_at")),
                "last_period_key": pulse.get("last_period_key")})


def _round_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"], "workspace_id": doc["workspace_id"], "channel_id": doc["channel_id"],
        "kind": doc["kind"], "subject": doc.get("subject"), "status": doc["status"],
        "opened_at": _time(doc["opened_at"]), "closes_at": _time(doc.get("closes_at")),
        "closed_at": _time(doc.get("closed_at")),
        "invited": list(dict.fromkeys(doc["invited"])), "item_ids": list(doc["item_ids"]),
        "pulse_number": doc.get("pulse_number"),
        "results_posted_at": _time(doc.get("results_posted_at")),
        "reminder_sent_at": _time(doc.get("reminder_sent_at")),
    }


def _snapshot_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "round_id": doc["round_id"], "workspace_id": doc["workspace_id"],
        "channel_id": doc["channel_id"], "kind": doc["kind"], "subject": doc.get("subject"),
        "closed_at": _time(doc["closed_at"]), "invited_count": doc["invited_count"],
        "responses": doc["responses"], "result": doc["result"],
        "pulse_number": doc.get("pulse_number"),
    }


def _commitment_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    commitment = commitment_from_doc(doc)
    return {column.name: getattr(commitment, column.name) for column in commitments.c}


def _response_rows(rows: Rows, round_id: str, data: Mapping[str, Any]) -> None:
    for doc in data.get("answers", {}).values():
        rows["answers"].append({"round_id": round_id, "respondent": doc["respondent"],
                                "item_id": doc["item"], "score": doc["score"],
                                "answered_at": _time(doc["at"])})
    for respondent, doc in data.get("progress", {}).items():
        rows["progress"].append({"round_id": round_id, "respondent": respondent,
                                 "position": doc["position"],
                                 "checklist_done": doc.get("checklist_done", False),
                                 "updated_at": _time(doc.get("updated_at"))})
    for respondent, doc in data.get("participation", {}).items():
        rows["participation"].append({"round_id": round_id, "respondent": respondent,
                                      "finished_at": _time(doc["at"])})
    for respondent, doc in data.get("checklists", {}).items():
        rows["checklists"].append({"round_id": round_id, "respondent": respondent,
                                   "barriers": list(doc["barriers"]),
                                   "reasons": list(doc["reasons"]), "ticked_at": _time(doc["at"])})
    rows["request_claims"] += [  # clicks claimed with their answer (see RequestClaims)
        {"digest": digest, "expires_at": datetime.fromtimestamp(doc["expires"], UTC)}
        for digest, doc in data.get("claims", {}).items()]
    for fanout in ("invitations", "reminders"):
        rows["fanout_sent"] += [{"round_id": round_id, "fanout": fanout, "user_id": user_id,
                                 "sent_at": _time(doc["at"])}
                                for user_id, doc in data.get(fanout, {}).items()]


def _user_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {"workspace_id": doc["workspace_id"], "user_id": doc["user_id"],
            "dm_channel": doc.get("dm_channel"), "locale": doc.get("locale"),
            "timezone": doc.get("timezone"), "fetched_at": _time(doc.get("fetched_at"))}


# -- writing and verifying --------------------------------------------------------------------


def _fill(engine: Engine, rows: Rows) -> None:
    """All rows in one transaction, into a database that holds no data yet."""
    with engine.begin() as connection:
        occupied = [name for name, count in _counts(connection).items() if count]
        if occupied:
            raise StorageError("the database already holds data (" + ", ".join(occupied)
                               + "); copy only into an empty database")
        for table in DATA_TABLES:
            for chunk in _chunks(rows[table.name]):
                connection.execute(insert(table), chunk)


def _chunks(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _counts(connection: Connection) -> dict[str, int]:
    return {table.name: int(connection.execute(select(func.count()).select_from(table))
                            .scalar_one()) for table in DATA_TABLES}


def _verify(source: TinyDBStore, target: SQLStore, rows: Rows) -> CopyReport:
    counts = target.counts()
    expected = {name: len(table_rows) for name, table_rows in rows.items()}
    if counts != expected:
        differ = [f"{name} {counts[name]} (expected {expected[name]})"
                  for name in counts if counts[name] != expected[name]]
        raise StorageError("the copy does not match the data directory: " + ", ".join(differ)
                           + "; empty the database before trying again")
    report = CopyReport(counts=counts)
    for round_id in sorted(row["id"] for row in rows["rounds"] if row["status"] == "closed"):
        mine, theirs = _recomputed(source, round_id), _recomputed(target, round_id)
        if mine != theirs:
            raise StorageError(f"round {round_id}: the result recomputed from the copy "
                               "differs from the source; empty the database before trying "
                               "again")
        if "team" in mine:
            report.rounds_scored += 1
        else:
            report.rounds_compared_by_answers += 1
    return report


def _recomputed(store: ResponseStore, round_id: str) -> dict[str, Any]:
    """The round's result scored with the model from its raw answers; where the round's
    items are not in the questionnaire (tests, old content), the answers themselves."""
    responses = store.all_answers(round_id)
    checklists = store.all_checklists(round_id)
    try:
        result = score_team(responses, barriers=[c.barriers for c in checklists],
                            start_reasons=[c.reasons for c in checklists])
    except ValueError:
        return {"answers": sorted(json.dumps(a, sort_keys=True) for a in responses)}
    return {"team": result.to_dict()}
