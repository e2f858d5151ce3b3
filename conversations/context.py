"""Who is asking, as the flows need to know it (filled in by the bot from the Slack request)."""

from __future__ import annotations

from dataclasses import dataclass

from model import Lang


@dataclass(frozen=True)
class Caller:
    """The person behind a slash command or click, in their own language."""

    workspace_id: str
    user_id: str
    lang: Lang
    channel_id: str | None = None
    is_admin: bool = False
    """Slack workspace admin or owner: may manage every team."""
