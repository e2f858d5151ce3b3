"""Steps a user takes in Slack, for the end-to-end tests (driver + emulator + served bot)."""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.app import create_app
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator
from bot.emulator.workspace import Message
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.services import Services
from bot.slack_client import make_client, make_sending_client
from conversations.refs import ActionIds
from conversations.views.plan import field_block
from storage import open_store
from tests.model.conftest import per_element

if TYPE_CHECKING:
    import pytest


def alarms(records: Sequence[logging.LogRecord]) -> list[str]:
    """Log lines an operator would be woken for: errors and anything with a traceback."""
    return [record.getMessage() for record in records
            if record.levelno >= logging.ERROR or record.exc_info
            or "Traceback" in record.getMessage()]


@contextmanager
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """While inside: every write to a file fails as on a full disk (ENOSPC); pipes and
    sockets (the HTTP servers' own plumbing) still work."""
    with monkeypatch.context() as patch:
        fill_disk(patch)
        yield


def fill_disk(patch: pytest.MonkeyPatch) -> None:
    """From now until `patch` is undone, writes to files fail as on a full disk."""
    real_write = os.write

    def no_space(fd: int, data: bytes) -> int:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    patch.setattr(os, "write", no_space)


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


def statement_of(progress: str) -> tuple[int, int]:
    """(n, of how many) from a progress line ("Statement 3 of 23", "Stelling 3 van 23")."""
    found = re.search(r"(\d+) (?:of|van) (\d+)", progress)
    assert found is not None, f"no position in {progress!r}"
    return int(found.group(1)), int(found.group(2))


def progress_line(message: Message) -> str:
    return next(line for line in message.visible_text().splitlines()
                if line.startswith(("Statement ", "Stelling ")))


def answer_all(
    driver: SlackDriver,
    emulator: SlackEmulator,
    user: str,
    score: Callable[[int, str], int | None] | int | None,
    *,
    checklist: Sequence[str] | None = (),
    reasons: Sequence[str] = (),
) -> Message:
    """Start from the invitation and answer every statement; `score(n, progress)` picks
    the answer (None = don't know). Then ticks `checklist` (barriers) and `reasons` (why
    we started) and clicks Done, unless `checklist` is None."""
    driver.click(user, invitation(emulator, user), ActionIds.START)
    n, total = 0, None
    while True:
        try:
            question = current_question(emulator, user)
        except AssertionError:
            break
        n += 1
        progress = progress_line(question)
        at, total = statement_of(progress)
        assert at == n, f"statement {at} shown where {n} was due"
        value = score(n, progress) if callable(score) else score
        action = ActionIds.DONT_KNOW if value is None else ActionIds.answer(value)
        assert driver.click(user, question, action).status == 200
        if n > 40:
            raise AssertionError("the questions never ended")
    assert total is not None and n == total, f"answered {n} of {total} statements"
    final = emulator.last_message(user)
    assert final is not None
    if checklist is not None:
        done = dm_with_button(emulator, user, ActionIds.CHECKLIST_DONE)
        state = {"wi3_barriers": {ActionIds.BARRIERS: {
            "type": "multi_static_select",
            "selected_options": [{"value": b} for b in checklist]}},
            "wi3_reasons": {ActionIds.REASONS: {
                "type": "checkboxes", "selected_options": [{"value": r} for r in reasons]}}}
        driver.click(user, done, ActionIds.CHECKLIST_DONE, state=state)
        final = emulator.last_message(user)
        assert final is not None
    return final


LAGGING_INVESTMENT = per_element(waarde=(4, 4, 2), impact=(4, 4, 3), innovatie=(4, 4, 3),
                                 investering=(4, 2, 1))
"""A respondent who sees Investment lagging (the bottleneck) and the rest facilitating."""


def guide_to(emulator: SlackEmulator, user: str) -> Message:
    """The discussion guide DM'd to a lead (in either language)."""
    [found] = [m for m in emulator.messages_to(user)
               if m.text.startswith(("Your discussion guide", "Je gespreksleidraad"))]
    return found


def plan_values(*steps: dict[str, str | None]) -> dict[str, str | None]:
    """What a lead enters into the "Plan actions" modal, commitment by commitment:
    `{"tip" | "text" | "owner" | "due": value}` each."""
    return {field_block(n, field): value for n, given in enumerate(steps, 1)
            for field, value in given.items()}


@contextmanager
def running_bot(
    config: Config, emulator: SlackEmulator, clock: Callable[[], datetime]
) -> Iterator[Bot]:
    """A whole bot process's worth of objects on `config.data_dir`: store, services, app,
    server and driver. Leaving the block is a shutdown; entering again is a restart."""
    with open_store(config.data_dir, clock=clock) as store:
        services = Services.build(
            store, make_client(config), fanout_client=make_sending_client(config),
            clock=clock, messages_per_second=1000.0,
        )
        app = create_app(config, store, client=make_client(config),
                         listener_executor=InlineExecutor(), services=services)
        wsgi_app = SlackWsgiApp(app)
        wsgi_app.mark_ready()
        with BackgroundServer(wsgi_app) as server:
            yield Bot(services, SlackDriver(emulator, server.events_url,
                                            config.signing_secret or ""))


@dataclass
class Bot:
    services: Services
    driver: SlackDriver



def in_order(scores: Sequence[int | None]) -> Callable[[int, str], int | None]:
    """An `answer_all` score: statement n (from 1) gets the n-th of `scores`."""
    return lambda n, _line: scores[n - 1]
