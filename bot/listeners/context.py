"""Reading who and where from Slack payloads, in one place."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from conversations.context import Caller
from conversations.diagnostic import Where


def workspace_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return str(body.get("team_id") or (body.get("user") or {}).get("team_id") or "")


def user_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(body.get("user_id", ""))


def channel_of(body: dict[str, Any]) -> str | None:
    channel = body.get("channel")
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    if body.get("channel_id"):
        return str(body["channel_id"])
    container = body.get("container") or {}
    return container.get("channel_id")


def caller_of(body: dict[str, Any], services: Services) -> Caller:
    workspace_id = workspace_of(body)
    user_id = user_of(body)
    person = services.people.person(workspace_id, user_id)
    return Caller(workspace_id=workspace_id, user_id=user_id, lang=person.lang,
                  channel_id=channel_of(body), is_admin=person.is_admin)


def where_of(body: dict[str, Any]) -> Where | None:
    """The message a click came from (to update it in place)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or channel_of(body)
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel or not ts:
        return None
    return Where(str(channel), str(ts))


def is_direct_message(channel_id: str | None) -> bool:
    return bool(channel_id) and str(channel_id).startswith("D")
