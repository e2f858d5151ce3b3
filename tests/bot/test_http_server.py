"""The bot's HTTP endpoint end to end: a Bolt app from `create_app`, served by waitress,
driven by signed requests from the driver, calling the emulated Web API."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.http_server import BackgroundServer, SlackWsgiApp
from tests.e2e.helpers import alarms

ALEX = MEMBERS[0]


def http(method: str, url: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_health(url: str) -> int:
    """The first /healthz status once the port accepts connections."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return http("GET", url)[0]
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@pytest.fixture
def commands_seen(bot_app: App) -> list[dict[str, Any]]:
    """A test-only `/probe` listener that acks, records the command and answers via respond."""
    seen: list[dict[str, Any]] = []

    @bot_app.command("/probe")
    def wi3(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.append(command)
        respond(f"You asked for {command['text']}")

    return seen


# ---------------------------------------------------------------- signed requests


def test_a_signed_command_reaches_the_listener(
    commands_seen: list[dict[str, Any]], driver: SlackDriver, emulator: SlackEmulator
) -> None:
    response = driver.command(LEAD, TEAM_CHANNEL, "status", command="/probe")
    assert response.status == 200
    [command] = commands_seen
    assert (command["user_id"], command["channel_id"], command["text"]) == (
        LEAD, TEAM_CHANNEL, "status")
    assert command["trigger_id"] and command["team_id"] == emulator.workspace.team_id
    [reply] = emulator.responses()
    assert (reply.outcome, reply.user, reply.body["text"]) == (
        "ephemeral", LEAD, "You asked for status")


def test_a_command_in_the_dm_carries_the_dm_channel(
    commands_seen: list[dict[str, Any]], driver: SlackDriver, emulator: SlackEmulator
) -> None:
    assert driver.command(ALEX, ALEX, "me", command="/probe").status == 200
    assert commands_seen[0]["channel_id"] == emulator.dm_channel(ALEX)
    assert commands_seen[0]["channel_name"] == "directmessage"


@pytest.mark.parametrize("tampering", [{"forged": True}, {"stale": True}])
def test_forged_or_stale_requests_are_refused_with_401(
    commands_seen: list[dict[str, Any]], driver: SlackDriver, emulator: SlackEmulator,
    tampering: dict[str, bool],
) -> None:
    response = driver.command(LEAD, TEAM_CHANNEL, "close", command="/probe", **tampering)
    assert response.status == 401
    assert commands_seen == []
    assert emulator.responses() == []


def test_an_unsigned_request_is_refused(
    commands_seen: list[dict[str, Any]], bot_server: BackgroundServer
) -> None:
    body = b"command=%2Fwi3&text=close&user_id=U0LOTTE01"
    status, _ = http("POST", bot_server.events_url, body,
                     {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401
    assert commands_seen == []


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("abc", None),
        ("", None),
        ("1e9", None),
        ("9" * 5000, None),
        ("-1700000000", None),
        (None, "v0=\u00e9" + "0" * 63),
        (None, "v0=" + "0" * 64 + "\u00ff"),
        (None, ""),
    ],
    ids=["letters", "empty", "exponent", "5000-digits", "negative", "latin-1", "trailing", "none"],
)
def test_unsigned_requests_with_odd_headers_are_401_without_a_traceback(
    commands_seen: list[dict[str, Any]], driver: SlackDriver, caplog: pytest.LogCaptureFixture,
    timestamp: str | None, signature: str | None,
) -> None:
    body = b"command=%2Fprobe&text=close&user_id=U0LOTTE01"
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Slack-Request-Timestamp": str(int(time.time())) if timestamp is None
               else timestamp,
               "X-Slack-Signature": "v0=" + "0" * 64 if signature is None else signature}
    with caplog.at_level("DEBUG"):
        response = driver.post_raw(body, headers)
    assert response.status == 401
    assert commands_seen == []
    assert alarms(caplog.records) == []
    assert "U0LOTTE01" not in caplog.text  # a refused body is not logged


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"garbage", "application/json"),
        (b"{{{", "application/x-www-form-urlencoded"),
        (b"payload=not-json", "application/x-www-form-urlencoded"),
        (b"payload=%7B%22type%22%3A%20%22block_actions%22%7D",
         "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00binary", "application/octet-stream"),
        (b"", "application/json"),
    ],
)
def test_malformed_requests_get_a_4xx_and_the_server_keeps_serving(
    commands_seen: list[dict[str, Any]], driver: SlackDriver, body: bytes, content_type: str
) -> None:
    for forged in (False, True):
        response = driver.post(body, content_type, forged=forged)
        assert 400 <= response.status < 500, response
    assert driver.command(LEAD, TEAM_CHANNEL, "help", command="/probe").status == 200
    assert [command["text"] for command in commands_seen] == ["help"]


