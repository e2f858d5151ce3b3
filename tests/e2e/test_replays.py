"""A captured request sent again within Slack's five-minute signature window (a replay)
is handled once: commands, clicks and events alike, also after a restart."""

from __future__ import annotations

from bot.config import Config
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services
from conversations.refs import ActionIds
from tests.conftest import FakeClock
from tests.e2e.helpers import current_question, invitation, running_bot

ALEX = MEMBERS[0]


def test_a_replayed_start_opens_no_second_round(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    captured = driver.sent[-1]
    driver.command(LEAD, TEAM_CHANNEL, "close")
    invitations = len(emulator.messages_to(ALEX))

    assert driver.replay(captured).status == 200

    rounds = services.store.list_rounds(emulator.workspace.team_id, TEAM_CHANNEL)
    assert [r.status for r in rounds] == ["closed"]
    assert len(emulator.messages_to(ALEX)) == invitations


def test_a_replayed_close_does_not_close_the_next_round(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.command(LEAD, TEAM_CHANNEL, "close")
    captured = driver.sent[-1]
    driver.command(LEAD, TEAM_CHANNEL, "start")
    posts = len(emulator.messages_to(TEAM_CHANNEL))

    driver.replay(captured)

    assert services.store.open_round_for(emulator.workspace.team_id, TEAM_CHANNEL)
    assert len(emulator.messages_to(TEAM_CHANNEL)) == posts


def test_a_click_replayed_after_a_restart_does_not_overwrite_a_changed_answer(
    bot_config: Config, emulator: SlackEmulator, clock: FakeClock
) -> None:
    with running_bot(bot_config, emulator, clock) as bot:
        bot.driver.command(LEAD, TEAM_CHANNEL, "setup")
        bot.driver.command(LEAD, TEAM_CHANNEL, "start")
        bot.driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
        question = current_question(emulator, ALEX)
        bot.driver.click(ALEX, question, ActionIds.answer(4))
        captured = bot.driver.sent[-1]
        bot.driver.click(ALEX, emulator.message(question.channel, question.ts), ActionIds.BACK)
        bot.driver.click(ALEX, emulator.message(question.channel, question.ts),
                         ActionIds.answer(2))
        bot.driver.click(ALEX, emulator.message(question.channel, question.ts), ActionIds.BACK)
    with running_bot(bot_config, emulator, clock) as bot:
        assert bot.driver.replay(captured).status == 200
        round_ = bot.services.store.open_rounds()[0]
        assert bot.services.store.answers_of(round_.id, ALEX) == {"W1": 2}
