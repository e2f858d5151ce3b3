"""The Bolt app factory: one place that builds the app the same way for every caller.

Production (`bot.runtime.run`), the end-to-end tests and the local try-out all get their
app from `create_app`, differing only in what they inject (client, store, executor).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.clients import Clients
from bot.config import Config
from bot.gate import GatedApp
from bot.listeners import register_listeners
from bot.oauth import Installations, open_installations
from bot.services import Clock, Services, utc_now
from bot.slack_client import make_listener_client, make_sending_client
from storage import Store

logger = logging.getLogger("wi3.bolt")


class _QuietRedundantTokenWarning(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and then warns that the
    client we pass (built from that very token) takes precedence; nothing is wrong."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logger.addFilter(_QuietRedundantTokenWarning())

OAUTH_VARIABLES = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


@contextmanager
def _oauth_environment_hidden() -> Iterator[None]:
    """With one bot token the app's client id and secret serve Sign in with Slack on the
    dashboard only; Bolt would read them from the environment and install itself as an
    OAuth app (every request then authorised by installations that do not exist)."""
    saved = {name: os.environ.pop(name) for name in OAUTH_VARIABLES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def create_app(
    config: Config,
    store: Store,
    client: WebClient | None = None,
    listener_executor: Executor | None = None,
    *,
    services: Services | None = None,
    clock: Clock = utc_now,
    installations: Installations | None = None,
) -> App:
    """A Bolt `App` for `config` over `store`, with wi3's listeners registered.

    Requests that are not signed by Slack, or cannot be Slack's, are refused at the door
    (`bot.gate`). With one bot token: when `client` is given (tests, the try-out) the token
    is not checked against Slack at construction; Bolt still authorises each request with
    `auth.test` through that client. Without one (multi-workspace mode) Bolt's OAuth flow
    installs wi3 and each request is authorised with its workspace's installation
    (`installations`, opened here when not given).
    Pass `services` to share them with the caller (tests drive the scheduler and wait for
    invitations through them); otherwise they are built here.
    """
    def gated(**settings: Any) -> GatedApp:
        return GatedApp(client=client or make_listener_client(config),
                        signing_secret=config.signing_secret,
                        listener_executor=listener_executor, logger=logger,
                        write_problem=store.write_problem, **settings)

    clients: WebClient | Clients
    fanout: WebClient | Clients
    if config.workspaces == "many":
        installations = installations or open_installations(config, store)
        app = gated(oauth_flow=installations.flow, authorize=installations.authorize,
                    installation_store=installations.store)
        clients, fanout = installations.clients, installations.fanout_clients
    else:
        with _oauth_environment_hidden():
            app = gated(token_verification_enabled=client is None)
        clients = app.client
        fanout = make_sending_client(config)
    if services is None:
        services = Services.build(store, clients, fanout_client=fanout, clock=clock,
                                  retention_days=config.retention_days,
                                  default_timezone=config.timezone,
                                  uninstall_grace_days=config.uninstall_grace_days)
    register_listeners(app, services)
    return app
