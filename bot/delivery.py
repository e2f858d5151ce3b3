"""Asking Slack whether a message already went out: exactly once, also across a crash.

A kill right after Slack accepted a DM or a results post, and before the bot recorded it,
would send it again. Every message the outbox sends carries a `DeliveryMark` as its Slack
message `metadata` (an `event_type` and a payload naming the message); an upload, which
cannot carry metadata, is known by its file's name. When a message comes back in doubt
(its sender died, or Slack's answer was lost), `already_delivered` reads the conversation
back (`conversations.history` with `include_all_metadata`), newest first, as far back as
`since`, and answers with the message's ts when Slack has it.

`DeliveryChecks` shares one look per conversation: after a crash, every message in doubt
in a channel is answered by one read of its history (paged), taken in turn from the
workspace's `conversations.history` budget (Tier 3), so a crash in a large fan-out costs
one read per conversation involved, not one per message.

Errors are raised, never read as "not delivered" or "delivered": recovery must try again
later rather than send twice or not at all. Reading history needs `im:history` for DMs and
`channels:history` / `groups:history` for team channels (`manifest.yml` says why).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot import metrics
from bot.method_budgets import MethodBudgets

# Messages per history page (Slack allows up to 999; fewer pages, fewer Tier 3 calls).
HISTORY_PAGE_SIZE = 200
EVENT_PREFIX = "wi3_"
HISTORY = "conversations.history"
LOOK_MARGIN_SECONDS = 600.0
"""A look reads this much further back than the message that asked for it, so the
conversation's other messages in doubt (first claimed a little earlier) are covered too."""
LOOK_KEPT = timedelta(minutes=5)
"""How long a look answers for later messages in doubt before it is read again."""


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


@dataclass(frozen=True)
class _Look:
    """What one read of a conversation's history saw: its marked messages, from `oldest`
    (epoch seconds) on, as they were when the read `began` (the dispatcher's clock)."""

    began: datetime
    oldest: float
    messages: tuple[dict[str, Any], ...]

    def find(self, mark: DeliveryMark, since: float) -> str | None:
        for message in self.messages:
            if float(message.get("ts") or 0) >= since and mark.is_on(message):
                return str(message["ts"])
        return None

    def answers_for(self, since: float, settled_at: datetime | None) -> bool:
        """Whether "not there" is an answer for a message whose earlier senders had all
        finished by `settled_at` (None: unknown, read again)."""
        return settled_at is not None and self.began >= settled_at and self.oldest <= since


class DeliveryChecks:
    """Delivery checks for one dispatcher: one look per conversation answers every message
    in doubt there, each page read in turn from the workspace's Tier 3 budget (waiting
    for a turn in the outbox's worker, never in a request thread)."""

    def __init__(self, budgets: MethodBudgets, clock: Callable[[], datetime], *,
                 max_wait: float | None = None) -> None:
        self.budgets = budgets
        self.clock = clock
        self.max_wait = max_wait
        self._looks: dict[tuple[str, str], _Look] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def delivered(self, client: WebClient, workspace_id: str, channel: str,
                  mark: DeliveryMark, *, since: float,
                  settled_at: datetime | None) -> str | None:
        """The ts of the message carrying `mark` in `channel` posted after `since`, or
        None. `settled_at`: when the message's earlier senders had all finished (a look
        begun after it sees whatever they sent). Raises `SlackApiError`, and
        `bot.throttle.TooLong` when the next turn is further than `max_wait`."""
        try:
            found = self._delivered(client, (workspace_id, channel), mark, since, settled_at)
        except Exception:
            metrics.delivery_checked(None)
            raise
        metrics.delivery_checked(found is not None)
        return found

    def _delivered(self, client: WebClient, key: tuple[str, str], mark: DeliveryMark,
                   since: float, settled_at: datetime | None) -> str | None:
        with self._lock_of(key):
            look = self._looks.get(key)
            if look is not None:
                found = look.find(mark, since)
                if found is not None or look.answers_for(since, settled_at):
                    return found
            look = self._read(client, key, since - LOOK_MARGIN_SECONDS)
            self._looks[key] = look
        return look.find(mark, since)

    def _lock_of(self, key: tuple[str, str]) -> threading.Lock:
        """The conversation's lock (a second message in doubt waits for the look under
        way instead of reading again); old looks are forgotten here."""
        with self._guard:
            now = self.clock()
            for stale in [k for k, look in self._looks.items() if now - look.began > LOOK_KEPT]:
                del self._looks[stale]
            return self._locks.setdefault(key, threading.Lock())

    def _read(self, client: WebClient, key: tuple[str, str], oldest: float) -> _Look:
        workspace_id, channel = key
        throttle = self.budgets.of(workspace_id, HISTORY)
        began = self.clock()
        kept: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = throttle.call(lambda c=cursor: client.conversations_history(  # type: ignore[misc]
                channel=channel, oldest=f"{oldest:.6f}", include_all_metadata=True,
                limit=HISTORY_PAGE_SIZE, cursor=c), max_wait=self.max_wait)
            kept += [_marked(message) for message in page.get("messages") or []
                     if message.get("metadata") or message.get("files")]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return _Look(began, oldest, tuple(kept))


def _marked(message: dict[str, Any]) -> dict[str, Any]:
    """The parts of a message a mark is read from."""
    return {"ts": message.get("ts"), "metadata": message.get("metadata"),
            "files": [{"name": shared.get("name")} for shared in message.get("files") or []
                      if isinstance(shared, dict)]}
