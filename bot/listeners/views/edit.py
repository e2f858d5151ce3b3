"""The edit modal submitted: one commitment's text, owner and due date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.views.common import handle_submission, step_input
from bot.services import Services
from conversations.refs import decode_id


def make_edit_submitted(services: Services) -> Callable[..., None]:
    def edit_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        handle_submission(services, ack, body, context, lambda s, caller, view, people: (
            s.actions.submit_edit(caller, decode_id(view.get("private_metadata")),
                                  step_input(view, 1), people)))

    return edit_submitted
