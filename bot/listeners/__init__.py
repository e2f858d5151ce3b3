"""The wiring point between the Bolt app and wi3's listeners.

`create_app` calls `register_listeners` once; each listener kind (commands, actions,
events, views) has its own package with a `register(app, services)`, one small module per listener.
"""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, errors, events, middleware, views
from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    """Attach wi3's middleware, error handler and listeners to `app`."""
    middleware.register(app, services)
    errors.register(app)
    commands.register(app, services)
    actions.register(app, services)
    events.register(app, services)
    views.register(app, services)