# ---------------------------------------------------------------- interactivity and events


def test_clicking_a_button_the_user_sees(
    bot_app: App, bot_config: Any, driver: SlackDriver, emulator: SlackEmulator
) -> None:
    clicks: list[dict[str, Any]] = []

    @bot_app.action("answer")
    def answer(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        clicks.append(body)
        respond(replace_original=True, text=f"Answered {body['actions'][0]['value']}")

    question: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "We share knowledge openly."}},
        {"type": "actions", "block_id": "likert", "elements": [
            {"type": "button", "action_id": "answer", "value": f"W1:{score}",
             "text": {"type": "plain_text", "text": str(score)}} for score in range(1, 6)]},
    ]
    client = WebClient(token=emulator.token, base_url=emulator.api_url)
    client.chat_postMessage(channel=ALEX, text="Question 1", blocks=question)
    message = emulator.last_message(ALEX)
    assert message is not None

    assert driver.click(ALEX, message, text="4").status == 200

    [body] = clicks
    assert body["user"]["id"] == ALEX
    assert body["container"] == {"type": "message", "message_ts": message.ts,
                                 "channel_id": message.channel, "is_ephemeral": False}
    assert body["message"]["blocks"] == question
    assert body["actions"][0]["value"] == "W1:4" and body["actions"][0]["action_ts"]
    assert body["actions"][0]["block_id"] == "likert"
    updated = emulator.last_message(ALEX)
    assert updated is not None and (updated.ts, updated.text) == (message.ts, "Answered W1:4")
    assert updated.blocks == []  # replaced: the buttons are gone, as in Slack
    assert message.text == "Question 1"  # an earlier snapshot keeps what was seen then
    with pytest.raises(LookupError):
        driver.click(ALEX, updated, text="4")


