"""Asking Slack whether a message already went out: exactly once, also across a crash.

A kill right after Slack accepted a DM or a results post, and before the bot recorded it,
would send it again. Every message the outbox sends carries a `DeliveryMark` as its Slack
message `metadata` (an `event_type` and a payload naming the message); an upload, which
cannot carry metadata, is known by its file's name. When a message comes back in doubt
(its sender died, or Slack's answer was lost), `already_delivered` reads the conversation
back (`conversations.history` with `include_all_metadata`), newest first, as far back as
`since`, and answers with the message's ts when Slack has it.

Errors are raised, never read as "not delivered" or "delivered": recovery must try again
later rather than send twice or not at all. Reading history needs `im:history` for DMs and
`channels:history` / `groups:history` for team channels (`manifest.yml` says why).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot import metrics

# Messages per history page (Slack allows up to 999; fewer pages, fewer Tier 3 calls).
HISTORY_PAGE_SIZE = 200
EVENT_PREFIX = "wi3_"


@dataclass(frozen=True)
class DeliveryMark:
    """What names one message that must go out once: an event type and its key, or the
    name of the file an upload shares."""

    event_type: str
    key: tuple[tuple[str, str], ...]
    filename: str | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        """The `metadata` argument of `chat.postMessage` that carries this mark."""
        return {"event_type": self.event_type, "event_payload": dict(self.key)}

    def is_on(self, message: dict[str, Any]) -> bool:
        """Whether a message from `conversations.history` carries this mark."""
        if self.filename is not None:
            return any(isinstance(shared, dict) and shared.get("name") == self.filename
                       for shared in message.get("files") or [])
        metadata = message.get("metadata")
        if not isinstance(metadata, dict) or metadata.get("event_type") != self.event_type:
            return False
        payload = metadata.get("event_payload")
        return isinstance(payload, dict) and all(
            str(payload.get(name)) == value for name, value in self.key)


def outbox_mark(kind: str, key: str, *, filename: str | None = None) -> DeliveryMark:
    """The mark of one outbox message: its kind, and a digest of its key (keys hold user
    ids; the digest names the message without them)."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return DeliveryMark(f"{EVENT_PREFIX}{kind}", (("id", digest),), filename)


def already_delivered(
    client: WebClient, channel: str, mark: DeliveryMark, *, since: float | None = None
) -> str | None:
    """The ts of a message in `channel` (a channel or DM id) that carries `mark` and was
    posted after `since` (epoch seconds, e.g. when the round opened), or None.

    Raises `SlackApiError` when Slack cannot answer (missing scope, rate limit, ...)."""
    try:
        found = _look_for(client, channel, mark, since)
    except Exception:
        metrics.delivery_checked(None)
        raise
    metrics.delivery_checked(found is not None)
    return found


def _look_for(client: WebClient, channel: str, mark: DeliveryMark,
              since: float | None) -> str | None:
    oldest = f"{since:.6f}" if since is not None else None
    for page in client.conversations_history(channel=channel, oldest=oldest,
                                             include_all_metadata=True,
                                             limit=HISTORY_PAGE_SIZE):
        for message in page.get("messages") or []:
            if mark.is_on(message):
                return str(message["ts"])
    return None
