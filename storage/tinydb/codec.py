"""Records to JSON documents and back.

Explicit per record, so the file format is visible in one place and a field rename in a
dataclass cannot silently change what is on disk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from storage.readonly import frozen, json_default
from storage.records import (
    Commitment,
    LastResult,
    Progress,
    PulseSchedule,
    ResultSnapshot,
    Round,
    Team,
    UserInfo,
    Workspace,
    require_aware,
)

Doc = dict[str, Any]


def time_to_text(value: datetime | None) -> str | None:
    """Aware datetime -> ISO 8601 in UTC; the one format every file uses."""
    if value is None:
        return None
    require_aware(value, "time")
    return value.astimezone(UTC).isoformat()


def time_from_text(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def required_time(value: Any) -> datetime:
    parsed = time_from_text(value)
    if parsed is None:
        raise ValueError("a required time is missing")
    return parsed


def workspace_to_doc(ws: Workspace) -> Doc:
    return {
        "id": ws.id,
        "enterprise_id": ws.enterprise_id,
        "name": ws.name,
        "bot_user_id": ws.bot_user_id,
        "installed_at": time_to_text(ws.installed_at),
    }


def workspace_from_doc(doc: Mapping[str, Any]) -> Workspace:
    return Workspace(
        id=doc["id"],
        enterprise_id=doc.get("enterprise_id"),
        name=doc.get("name"),
        bot_user_id=doc.get("bot_user_id"),
        installed_at=time_from_text(doc.get("installed_at")),
    )


def pulse_to_doc(pulse: PulseSchedule | None) -> Doc | None:
    if pulse is None:
        return None
    return {
        "frequency": pulse.frequency,
        "weekday": pulse.weekday,
        "time": pulse.time,
        "enabled": pulse.enabled,
        "next_run_at": time_to_text(pulse.next_run_at),
        "last_period_key": pulse.last_period_key,
    }


def pulse_from_doc(doc: Mapping[str, Any] | None) -> PulseSchedule | None:
    if doc is None:
        return None
    return PulseSchedule(
        frequency=doc["frequency"],
        weekday=doc["weekday"],
        time=doc["time"],
        enabled=doc["enabled"],
        next_run_at=time_from_text(doc.get("next_run_at")),
        last_period_key=doc.get("last_period_key"),
    )


def team_to_doc(team: Team) -> Doc:
    return {
        "workspace_id": team.workspace_id,
        "channel_id": team.channel_id,
        "leads": list(team.leads),
        "language": team.language,
        "min_responses": team.min_responses,
        "subject": team.subject,
        "round_days": team.round_days,
        "auto_close": team.auto_close,
        "timezone": team.timezone,
        "pulse": pulse_to_doc(team.pulse),
        "created_at": time_to_text(team.created_at),
    }


def team_from_doc(doc: Mapping[str, Any]) -> Team:
    return Team(
        workspace_id=doc["workspace_id"],
        channel_id=doc["channel_id"],
        leads=tuple(doc["leads"]),
        language=doc["language"],
        min_responses=doc["min_responses"],
        subject=doc.get("subject"),
        round_days=doc["round_days"],
        auto_close=doc["auto_close"],
        timezone=doc.get("timezone"),
        pulse=pulse_from_doc(doc.get("pulse")),
        created_at=time_from_text(doc.get("created_at")),
    )


def round_to_doc(round_: Round) -> Doc:
    return {
        "id": round_.id,
        "workspace_id": round_.workspace_id,
        "channel_id": round_.channel_id,
        "kind": round_.kind,
        "subject": round_.subject,
        "status": round_.status,
        "opened_at": time_to_text(round_.opened_at),
        "closes_at": time_to_text(round_.closes_at),
        "closed_at": time_to_text(round_.closed_at),
        "invited": list(round_.invited),
        "item_ids": list(round_.item_ids),
        "pulse_number": round_.pulse_number,
        "results_posted_at": time_to_text(round_.results_posted_at),
        "reminder_sent_at": time_to_text(round_.reminder_sent_at),
    }


def round_from_doc(doc: Mapping[str, Any]) -> Round:
    return Round(
        id=doc["id"],
        workspace_id=doc["workspace_id"],
        channel_id=doc["channel_id"],
        kind=doc["kind"],
        subject=doc.get("subject"),
        status=doc["status"],
        opened_at=required_time(doc["opened_at"]),
        closes_at=time_from_text(doc.get("closes_at")),
        closed_at=time_from_text(doc.get("closed_at")),
        invited=tuple(doc["invited"]),
        item_ids=tuple(doc["item_ids"]),
        pulse_number=doc.get("pulse_number"),
        results_posted_at=time_from_text(doc.get("results_posted_at")),
        reminder_sent_at=time_from_text(doc.get("reminder_sent_at")),
    )


def progress_to_doc(progress: Progress) -> Doc:
    """The respondent is the document key (pseudonymous); the raw user id is not stored."""
    return {
        "position": progress.position,
        "checklist_done": progress.checklist_done,
        "updated_at": time_to_text(progress.updated_at),
    }


def progress_from_doc(
    round_id: str, user: str, doc: Mapping[str, Any] | None, finished: bool
) -> Progress:
    doc = doc or {}
    return Progress(
        round_id=round_id,
        user=user,
        position=doc.get("position", 0),
        finished=finished,
        checklist_done=doc.get("checklist_done", False),
        updated_at=time_from_text(doc.get("updated_at")),
    )


def user_to_doc(info: UserInfo) -> Doc:
    return {
        "workspace_id": info.workspace_id,
        "user_id": info.user_id,
        "dm_channel": info.dm_channel,
        "locale": info.locale,
        "timezone": info.timezone,
        "fetched_at": time_to_text(info.fetched_at),
    }


def user_from_doc(doc: Mapping[str, Any]) -> UserInfo:
    return UserInfo(
        workspace_id=doc["workspace_id"],
        user_id=doc["user_id"],
        dm_channel=doc.get("dm_channel"),
        locale=doc.get("locale"),
        timezone=doc.get("timezone"),
        fetched_at=time_from_text(doc.get("fetched_at")),
    )


def json_copy(value: Mapping[str, Any], what: str) -> Doc:
    """A deep, JSON-safe copy: later changes to the caller's dict do not leak in."""
    try:
        copied: Doc = json.loads(json.dumps(value, default=json_default))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} must be JSON-safe: {err}") from err
    return copied


