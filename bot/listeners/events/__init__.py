"""Events: App Home opened, someone joined a team channel, the app removed from a
workspace, Slack holding events back."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.events.app_home_opened import make_app_home_opened
from bot.listeners.events.app_rate_limited import acknowledge_rate_limiting
from bot.listeners.events.app_uninstalled import make_app_uninstalled
from bot.listeners.events.member_joined_channel import make_member_joined_channel
from bot.listeners.events.tokens_revoked import make_tokens_revoked
from bot.services import Services


def register(app: App, services: Services) -> None:
    app.event("app_home_opened")(make_app_home_opened(services))
    app.event("member_joined_channel")(make_member_joined_channel(services))
    app.event("app_uninstalled")(make_app_uninstalled(services, app.installation_store))
    app.event("tokens_revoked")(make_tokens_revoked(services, app.installation_store))
    app.middleware(acknowledge_rate_limiting)
