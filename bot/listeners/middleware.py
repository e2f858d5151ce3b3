"""Request-wide middleware, in the order a request meets it.

1. `keep_the_ack`: an acknowledged request stays acknowledged (`KeptAck`).
2. `know_the_requester`: who asked and where the answer goes, into `context`; a request
   that names no workspace is acknowledged and goes no further.
3. `skip_repeats`: each request is handled once, also across restarts. Slack's retries
   of an event share its `event_id`; a replayed request (a captured command or click
   sent again within the signature window) shares its signature. One durable claim per
   request (`Store.claim`) remembers them. A click that writes (an answer, Don't know,
   Back) is not claimed here: its claim goes into `context["claim"]` and is saved in the
   same write as the answer or move (`Store.answer_and_advance`), so the click costs one
   durable write, and a click whose write failed stays unclaimed. An answer is acked
   once that write is done (`bot.listeners.actions.answer`): an acked answer is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot import metrics
from bot.listeners.context import (
    KeptAck,
    ReplyTo,
    Requester,
    channel_of,
    on_slack_host,
    where_of,
)
from bot.services import Services
from conversations.refs import ActionIds
from storage import RequestClaim, StorageError
from storage.ids import is_slack_id

logger = logging.getLogger(f"wi3.{__name__}")

SIGNATURE_WINDOW_SECONDS = 5 * 60
"""Slack's signature check accepts a request stamped this far from now, either way."""
REPLAY_SECONDS = 2 * SIGNATURE_WINDOW_SECONDS
"""How long a request is remembered: one stamped five minutes ahead stays acceptable
until five minutes after its stamp."""
EVENT_RETRY_SECONDS = 3600.0
"""Slack retries an event within minutes (new signatures, same event_id); an hour is ample."""
CLAIMED_BY_THEIR_WRITE = frozenset({
    *(ActionIds.answer(score) for score in range(1, 6)), ActionIds.DONT_KNOW, ActionIds.BACK})
"""Clicks whose listener saves the request's claim with what it writes (see above)."""
ANSWERED_KINDS = ("block_actions", "view_submission", None)
"""Requests someone waits on an answer to: clicks, modal submissions and (without a type)
slash commands. A submission has no `response_url`: its answer goes by DM."""


def request_key(body: dict[str, Any], request: BoltRequest) -> tuple[str, float] | None:
    """A key shared by every delivery of one request, and how long to remember it."""
    if body.get("type") == "event_callback":
        return f"event:{body['event_id']}", EVENT_RETRY_SECONDS
    signature = request.headers.get("x-slack-signature", [""])[0]
    if signature:
        return f"signed:{signature}", REPLAY_SECONDS
    if body.get("trigger_id"):  # Socket Mode: a redelivered envelope repeats its trigger
        return f"trigger:{body['trigger_id']}", REPLAY_SECONDS
    return None


def register(app: App, services: Services) -> None:
    @app.middleware
    def keep_the_ack(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["ack"] = KeptAck()
        return next()

    @app.middleware
    def know_the_requester(body: dict[str, Any], context: BoltContext,
                           next: Callable[[], Any]) -> Any:
        workspace_id = context.team_id or ""
        user_id = context.user_id or ""
        if not is_slack_id(workspace_id):
            return refuse_without_workspace(body)
        context["requester"] = Requester(workspace_id, user_id, channel_of(body),
                                         services.people)
        if body.get("type") in ANSWERED_KINDS and user_id:
            context["reply_to"] = ReplyTo(
                context.respond,
                lambda message: services.sender.post_dm(workspace_id, user_id, message),
                where=where_of(body) if body.get("type") == "block_actions" else None,
                trusted=on_slack_host(context.client.base_url if context.client else ""))
        return next()

    @app.middleware
    def skip_repeats(body: dict[str, Any], request: BoltRequest, context: BoltContext,
                     next: Callable[[], Any]) -> Any:
        key = request_key(body, request)
        if key is not None and claimed_by_its_write(body):
            context["claim"] = RequestClaim(*key)
        elif key is not None and not _first_time(services, *key):
            logger.info("skipped a repeated delivery (%s)", key[0].split(":")[0])
            metrics.repeat_skipped()
            return BoltResponse(status=200, body="")
        return next()


def refuse_without_workspace(body: dict[str, Any]) -> BoltResponse:
    """A signed request that names no workspace (`"team_id": null`, or an org-wide one
    whose authorization names none): nothing can be done for it or sent anywhere. It is
    acknowledged, so Slack does not retry it, and noted."""
    logger.warning("ignored a request that names no workspace (%s)",
                   body.get("type") or "slash command")
    return BoltResponse(status=200, body="")


def claimed_by_its_write(body: dict[str, Any]) -> bool:
    """A click whose listener claims the request in the write it makes."""
    if body.get("type") != "block_actions":
        return False
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return isinstance(first, dict) and first.get("action_id") in CLAIMED_BY_THEIR_WRITE


def _first_time(services: Services, key: str, ttl: float) -> bool:
    """Whether this is the first delivery. When the claim cannot be saved (a full disk),
    the request goes on: nothing it would change can be saved either, and a read-only
    one (`/wi3 me`) still gets its answer."""
    try:
        return services.store.claim(key, ttl)
    except StorageError as error:
        logger.warning("could not remember a request, handling it anyway (%s)", error)
        return True
