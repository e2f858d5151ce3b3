"""One person's simultaneous clicks, served as in production: waitress threads and a
thread pool running the listeners after their acks (`bot.runtime` uses one too)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

import pytest

from bot.app import create_app
from bot.config import Config
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.services import Services
from bot.slack_client import make_client
from conversations.refs import ActionIds
from storage import Store
from tests.e2e.helpers import current_question, invitation, progress_line

T = TypeVar("T")
ALEX = MEMBERS[0]
BURSTS = 12
CLICKS = [ActionIds.answer(3), ActionIds.BACK, ActionIds.answer(5), ActionIds.DONT_KNOW,
          ActionIds.BACK, ActionIds.answer(1)]


class ListenerThreads(ThreadPoolExecutor):
    """Listeners on threads, as in production; `settle()` waits for all started so far."""

    def __init__(self) -> None:
        super().__init__(max_workers=len(CLICKS))
        self.started: list[Future[Any]] = []

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        self.started.append(future)
        return future

    def settle(self) -> None:
        wait(self.started)


class Overlap:
    """How many clicks of one person are between moving them (the flow's conditional
    write) and reading their answers back to show where they are, at the same time, at
    most."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inside = 0
        self.most = 0
        self._guard = threading.Lock()
        self._mine = threading.local()
        read_answers = store.answers_of
        for name in ("answer_and_advance", "save_progress"):
            monkeypatch.setattr(store, name, self._entering(getattr(store, name)))

        def answers_of(round_id: str, user: str) -> Any:
            if getattr(self._mine, "inside", False):
                self._mine.inside = False
                with self._guard:
                    self.inside -= 1
            return read_answers(round_id, user)

        monkeypatch.setattr(store, "answers_of", answers_of)

    def _entering(self, move: Callable[..., T]) -> Callable[..., T]:
        def entered(*args: Any, **kwargs: Any) -> T:
            if not getattr(self._mine, "inside", False):
                self._mine.inside = True
                with self._guard:
                    self.inside += 1
                    self.most = max(self.most, self.inside)
            return move(*args, **kwargs)

        return entered


def has_button(message: Any, action_id: str) -> bool:
    try:
        message.find_button(action_id)
    except LookupError:
        return False
    return True


def test_simultaneous_clicks_of_one_person_are_handled_one_after_the_other(
    bot_config: Config, emulator: SlackEmulator, store: Store, services: Services,
    driver: SlackDriver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Answers and Backs clicked at once on one question: each click moves the person
    (only from the question it was clicked on) and shows the result before the next one
    moves, so the message always ends on the question the person is at and no click
    works from a stale place."""
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    driver.click(ALEX, question, ActionIds.answer(4))
    round_ = store.open_rounds()[0]
    progress_of = store.get_progress
    overlap = Overlap(store, monkeypatch)

    listeners = ListenerThreads()
    app = create_app(bot_config, store, client=make_client(bot_config),
                     listener_executor=listeners, services=services)
    wsgi_app = SlackWsgiApp(app)
    wsgi_app.mark_ready()
    with BackgroundServer(wsgi_app, threads=len(CLICKS)) as server:
        threaded = SlackDriver(emulator, server.events_url, bot_config.signing_secret or "")
        for _ in range(BURSTS):
            shown = emulator.message(question.channel, question.ts)
            actions = [a for a in CLICKS if has_button(shown, a)]  # no Back on question 1
            together = threading.Barrier(len(actions))
            statuses: list[int] = []

            def click(action: str, shown: Any = shown, together: Any = together,
                      statuses: list[int] = statuses) -> None:
                together.wait()
                statuses.append(threaded.click_as_seen(ALEX, shown, action).status)

            clickers = [threading.Thread(target=click, args=(a,)) for a in actions]
            for clicker in clickers:
                clicker.start()
            for clicker in clickers:
                clicker.join()
            assert statuses == [200] * len(actions)
            listeners.settle()
            progress = progress_of(round_.id, ALEX)
            assert progress is not None
            now = progress_line(emulator.message(question.channel, question.ts))
            assert now.startswith(f"Statement {progress.position + 1} of 23"), now
    listeners.shutdown()
    assert overlap.most == 1
