"""Many workspaces: "Add to Slack", refreshed tokens, removal, and workspaces kept apart.

The bot runs in multi-workspace mode (no bot token: SLACK_CLIENT_ID and SECRET) over real
HTTP; a browser (urllib with cookies) goes through /slack/install, the emulated Slack's
authorize page and back to /slack/oauth_redirect. Two workspaces share every channel and
user id, so anything crossing over would land on the same ids.
"""

from __future__ import annotations

import html
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store.models import installation as installation_model
from slack_sdk.oauth.token_rotation import rotator

from bot.app import create_app
from bot.clients import WorkspaceGone
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator, Workspace, sample_workspace
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.oauth import Installations, open_installations
from bot.services import Services
from conversations.refs import ActionIds
from storage import Store, open_store
from tests.conftest import SIGNING_SECRET, FakeClock
from tests.e2e.helpers import answer_all, invitation
from tests.pg import TEST_PSEUDONYM_KEY

ALEX, SAMI, NOOR, _KAI = MEMBERS
FIRST, SECOND = "T0WI3TEST", "T0OTHER02"
CLIENT_ID, CLIENT_SECRET = "1234.5678", "emulated-client-secret"


@dataclass
class Page:
    status: int
    text: str

    @property
    def words(self) -> str:
        return html.unescape(re.sub(r"<[^>]+>", " ", self.text))


class _LocalIsSecure(DefaultCookiePolicy):
    """Browsers send `Secure` cookies (Bolt's state cookie) to a local address too."""

    def return_ok_secure(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return True


class Browser:
    """An installer's browser: keeps cookies, follows redirects, reads pages."""

    def __init__(self, lang: str = "en") -> None:
        jar = CookieJar(_LocalIsSecure())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.lang = lang

    def get(self, url: str) -> Page:
        request = urllib.request.Request(url, headers={"Accept-Language": self.lang})
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.read().decode())

    def install(self, bot_url: str, team: str | None = None) -> Page:
        """Add to Slack, approve on Slack's page, land back on the bot's page."""
        start = self.get(bot_url + "/slack/install" + (f"?team={team}" if team else ""))
        button = re.search(r'class="button" href="([^"]+)"', start.text)
        assert button is not None
        link = html.unescape(button[1])
        return self.get(link)


@dataclass
class MultiBot:
    emulator: SlackEmulator
    url: str
    services: Services
    installations: Installations
    store: Store
    clock: FakeClock

    def driver(self, team_id: str) -> SlackDriver:
        return SlackDriver(self.emulator, self.url + "/slack/events", SIGNING_SECRET,
                           team_id=team_id)

    def install(self, team: str | None = None, lang: str = "en") -> Page:
        return Browser(lang).install(self.url, team)


@pytest.fixture
def second_workspace() -> Workspace:
    """A workspace with the very same user and channel ids as the first."""
    other = sample_workspace()
    twin = Workspace(team_id=SECOND, team_name="Other Org", domain="other")
    twin.users, twin.channels = other.users, other.channels
    return twin


@contextmanager
def _multi_bot(emulator: SlackEmulator, config: Config, store: Store, clock: FakeClock, *,
               grace_days: int = 30, token_seconds: int | None = None) -> Iterator[MultiBot]:
    config = replace(config, uninstall_grace_days=grace_days)
    installations = open_installations(config, store)
    services = Services.build(store, installations.clients,
                              fanout_client=installations.fanout_clients, clock=clock,
                              messages_per_second=1000.0, uninstall_grace_days=grace_days)
    app = create_app(config, store, listener_executor=InlineExecutor(), services=services,
                     installations=installations)
    wsgi = SlackWsgiApp(app)
    wsgi.mark_ready()
    with BackgroundServer(wsgi) as server:
        emulator.register_app(CLIENT_ID, CLIENT_SECRET, server.url + "/slack/oauth_redirect",
                              token_seconds=token_seconds)
        yield MultiBot(emulator, server.url, services, installations, store, clock)
    installations.close()


