"""`/wi3 forget me`, confirmed or cancelled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.actions.common import run_click
from bot.services import Services


def make_confirm(services: Services) -> Callable[..., None]:
    def confirm(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, _b, _w: s.rounds.forget(caller))

    return confirm


def make_cancel(services: Services) -> Callable[..., None]:
    def cancel(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context,
                  lambda s, caller, _b, _w: s.rounds.forget_cancelled(caller))

    return cancel
