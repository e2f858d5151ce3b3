"""The app factory: how `create_app` talks to Slack before and during requests."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.app import create_app
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator
from bot.emulator.seed import MEMBERS
from bot.slack_client import make_client
from storage import Store

ALEX = MEMBERS[0]


def test_with_an_injected_client_nothing_is_called_at_construction(
    bot_config: Config, emulator: SlackEmulator, store: Store
) -> None:
    create_app(bot_config, store, client=make_client(bot_config))
    assert emulator.calls() == []


def test_without_a_client_the_token_is_verified_at_construction(
    bot_config: Config, emulator: SlackEmulator, store: Store
) -> None:
    app = create_app(bot_config, store)
    assert [call.method for call in emulator.calls()] == ["auth.test"]
    assert app.client.base_url == emulator.api_url


def test_the_apps_client_never_waits_out_a_429(
    bot_config: Config, emulator: SlackEmulator, store: Store
) -> None:
    app = create_app(bot_config, store)
    emulator.fail_next("users.info", status=429, retry_after=5)
    started = time.monotonic()
    with pytest.raises(SlackApiError) as limited:
        app.client.users_info(user=ALEX)
    assert time.monotonic() - started < 2  # no thread asleep on Retry-After
    assert limited.value.response.status_code == 429
    assert [call.status for call in emulator.calls("users.info")] == [429]


def test_listeners_get_a_client_that_hands_a_429_back_at_once(
    bot_app: App, driver: SlackDriver, emulator: SlackEmulator
) -> None:
    published: list[Any] = []

    @bot_app.event("reaction_added")
    def home(ack: Ack, event: dict[str, Any], client: Any) -> None:
        ack()
        try:
            client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})
        except SlackApiError as error:
            published.append(error.response.status_code)

    emulator.fail_next("views.publish", status=429, retry_after=5)
    started = time.monotonic()
    assert driver.event("reaction_added", user=ALEX, reaction="tada").status == 200
    assert time.monotonic() - started < 2
    assert published == [429]
    assert [call.status for call in emulator.calls("views.publish")] == [429]


def test_the_signing_secret_comes_from_the_config(
    bot_config: Config, emulator: SlackEmulator, store: Store
) -> None:
    app = create_app(bot_config, store, client=make_client(bot_config),
                     listener_executor=InlineExecutor())
    from bot.http_server import BackgroundServer, SlackWsgiApp

    wsgi_app = SlackWsgiApp(app)
    wsgi_app.mark_ready()
    with BackgroundServer(wsgi_app) as server:
        right = SlackDriver(emulator, server.events_url, bot_config.signing_secret or "")
        wrong = SlackDriver(emulator, server.events_url, "another-apps-secret")
        assert wrong.event("app_home_opened", user=ALEX, tab="home").status == 401
        assert right.event("app_home_opened", user=ALEX, tab="home").status == 200


def test_one_bot_token_stays_one_workspace_with_the_sign_in_credentials_set(
    bot_config: Config, store: Store, monkeypatch: Any
) -> None:
    """SLACK_CLIENT_ID/SECRET serve the dashboard's sign-in; Bolt, reading them itself,
    would otherwise authorise every request by installations that do not exist."""
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "not-for-bolt")
    app = create_app(bot_config, store, client=make_client(bot_config))
    assert app.oauth_flow is None and app.installation_store is None
    assert app.client.token == bot_config.bot_token
    assert os.environ["SLACK_CLIENT_ID"] == "1111.2222"
