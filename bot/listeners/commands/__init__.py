"""`/wi3` and its subcommands."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.wi3 import make_wi3_command
from bot.services import Services


def register(app: App, services: Services) -> None:
    app.command("/wi3")(make_wi3_command(services))
