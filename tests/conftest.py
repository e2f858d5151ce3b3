"""Shared fixtures: an emulated Slack, a bot served over real HTTP, and Slack's driver.

A typical end-to-end test:

    def test_status(bot_app, bot_server, driver, emulator):
        response = driver.command(LEAD, TEAM_CHANNEL, "status")
        assert response.status == 200
        assert emulator.responses()[-1].outcome == "ephemeral"

`bot_app` is built by `create_app` with an inline listener executor, so by the time the
driver gets its answer the listener has finished and the emulator holds its effects.
Listeners a test needs can be added to `bot_app` before the first request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_bolt import App

from bot.app import create_app
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator, Workspace, sample_workspace
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.services import Services
from bot.slack_client import make_client
from storage import Store

SIGNING_SECRET = "emulated-signing-secret-0123456789"


@pytest.fixture
def workspace() -> Workspace:
    """The seeded workspace (see `bot.emulator.seed`); tests may add users or channels."""
    return sample_workspace()


@pytest.fixture
def emulator(workspace: Workspace) -> Iterator[SlackEmulator]:
    with SlackEmulator(workspace) as running:
        yield running


@pytest.fixture
def bot_config(emulator: SlackEmulator, tmp_path_factory: pytest.TempPathFactory) -> Config:
    """HTTP-mode configuration pointing at the emulator, with a fresh data directory."""
    return Config(
        bot_token=emulator.token,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        slack_api_url=emulator.api_url,
        data_dir=tmp_path_factory.mktemp("wi3-data"),
    )


class FakeClock:
    """Virtual time for tests: starts on a fixed Monday morning, moves only when told."""

    def __init__(self, start: datetime = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(bot_config: Config, clock: FakeClock) -> Iterator[Store]:
    """The bot's store on the test's data directory (the single owner while it is open)."""
    with Store.open(bot_config.data_dir, clock=clock) as opened:
        yield opened


@pytest.fixture
def services(bot_config: Config, store: Store, clock: FakeClock) -> Services:
    """The app's services, shared with the test: invitations run inline (no worker thread),
    the scheduler is not started (tests call `services.scheduler.tick(now)`)."""
    return Services.build(
        store,
        make_client(bot_config),
        fanout_client=make_client(bot_config, rate_limit_retries=0),
        clock=clock,
        invitations_per_second=1000.0,
    )


@pytest.fixture
def bot_app(bot_config: Config, store: Store, services: Services) -> App:
    """The real app from `create_app`, listeners run inline for deterministic tests."""
    return create_app(
        bot_config, store, client=services.people.client, listener_executor=InlineExecutor(),
        services=services,
    )


@pytest.fixture
def unready_bot_server(bot_app: App) -> Iterator[BackgroundServer]:
    """The bot served on 127.0.0.1 but not yet marked ready (`server.app.mark_ready()`)."""
    with BackgroundServer(SlackWsgiApp(bot_app)) as server:
        yield server


@pytest.fixture
def bot_server(unready_bot_server: BackgroundServer) -> BackgroundServer:
    """The bot served on 127.0.0.1 and ready."""
    wsgi_app = unready_bot_server.app
    assert isinstance(wsgi_app, SlackWsgiApp)
    wsgi_app.mark_ready()
    return unready_bot_server


@pytest.fixture
def driver(emulator: SlackEmulator, bot_server: BackgroundServer) -> SlackDriver:
    """Slack's side: signed commands, clicks and events to the served bot."""
    return SlackDriver(emulator, bot_server.events_url, SIGNING_SECRET)
