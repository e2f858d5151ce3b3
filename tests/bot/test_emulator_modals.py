"""The emulator's modals: `views.open` / `push` / `update` with Slack's triggers and limits,
and what a `view_submission` answer does to the open modal."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator
from bot.emulator.api import ApiError
from bot.emulator.driver import modal_state
from bot.emulator.seed import LEAD, MEMBERS

ALEX = MEMBERS[0]


def modal(title: str = "Plan actions", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "callback_id": "cb", "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": "Save"},
            "blocks": [{"type": "input", "block_id": "what", "label": {
                "type": "plain_text", "text": "What"}, "element": {
                "type": "plain_text_input", "action_id": "text", "initial_value": "draft"}},
                {"type": "input", "block_id": "who", "label": {"type": "plain_text",
                                                              "text": "Who"},
                 "element": {"type": "users_select", "action_id": "owner"}},
                {"type": "input", "block_id": "pick", "label": {"type": "plain_text",
                                                               "text": "Pick"},
                 "element": {"type": "static_select", "action_id": "tip", "options": [
                     {"text": {"type": "plain_text", "text": "One"}, "value": "one"}]}}],
            **extra}


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.token, base_url=emulator.api_url, retry_handlers=[])


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


def test_a_trigger_opens_one_modal_for_its_person_once(
    client: WebClient, emulator: SlackEmulator
) -> None:
    trigger = emulator.mint_trigger_id(LEAD)
    opened = client.views_open(trigger_id=trigger, view=modal())["view"]
    shown = emulator.modal(LEAD)
    assert shown is not None and shown.id == opened["id"] and shown.callback_id == "cb"
    assert emulator.modal(ALEX) is None
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == \
        "exchanged_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="made-up", view=modal())) == \
        "invalid_trigger_id"


def test_a_trigger_is_good_for_three_seconds(
    client: WebClient, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    trigger = emulator.mint_trigger_id(LEAD)
    monkeypatch.setattr("bot.emulator.api.TRIGGER_SECONDS", -1.0)
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == \
        "expired_trigger_id"


@pytest.mark.parametrize("bad", [
    modal(title="A title far longer than Slack allows"),
    {**modal(), "type": "home"},
    {**modal(), "private_metadata": "x" * 3001},
    {k: v for k, v in modal().items() if k != "submit"},
])
def test_a_modal_slack_would_refuse_is_invalid_arguments(
    client: WebClient, emulator: SlackEmulator, bad: dict[str, Any]
) -> None:
    assert error_of(lambda: client.views_open(trigger_id=emulator.mint_trigger_id(LEAD),
                                              view=bad)) == "invalid_arguments"


def test_push_stacks_up_to_three_and_update_minds_the_hash(
    client: WebClient, emulator: SlackEmulator
) -> None:
    first = client.views_open(trigger_id=emulator.mint_trigger_id(LEAD), view=modal())["view"]
    for n in (2, 3):
        pushed = client.views_push(trigger_id=emulator.mint_trigger_id(LEAD),
                                   view=modal(f"Step {n}"))["view"]
        assert pushed["root_view_id"] == first["id"]
    assert error_of(lambda: client.views_push(trigger_id=emulator.mint_trigger_id(LEAD),
                                              view=modal())) == "push_limit_reached"
    top = emulator.modal(LEAD)
    assert top is not None and "Step 3" in top.visible_text()
    assert error_of(lambda: client.views_update(view_id=first["id"], hash="stale",
                                                view=modal())) == "hash_conflict"
    client.views_update(view_id=first["id"], hash=first["hash"], view=modal("Changed"))
    assert error_of(lambda: client.views_update(view_id="V404", view=modal())) == "not_found"


def test_answers_to_a_submission_keep_close_or_clear_the_modal(
    client: WebClient, emulator: SlackEmulator
) -> None:
    opened = client.views_open(trigger_id=emulator.mint_trigger_id(LEAD), view=modal())["view"]
    emulator.answer_submission(opened["id"], {"response_action": "errors",
                                              "errors": {"who": "Pick an owner."}})
    kept = emulator.modal(LEAD)
    assert kept is not None and kept.errors == {"who": "Pick an owner."}
    assert "Pick an owner." in kept.visible_text()
    with pytest.raises(ApiError):  # an error for no input is refused, as Slack does
        emulator.answer_submission(opened["id"], {"response_action": "errors",
                                                  "errors": {"nowhere": "?"}})
    emulator.answer_submission(opened["id"], {})
    assert emulator.modal(LEAD) is None
    client.views_open(trigger_id=emulator.mint_trigger_id(LEAD), view=modal())
    client.views_push(trigger_id=emulator.mint_trigger_id(LEAD), view=modal("Two"))
    top = emulator.modal(LEAD)
    assert top is not None
    emulator.answer_submission(top.id, {"response_action": "clear"})
    assert emulator.modal(LEAD) is None


def test_the_driver_sends_what_was_entered_as_slack_shapes_it(
    client: WebClient, emulator: SlackEmulator
) -> None:
    client.views_open(trigger_id=emulator.mint_trigger_id(LEAD), view=modal())
    shown = emulator.modal(LEAD)
    assert shown is not None
    assert modal_state(shown, {"who": ALEX, "pick": "one"}) == {
        "what": {"text": {"type": "plain_text_input", "value": "draft"}},
        "who": {"owner": {"type": "users_select", "selected_user": ALEX}},
        "pick": {"tip": {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": "One"}, "value": "one"}}},
    }
    assert modal_state(shown, {"what": None})["what"]["text"]["value"] is None
    with pytest.raises(LookupError):
        modal_state(shown, {"pick": "two"})
    with pytest.raises(LookupError):
        modal_state(shown, {"nowhere": "x"})
