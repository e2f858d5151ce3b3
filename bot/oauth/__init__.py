"""Multi-workspace mode: any workspace installs wi3 with "Add to Slack" (OAuth).

`open_installations(config, store)` builds what the mode adds: slack_sdk's installation
and state stores in wi3's storage (`stores`), Bolt's OAuth flow with wi3's pages and
rules (`flow`, `pages`), Bolt's request authorisation over the installations, and each
workspace's Slack clients for the work done outside requests (`bot.clients`). Every call
to Slack, the token exchange and refreshes included, goes to `SLACK_API_URL`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.clients import PerInstallation
from bot.config import Config
from bot.http_server import INSTALL_PATH, REDIRECT_PATH
from bot.oauth.flow import InstallFlow
from bot.oauth.stores import (
    ROTATE_MINUTES_BEFORE_EXPIRY,
    STATE_SECONDS,
    AdvisoryLocks,
    RotatingInstallationStore,
    RotationLocks,
    database_stores,
    file_locks,
    file_stores,
)
from bot.slack_client import REQUIRED_SCOPES, make_client, make_listener_client, make_sending_client
from storage import Store

if TYPE_CHECKING:  # SQLAlchemy is imported only where the database is used
    from sqlalchemy import Engine

logger = logging.getLogger(f"wi3.{__name__}")


@dataclass
class Installations:
    """Everything multi-workspace mode adds to the app."""

    store: RotatingInstallationStore
    flow: InstallFlow
    authorize: InstallationStoreAuthorize
    clients: PerInstallation
    fanout_clients: PerInstallation
    """The same without 429 retries, for the throttled fan-out."""
    engine: Engine | None = None

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def authorize_url(api_url: str) -> str:
    """Slack's authorize page beside its Web API (`https://slack.com/oauth/v2/authorize`)."""
    return urljoin(api_url, "../oauth/v2/authorize")


def open_installations(config: Config, store: Store) -> Installations:
    """The installation stores in `store`'s backend, the flow and the clients."""
    client_id, client_secret = config.client_id, config.client_secret
    if client_id is None or client_secret is None:
        raise ValueError("multi-workspace mode needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    engine = None
    locks: RotationLocks
    if config.database_url:
        from storage.sql import make_engine

        engine = make_engine(config.database_url)
        inner, states = database_stores(engine, client_id)
        locks = AdvisoryLocks(engine)
    else:
        inner, states = file_stores(config.data_dir, client_id)
        locks = file_locks(config.data_dir)
    api = make_client(config)  # no token: the OAuth methods authenticate the app itself
    installations = RotatingInstallationStore(
        inner, TokenRotator(client_id=client_id, client_secret=client_secret, client=api),
        locks)
    settings = OAuthSettings(
        client_id=client_id, client_secret=client_secret, scopes=list(REQUIRED_SCOPES),
        user_scopes=[], redirect_uri=config.redirect_uri, install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH, authorization_url=authorize_url(config.slack_api_url),
        installation_store=installations, state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY, logger=logger)
    authorize = InstallationStoreAuthorize(
        logger=logger, installation_store=installations, client_id=client_id,
        client_secret=client_secret, client=api, cache_enabled=True,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY)
    return Installations(
        store=installations,
        flow=InstallFlow(client=api, settings=settings, store=store),
        authorize=authorize,
        clients=PerInstallation(installations, store,
                                lambda token: make_listener_client(config, token=token)),
        fanout_clients=PerInstallation(
            installations, store,
            lambda token: make_sending_client(config, token)),
        engine=engine,
    )
