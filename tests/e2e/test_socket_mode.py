"""A whole round over Socket Mode: the real app on the production transport
(`bot.socket_mode`), connected to the Socket Mode fake, with drops, refreshes and
redelivered envelopes on the way.

Listeners run inline, so an envelope's acknowledgement comes after its work is done and
the test can look at the emulator right away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from slack_bolt import App

from bot.emulator import SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.emulator.socket_mode import SocketModeDriver, SocketModeServer
from bot.services import Services
from bot.socket_mode import SocketModeConnection
from conversations.refs import ActionIds
from tests.e2e.helpers import (
    LAGGING_INVESTMENT,
    answer_all,
    current_question,
    guide_to,
    invitation,
    plan_values,
    progress_line,
)

ALEX, SAMI, NOOR, KAI = MEMBERS
NEWCOMER = "U0NEW0008"


@pytest.fixture
def socket_server(emulator: SlackEmulator) -> Iterator[SocketModeServer]:
    # These tests drop and refresh connections within seconds, to see each one replaced;
    # Tier 1 (about one `apps.connections.open` a minute) would make each take a minute.
    emulator.unlimited(method="apps.connections.open",
                       reason="connections are dropped and replaced within seconds")
    with SocketModeServer(emulator) as server:
        yield server


@pytest.fixture
def connection(bot_app: App, socket_server: SocketModeServer) -> Iterator[SocketModeConnection]:
    connection = SocketModeConnection(bot_app, socket_server.app_token)
    connection.connect()
    assert socket_server.wait_for_connection() is not None
    yield connection
    connection.close()


@pytest.fixture
def driver(socket_server: SocketModeServer,
           connection: SocketModeConnection) -> SocketModeDriver:
    return SocketModeDriver(socket_server)


def reconnects_after(server: SocketModeServer, fault: Callable[[], None]) -> None:
    """Cause `fault` to the bot's connection and wait until the bot has a new one."""
    current = max(server.open_connections())
    fault()
    assert server.wait_for_connection(newer_than=current) is not None, "no reconnection"


def channel_posts(emulator: SlackEmulator) -> list[str]:
    return [m.visible_text() for m in emulator.messages_to(TEAM_CHANNEL) if m.visible_text()]


def test_a_whole_round_over_socket_mode_with_a_drop_and_a_refresh_on_the_way(
    driver: SocketModeDriver, socket_server: SocketModeServer, emulator: SlackEmulator
) -> None:
    for command in ("setup", "language en", "start our wiki"):
        assert driver.command(LEAD, TEAM_CHANNEL, command).status == 200
    assert all(invitation(emulator, user) for user in MEMBERS)

    answer_all(driver, emulator, ALEX, 5)
    reconnects_after(socket_server, socket_server.drop)  # TCP closed, no close frame
    answer_all(driver, emulator, SAMI, 5)
    reconnects_after(socket_server, socket_server.request_refresh)  # Slack's `disconnect`
    answer_all(driver, emulator, NOOR, 5)
    assert driver.command(LEAD, TEAM_CHANNEL, "close").status == 200

    post = channel_posts(emulator)[-1]
    assert "3 of 5" in post and "Strategic" in post
    assert [upload.channel for upload in emulator.uploads()] == [TEAM_CHANNEL]
    assert socket_server.open_connections() == [socket_server.connections_opened]


def test_an_envelope_lost_with_its_connection_is_redelivered_and_acted_on_once(
    driver: SocketModeDriver, socket_server: SocketModeServer, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    [connection] = socket_server.open_connections()
    socket_server.go_silent()  # nothing sent now arrives; the bot must notice and reconnect

    assert driver.click(ALEX, question, ActionIds.answer(4)).status == 200

    assert socket_server.open_connections() > [connection]  # acknowledged on a new one
    assert progress_line(current_question(emulator, ALEX)).startswith("Statement 2 ")
    assert driver.send(driver.envelopes[-1].retried()).status == 200
    assert progress_line(current_question(emulator, ALEX)).startswith("Statement 2 ")


def test_the_same_envelope_twice_doubles_nothing(
    driver: SocketModeDriver, emulator: SlackEmulator
) -> None:
    for command in ("setup", "language en", "start"):
        driver.command(LEAD, TEAM_CHANNEL, command)
    start = driver.envelopes[-1]
    assert driver.send(start.retried()).status == 200  # the command again
    assert [len(emulator.messages_to(user)) for user in MEMBERS] == [1, 1, 1, 1]

    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    driver.click(ALEX, current_question(emulator, ALEX), ActionIds.answer(4))
    assert driver.send(driver.envelopes[-1].retried()).status == 200  # the click again
    assert progress_line(current_question(emulator, ALEX)).startswith("Statement 2 ")

    emulator.workspace.add_user(NEWCOMER, "newbie", locale="en-US")
    driver.event("member_joined_channel", user=NEWCOMER, channel=TEAM_CHANNEL,
                 channel_type="C", team=emulator.workspace.team_id)
    assert driver.send(driver.envelopes[-1].retried()).status == 200  # the event again
    assert len(emulator.messages_to(NEWCOMER)) == 1

    for user in (SAMI, NOOR, KAI):
        answer_all(driver, emulator, user, 3)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    posts = channel_posts(emulator)
    assert "4 of 6" in posts[-1]  # the newcomer invited once and counted once; Alex answered one
    driver.send(driver.envelopes[-1].retried())  # the close again
    assert channel_posts(emulator) == posts
    assert len(emulator.uploads()) == 1


def test_a_failed_first_connection_is_retried_not_fatal(
    bot_app: App, socket_server: SocketModeServer, emulator: SlackEmulator
) -> None:
    socket_server.refuse_handshakes(1)
    connection = SocketModeConnection(bot_app, socket_server.app_token)
    try:
        connection.connect()  # Slack took the token; only the WebSocket failed
        assert socket_server.wait_for_connection() is not None
        driver = SocketModeDriver(socket_server)
        assert driver.command(LEAD, TEAM_CHANNEL, "help").status == 200
        assert len(emulator.calls("apps.connections.open")) == 2
    finally:
        connection.close()


def test_a_modal_is_planned_over_socket_mode_with_its_errors_in_the_acknowledgement(
    driver: SocketModeDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    round_ = services.store.open_round_for(emulator.workspace.team_id, TEAM_CHANNEL)
    assert round_ is not None
    for user in (ALEX, SAMI, NOOR):
        services.store.record_answers(round_.id, user, LAGGING_INVESTMENT)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    assert driver.click(LEAD, guide_to(emulator, LEAD), ActionIds.PLAN_ACTIONS).status == 200

    refused = driver.submit_view(LEAD, plan_values({"text": "Share stories"}))
    assert refused.status == 200 and refused.json()["response_action"] == "errors"
    modal = emulator.modal(LEAD)
    assert modal is not None and len(modal.errors) == 2  # no owner, no due date
    saved = driver.submit_view(LEAD, plan_values({"text": "Share stories", "owner": ALEX,
                                                  "due": "2026-12-07"}))
    assert saved.status == 200 and emulator.modal(LEAD) is None
    [commitment] = services.store.commitments_of_team(round_.workspace_id, TEAM_CHANNEL)
    assert commitment.owner == ALEX
