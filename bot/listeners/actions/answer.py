"""A click on the 1..5 scale or on Don't know."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.actions.common import clicked_value, run_click
from bot.listeners.context import claim_of
from bot.services import Services
from conversations.context import Caller
from conversations.diagnostic import Where
from conversations.refs import BadRef, ItemRef, decode_ref
from storage import RequestClaim


def _answer(services: Services, caller: Caller, ref: ItemRef, where: Where | None,
            claim: RequestClaim | None) -> list[Any]:
    """The answer, saved with the click's claim; whether everyone finished is asked only
    when this click finished the person."""
    if where is None:
        raise BadRef("a scale click without its message")
    return list(services.diagnostic.answer(caller, ref, where, claim,
                                           on_finished=services.closing.all_finished))


def make_answer(services: Services) -> Callable[..., None]:
    def answer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, where: _answer(
            s, caller, decode_ref(clicked_value(b), with_score=True), where,
            claim_of(context)))

    return answer


def make_dont_know(services: Services) -> Callable[..., None]:
    def dont_know(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, where: _answer(
            s, caller, decode_ref(clicked_value(b)), where, claim_of(context)))

    return dont_know
