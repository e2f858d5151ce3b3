"""Request-wide middleware: Slack's retries and double deliveries are handled once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.services import Services

logger = logging.getLogger(__name__)

DEDUPE_TTL_SECONDS = 3600.0  # Slack retries within minutes; an hour is ample


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


def register(app: App, services: Services) -> None:
    @app.middleware
    def skip_repeated_deliveries(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        key = request_key(body)
        if key is not None and not services.store.claim(key, DEDUPE_TTL_SECONDS):
            logger.info("skipped a repeated delivery (%s)", key.split(":")[0])
            return BoltResponse(status=200, body="")
        return next()
