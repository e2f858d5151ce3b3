"""Asking Slack whether a message already went out: groundwork for exactly-once delivery
across a crash.

A kill right after Slack accepted a DM or a results post, and before the bot recorded it,
sends it again after the restart. Posted with a `DeliveryMark` as its Slack message
`metadata` (an `event_type` and a payload naming the message), such a message can be
looked for on recovery: `already_delivered` reads the conversation back
(`conversations.history` with `include_all_metadata`), newest first, as far back as
`since`, and answers with the message's ts when Slack has it.

Errors are raised, never read as "not delivered" or "delivered": recovery must try again
later rather than send twice or not at all. Reading history needs `im:history` for DMs and
`channels:history` / `groups:history` for team channels; production does not call this
yet, so `manifest.yml` does not ask for them (the outbox that uses it will).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

INVITATION_EVENT = "wi3_invitation"
RESULTS_EVENT = "wi3_results"
# Messages per history page (Slack allows up to 999; fewer pages, fewer Tier 3 calls).
HISTORY_PAGE_SIZE = 200


@dataclass(frozen=True)
class DeliveryMark:
    """What names one message that must go out once: an event type and its key."""

    event_type: str
    key: tuple[tuple[str, str], ...]

    @property
    def metadata(self) -> dict[str, Any]:
        """The `metadata` argument of `chat.postMessage` that carries this mark."""
        return {"event_type": self.event_type, "event_payload": dict(self.key)}

    def is_on(self, message: dict[str, Any]) -> bool:
        """Whether a message from `conversations.history` carries this mark."""
        metadata = message.get("metadata")
        if not isinstance(metadata, dict) or metadata.get("event_type") != self.event_type:
            return False
        payload = metadata.get("event_payload")
        return isinstance(payload, dict) and all(
            str(payload.get(name)) == value for name, value in self.key)


def invitation_mark(round_id: str, respondent: str) -> DeliveryMark:
    """A round's invitation to one respondent (`respondent`: the store's respondent key,
    so the payload names nobody; the DM itself is with that person anyway)."""
    return DeliveryMark(INVITATION_EVENT, (("round_id", round_id), ("respondent", respondent)))


def results_mark(round_id: str) -> DeliveryMark:
    """A round's results post in its team channel."""
    return DeliveryMark(RESULTS_EVENT, (("round_id", round_id),))


def already_delivered(
    client: WebClient, channel: str, mark: DeliveryMark, *, since: float | None = None
) -> str | None:
    """The ts of a message in `channel` (a channel or DM id) that carries `mark` and was
    posted after `since` (epoch seconds, e.g. when the round opened), or None.

    Raises `SlackApiError` when Slack cannot answer (missing scope, rate limit, ...)."""
    oldest = f"{since:.6f}" if since is not None else None
    for page in client.conversations_history(channel=channel, oldest=oldest,
                                             include_all_metadata=True,
                                             limit=HISTORY_PAGE_SIZE):
        for message in page.get("messages") or []:
            if mark.is_on(message):
                return str(message["ts"])
    return None
