"""A click that answers or moves claims its request in the same write as the answer:
a replay (or Slack's retry) of it is answered once, also after a restart, and a click
whose answer could not be saved stays unclaimed, so sending it again saves it."""

from __future__ import annotations

import errno
import logging
import os

import pytest

from bot.config import Config
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services
from conversations.refs import ActionIds
from storage.tinydb import TinyDBStore
from tests.conftest import FakeClock
from tests.e2e.helpers import alarms, current_question, invitation, progress_line, running_bot

ALEX = MEMBERS[0]


def slack_seen(emulator: SlackEmulator) -> tuple[int, int]:
    """What the bot has said in Slack so far: messages posted or changed (`chat.*`) and
    `response_url` posts. (Looking up who clicked, after a restart, is not answering.)"""
    said = [call for call in emulator.calls() if call.method.startswith("chat.")]
    return len(said), len(emulator.responses())


def test_a_click_replayed_after_a_restart_is_answered_once(
    bot_config: Config, emulator: SlackEmulator, clock: FakeClock,
) -> None:
    with running_bot(bot_config, emulator, clock) as bot:
        bot.driver.command(LEAD, TEAM_CHANNEL, "setup")
        bot.driver.command(LEAD, TEAM_CHANNEL, "start")
        bot.driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
        question = current_question(emulator, ALEX)
        bot.driver.click(ALEX, question, ActionIds.answer(4))
        captured = bot.driver.sent[-1]
        bot.driver.click(ALEX, emulator.message(question.channel, question.ts),
                         ActionIds.DONT_KNOW)
    with running_bot(bot_config, emulator, clock) as bot:
        shown = emulator.message(question.channel, question.ts)
        before = slack_seen(emulator)

        assert bot.driver.replay(captured).status == 200

        assert slack_seen(emulator) == before  # no update, no reply: handled before
        assert emulator.message(question.channel, question.ts) == shown
        round_ = bot.services.store.open_rounds()[0]
        assert bot.services.store.answers_of(round_.id, ALEX) == {"W1": 4, "W2": None}
        progress = bot.services.store.get_progress(round_.id, ALEX)
        assert progress is not None and progress.position == 2


def test_a_double_click_and_its_replay_get_one_answer_each(
    driver: SlackDriver, emulator: SlackEmulator, services: Services,
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    driver.click_as_seen(ALEX, question, ActionIds.answer(2))
    driver.click_as_seen(ALEX, question, ActionIds.answer(5))  # the second of a double click
    second = driver.sent[-1]
    assert progress_line(emulator.message(question.channel, question.ts)).startswith(
        "Statement 2 of 23")
    before = slack_seen(emulator)

    driver.replay(second)

    assert slack_seen(emulator) == before
    round_ = services.store.open_rounds()[0]
    assert services.store.answers_of(round_.id, ALEX) == {"W1": 2}


def test_slacks_retry_of_a_click_that_could_not_be_saved_saves_it(
    driver: SlackDriver, emulator: SlackEmulator, services: Services,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """Only the answer's write fails (the round's file): the request must not be
    remembered as handled, or the same request sent again would be skipped. (On
    PostgreSQL: `tests/storage/test_click_claims.py` drops the connection mid-answer.)"""
    if not isinstance(services.store, TinyDBStore):
        pytest.skip("a round's file is the data directory's (TinyDB)")
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    real_write = os.write

    def rounds_file_full(fd: int, data: bytes) -> int:
        if "round-" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    with monkeypatch.context() as patch, caplog.at_level(logging.INFO):
        patch.setattr(os, "write", rounds_file_full)
        assert driver.click(ALEX, question, ActionIds.answer(4)).status == 200
    failed = driver.sent[-1]
    assert "couldn't save that just now" in str(emulator.responses()[-1].body["text"])
    assert alarms(caplog.records) == []

    assert driver.replay(failed).status == 200

    round_ = services.store.open_rounds()[0]
    assert services.store.answers_of(round_.id, ALEX) == {"W1": 4}
    assert progress_line(emulator.message(question.channel, question.ts)).startswith(
        "Statement 2 of 23")