def snapshot_to_doc(snap: ResultSnapshot) -> Doc:
    result = json_copy(snap.result, "snapshot result")
    return {
        "round_id": snap.round_id,
        "workspace_id": snap.workspace_id,
        "channel_id": snap.channel_id,
        "kind": snap.kind,
        "subject": snap.subject,
        "closed_at": time_to_text(snap.closed_at),
        "invited_count": snap.invited_count,
        "responses": snap.responses,
        "result": result,
        "pulse_number": snap.pulse_number,
    }


def snapshot_from_doc(doc: Mapping[str, Any]) -> ResultSnapshot:
    return ResultSnapshot(
        round_id=doc["round_id"],
        workspace_id=doc["workspace_id"],
        channel_id=doc["channel_id"],
        kind=doc["kind"],
        subject=doc.get("subject"),
        closed_at=required_time(doc["closed_at"]),
        invited_count=doc["invited_count"],
        responses=doc["responses"],
        result=frozen(doc["result"]),  # the stored one, read-only: nothing copied
        pulse_number=doc.get("pulse_number"),
    )


def commitment_to_doc(commitment: Commitment) -> Doc:
    return {
        "id": commitment.id,
        "workspace_id": commitment.workspace_id,
        "channel_id": commitment.channel_id,
        "round_id": commitment.round_id,
        "number": commitment.number,
        "text": commitment.text,
        "owner": commitment.owner,
        "due": commitment.due.isoformat(),
        "remind_at": time_to_text(commitment.remind_at),
        "state": commitment.state,
        "planned_by": commitment.planned_by,
        "planned_at": time_to_text(commitment.planned_at),
        "updated_at": time_to_text(commitment.updated_at),
        "reminded_at": time_to_text(commitment.reminded_at),
    }


def commitment_from_doc(doc: Mapping[str, Any]) -> Commitment:
    return Commitment(
        id=doc["id"],
        workspace_id=doc["workspace_id"],
        channel_id=doc["channel_id"],
        round_id=doc["round_id"],
        number=doc["number"],
        text=doc["text"],
        owner=doc["owner"],
        due=date.fromisoformat(doc["due"]),
        remind_at=required_time(doc["remind_at"]),
        state=doc["state"],
        planned_by=doc.get("planned_by"),
        planned_at=time_from_text(doc.get("planned_at")),
        updated_at=time_from_text(doc.get("updated_at")),
        reminded_at=time_from_text(doc.get("reminded_at")),
    )


def last_result_to_doc(last: LastResult) -> Doc:
    return {
        "workspace_id": last.workspace_id,
        "channel_id": last.channel_id,
        "round_id": last.round_id,
        "closed_at": time_to_text(last.closed_at),
        "summary": json_copy(last.summary, "a last result's summary"),
    }


def last_result_from_doc(doc: Mapping[str, Any]) -> LastResult:
    return LastResult(
        workspace_id=doc["workspace_id"],
        channel_id=doc["channel_id"],
        round_id=doc["round_id"],
        closed_at=required_time(doc["closed_at"]),
        summary=frozen(doc["summary"]),
    )
