"""Shared by the click handlers: which button, and running a flow for the clicker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot import metrics
from bot.listeners.context import reply_to, requester, where_of
from bot.metrics import RECEIVED_AT
from bot.services import Services
from conversations.context import Caller
from conversations.diagnostic import Where

Handler = Callable[[Services, Caller, dict[str, Any], Where | None], list[Any]]


def clicked_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def run_click(services: Services, body: dict[str, Any], context: BoltContext,
              handler: Handler) -> None:
    """Run the flow for the person who clicked and send what it returns. Failures (a
    tampered value, a full disk) go to Bolt's error handler, which tells them.

    A flow's first outbound is the update of the clicker's screen: the click's latency
    (`wi3_click_seconds`) runs from its arrival until that went out."""
    caller = requester(context).caller()
    outbounds = handler(services, caller, body, where_of(body))
    screen, rest = outbounds[:1], outbounds[1:]
    reply = reply_to(context)
    services.sender.send(screen, workspace_id=caller.workspace_id, reply=reply,
                         lang=caller.lang)
    if screen and RECEIVED_AT in context:
        metrics.click_answered(context[RECEIVED_AT])
    if rest:
        services.sender.send(rest, workspace_id=caller.workspace_id, reply=reply,
                             lang=caller.lang)
