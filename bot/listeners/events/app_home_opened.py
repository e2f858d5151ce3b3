"""App Home: my open rounds (Start/Resume), my teams, the last result of teams I lead.

Published only when it changed since it was last published to the person (`bot.homes`),
or when Slack shows no Home yet (the event carries no `view`). The Home needs only the
person's language, which the store keeps (`People.lang`): opening it again, on any
instance, asks Slack nothing (no `users.info` per open)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.listeners.context import requester
from bot.services import Services
from conversations.context import Caller
from conversations.outbound import PublishHome


def make_app_home_opened(services: Services) -> Callable[..., None]:
    def app_home_opened(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        who = requester(context)
        caller = Caller(who.workspace_id, who.user_id,
                        services.people.lang(who.workspace_id, who.user_id), who.channel_id)
        unseen = not isinstance(event.get("view"), dict)
        services.sender.send([PublishHome(caller.user_id, services.home.view(caller), unseen)],
                             workspace_id=caller.workspace_id)

    return app_home_opened
