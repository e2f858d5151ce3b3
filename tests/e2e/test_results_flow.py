"""Closing a round and what the team gets back, end to end."""

from __future__ import annotations

import logging

import pytest

from bot.config import Config
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services
from conversations.refs import ActionIds
from tests.conftest import FakeClock
from tests.e2e.helpers import answer_all, current_question, invitation, running_bot

ALEX, SAMI, NOOR, KAI = MEMBERS


def open_round(driver: SlackDriver) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "language en")
    driver.command(LEAD, TEAM_CHANNEL, "start")


def channel_posts(emulator: SlackEmulator) -> list[str]:
    """The team channel's text posts, oldest first (file shares have no text of their own)."""
    return [m.visible_text() for m in emulator.messages_to(TEAM_CHANNEL) if m.visible_text()]


def test_close_posts_phases_findings_tips_and_a_chart(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    open_round(driver)
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 5)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    post = channel_posts(emulator)[-1]
    for element in ("Value", "Impact", "Innovation", "Investment"):
        assert element in post
    assert "Strategic" in post
    assert "3 of 5" in post
    [upload] = emulator.uploads()
    assert upload.channel == TEAM_CHANNEL
    assert upload.content.startswith(b"\x89PNG")


def test_below_the_minimum_nothing_but_counts_is_shown(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    open_round(driver)
    for user in (ALEX, SAMI):
        answer_all(driver, emulator, user, 5)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    post = channel_posts(emulator)[-1]
    assert "2 of 5" in post
    for leak in ("Strategic", "Facilitating", "Pioneering", "Value:", "▰"):
        assert leak not in post
    assert emulator.uploads() == []


def test_close_is_idempotent_one_post_per_round(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    open_round(driver)
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 4)
    before = len(channel_posts(emulator))
    driver.command(LEAD, TEAM_CHANNEL, "close")
    driver.command(LEAD, TEAM_CHANNEL, "close")
    services.scheduler.tick(clock.advance(days=8))
    assert len(channel_posts(emulator)) == before + 1
    assert len(emulator.uploads()) == 1


def test_the_deadline_closes_the_round_via_the_scheduler(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    open_round(driver)
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 3)
    services.scheduler.tick(clock.advance(days=6))
    assert services.store.open_rounds()
    services.scheduler.tick(clock.advance(days=1, minutes=1))
    assert not services.store.open_rounds()
    assert "3 of 5" in channel_posts(emulator)[-1]


def test_members_in_the_middle_are_told_the_round_closed(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    open_round(driver)
    driver.click(KAI, invitation(emulator, KAI), ActionIds.START)
    driver.click(KAI, current_question(emulator, KAI), ActionIds.answer(2))
    driver.command(LEAD, TEAM_CHANNEL, "close")
    assert "has closed" in emulator.messages_to(KAI)[-1].visible_text()


def test_status_shows_counts_never_names(driver: SlackDriver, emulator: SlackEmulator) -> None:
    open_round(driver)
    answer_all(driver, emulator, ALEX, 4)
    driver.click(SAMI, invitation(emulator, SAMI), ActionIds.START)
    driver.command(LEAD, TEAM_CHANNEL, "status")
    status = emulator.responses()[-1].body
    text = str(status)
    assert "1 van 5 klaar" in text, text  # Lotte reads Slack in Dutch
    assert "2 begonnen" in text
    for person in ("alex", "sami", ALEX, SAMI):
        assert person not in text


def test_a_member_cannot_run_lead_commands(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    open_round(driver)
    for command in ("close", "status", "export", "minimum 5", "lead add <@U0SAMI003>"):
        driver.command(ALEX, TEAM_CHANNEL, command)
        refusal = emulator.responses()[-1].body["text"]
        assert f"Only this team's leads (<@{LEAD}>)" in refusal, command
    assert len(services.store.open_rounds()) == 1
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (LEAD,) and team.min_responses == 3


def test_export_sends_a_csv_of_aggregates_by_dm(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    open_round(driver)
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 4)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    driver.command(LEAD, TEAM_CHANNEL, "export")
    csv_upload = [u for u in emulator.uploads() if u.filename.endswith(".csv")][-1]
    assert csv_upload.channel == emulator.dm_channel(LEAD)
    text = csv_upload.content.decode()
    assert len(text.strip().splitlines()) == 1 + 4
    for user in (ALEX, SAMI, NOOR):
        assert user not in text


def test_autoclose_closes_as_soon_as_everyone_finished(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "autoclose on")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    for user in (LEAD, ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 4, checklist=None)
    assert services.store.open_rounds()
    answer_all(driver, emulator, KAI, 4, checklist=None)
    assert not services.store.open_rounds()
    assert "5 of 5" in channel_posts(emulator)[-1] or "5 van 5" in channel_posts(emulator)[-1]


def test_a_failed_chart_upload_never_holds_back_the_text_post_and_is_tried_again(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    open_round(driver)
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 4)
    emulator.fail_next("files.getUploadURLExternal", error="internal_error")
    with caplog.at_level(logging.INFO):
        driver.command(LEAD, TEAM_CHANNEL, "close")
    assert "Facilitating" in channel_posts(emulator)[-1] or "Strategic" in channel_posts(
        emulator)[-1]
    assert emulator.uploads() == []
    assert "internal_error" in caplog.text
    services.scheduler.tick(clock.advance(minutes=1))
    assert [upload.filename for upload in emulator.uploads()] == [
        f"wi3-{services.store.list_rounds('T0WI3TEST', TEAM_CHANNEL)[0].id}.png"]
    services.scheduler.tick(clock.advance(minutes=10))
    assert len(emulator.uploads()) == 1


def test_results_that_never_went_out_are_posted_once_after_a_restart(
    bot_config: Config, emulator: SlackEmulator, clock: FakeClock
) -> None:
    with running_bot(bot_config, emulator, clock) as bot:
        bot.driver.command(LEAD, TEAM_CHANNEL, "setup")
        bot.driver.command(LEAD, TEAM_CHANNEL, "start")
        for user in (ALEX, SAMI, NOOR):
            answer_all(bot.driver, emulator, user, 3)
        round_ = bot.services.store.open_rounds()[0]
        bot.services.store.close_round(round_.id)  # the bot dies before it could post
    posts_before = len(channel_posts(emulator))
    for _ in range(2):
        with running_bot(bot_config, emulator, clock) as bot:
            bot.services.start_background()
            assert bot.services.outbox.wait_idle(30)
            bot.services.stop_background()
    assert len(channel_posts(emulator)) == posts_before + 1
