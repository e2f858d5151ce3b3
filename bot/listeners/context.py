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
from urllib.parse import urlsplit

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
    Slack gives none (a click on the App Home tab), as a DM to the person.

    A click's `response_url` also replaces the message that holds the button (`where`):
    Slack's way to update it, which spends no Web API call (`chat.update` is Tier 3, about
    50 a minute for the whole workspace). A `response_url` is used only on Slack's own host
    (`trusted`); one elsewhere, or one that does not answer, is passed over with a warning
    and the person gets the message as a DM instead."""

    def __init__(self, respond: Respond | None, send_dm: Callable[[Message], object], *,
                 where: Where | None = None,
                 trusted: Callable[[str], bool] = lambda _url: True) -> None:
        self._respond = respond
        self._send_dm = send_dm
        self._where = where
        self._trusted = trusted
        self._failed = False

    @property
    def _url(self) -> str | None:
        if self._respond is None or self._failed:
            return None
        url = self._respond.response_url
        if url is not None and not self._trusted(url):
            logger.warning("a request's response_url is not on Slack's host; not used")
            self._failed = True
            return None
        return url

    def replaces(self, channel_id: str, ts: str) -> bool:
        """Whether this reply can replace the message `(channel_id, ts)`: the click came
        from it and its `response_url` may be used."""
        return self._where == Where(channel_id, ts) and self._url is not None

    def __call__(self, message: Message, *, replace_original: bool = False) -> None:
        if self._url is not None and self._respond is not None and \
                self._responded(self._respond, message, replace_original):
            return
        self._send_dm(message)

    def _responded(self, respond: Respond, message: Message, replace_original: bool) -> bool:
        """Post to the `response_url`; False (with a warning) when Slack did not take it."""
        try:
            answer = respond(text=message["text"], blocks=message.get("blocks"),
                             response_type=None if replace_original else "ephemeral",
                             replace_original=replace_original)
        except OSError as error:
            logger.warning("a response_url could not be reached (%s); sending a DM",
                           type(error).__name__)
            self._failed = True
            return False
        status = getattr(answer, "status_code", 200)
        if status != 200:
            logger.warning("a response_url answered %s; sending a DM", status)
            self._failed = True
            return False
        return True


def on_slack_host(api_url: str) -> Callable[[str], bool]:
    """Whether a `response_url` is on Slack's host: the Web API's host, or, for Slack
    itself (`https://slack.com/api/`), one of slack.com's hosts (`hooks.slack.com`)."""
    api = urlsplit(api_url)
    api_host = (api.hostname or "").lower()

    def trusted(url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != api.scheme or not host:
            return False
        if host == api_host:
            return parts.port == api.port
        return api_host == "slack.com" and host.endswith(".slack.com")

    return trusted


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
