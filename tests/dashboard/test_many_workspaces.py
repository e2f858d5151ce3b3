"""Sign in with Slack in multi-workspace mode: each workspace that installed wi3 signs in
to its own organisation, and nothing of one reaches the other (the channel ids repeat)."""

from __future__ import annotations

from pathlib import Path

from bot.app import create_app
from bot.config import Config
from bot.dashboard.wiring import dashboard_app
from bot.emulator import InlineExecutor, SlackEmulator
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.oauth import open_installations
from bot.services import Services
from storage import open_store
from tests.conftest import SIGNING_SECRET, FakeClock
from tests.dashboard import seed
from tests.dashboard.visitor import Visitor
from tests.e2e.test_installations import Browser

CLIENT_ID, CLIENT_SECRET = "3333.4444", "multi-client-secret"


def test_each_workspace_signs_in_to_its_own_organisation(
        emulator: SlackEmulator, clock: FakeClock, tmp_path: Path) -> None:
    config = Config(bot_token=None, signing_secret=SIGNING_SECRET, app_token=None,
                    slack_api_url=emulator.api_url, data_dir=tmp_path / "multi",
                    client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                    sign_in=(CLIENT_ID, CLIENT_SECRET))
    emulator.add_workspace(seed.other_workspace())
    with open_store(config.data_dir, clock=clock) as store:
        rounds = seed.organisation(store, clock, lambda: clock.advance(days=7))
        installations = open_installations(config, store)
        services = Services.build(store, installations.clients,
                                  fanout_client=installations.fanout_clients, clock=clock,
                                  messages_per_second=1000.0)
        app = create_app(config, store, listener_executor=InlineExecutor(), services=services,
                         installations=installations)
        wsgi = SlackWsgiApp(app)
        wsgi.dashboard = dashboard_app(config, services)
        wsgi.mark_ready()
        try:
            with BackgroundServer(wsgi) as server:
                emulator.register_app(CLIENT_ID, CLIENT_SECRET,
                                      server.url + "/slack/oauth_redirect")
                emulator.openid.register(CLIENT_ID, CLIENT_SECRET, server.url + "/dashboard/signin")
                d = server.url + "/dashboard"
                ours, theirs = Visitor(), Visitor()
                assert ours.sign_in(d, seed.ADMIN).status == 400  # not installed yet
                for team in (seed.WS, seed.OTHER_WS):
                    assert Browser().install(server.url, team).status == 200
                ours, theirs = Visitor(), Visitor()
                ours.sign_in(d, seed.ADMIN)
                theirs.sign_in(d, seed.OTHER_ADMIN, team=seed.OTHER_WS)
                mine = ours.get(d + "/organisation").text()
                other = theirs.get(d + "/organisation").text()
                assert "#C0TEAM006" in mine and "other secrets" not in mine
                assert "other secrets" in other and other.count("#C0") == 1
                assert "our wiki" not in theirs.get(d + f"/teams/{seed.LED[0]}").text()
                assert theirs.get(d + f"/rounds/{rounds[f'{seed.LED[0]}-1']}").status == 404
                assert ours.get(d + f"/rounds/{rounds['other']}").status == 404
        finally:
            installations.close()
