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

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_bolt import App

from bot.app import create_app
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator, Workspace, sample_workspace
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.services import Services
from bot.slack_client import make_listener_client, make_sending_client
from storage import Store
from tests.pg import (
    BACKENDS,
    STORE_VARIABLE,
    StoreBackend,
    TestDatabase,
    drop_abandoned,
    own_database,
    postgresql_backend,
    require_server,
    tinydb_backend,
)

SIGNING_SECRET = "emulated-signing-secret-0123456789"


@pytest.fixture
def workspace() -> Workspace:
    """The seeded workspace (see `bot.emulator.seed`); tests may add users or channels."""
    return sample_workspace()


@pytest.fixture
def emulator(workspace: Workspace, clock: FakeClock) -> Iterator[SlackEmulator]:
    """The emulated Slack, stamping messages in the test's virtual time like the bot."""
    with SlackEmulator(workspace, clock=lambda: clock().timestamp()) as running:
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


# -- storage backends (see tests/pg.py) ------------------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses `store_backend` (or `any_store`) once per backend; a module
    or test marked `@pytest.mark.backends("tinydb")` runs on those only."""
    if "store_backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        names = marker.args if marker else BACKENDS
        metafunc.parametrize("store_backend", names, indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The URL of the PostgreSQL server the tests use (skips, or fails under CI=true,
    without one)."""
    server = require_server()
    drop_abandoned(server)
    return server


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> Iterator[TestDatabase]:
    """This run's own PostgreSQL database, migrated once, dropped at the end."""
    with own_database(pg_server) as database:
        yield database


@pytest.fixture
def pg_url(pg_database: TestDatabase) -> str:
    """The URL of a migrated, empty PostgreSQL database for this test (WI3_PSEUDONYM_KEY:
    `tests.pg.TEST_PSEUDONYM_KEY_HEX`)."""
    pg_database.truncate()
    return pg_database.url


@pytest.fixture
def new_pg_database(pg_server: str) -> Iterator[TestDatabase]:
    """A database of this test's own with no schema yet (for migrations), dropped after."""
    with own_database(pg_server, migrated=False) as database:
        yield database


@pytest.fixture
def store_backend(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> StoreBackend:
    """A backend to open stores on: TinyDB in a fresh directory, or PostgreSQL."""
    if request.param == "tinydb":
        return tinydb_backend(tmp_path / "data", clock)
    return postgresql_backend(request.getfixturevalue("pg_url"), clock)


@pytest.fixture
def any_store(store_backend: StoreBackend) -> Iterator[Store]:
    """An empty store of each backend in turn (the test runs once per backend)."""
    with store_backend.open() as opened:
        yield opened


@pytest.fixture
def store(bot_config: Config, clock: FakeClock, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The bot's store on the test's data directory (the single owner while it is open);
    with WI3_TEST_STORE=postgresql, on the test database instead (every test built on
    `store`, `services` or `bot_app` then runs against PostgreSQL)."""
    if os.environ.get(STORE_VARIABLE) == "postgresql":
        backend = postgresql_backend(request.getfixturevalue("pg_url"), clock)
    else:
        backend = tinydb_backend(bot_config.data_dir, clock)
    with backend.open() as opened:
        yield opened


@pytest.fixture
def services(bot_config: Config, store: Store, clock: FakeClock) -> Services:
    """The app's services, shared with the test: invitations run inline (no worker thread),
    the scheduler is not started (tests call `services.scheduler.tick(now)`)."""
    return Services.build(
        store,
        make_listener_client(bot_config),
        fanout_client=make_sending_client(bot_config),
        clock=clock,
        messages_per_second=1000.0,
    )


@pytest.fixture
def bot_app(bot_config: Config, store: Store, services: Services) -> App:
    """The real app from `create_app`, listeners run inline for deterministic tests."""
    return create_app(
        bot_config, store, client=make_listener_client(bot_config),
        listener_executor=InlineExecutor(), services=services,
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
