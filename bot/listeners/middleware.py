"""Request-wide middleware, in the order a request meets it.

1. `keep_the_ack`: an acknowledged request stays acknowledged (`KeptAck`).
2. `know_the_requester`: who asked and where the answer goes, into `context`.
3. `skip_repeated_deliveries`: Slack's retries and double deliveries are handled once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.listeners.context import KeptAck, ReplyTo, Requester, channel_of
from bot.services import Services

logger = logging.getLogger(__name__)

DEDUPE_TTL_SECONDS = 3600.0  # Slack retries within minutes; an hour is ample
ANSWERED_KINDS = ("block_actions", None)
"""Requests someone waits on an answer to: clicks and (without a type) slash commands."""


def request_key(body: dict[str, Any]) -> str | None:
    """A key that is the same for a retry of one delivery and different for anything else."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("type") == "block_actions":
        user = (body.get("user") or {}).get("id", "")
        actions = body.get("actions") or []
        if actions and actions[0].get("action_ts"):
            return f"action:{user}:{actions[0].get('action_id')}:{actions[0]['action_ts']}"
    return None


class RecentKeys:
    """Keys seen in the last `ttl` seconds, in memory: for clicks, which Slack does not
    redeliver after a restart, so a disk write per click would buy nothing."""

    def __init__(self, ttl: float = DEDUPE_TTL_SECONDS, limit: int = 50_000) -> None:
        self.ttl = ttl
        self.limit = limit
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._seen and (len(self._seen) > self.limit
                                  or next(iter(self._seen.values())) < now - self.ttl):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


def register(app: App, services: Services) -> None:
    recent_clicks = RecentKeys()

    @app.middleware
    def keep_the_ack(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["ack"] = KeptAck()
        return next()

    @app.middleware
    def know_the_requester(body: dict[str, Any], context: BoltContext,
                           next: Callable[[], Any]) -> Any:
        workspace_id = context.team_id or ""
        user_id = context.user_id or ""
        context["requester"] = Requester(workspace_id, user_id, channel_of(body),
                                         services.people)
        if body.get("type") in ANSWERED_KINDS and user_id:
            context["reply_to"] = ReplyTo(
                context.respond,
                lambda message: services.sender.post_dm(workspace_id, user_id, message))
        return next()

    @app.middleware
    def skip_repeated_deliveries(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        """Events are claimed in storage (Slack retries them, even across our restarts);
        clicks in memory."""
        key = request_key(body)
        if key is not None:
            fresh = (services.store.claim(key, DEDUPE_TTL_SECONDS) if key.startswith("event:")
                     else recent_clicks.claim(key))
            if not fresh:
                logger.info("skipped a repeated delivery (%s)", key.split(":")[0])
                return BoltResponse(status=200, body="")
        return next()
