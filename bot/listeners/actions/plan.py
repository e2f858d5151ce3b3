"""A lead's buttons on commitments: "Plan actions" (the guide, `/wi3 actions`), "Edit" and
"Drop" (`/wi3 actions`). The two that open a modal hand Slack's `trigger_id` on at once:
it is good for three seconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.actions.common import clicked_value, run_click
from bot.services import Services
from conversations.refs import BadRef, decode_id


def trigger_of(body: dict[str, Any]) -> str:
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        raise BadRef("a click that should open a modal came without a trigger_id")
    return trigger


def make_plan(services: Services) -> Callable[..., None]:
    def plan(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, _where: s.actions.plan(
            caller, decode_id(clicked_value(b)), trigger_of(b)))

    return plan


def make_edit(services: Services) -> Callable[..., None]:
    def edit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, _where: s.actions.edit(
            caller, decode_id(clicked_value(b)), trigger_of(b)))

    return edit


def make_drop(services: Services) -> Callable[..., None]:
    def drop(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, _where: s.actions.drop(
            caller, decode_id(clicked_value(b))))

    return drop
