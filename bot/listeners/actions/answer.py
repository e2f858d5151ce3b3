"""A click on the 1..5 scale or on Don't know."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot import crash
from bot.listeners.actions.common import Handler, clicked_value, run_click
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


def _acked_once_written(ack: Ack, flow: Handler) -> Handler:
    """The flow, then the ack: Slack hears "got it" only once the answer (and the click's
    claim) is durable, so a process killed right after acknowledging loses no answer.
    A write that fails raises before the ack; the error handler tells the person."""
    def written_then_acked(services: Services, caller: Caller, body: dict[str, Any],
                           where: Where | None) -> list[Any]:
        outbounds = flow(services, caller, body, where)
        ack()
        crash.point("click.acked", delay=ACK_OUT_SECONDS)
        return outbounds

    return written_then_acked


ACK_OUT_SECONDS = 0.3
"""At the crash point after an ack: time for the ack's HTTP response to reach Slack."""


def make_answer(services: Services) -> Callable[..., None]:
    def answer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        run_click(services, body, context, _acked_once_written(
            ack, lambda s, caller, b, where: _answer(
                s, caller, decode_ref(clicked_value(b), with_score=True), where,
                claim_of(context))))

    return answer


def make_dont_know(services: Services) -> Callable[..., None]:
    def dont_know(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        run_click(services, body, context, _acked_once_written(
            ack, lambda s, caller, b, where: _answer(
                s, caller, decode_ref(clicked_value(b)), where, claim_of(context))))

    return dont_know
