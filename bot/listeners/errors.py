"""Bolt's global error handler: the one place an exception in a listener or middleware
becomes a log line for the operator and a kind reply for the person who asked."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.failures import explain, log_failure
from bot.listeners.context import Requester, reply_to
from conversations.i18n import DEFAULT_LANG
from conversations.views.diagnostic import notice


def register(app: App) -> None:
    @app.error
    def tell_the_person(error: Exception, body: dict[str, Any], context: BoltContext,
                        response: BoltResponse | None) -> BoltResponse | None:
        log_failure(error, what_was_asked(body))
        reply = reply_to(context)
        if reply is None:
            return None  # an event: Slack gets the error status and retries
        asker = context.get("requester")
        lang = asker.lang() if isinstance(asker, Requester) else DEFAULT_LANG
        channel = (asker.channel_id or "") if isinstance(asker, Requester) else ""
        try:
            reply(notice(explain(error, lang, channel)))
        except Exception as failure:
            log_failure(failure, "telling the person about it")
        # Failed before any ack (in a middleware, or an answer's write): the person has
        # been told, so this counts as the acknowledgement.
        return BoltResponse(status=200, body="") if response is not None else None


def what_was_asked(body: dict[str, Any]) -> str:
    """A short name for the request in the log, without what anyone typed after the verb."""
    if "command" in body:
        words = str(body.get("text") or "").split()
        return f"{body.get('command')} {words[0] if words else ''}".strip()
    if body.get("type") == "block_actions":
        actions = body.get("actions") or [{}]
        return f"a click on {actions[0].get('action_id')}"
    if body.get("type") == "view_submission":
        return f"a submission of {(body.get('view') or {}).get('callback_id')}"
    event = body.get("event") or {}
    return f"the {event.get('type') or body.get('type')} event"
