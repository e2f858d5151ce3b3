"""Shared by the click handlers: which button, and running a flow for the clicker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.listeners.context import reply_to, requester, where_of
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
    tampered value, a full disk) go to Bolt's error handler, which tells them."""
    caller = requester(context).caller()
    outbounds = handler(services, caller, body, where_of(body))
    services.sender.send(outbounds, workspace_id=caller.workspace_id,
                         reply=reply_to(context), lang=caller.lang)
