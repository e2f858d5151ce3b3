"""Slack revoked tokens of the app (`tokens_revoked`); it sends this on removal too.

Without its bot token wi3 cannot act in the workspace: the same as a removal
(`bot.listeners.events.app_uninstalled`). Revoked user tokens change nothing: wi3 asks for
none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk.oauth.installation_store import InstallationStore

from bot.listeners.events.app_uninstalled import gone
from bot.services import Services


def make_tokens_revoked(services: Services,
                        installations: InstallationStore | None) -> Callable[..., None]:
    def tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            gone(services, installations, context)

    return tokens_revoked
