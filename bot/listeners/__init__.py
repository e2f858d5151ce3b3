"""The wiring point between the Bolt app and wi3's listeners.

`create_app` calls `register_listeners` once; each listener kind (commands, actions,
events, views) will get its own module here with a `register(app, ...)` of its own.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.config import Config


def register_listeners(app: App, *, config: Config, store: Any = None) -> None:
    """Attach wi3's listeners to `app`; none are defined yet, so nothing is attached."""
