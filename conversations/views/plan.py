"""The modals a lead plans and edits commitments in (`views.open`).

Up to three commitments, each a suggestion (the team tips of the round's results, listed
in full above, since a menu option shows only 75 characters) or the lead's own words,
with an owner (a user picker) and a due date (a date picker). Every input is optional to
Slack; the flow checks what belongs together and answers with errors under the inputs
(`response_action: errors`), keyed by the block ids `field_block` makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from conversations.actions.read import commitment_text
from conversations.actions.suggestions import Suggestion
from conversations.i18n import t
from conversations.refs import ViewIds
from conversations.views.common import MAX_SECTION_TEXT, clip, context, mrkdwn_escape, section
from conversations.views.scores import bounded_list
from model import load_content
from storage import MAX_COMMITMENT_TEXT, Commitment

STEPS = 3
"""Commitments one plan holds at most: few enough that each gets done."""
TIP, TEXT, OWNER, DUE = "tip", "text", "owner", "due"
"""The inputs of one commitment; each input's `action_id`."""
MAX_OPTION_TEXT = 75


def field_block(step: int, field: str) -> str:
    """The block id of one input of commitment `step` (1-based)."""
    return f"wi3_step{step}_{field}"


def plan_modal(lang: str, *, round_id: str, channel_id: str, subject: str,
               suggestions: Sequence[Suggestion]) -> dict[str, Any]:
    """"Plan actions" for a round's results; the round id is the modal's metadata."""
    blocks: list[Block] = [section(t(lang, "actions.plan.intro", channel=channel_id,
                                     subject=mrkdwn_escape(subject)))]
    if suggestions:
        lines = [t(lang, "actions.plan.suggestion", n=n, text=s.text)
                 for n, s in enumerate(suggestions, 1)]
        blocks.append(section(bounded_list(lang, t(lang, "actions.plan.suggestions_title"),
                                           lines, len(lines), budget=MAX_SECTION_TEXT)))
    else:
        blocks.append(context(t(lang, "actions.plan.no_suggestions")))
    for step in range(1, STEPS + 1):
        title = "actions.plan.step" if step == 1 else "actions.plan.step_optional"
        blocks += [DividerBlock(), section(t(lang, title, n=step))]
        if suggestions:
            blocks.append(_tip_input(lang, step, suggestions))
        blocks += [_text_input(lang, step, hint=bool(suggestions)),
                   _owner_input(lang, step), _due_input(lang, step)]
    return _modal(lang, ViewIds.PLAN, "actions.plan.title", round_id, blocks)


def edit_modal(lang: str, commitment: Commitment) -> dict[str, Any]:
    """One commitment to change: what, who, by when; its id is the modal's metadata."""
    blocks: list[Block] = [
        section(t(lang, "actions.plan.edit_intro", number=commitment.number,
                  channel=commitment.channel_id)),
        _text_input(lang, 1, initial=commitment_text(lang, commitment, load_content()),
                    label="actions.plan.edit_text_label"),
        _owner_input(lang, 1, initial=commitment.owner),
        _due_input(lang, 1, initial=commitment.due.isoformat()),
    ]
    return _modal(lang, ViewIds.EDIT, "actions.plan.edit_title", commitment.id, blocks)


def _modal(lang: str, callback_id: str, title: str, metadata: str,
           blocks: list[Block]) -> dict[str, Any]:
    view = View(type="modal", callback_id=callback_id, title=t(lang, title),
                submit=t(lang, "actions.plan.submit"), close=t(lang, "actions.plan.close"),
                private_metadata=metadata, blocks=blocks)
    return view.to_dict()


def _tip_input(lang: str, step: int, suggestions: Sequence[Suggestion]) -> InputBlock:
    options = [Option(value=s.key, text=clip(t(lang, "actions.plan.suggestion", n=n,
                                                  text=s.text), MAX_OPTION_TEXT))
               for n, s in enumerate(suggestions, 1)]
    return InputBlock(block_id=field_block(step, TIP), optional=True,
                      label=t(lang, "actions.plan.tip_label"),
                      element=StaticSelectElement(
                          action_id=TIP, options=options,
                          placeholder=t(lang, "actions.plan.tip_placeholder")))


def _text_input(lang: str, step: int, *, hint: bool = False, initial: str | None = None,
                label: str = "actions.plan.text_label") -> InputBlock:
    return InputBlock(block_id=field_block(step, TEXT), optional=initial is None,
                      label=t(lang, label),
                      hint=t(lang, "actions.plan.text_hint") if hint else None,
                      element=PlainTextInputElement(action_id=TEXT, initial_value=initial,
                                                    max_length=MAX_COMMITMENT_TEXT))


def _owner_input(lang: str, step: int, initial: str | None = None) -> InputBlock:
    return InputBlock(block_id=field_block(step, OWNER), optional=True,
                      label=t(lang, "actions.plan.owner_label"),
                      element=UserSelectElement(
                          action_id=OWNER, initial_user=initial,
                          placeholder=t(lang, "actions.plan.owner_placeholder")))


def _due_input(lang: str, step: int, initial: str | None = None) -> InputBlock:
    return InputBlock(block_id=field_block(step, DUE), optional=True,
                      label=t(lang, "actions.plan.due_label"),
                      element=DatePickerElement(
                          action_id=DUE, initial_date=initial,
                          placeholder=t(lang, "actions.plan.due_placeholder")))
