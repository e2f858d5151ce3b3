"""App Home: my open rounds (Start/Resume), my teams, the last result of teams I lead."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.services import Services
from conversations.context import Caller

logger = logging.getLogger(__name__)


def make_app_home_opened(services: Services) -> Callable[..., None]:
    def app_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        workspace_id = str(body.get("team_id") or "")
        user_id = str(event.get("user") or "")
        if not user_id:
            return
        person = services.people.person(workspace_id, user_id)
        caller = Caller(workspace_id, user_id, person.lang, is_admin=person.is_admin)
        services.sender.send(services.home.publish(caller), workspace_id=workspace_id)

    return app_home_opened
