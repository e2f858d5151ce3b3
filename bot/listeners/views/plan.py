"""The "Plan actions" modal submitted: one to three commitments for the round's team."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.views.common import handle_submission, step_input
from bot.services import Services
from conversations.refs import decode_id
from conversations.views.plan import STEPS


def make_plan_submitted(services: Services) -> Callable[..., None]:
    def plan_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        handle_submission(services, ack, body, context, lambda s, caller, view, people: (
            s.actions.submit_plan(caller, decode_id(view.get("private_metadata")),
                                  [step_input(view, n) for n in range(1, STEPS + 1)], people)))

    return plan_submitted