def test_double_clicks_have_distinct_action_timestamps(
    bot_app: App, driver: SlackDriver, emulator: SlackEmulator
) -> None:
    stamps: list[str] = []

    @bot_app.action("start")
    def start(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        stamps.append(body["actions"][0]["action_ts"])

    WebClient(token=emulator.token, base_url=emulator.api_url).chat_postMessage(
        channel=ALEX, text="Invitation", blocks=[{"type": "actions", "elements": [
            {"type": "button", "action_id": "start", "style": "primary",
             "text": {"type": "plain_text", "text": "Start"}}]}])
    invitation = emulator.last_message(ALEX)
    assert invitation is not None
    driver.click(ALEX, invitation, "start")
    driver.click(ALEX, invitation, "start")
    assert len(stamps) == 2 and stamps[0] != stamps[1]


def test_clicking_on_the_home_tab(
    bot_app: App, driver: SlackDriver, emulator: SlackEmulator
) -> None:
    clicked: list[dict[str, Any]] = []

    @bot_app.action("open_status")
    def open_status(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        clicked.append(body)

    WebClient(token=emulator.token, base_url=emulator.api_url).views_publish(
        user_id=LEAD, view={"type": "home", "blocks": [{"type": "actions", "elements": [
            {"type": "button", "action_id": "open_status", "value": TEAM_CHANNEL,
             "text": {"type": "plain_text", "text": "Team status"}}]}]})
    assert driver.click_home(LEAD, text="Team status").status == 200
    assert clicked[0]["container"]["type"] == "view"
    assert clicked[0]["view"]["type"] == "home"
    assert clicked[0]["actions"][0]["value"] == TEAM_CHANNEL


def test_an_event_retried_by_slack_is_acknowledged_but_handled_once(
    bot_app: App, driver: SlackDriver
) -> None:
    deliveries: list[tuple[str, str | None, str]] = []

    @bot_app.event("reaction_added")
    def joined(ack: Ack, body: dict[str, Any], event: dict[str, Any],
               request: BoltRequest) -> None:
        ack()
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        deliveries.append((body["event_id"], retry, event["user"]))

    first = driver.event("reaction_added", user=ALEX, reaction="tada")
    retry = driver.event("reaction_added", user=ALEX, reaction="tada",
                         event_id=first.event_id, retry_num=1)
    other = driver.event("reaction_added", user=ALEX, reaction="tada")
    assert (first.status, retry.status, other.status) == (200, 200, 200)
    assert deliveries == [(first.event_id, None, ALEX), (other.event_id, None, ALEX)]


def test_a_listener_calling_the_web_api_goes_to_the_emulator(
    bot_app: App, driver: SlackDriver, emulator: SlackEmulator
) -> None:
    @bot_app.event("reaction_added")
    def home(ack: Ack, event: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    assert driver.event("reaction_added", user=ALEX, reaction="tada").status == 200
    assert emulator.home_view(ALEX) is not None
    assert [call.method for call in emulator.calls()] == ["auth.test", "views.publish"]


# ---------------------------------------------------------------- health and routing


def test_healthz_is_503_until_ready_then_200(unready_bot_server: BackgroundServer) -> None:
    url = unready_bot_server.url + "/healthz"
    status, body = http("GET", url)
    assert (status, json.loads(body)["status"]) == (503, "starting")
    wsgi_app = unready_bot_server.app
    assert isinstance(wsgi_app, SlackWsgiApp)
    wsgi_app.mark_ready()
    status, body = http("GET", url)
    assert (status, json.loads(body)) == (200, {"ok": True, "status": "ready"})
    wsgi_app.mark_not_ready()
    assert http("GET", url)[0] == 503


def test_other_paths_are_404_and_get_on_events_is_405(bot_server: BackgroundServer) -> None:
    assert http("GET", bot_server.url + "/")[0] == 404
    assert http("POST", bot_server.url + "/slack/other", b"x")[0] == 404
    assert http("GET", bot_server.events_url)[0] == 405


def test_a_stopped_server_no_longer_answers(bot_app: App) -> None:
    server = BackgroundServer(SlackWsgiApp(bot_app))
    assert http("GET", server.url + "/healthz")[0] == 503
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.url + "/healthz", timeout=2)


def test_before_an_app_is_attached_slack_requests_get_503(
    bot_app: App, emulator: SlackEmulator
) -> None:
    wsgi_app = SlackWsgiApp()
    with BackgroundServer(wsgi_app) as server:
        driver = SlackDriver(emulator, server.events_url, "any-secret")
        assert driver.event("app_home_opened", user=ALEX).status == 503
        assert http("GET", server.url + "/healthz")[0] == 503
        wsgi_app.attach(bot_app)
        wsgi_app.mark_ready()
        assert driver.event("app_home_opened", user=ALEX).status == 401  # now Bolt checks
        assert http("GET", server.url + "/healthz")[0] == 200


def test_serve_forever_is_ready_while_serving_and_closes_on_stop(bot_app: App) -> None:
    import socket
    import threading

    from bot.http_server import serve_forever

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    wsgi_app = SlackWsgiApp(bot_app)
    stop = threading.Event()
    serving = threading.Thread(
        target=serve_forever, args=(wsgi_app, port), kwargs={"host": "127.0.0.1", "stop": stop}
    )
    serving.start()
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz") == 200
    finally:
        stop.set()
        serving.join(5)
    assert not serving.is_alive() and not wsgi_app.is_ready
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_slacks_ssl_check_is_answered_200(driver: SlackDriver) -> None:
    response = driver.post("ssl_check=1&token=emulated-verification-token",
                           "application/x-www-form-urlencoded")
    assert response.status == 200
