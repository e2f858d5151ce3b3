"""Start / Resume, Back and Finish later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.actions.common import clicked_value, run_click
from bot.listeners.context import claim_of, is_home_click
from bot.services import Services
from conversations.refs import BadRef, decode_ref


def make_start(services: Services) -> Callable[..., None]:
    def start(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()

        def begin(s: Services, caller: Any, b: dict[str, Any], _where: Any) -> list[Any]:
            round_id = clicked_value(b)
            if not round_id or "|" in round_id:
                raise BadRef(f"unexpected round reference {round_id!r}")
            out: list[Any] = s.diagnostic.begin(caller, round_id)
            if is_home_click(b):  # the tab may be stale (a closed round): show it as it is
                out += s.home.publish(caller)
            return out

        run_click(services, body, context, begin)

    return start


def make_back(services: Services) -> Callable[..., None]:
    def back(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, where: s.diagnostic.back(
            caller, decode_ref(clicked_value(b)), _required(where), claim_of(context)))

    return back


def make_later(services: Services) -> Callable[..., None]:
    def later(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, where: s.diagnostic.later(
            caller, decode_ref(clicked_value(b)), _required(where)))

    return later


def _required(where: Any) -> Any:
    if where is None:
        raise BadRef("a click without its message")
    return where