@pytest.fixture
def oauth_config(emulator: SlackEmulator, tmp_path: Path) -> Config:
    return Config(bot_token=None, signing_secret=SIGNING_SECRET, app_token=None,
                  slack_api_url=emulator.api_url, data_dir=tmp_path / "data",
                  client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


@pytest.fixture
def bot(emulator: SlackEmulator, second_workspace: Workspace, oauth_config: Config,
        clock: FakeClock) -> Iterator[MultiBot]:
    emulator.add_workspace(second_workspace)
    with open_store(oauth_config.data_dir, clock=clock) as store, \
            _multi_bot(emulator, oauth_config, store, clock) as running:
        yield running


def _setup(bot: MultiBot, team_id: str) -> SlackDriver:
    driver = bot.driver(team_id)
    assert driver.command(LEAD, TEAM_CHANNEL, "setup").status == 200
    driver.command(LEAD, TEAM_CHANNEL, "language en")
    return driver


@pytest.mark.parametrize("backend", ["tinydb", "postgresql"])
def test_add_to_slack_installs_a_workspace_that_then_works(
    backend: str, emulator: SlackEmulator, oauth_config: Config, clock: FakeClock,
    request: pytest.FixtureRequest,
) -> None:
    config = oauth_config
    if backend == "postgresql":
        config = replace(config, database_url=request.getfixturevalue("pg_url"),
                         pseudonym_key=TEST_PSEUDONYM_KEY)
    with open_store(config.data_dir, database_url=config.database_url,
                    pseudonym_key=TEST_PSEUDONYM_KEY if config.database_url else None,
                    clock=clock) as store, _multi_bot(emulator, config, store, clock) as bot:
        start = Browser().get(bot.url + "/slack/install")
        assert start.status == 200 and "Add to Slack" in start.words
        assert emulator.authorize_url in html.unescape(start.text)
        done = bot.install()
        assert done.status == 200, done.words
        assert "WI3 is installed in WI3 Test" in done.words
        [exchange] = emulator.calls("oauth.v2.access")
        assert exchange.ok  # at SLACK_API_URL, like every Web API call
        assert store.get_workspace(FIRST) is not None

        assert bot.driver(FIRST).command(LEAD, TEAM_CHANNEL, "setup").status == 200
        team = store.get_team(FIRST, TEAM_CHANNEL)
        assert team is not None and team.leads == (LEAD,)
        assert emulator.responses()[-1].outcome == "ephemeral"


def test_the_pages_speak_the_browsers_language_and_say_what_went_wrong(
    bot: MultiBot, emulator: SlackEmulator
) -> None:
    dutch = Browser("nl-NL,nl;q=0.9,en;q=0.5")
    assert "Toevoegen aan Slack" in dutch.get(bot.url + "/slack/install").words
    emulator.tokens.deny_next = True
    cancelled = Browser("nl").install(bot.url)
    assert "De installatie is in Slack geannuleerd" in cancelled.words
    # Slack's redirect opened in a browser that did not start the install
    start = Browser().get(bot.url + "/slack/install")
    button = re.search(r'class="button" href="([^"]+)"', start.text)
    assert button is not None
    link = html.unescape(button[1])
    elsewhere = Browser("en").get(link)
    assert elsewhere.status == 400
    assert "opened in another browser" in elsewhere.words
    assert "/slack/install" in elsewhere.text  # start again
    assert not emulator.calls("oauth.v2.access")


def test_an_org_wide_install_is_refused_and_its_token_revoked(
    bot: MultiBot, emulator: SlackEmulator
) -> None:
    emulator.workspace.enterprise_id = "E0GRID001"
    page = bot.install(team="E0GRID001")
    assert page.status == 403
    assert "installed per workspace" in page.words
    [revoke] = emulator.calls("auth.revoke")
    assert revoke.ok
    with pytest.raises(WorkspaceGone):
        bot.installations.clients.client_for(FIRST)


def test_expiring_tokens_are_refreshed_before_use_in_requests_and_in_background_work(
    emulator: SlackEmulator, oauth_config: Config, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Slack's tokens live 12 hours; the bot refreshes them within two hours of expiry,
    and never uses one Slack has expired (the bot's clock and Slack's move together)."""
    now = [time.time()]
    emulator.tokens.clock = lambda: now[0]
    for module in (rotator, installation_model):
        monkeypatch.setattr(module, "time", lambda: now[0])

    def refreshes() -> int:
        return len([c for c in emulator.calls("oauth.v2.access")
                    if c.params.get("grant_type") == "refresh_token" and c.ok])

    with open_store(oauth_config.data_dir, clock=clock) as store, \
            _multi_bot(emulator, oauth_config, store, clock, token_seconds=12 * 3600) as bot:
        bot.install()
        driver = bot.driver(FIRST)
        assert driver.command(LEAD, TEAM_CHANNEL, "setup").status == 200
        assert refreshes() == 0
        now[0] += 11 * 3600  # an hour left: the next request refreshes first
        driver.command(LEAD, TEAM_CHANNEL, "language en")
        assert refreshes() == 1
        now[0] += 2 * 3600  # the first token has expired at Slack; background work goes on
        person = bot.services.people.person(FIRST, ALEX, fresh=True)
        assert person.lang == "en" and emulator.calls("users.info")[-1].ok
        assert refreshes() == 1
        assert not [c for c in emulator.calls() if c.error == "token_expired"]
        assert store.get_team(FIRST, TEAM_CHANNEL) is not None


def test_two_workspaces_with_the_same_ids_never_touch_each_other(
    bot: MultiBot, emulator: SlackEmulator
) -> None:
    bot.install(FIRST)
    bot.install(SECOND)
    first, second = _setup(bot, FIRST), _setup(bot, SECOND)
    one, two = emulator.in_workspace(FIRST), emulator.in_workspace(SECOND)
    first.command(LEAD, TEAM_CHANNEL, "start")
    assert invitation(one, ALEX) and two.messages_to(ALEX) == []

    second.command(LEAD, TEAM_CHANNEL, "start")
    first_round = bot.store.open_round_for(FIRST, TEAM_CHANNEL)
    second_round = bot.store.open_round_for(SECOND, TEAM_CHANNEL)
    assert first_round and second_round and first_round.id != second_round.id
    assert invitation(two, ALEX).find_button(ActionIds.START)[1]["value"] == second_round.id
    for user in (ALEX, SAMI, NOOR):
        answer_all(first, one, user, 5)

    second.command(LEAD, TEAM_CHANNEL, "status")
    assert "0 van 5 klaar" in str(two.responses()[-1].body)  # Lotte reads Dutch
    second.event("app_home_opened", user=ALEX, tab="home", channel=two.dm_channel(ALEX))
    home = two.home_view(ALEX)
    assert home is not None and home.find_button(ActionIds.START)[1]["value"] == second_round.id
    second.command(LEAD, TEAM_CHANNEL, "export")
    assert two.uploads() and one.uploads() == []

    first.command(LEAD, TEAM_CHANNEL, "close")
    assert any("3 of 5" in m.visible_text() for m in one.messages_to(TEAM_CHANNEL))
    assert not any("of 5" in m.visible_text() for m in two.messages_to(TEAM_CHANNEL))

    bot.clock.advance(days=30)  # the second round is past its deadline: the scheduler closes it
    emulator.reset_calls()
    bot.services.scheduler.tick(bot.clock.now)
    assert any("0 of 5" in m.visible_text() for m in two.messages_to(TEAM_CHANNEL))
    posts = emulator.calls("chat.postMessage")
    assert posts and {call.workspace for call in posts} == {SECOND}
    assert sum("of 5" in m.visible_text() for m in one.messages_to(TEAM_CHANNEL)) == 1


def test_a_removed_workspace_stops_at_once_and_its_data_goes_after_the_grace(
    bot: MultiBot, emulator: SlackEmulator
) -> None:
    bot.install(FIRST)
    bot.install(SECOND)
    for team_id in (FIRST, SECOND):
        driver = _setup(bot, team_id)
        driver.command(LEAD, TEAM_CHANNEL, "pulse weekly")
        driver.command(LEAD, TEAM_CHANNEL, "start")
    revoked, uninstalled = bot.driver(FIRST).uninstall()
    assert revoked.status == 200 and uninstalled.status == 200
    with pytest.raises(WorkspaceGone):
        bot.installations.clients.client_for(FIRST)

    emulator.reset_calls()
    for _ in range(7):  # deadlines, reminders and pulses come due: only in the second
        bot.clock.advance(days=4)
        bot.services.scheduler.tick(bot.clock.now)
    assert emulator.calls("chat.postMessage")
    assert {call.workspace for call in emulator.calls()} == {SECOND}
    assert bot.store.get_team(FIRST, TEAM_CHANNEL) is not None  # 28 days: within the grace
    [kept] = bot.store.list_rounds(FIRST, TEAM_CHANNEL)  # no pulse opened, nothing closed
    assert kept.is_open and kept.kind == "diagnostic"
    bot.clock.advance(days=3)
    bot.services.scheduler.tick(bot.clock.now)
    assert bot.store.list_teams(FIRST) == []
    assert bot.store.get_team(SECOND, TEAM_CHANNEL) is not None


def test_a_reinstall_within_the_grace_period_finds_the_teams_again(
    bot: MultiBot, emulator: SlackEmulator
) -> None:
    bot.install(FIRST)
    driver = _setup(bot, FIRST)
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.uninstall()
    bot.clock.advance(days=10)
    bot.services.scheduler.tick(bot.clock.now)
    assert bot.install(FIRST).status == 200
    assert bot.store.uninstalled_workspaces() == {}
    driver.command(LEAD, TEAM_CHANNEL, "status")
    assert "0 van 5 klaar" in str(emulator.responses()[-1].body)


def test_with_no_grace_a_removed_workspaces_data_goes_at_once(
    emulator: SlackEmulator, oauth_config: Config, clock: FakeClock
) -> None:
    with open_store(oauth_config.data_dir, clock=clock) as store, \
            _multi_bot(emulator, oauth_config, store, clock, grace_days=0) as bot:
        bot.install()
        _setup(bot, FIRST).uninstall()
        assert store.list_teams(FIRST) == [] and store.get_workspace(FIRST) is None

