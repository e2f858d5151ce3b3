"""Retries, double deliveries, forged requests, restarts and Slack errors, end to end."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bot.config import Config
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services
from conversations.refs import ActionIds
from tests.conftest import FakeClock
from tests.e2e.helpers import (
    alarms,
    answer_all,
    current_question,
    invitation,
    progress_line,
    running_bot,
)

ALEX, SAMI, NOOR, KAI = MEMBERS


def test_forged_and_stale_requests_are_refused_and_change_nothing(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    assert driver.command(LEAD, TEAM_CHANNEL, "setup", forged=True).status == 401
    assert driver.command(LEAD, TEAM_CHANNEL, "setup", stale=True).status == 401
    assert services.store.list_teams() == []
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    question_before = invitation(emulator, ALEX)
    assert driver.click(ALEX, question_before, ActionIds.START, forged=True).status == 401
    assert not any("Statement 1 of 23" in m.visible_text() for m in emulator.messages_to(ALEX))


def test_malformed_payloads_get_4xx_or_a_polite_line_never_a_crash(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    assert driver.post("payload=%7Bnot-json", "application/x-www-form-urlencoded").status < 500
    assert driver.post("{]", "application/json").status < 500
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    message = invitation(emulator, ALEX)
    tampered = {"action_id": ActionIds.answer(3), "block_id": "wi3_scale", "type": "button",
                "value": "nonsense", "text": {"type": "plain_text", "text": "3"}}
    response = driver.block_actions(ALEX, [tampered], message=message)
    assert response.status == 200
    assert "didn't look right" in str(emulator.responses()[-1].body)
    other_round = {**tampered, "value": "R-unknown|W1|3"}
    driver.block_actions(ALEX, [other_round], message=message)
    assert "can't find that round" in str(emulator.responses()[-1].body)


def test_an_event_retried_by_slack_invites_the_newcomer_once(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    emulator.workspace.add_user("U0NEW0008", "newbie", locale="en-US")
    first = driver.event("member_joined_channel", user="U0NEW0008", channel=TEAM_CHANNEL,
                         channel_type="C", team=emulator.workspace.team_id)
    driver.event("member_joined_channel", user="U0NEW0008", channel=TEAM_CHANNEL,
                 channel_type="C", team=emulator.workspace.team_id, event_id=first.event_id,
                 retry_num=1)
    assert len(emulator.messages_to("U0NEW0008")) == 1


def test_slack_rate_limiting_events_is_acknowledged_and_logged(
    driver: SlackDriver, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    notice = {"token": "emulated-verification-token", "type": "app_rate_limited",
              "team_id": emulator.workspace.team_id, "minute_rate_limited": 1518467820,
              "api_app_id": emulator.workspace.app_id}
    with caplog.at_level(logging.INFO):
        response = driver.post(json.dumps(notice), "application/json")
    assert response.status == 200
    assert "holding back events for workspace T0WI3TEST" in caplog.text


def test_a_click_on_a_closed_round_is_answered_politely_and_changes_nothing(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    round_ = services.store.open_rounds()[0]
    driver.command(LEAD, TEAM_CHANNEL, "close")
    driver.click(ALEX, question, ActionIds.answer(5))
    assert services.store.answers_of(round_.id, ALEX) == {}
    assert "closed" in emulator.message(question.channel, question.ts).visible_text()


def test_a_restart_in_the_middle_of_a_round_loses_nothing(
    bot_config: Config, emulator: SlackEmulator, clock: FakeClock
) -> None:
    with running_bot(bot_config, emulator, clock) as bot:
        bot.driver.command(LEAD, TEAM_CHANNEL, "setup")
        bot.driver.command(LEAD, TEAM_CHANNEL, "start")
        bot.driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
        for score in (5, 4, 3):
            bot.driver.click(ALEX, current_question(emulator, ALEX), ActionIds.answer(score))
    with running_bot(bot_config, emulator, clock) as bot:
        question = current_question(emulator, ALEX)
        assert progress_line(question).startswith("Statement 4 of 23 · Value · about ")
        bot.driver.click(ALEX, question, ActionIds.answer(2))
        round_ = bot.services.store.open_rounds()[0]
        assert bot.services.store.answers_of(round_.id, ALEX) == {
            "W1": 5, "W2": 4, "W3": 3, "W4": 2}


def test_a_restart_during_the_invitations_resumes_without_duplicates_or_gaps(
    bot_config: Config, emulator: SlackEmulator, clock: FakeClock
) -> None:
    with running_bot(bot_config, emulator, clock) as bot:
        bot.driver.command(LEAD, TEAM_CHANNEL, "setup")
        emulator.fail_next("chat.postMessage", error="internal_error", status=200, count=3)
        bot.driver.command(LEAD, TEAM_CHANNEL, "start")
        invited_before = {u for u in (LEAD, *MEMBERS) if emulator.messages_to(u)}
        assert len(invited_before) < 5
    clock.advance(seconds=30)  # the failed ones are due again
    with running_bot(bot_config, emulator, clock) as bot:
        bot.services.start_background()
        assert bot.services.outbox.wait_idle(30)
        bot.services.stop_background()
    for user in (LEAD, *MEMBERS):
        assert len(emulator.messages_to(user)) == 1, user
    assert len(emulator.messages_to(TEAM_CHANNEL)) == 1  # the announcement, once


def test_slack_errors_reach_the_person_who_asked(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    emulator.fail_next("conversations.members", error="not_in_channel")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    assert "Ik ben geen lid van <#C0KENNIS1>" in str(emulator.responses()[-1].body)


def test_a_mixed_answer_sheet_is_stored_exactly_as_clicked(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    answer_all(driver, emulator, NOOR, lambda n, _p: None if n % 7 == 0 else 1 + n % 5)
    round_ = services.store.open_rounds()[0]
    answers = services.store.answers_of(round_.id, NOOR)
    assert len(answers) == 23
    assert answers["W1"] == 2 and answers["I2"] is None


def test_a_click_racing_close_is_told_the_round_closed_and_changes_nothing(
    driver: SlackDriver, emulator: SlackEmulator, services: Services,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    round_ = services.store.open_rounds()[0]
    answer_and_advance = services.store.answer_and_advance

    def close_first(*args: Any, **kwargs: Any) -> Any:
        """`/wi3 close` lands between the click's check and its write."""
        services.closing.close(round_.id)
        return answer_and_advance(*args, **kwargs)

    monkeypatch.setattr(services.store, "answer_and_advance", close_first)
    with caplog.at_level(logging.INFO):
        response = driver.click(ALEX, question, ActionIds.answer(5))
    assert response.status == 200
    assert services.store.answers_of(round_.id, ALEX) == {}
    assert "This round has closed" in emulator.message(question.channel, question.ts).visible_text()
    assert alarms(caplog.records) == []


@pytest.mark.parametrize("score", [" 3", "+3", "03", "3 ", "\u0663", "\uff13"],
                         ids=["space", "plus", "zero", "trailing", "arabic-indic", "fullwidth"])
def test_a_score_that_is_not_exactly_a_digit_is_refused(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, score: str
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    round_ = services.store.open_rounds()[0]
    assert driver.click(ALEX, question, ActionIds.answer(3),
                        value=f"{round_.id}|W1|{score}").status == 200
    assert services.store.answers_of(round_.id, ALEX) == {}
    assert "didn't look right" in str(emulator.responses()[-1].body)
