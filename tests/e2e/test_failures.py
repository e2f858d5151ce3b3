"""Every person who asks gets an answer: clicks on the App Home tab (where Slack gives no
`response_url`), a full disk, a listener that fails after acknowledging."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_bolt import Ack, App

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, PRIVATE_CHANNEL, TEAM_CHANNEL
from bot.http_server import BackgroundServer
from bot.services import Services
from conversations.refs import ActionIds
from tests.e2e.helpers import alarms, current_question, full_disk, invitation

ALEX, SAMI, NOOR, KAI = MEMBERS


def last_dm_text(emulator: SlackEmulator, user: str) -> str:
    message = emulator.last_message(user)
    assert message is not None, f"no DM to {user}"
    return message.visible_text()


def last_reply(emulator: SlackEmulator) -> str:
    return str(emulator.responses()[-1].body["text"])


@pytest.fixture
def open_round(driver: SlackDriver, emulator: SlackEmulator) -> str:
    """An open round in the team channel, and Alex's Home tab showing it."""
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.event("app_home_opened", user=ALEX, tab="home")
    home = emulator.home_view(ALEX)
    assert home is not None
    return str(home.find_button(ActionIds.START)[1]["value"])


def test_start_on_a_home_tab_left_open_after_close_says_the_round_closed(
    driver: SlackDriver, emulator: SlackEmulator, open_round: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "close")
    with caplog.at_level(logging.INFO):
        response = driver.click_home(ALEX, ActionIds.START)
    assert response.status == 200
    assert "This round has closed" in last_dm_text(emulator, ALEX)
    home = emulator.home_view(ALEX)
    assert home is not None and "No open rounds for you" in home.visible_text()
    assert alarms(caplog.records) == []


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("R-gone-long-ago", "can't find that round"),
        ("R|W1", "didn't look right"),
        ("", "didn't look right"),
    ],
    ids=["unknown-round", "not-a-round-id", "empty"],
)
def test_start_on_a_stale_home_tab_is_answered_by_dm(
    driver: SlackDriver, emulator: SlackEmulator, open_round: str, value: str, said: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        response = driver.click_home(ALEX, ActionIds.START, value=value)
    assert response.status == 200
    assert said in last_dm_text(emulator, ALEX)
    assert alarms(caplog.records) == []


def test_start_on_home_for_a_round_someone_is_not_invited_to(
    driver: SlackDriver, emulator: SlackEmulator, open_round: str, services: Services
) -> None:
    driver.command(LEAD, PRIVATE_CHANNEL, "setup")
    driver.command(LEAD, PRIVATE_CHANNEL, "start")
    leads_round = services.store.open_round_for(emulator.workspace.team_id, PRIVATE_CHANNEL)
    assert leads_round is not None and ALEX not in leads_round.invited
    assert driver.click_home(ALEX, ActionIds.START, value=leads_round.id).status == 200
    said = last_dm_text(emulator, ALEX)
    assert "not on the list for this round" in said
    assert PRIVATE_CHANNEL not in said  # another team's channel is not named
    assert services.store.answers_of(leads_round.id, ALEX) == {}


def test_start_on_home_with_a_full_disk_says_try_again(
    driver: SlackDriver, emulator: SlackEmulator, open_round: str,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    with full_disk(monkeypatch), caplog.at_level(logging.INFO):
        response = driver.click_home(ALEX, ActionIds.START)
    assert response.status == 200
    assert "couldn't save that just now" in last_dm_text(emulator, ALEX)
    assert alarms(caplog.records) == []
    driver.click_home(ALEX, ActionIds.START)  # space again: it works
    assert current_question(emulator, ALEX)


def test_an_answer_that_cannot_be_saved_is_answered_kindly_and_can_be_given_again(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, open_round: str,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    with full_disk(monkeypatch), caplog.at_level(logging.INFO):
        response = driver.click(ALEX, question, ActionIds.answer(4))
    assert response.status == 200
    assert "couldn't save that just now" in last_reply(emulator)
    assert alarms(caplog.records) == []
    assert services.store.answers_of(open_round, ALEX) == {}
    driver.click(ALEX, emulator.message(question.channel, question.ts), ActionIds.answer(4))
    assert services.store.answers_of(open_round, ALEX) == {"W1": 4}


def test_a_command_from_someone_new_on_a_full_disk_gets_a_kind_answer_at_once(
    driver: SlackDriver, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with full_disk(monkeypatch):
        response = driver.command(NOOR, TEAM_CHANNEL, "setup")
    assert response.status == 200
    assert "Ik kon dat nu niet opslaan" in last_reply(emulator)  # in Noor's language


def test_a_listener_failing_after_its_ack_still_answers_200_and_says_sorry(
    bot_app: App, driver: SlackDriver, emulator: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    @bot_app.command("/broken")
    def broken(ack: Ack) -> None:
        ack()
        raise RuntimeError("a bug")

    with caplog.at_level(logging.INFO):
        response = driver.command(ALEX, TEAM_CHANNEL, "", command="/broken")
    assert response.status == 200
    assert "something went wrong" in last_reply(emulator)
    [line] = alarms(caplog.records)
    assert "/broken failed" in line


def test_a_full_disk_does_not_stop_answers_that_need_no_saving(
    driver: SlackDriver, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with full_disk(monkeypatch):  # Noor is new: what Slack says of her cannot be cached
        response = driver.command(NOOR, TEAM_CHANNEL, "me")
    assert response.status == 200
    assert "Je hebt nog niets beantwoord" in last_reply(emulator)


def test_healthz_says_degraded_with_the_reason_while_nothing_can_be_saved(
    driver: SlackDriver, emulator: SlackEmulator, bot_server: BackgroundServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    with full_disk(monkeypatch):
        driver.command(LEAD, TEAM_CHANNEL, "start")
        status, body = health(bot_server)
    assert status == 503
    assert body["status"] == "degraded" and "No space left on device" in body["reason"]
    driver.command(LEAD, TEAM_CHANNEL, "start")  # space again: the next write succeeds
    assert health(bot_server) == (200, {"ok": True, "status": "ready"})


def health(server: BackgroundServer) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
