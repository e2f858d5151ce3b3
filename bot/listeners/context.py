"""Who sent a request and where an answer goes, put into Bolt's `context` once per request.

The middleware (`bot.listeners.middleware`) fills `context["requester"]` and
`context["reply_to"]` (and, for clicks that claim their request with their own write,
`context["claim"]`); listeners and the global error handler read them back with
`requester(context)`, `reply_to(context)` and `claim_of(context)` instead of each parsing
the payload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_bolt.context.ack import Ack
from slack_bolt.response import BoltResponse

from bot.people import People
from conversations.context import Caller
from conversations.diagnostic import Where
from conversations.i18n import DEFAULT_LANG, Lang
from conversations.outbound import Message
from storage import RequestClaim

logger = logging.getLogger(f"wi3.{__name__}")


class Requester:
    """The person behind a request: ids read from the payload at once, language and admin
    rights looked up on first use, after the ack (asking Slack may take a while)."""

    def __init__(self, workspace_id: str, user_id: str, channel_id: str | None,
                 people: People) -> None:
        self.workspace_id = workspace_id
        self.user_id = user_id
        self.channel_id = channel_id
        self._people = people
        self._caller: Caller | None = None

    def caller(self) -> Caller:
        if self._caller is None:
            person = self._people.person(self.workspace_id, self.user_id)
            self._caller = Caller(workspace_id=self.workspace_id, user_id=self.user_id,
                                  lang=person.lang, channel_id=self.channel_id,
                                  is_admin=person.is_admin)
        return self._caller

    def lang(self) -> Lang:
        """Their language, without failing: for telling them that something else failed."""
        try:
            return self.caller().lang
        except Exception:
            return DEFAULT_LANG


class ReplyTo:
    """Where the answer to a request goes: privately through its `response_url`, or, where
    Slack gives none (a click on the App Home tab), as a DM to the person."""

    def __init__(self, respond: Respond | None, send_dm: Callable[[Message], object]) -> None:
        self._respond = respond
        self._send_dm = send_dm

    def __call__(self, message: Message, *, replace_original: bool = False) -> None:
        if self._respond is not None and self._respond.response_url is not None:
            self._respond(text=message["text"], blocks=message.get("blocks"),
                          response_type="ephemeral", replace_original=replace_original)
        else:
            self._send_dm(message)


class KeptAck(Ack):
    """An ack that stays given. When a listener raises after acknowledging, Bolt's
    runner overwrites the ack's response with None and Slack gets a 404 three seconds
    later; the person has been answered (or apologised to) by then, so the ack stands."""

    def __init__(self) -> None:
        self._kept: BoltResponse | None = None

    @property
    def response(self) -> BoltResponse | None:
        return self._kept

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or self._kept is None:
            self._kept = value


def requester(context: BoltContext) -> Requester:
    found = context.get("requester")
    assert isinstance(found, Requester), "the middleware puts the requester in the context"
    return found


def reply_to(context: BoltContext) -> ReplyTo | None:
    found = context.get("reply_to")
    return found if isinstance(found, ReplyTo) else None


def claim_of(context: BoltContext) -> RequestClaim | None:
    """The request's claim, when the middleware left it to the click's own write."""
    found = context.get("claim")
    return found if isinstance(found, RequestClaim) else None


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel a request came from; for a click, its message's channel."""
    channel = body.get("channel")
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    if isinstance(channel, str) and channel:
        return channel
    if body.get("channel_id"):
        return str(body["channel_id"])
    container = body.get("container") or {}
    return str(container["channel_id"]) if container.get("channel_id") else None


def where_of(body: dict[str, Any]) -> Where | None:
    """The message a click came from (to update it in place)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or channel_of(body)
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel or not ts:
        return None
    return Where(str(channel), str(ts))


def is_home_click(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view" and \
        (body.get("view") or {}).get("type") == "home"


def is_direct_message(channel_id: str | None) -> bool:
    return bool(channel_id) and str(channel_id).startswith("D")
