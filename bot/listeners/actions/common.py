"""Shared by the click handlers: who clicked, which button, and a safe way to answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond

from bot.listeners.context import caller_of, where_of
from bot.services import Services
from conversations.context import Caller
from conversations.diagnostic import Where
from conversations.i18n import t
from conversations.refs import BadRef

logger = logging.getLogger(__name__)

Handler = Callable[[Services, Caller, dict[str, Any], Where | None], list[Any]]


def clicked_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def run_click(services: Services, body: dict[str, Any], respond: Respond,
              handler: Handler) -> None:
    """Resolve the caller, run the flow, send its output; bad input gets a polite line."""
    caller = caller_of(body, services)
    try:
        outbounds = handler(services, caller, body, where_of(body))
    except BadRef as error:
        logger.warning("ignored a click with a malformed value: %s", error)
        respond(text=t(caller.lang, "errors.malformed"), response_type="ephemeral",
                replace_original=False)
        return
    except Exception:
        logger.exception("a click failed")
        respond(text=t(caller.lang, "common.error_generic"), response_type="ephemeral",
                replace_original=False)
        return
    services.sender.send(outbounds, workspace_id=caller.workspace_id, respond=respond,
                         lang=caller.lang)
