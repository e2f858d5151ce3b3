"""manifest.yml asks Slack for what the bot uses: scopes, command, events, surfaces."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Config
from bot.emulator import SlackEmulator, sample_workspace
from bot.emulator.api import METHOD_SCOPES
from bot.emulator.seed import LEAD, PRIVATE_CHANNEL, TEAM_CHANNEL
from bot.slack_client import REQUIRED_SCOPES
from conversations.refs import ActionIds
from tests.conftest import FakeClock
from tests.e2e.helpers import running_bot

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def content_lines() -> list[str]:
    return [line for line in MANIFEST.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def list_under(key: str) -> list[str]:
    """The `- item` scalars directly under `key:` (a small reader for this file's YAML)."""
    lines = content_lines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    items = []
    for line in lines[start + 1:]:
        if len(line) - len(line.lstrip()) <= indent:
            break
        if line.lstrip().startswith("- "):
            items.append(line.strip()[2:].strip())
    return items


def setting(key: str) -> str:
    values = [line.split(":", 1)[1].strip() for line in content_lines()
              if line.strip().startswith(f"{key}:")]
    assert len(values) == 1, f"{key} appears {len(values)} times"
    return values[0]


def test_the_manifest_uses_spaces_and_no_tabs() -> None:
    assert "\t" not in MANIFEST.read_text()
    assert all((len(line) - len(line.lstrip())) % 2 == 0 for line in content_lines())


def test_bot_scopes_cover_what_wi3_calls() -> None:
    scopes = set(list_under("bot"))
    assert set(REQUIRED_SCOPES) == scopes
    for needed in METHOD_SCOPES.values():
        assert not needed or scopes & set(needed)


def test_the_slash_command_and_events_are_declared() -> None:
    assert setting("- command") == "/wi3"
    assert "status" in setting("usage_hint") and "setup" in setting("usage_hint")
    assert setting("should_escape") == "true"
    assert list_under("bot_events") == ["app_home_opened", "member_joined_channel",
                                        "app_uninstalled", "tokens_revoked"]


def test_the_distributed_app_path_is_declared() -> None:
    assert list_under("redirect_urls") == ["https://YOUR-HOST/slack/oauth_redirect",
                                           "https://YOUR-HOST/dashboard/signin"]
    assert list_under("user") == ["openid", "profile", "email"]  # Sign in with Slack
    assert setting("org_deploy_enabled") == "false"  # org-wide installs are refused


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("home_tab_enabled", "true"),
        ("messages_tab_enabled", "true"),
        ("is_enabled", "true"),
        ("socket_mode_enabled", "true"),
        ("display_name", "wi3"),
    ],
)
def test_surfaces_and_socket_mode_are_on(key: str, value: str) -> None:
    assert setting(key) == value


def test_http_mode_is_explained() -> None:
    text = MANIFEST.read_text()
    assert "request_url" in text and "/slack/events" in text


@pytest.mark.parametrize("scope", [s for s in REQUIRED_SCOPES if s != "commands"])
def test_every_bot_scope_is_used_by_what_people_do(
    scope: str, bot_config: Config, clock: FakeClock
) -> None:
    """Without `scope`, something a lead or member does runs into `missing_scope`: the
    manifest asks for nothing wi3 does not use. (`commands` is what /wi3 itself needs.)"""
    granted = [s for s in REQUIRED_SCOPES if s != scope]
    with SlackEmulator(sample_workspace(), scopes=granted) as emulator:
        config = replace(bot_config, slack_api_url=emulator.api_url)
        with running_bot(config, emulator, clock) as bot:
            bot.driver.command(LEAD, TEAM_CHANNEL, "setup")
            bot.driver.command(LEAD, PRIVATE_CHANNEL, "setup")
            bot.driver.command(LEAD, TEAM_CHANNEL, "export")
            # Slack takes the announcement and the first invitation, but its answers are
            # lost: before sending them again wi3 reads the channel and the DM back.
            emulator.fail_next("chat.postMessage", status=500, count=2, applied=True)
            bot.driver.command(LEAD, TEAM_CHANNEL, "start")
            emulator.fail_next("chat.postMessage", status=500, applied=True)
            bot.driver.command(LEAD, PRIVATE_CHANNEL, "start")
            bot.services.scheduler.tick(clock.advance(minutes=1))
            bot.driver.event("app_home_opened", user=LEAD, tab="home")
            for message in emulator.messages_to(LEAD):
                with contextlib.suppress(LookupError):
                    bot.driver.click(LEAD, message, ActionIds.START)
        refused = {call.method for call in emulator.calls() if call.error == "missing_scope"}
    assert refused, f"nothing needed {scope}"
