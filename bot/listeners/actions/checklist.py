"""The closing checklist: barriers (up to three) and why we started; Done or Skip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.actions.common import clicked_value, run_click
from bot.services import Services
from conversations.refs import ActionIds, BadRef


def acknowledge_choice(ack: Ack) -> None:
    """Choosing in the menus changes nothing yet; Done reads the choices."""
    ack()


def chosen(body: dict[str, Any], block_id: str, action_id: str) -> list[str]:
    values = ((body.get("state") or {}).get("values") or {}).get(block_id) or {}
    element = values.get(action_id) or {}
    return [str(option.get("value")) for option in element.get("selected_options") or []]


def _finish(services: Services, body: dict[str, Any], context: BoltContext, *,
            skip: bool) -> None:
    def finish(s: Services, caller: Any, b: dict[str, Any], where: Any) -> list[Any]:
        round_id = clicked_value(b)
        if not round_id or where is None:
            raise BadRef("a checklist click without its round or message")
        barriers = [] if skip else chosen(b, "wi3_barriers", ActionIds.BARRIERS)
        reasons = [] if skip else chosen(b, "wi3_reasons", ActionIds.REASONS)
        return s.diagnostic.finish_checklist(caller, round_id, where, barriers, reasons)

    run_click(services, body, context, finish)


def make_done(services: Services) -> Callable[..., None]:
    def done(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        _finish(services, body, context, skip=False)

    return done


def make_skip(services: Services) -> Callable[..., None]:
    def skip(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        _finish(services, body, context, skip=True)

    return skip
