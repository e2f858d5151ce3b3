"""The dashboard over the bot's services: one app per process, mounted where WSGI is
served (HTTP mode: `bot.http_server.SlackWsgiApp`)."""

from __future__ import annotations

import logging
import secrets
import threading
import time

from slack_sdk.errors import SlackApiError

from bot.clients import WorkspaceGone
from bot.config import Config
from bot.dashboard.app import DashboardApp
from bot.dashboard.sessions import Signer, session_key
from bot.dashboard.signin import SignIn
from bot.services import Services
from bot.slack_client import make_client
from conversations.dashboard.flow import DashboardFlow

logger = logging.getLogger(__name__)


def dashboard_app(config: Config, services: Services) -> DashboardApp:
    """The dashboard for `config`; without SLACK_CLIENT_ID/SECRET nobody can sign in and
    it says so."""
    key = session_key(config.sign_in[1]) if config.sign_in else secrets.token_bytes(32)
    signer = Signer(key, lambda: services.clock().timestamp())
    sign_in = None
    if config.sign_in is not None:
        client_id, client_secret = config.sign_in
        sign_in = SignIn(client_id=client_id, client_secret=client_secret,
                         api_url=config.slack_api_url, client=make_client(config),
                         signer=signer, installed=Installed(services))
    return DashboardApp(
        DashboardFlow(services.store, services.content, services.clock), services.content,
        is_admin=lambda workspace_id, user_id: services.people.person(
            workspace_id, user_id).is_admin,
        signer=signer, sign_in=sign_in, drawer=services.sender.drawer,
        public_url=config.public_url)


INSTALLED_SECONDS = 300.0
"""How long Slack's "yes, this token is that workspace's" is trusted before asking again."""


class Installed:
    """Whether wi3 is installed in a workspace: not removed, and its installation's token
    is, Slack says, that workspace's (a yes is remembered a while; a no is asked again, as
    the workspace may install wi3 any moment)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._confirmed: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, workspace_id: str) -> bool:
        if workspace_id in self.services.store.uninstalled_workspaces():
            return False
        with self._lock:
            confirmed = self._confirmed.get(workspace_id)
        if confirmed is not None and time.monotonic() - confirmed < INSTALLED_SECONDS:
            return True
        if not self._ask(workspace_id):
            return False
        with self._lock:
            self._confirmed[workspace_id] = time.monotonic()
        return True

    def _ask(self, workspace_id: str) -> bool:
        try:
            client = self.services.people.clients.client_for(workspace_id)
            return bool(client.auth_test().get("team_id") == workspace_id)
        except WorkspaceGone:
            return False
        except SlackApiError as error:
            logger.info("dashboard: auth.test failed (%s)", error.response.get("error"))
            return False
