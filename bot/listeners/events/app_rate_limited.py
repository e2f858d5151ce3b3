"""Slack says it is holding back events (more than 30,000 an hour for this workspace).

Slack sends this without a subscription and outside the event envelope (its `type` is
`app_rate_limited`, not `event_callback`), so no Bolt event listener matches it: it is
answered by middleware. Anything but a 200 counts towards Slack switching event delivery
off; there is nothing to do but acknowledge it and tell the operator."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

logger = logging.getLogger(f"wi3.{__name__}")


def acknowledge_rate_limiting(body: dict[str, Any], next: Callable[[], Any]) -> Any:
    if body.get("type") != "app_rate_limited":
        return next()
    logger.warning("Slack is holding back events for workspace %s (minute %s): some events "
                   "of that minute will not arrive", body.get("team_id"),
                   body.get("minute_rate_limited"))
    return BoltResponse(status=200, body="")
