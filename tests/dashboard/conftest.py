"""The dashboard served over real HTTP beside the bot, on each storage backend, with an
organisation seeded in two workspaces and Sign in with Slack at the emulated Slack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from bot.app import create_app
from bot.config import Config
from bot.dashboard.wiring import dashboard_app
from bot.emulator import InlineExecutor, SlackEmulator, Workspace
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.services import Services
from bot.slack_client import make_client, make_sending_client
from storage import Store
from tests.conftest import FakeClock
from tests.dashboard import seed
from tests.pg import StoreBackend

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "dashboard-client-secret-0123"
OTHER_TOKEN = "xoxb-other-workspace-token"


@pytest.fixture
def workspace() -> Workspace:
    return seed.people(Workspace())


@pytest.fixture
def dash_store(store_backend: StoreBackend) -> Iterator[Store]:
    """The dashboard's store, once per backend (the test runs on each)."""
    with store_backend.open() as opened:
        yield opened


@dataclass
class Served:
    url: str
    rounds: dict[str, str]
    services: Services
    emulator: SlackEmulator
    clock: FakeClock
    config: Config

    @property
    def dashboard(self) -> str:
        return self.url + "/dashboard"


@pytest.fixture
def served(emulator: SlackEmulator, bot_config: Config, dash_store: Store,
           clock: FakeClock) -> Iterator[Served]:
    emulator.add_workspace(seed.other_workspace(), token=OTHER_TOKEN)
    rounds = seed.organisation(dash_store, clock, lambda: clock.advance(days=7))
    config = replace(bot_config, sign_in=(CLIENT_ID, CLIENT_SECRET))
    services = Services.build(dash_store, make_client(config),
                              fanout_client=make_sending_client(config), clock=clock,
                              messages_per_second=1000.0)
    app = create_app(config, dash_store, client=make_client(config),
                     listener_executor=InlineExecutor(), services=services)
    wsgi = SlackWsgiApp(app)
    wsgi.dashboard = dashboard_app(config, services)
    wsgi.mark_ready()
    with BackgroundServer(wsgi) as server:
        emulator.openid.register(CLIENT_ID, CLIENT_SECRET, server.url + "/dashboard/signin")
        yield Served(server.url, rounds, services, emulator, clock, config)
