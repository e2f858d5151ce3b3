"""Steps a user takes in Slack, for the end-to-end tests (driver + emulator + served bot)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.workspace import Message
from conversations.refs import ActionIds


def dm_with_button(emulator: SlackEmulator, user: str, action_id: str) -> Message:
    """The newest DM to `user` that shows a button with `action_id`."""
    for message in reversed(emulator.messages_to(user)):
        try:
            message.find_button(action_id)
        except LookupError:
            continue
        return message
    raise AssertionError(f"no DM to {user} with a {action_id} button; DMs: "
                         f"{[m.visible_text()[:80] for m in emulator.messages_to(user)]}")


def invitation(emulator: SlackEmulator, user: str) -> Message:
    return dm_with_button(emulator, user, ActionIds.START)


def current_question(emulator: SlackEmulator, user: str) -> Message:
    return dm_with_button(emulator, user, ActionIds.answer(1))


def progress_line(message: Message) -> str:
    return next(line for line in message.visible_text().splitlines()
                if line.startswith(("Question ", "Vraag ")))


def answer_all(
    driver: SlackDriver,
    emulator: SlackEmulator,
    user: str,
    score: Callable[[int, str], int | None] | int | None,
    *,
    checklist: Sequence[str] | None = (),
) -> Message:
    """Start from the invitation and answer every statement; `score(n, progress)` picks
    the answer (None = don't know). Ends on the checklist unless `checklist` is None."""
    driver.click(user, invitation(emulator, user), ActionIds.START)
    n = 0
    while True:
        try:
            question = current_question(emulator, user)
        except AssertionError:
            break
        n += 1
        value = score(n, progress_line(question)) if callable(score) else score
        action = ActionIds.DONT_KNOW if value is None else ActionIds.answer(value)
        assert driver.click(user, question, action).status == 200
        if n > 40:
            raise AssertionError("the questions never ended")
    final = emulator.last_message(user)
    assert final is not None
    if checklist is not None:
        done = dm_with_button(emulator, user, ActionIds.CHECKLIST_DONE)
        state = {"wi3_barriers": {ActionIds.BARRIERS: {
            "type": "multi_static_select",
            "selected_options": [{"value": b} for b in checklist]}}}
        driver.click(user, done, ActionIds.CHECKLIST_DONE, state=state)
        final = emulator.last_message(user)
        assert final is not None
    return final
