"""The click path under Slack's documented rate limits (issue 21).

Tier 2 and Tier 3 methods allow 20 and 50 calls a minute for the whole workspace: a code
path that spends one per click or per member stalls a team answering together. These tests
drive clicks through the emulated Slack (which enforces the limits) and count what the bot
asked of it.
"""

from __future__ import annotations

import json
import logging
import time

import pytest

from bot.config import Config
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.limits import METHOD_TIERS
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.emulator.server import RESPONSE_URL
from bot.method_budgets import MethodBudgets
from bot.slack_client import OverBudget, make_listener_client
from bot.throttle import MethodBudget, SharedPace
from conversations.refs import ActionIds
from storage import Store
from tests.e2e.helpers import current_question, invitation, progress_line
from tests.e2e.instances import eventually

ALEX, SAMI, NOOR, KAI = MEMBERS


def scarce_calls(emulator: SlackEmulator) -> list[str]:
    """The Tier 2 and Tier 3 calls the bot made so far, by method."""
    return [call.method for call in emulator.calls()
            if METHOD_TIERS.get(call.method, 4) in (2, 3)]


def answer(driver: SlackDriver, emulator: SlackEmulator, user: str, statements: int) -> None:
    """Start from the invitation and answer `statements` statements, with a Back and a
    Don't know on the way."""
    driver.click(user, invitation(emulator, user), ActionIds.START)
    for n in range(statements):
        action = ActionIds.DONT_KNOW if n == 1 else ActionIds.answer(1 + n % 5)
        assert driver.click(user, current_question(emulator, user), action).status == 200
    assert driver.click(user, current_question(emulator, user), ActionIds.BACK).status == 200


def test_clicks_spend_no_tier_2_or_3_call_however_many_people_click(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start our wiki")
    before_clicks = scarce_calls(emulator)

    answer(driver, emulator, ALEX, 2)
    after_one = scarce_calls(emulator)
    for user in (SAMI, NOOR, KAI):
        answer(driver, emulator, user, 8)
    after_all = scarce_calls(emulator)

    assert after_one == before_clicks  # no click spent one...
    assert after_all == after_one  # ...nor did 30 more clicks by three more people
    assert progress_line(current_question(emulator, KAI)).startswith("Statement 8 of 23")
    assert emulator.rate_limited_calls() == []
    replaced = [post for post in emulator.responses() if post.outcome == "replace_original"]
    assert len(replaced) >= 4 * 3  # the questions moved on in place, through response_url


def null_workspace_event(driver: SlackDriver, *, org_wide: bool) -> dict[str, object]:
    """An `app_home_opened` whose workspace is null: `"team_id": null`, or the org-wide
    shape whose `authorizations[0].team_id` is null."""
    workspace = driver.workspace
    return {
        "token": "emulated-verification-token", "api_app_id": workspace.app_id,
        "team_id": workspace.team_id if org_wide else None,
        "enterprise_id": "E0WI3ORG" if org_wide else None,
        "event": {"type": "app_home_opened", "user": ALEX, "tab": "home",
                  "event_ts": "1796029200.000100"},
        "type": "event_callback", "event_id": "Ev0NULLTEAM" + ("1" if org_wide else "0"),
        "event_time": 1796029200,
        "authorizations": [{"enterprise_id": "E0WI3ORG" if org_wide else None,
                            "team_id": None, "user_id": workspace.bot_user_id,
                            "is_bot": True, "is_enterprise_install": org_wide}],
        "is_enterprise_install": org_wide,
    }


@pytest.mark.parametrize("org_wide", [False, True], ids=["team-id-null", "org-wide"])
def test_an_event_without_a_workspace_is_refused_cleanly(
    driver: SlackDriver, emulator: SlackEmulator, org_wide: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = json.dumps(null_workspace_event(driver, org_wide=org_wide))
    response = driver.post(body, "application/json")
    assert response.status in (200, 400)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert emulator.home_view(ALEX) is None  # nothing done for nobody's workspace


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/actions/T0WI3TEST/x",
                                 "https://hooks.example.com/actions/T0WI3TEST/x"],
                         ids=["unreachable-port", "foreign-host"])
def test_a_response_url_off_slacks_host_is_not_used_and_the_person_gets_a_dm(
    driver: SlackDriver, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, url: str,
) -> None:
    monkeypatch.setattr(emulator, "mint_response_url", lambda *_args, **_kw: url)
    assert driver.command(LEAD, TEAM_CHANNEL, "help").status == 200
    assert "/wi3 setup" in emulator.messages_to(LEAD)[-1].visible_text()  # by DM instead
    assert any("response_url" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


def test_a_response_url_slack_refuses_reaches_the_person_by_dm(
    driver: SlackDriver, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture,
) -> None:
    emulator.fail_next(RESPONSE_URL, error="expired_url", status=404)
    assert driver.command(LEAD, TEAM_CHANNEL, "help").status == 200
    assert "/wi3 setup" in emulator.messages_to(LEAD)[-1].visible_text()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


def test_a_listener_client_over_its_budget_does_not_call_slack_nor_wait(
    bot_config: Config, emulator: SlackEmulator
) -> None:
    client = make_listener_client(bot_config, budget=MethodBudget(tiers={"users.info": 1}))
    client.users_info(user=LEAD)
    started = time.monotonic()
    with pytest.raises(OverBudget) as refused:
        client.users_info(user=LEAD)
    assert time.monotonic() - started < 0.5
    assert refused.value.response["error"] == "ratelimited"
    assert len(emulator.calls("users.info")) == 1  # the second was never sent


def test_a_call_a_background_path_took_its_turn_for_is_not_counted_twice(
    bot_config: Config, emulator: SlackEmulator, any_store: Store
) -> None:
    """Delivery checks, directory reads and App Home take their turn in line
    (`MethodBudgets`) from the same store budget the listener client spends from: the
    client must not spend a second turn for the same call."""
    workspace = emulator.workspace.team_id
    one_a_minute = MethodBudget(tiers={"conversations.history": 1}, pace_for=lambda method:
                                SharedPace(any_store, f"{workspace}/{method}"))
    client = make_listener_client(bot_config, budget=one_a_minute)
    budgets = MethodBudgets(any_store, {"conversations.history": 1.0})
    budgets.of(workspace, "conversations.history").call(
        lambda: client.conversations_history(channel=TEAM_CHANNEL))
    assert len(emulator.calls("conversations.history")) == 1
    with pytest.raises(OverBudget):  # that was the minute's one call, counted once
        client.conversations_history(channel=TEAM_CHANNEL)
    budgets.stop()


def test_a_dm_slack_refuses_with_429_is_queued_and_the_person_told_it_is_late(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start our wiki")
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    assert driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START).status == 200
    assert time.monotonic() - started < 1.0  # nobody slept on the 429 in the request
    told = [post.body["text"] for post in emulator.responses()
            if post.user == ALEX and post.outcome == "ephemeral"]
    assert any("takes a little longer" in text for text in told)
    eventually(lambda: current_question(emulator, ALEX))  # the question came, from the outbox
