"""Reading a submitted modal, answering it, and what the planning flow asks about people.

A submission is acknowledged with its answer: `response_action: errors` keeps the modal
open with the errors under the inputs; a plain ack closes it. Validation therefore runs
before the ack (it asks Slack about the owners, well within Slack's three seconds); what
the flow then wants sent goes out after it. When the commitments cannot be saved (a full
disk, a lost database), the modal stays open saying so, with everything still filled in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot import crash
from bot.failures import explain, log_failure
from bot.listeners.context import reply_to, requester
from bot.listeners.errors import what_was_asked
from bot.people import People
from bot.services import Services
from conversations.actions.planning import Directory, Refused, StepInput, Submitted
from conversations.context import Caller
from conversations.views.plan import DUE, OWNER, TEXT, TIP, field_block
from storage import StorageError

Submit = Callable[[Services, Caller, dict[str, Any], Directory], Submitted]


class PeopleDirectory:
    """The planning flow's questions about people, answered from Slack (`People`)."""

    def __init__(self, people: People, workspace_id: str) -> None:
        self.people = people
        self.workspace_id = workspace_id

    def is_member(self, channel_id: str, user_id: str) -> bool:
        return self.people.in_channel(self.workspace_id, channel_id, user_id)

    def is_person(self, user_id: str) -> bool:
        return self.people.person(self.workspace_id, user_id).can_answer

    def timezone(self, user_id: str) -> str | None:
        return self.people.person(self.workspace_id, user_id).timezone


def step_input(view: dict[str, Any], step: int) -> StepInput:
    """What was filled in for commitment `step` (inputs a modal lacks read as empty)."""
    values = (view.get("state") or {}).get("values") or {}

    def chosen(field: str, key: str) -> Any:
        return (values.get(field_block(step, field)) or {}).get(field, {}).get(key)

    option = chosen(TIP, "selected_option") or {}
    return StepInput(tip=option.get("value"), text=chosen(TEXT, "value"),
                     owner=chosen(OWNER, "selected_user"), due=chosen(DUE, "selected_date"))


def handle_submission(services: Services, ack: Ack, body: dict[str, Any],
                      context: BoltContext, submit: Submit) -> None:
    """Check and save a submission; errors stay in the modal, the rest is sent after."""
    caller = requester(context).caller()
    people = PeopleDirectory(services.people, caller.workspace_id)
    try:
        outcome = submit(services, caller, body.get("view") or {}, people)
    except StorageError as error:
        log_failure(error, what_was_asked(body))
        outcome = Refused({field_block(1, TEXT): explain(error, caller.lang)})
    if isinstance(outcome, Refused):
        ack(response_action="errors", errors=dict(outcome.errors))
        return
    crash.point("commitments.saved")  # saved, the modal not yet closed
    ack()
    services.sender.send(outcome, workspace_id=caller.workspace_id, reply=reply_to(context),
                         lang=caller.lang)
