"""The owner's answer to a due-date DM: Done, Still working or Dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.actions.common import clicked_value, run_click
from bot.services import Services
from conversations.refs import decode_id
from storage import CommitmentState


def make_answer(services: Services, state: CommitmentState) -> Callable[..., None]:
    def answer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        run_click(services, body, context, lambda s, caller, b, where: s.actions.answer(
            caller, decode_id(clicked_value(b)), state, where))

    return answer
