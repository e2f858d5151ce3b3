"""App Home: my open rounds (Start/Resume), my teams, the last result of teams I lead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.listeners.context import requester
from bot.services import Services


def make_app_home_opened(services: Services) -> Callable[..., None]:
    def app_home_opened(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        caller = requester(context).caller()
        services.sender.send(services.home.publish(caller), workspace_id=caller.workspace_id)

    return app_home_opened
