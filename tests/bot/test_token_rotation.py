"""Two instances refreshing the same rotating token at once: one refreshes, the other
waits and reads the refreshed installation, so nobody spends the refresh token twice
(Slack revokes it once used, and the loser's workspace would fail).

Two real processes (spawned) share the installations: the data directory's files, or one
PostgreSQL database. Slack's token exchange is slowed down so that without the lock both
would be refreshing at the same time.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation, InstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.emulator import SlackEmulator, sample_workspace
from bot.oauth.stores import (
    AdvisoryLocks,
    RotatingInstallationStore,
    RotationLocks,
    database_stores,
    file_locks,
    file_stores,
)

CLIENT_ID, CLIENT_SECRET = "1234.5678", "emulated-client-secret"
OLD_TOKEN, OLD_REFRESH = "xoxe.xoxb-1-old-token", "xoxe-1-old-refresh"
EXCHANGE_SECONDS = 0.5


def stores(place: str) -> tuple[InstallationStore, RotationLocks]:
    """The installations and their locks as an instance opens them: `place` is a data
    directory or a database URL."""
    if place.startswith("postgresql"):
        from storage.sql import make_engine

        engine = make_engine(place)
        return database_stores(engine, CLIENT_ID)[0], AdvisoryLocks(engine)
    return file_stores(Path(place), CLIENT_ID)[0], file_locks(Path(place))


def refresh_at(place: str, api_url: str, team_id: str, start_at: float) -> str | None:
    """One instance: at `start_at`, use the workspace's installation (refreshing its
    expiring token on the way); the bot token it got."""
    inner, locks = stores(place)
    rotating = RotatingInstallationStore(
        inner, TokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                            client=WebClient(base_url=api_url)), locks)
    time.sleep(max(0.0, start_at - time.time()))
    found = rotating.find_installation(enterprise_id=None, team_id=team_id)
    return found.bot_token if found is not None else None


@pytest.fixture
def emulator() -> Any:
    with SlackEmulator(sample_workspace()) as running:
        running.register_app(CLIENT_ID, CLIENT_SECRET, "https://wi3.example/slack/oauth_redirect",
                             token_seconds=12 * 3600)
        yield running


@pytest.mark.parametrize("backend", ["tinydb", "postgresql"])
def test_two_instances_refreshing_at_once_spend_the_refresh_token_once(
    backend: str, emulator: SlackEmulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    place = (request.getfixturevalue("pg_url") if backend == "postgresql"
             else str(tmp_path / "data"))
    team_id = emulator.workspace.team_id
    emulator.tokens.grant(OLD_TOKEN, team_id, expires_at=time.time() + 60)
    emulator.tokens.refresh[OLD_REFRESH] = (team_id, "chat:write,commands")
    exchange = emulator.tokens.access

    def slow_exchange(*args: Any, **kwargs: Any) -> dict[str, Any]:
        time.sleep(EXCHANGE_SECONDS)  # Slack takes a moment: long enough to overlap
        return exchange(*args, **kwargs)

    emulator.tokens.access = slow_exchange  # type: ignore[method-assign]
    inner, _ = stores(place)
    inner.save(Installation(
        app_id=emulator.workspace.app_id, team_id=team_id, user_id="U0LOTTE01",
        bot_token=OLD_TOKEN, bot_id="B0WI3BOT1", bot_user_id=emulator.workspace.bot_user_id,
        bot_scopes="chat:write,commands", bot_refresh_token=OLD_REFRESH,
        bot_token_expires_in=60))  # expires within the two hours: refreshed before use

    start_at = time.time() + 4  # both processes are up by then
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        tokens = pool.starmap(refresh_at, [(place, emulator.api_url, team_id, start_at)] * 2)

    exchanges = [call for call in emulator.calls("oauth.v2.access")
                 if call.params.get("grant_type") == "refresh_token"]
    assert [call.ok for call in exchanges] == [True]  # once, and it worked
    first, second = tokens
    assert first == second and first is not None and first != OLD_TOKEN
    assert emulator.tokens.check(first).team_id == team_id  # usable at Slack
    again = inner.find_installation(enterprise_id=None, team_id=team_id)
    assert again is not None and again.bot_token == first
