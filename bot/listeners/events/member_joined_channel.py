"""Someone joined a team channel while a round is open: they are invited too.

The workspace is the installation's (Bolt's context, from `authorizations`), not
`event.team`: in a shared channel (Slack Connect, Enterprise Grid) that is the joiner's
own workspace, where wi3 has no team."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.services import Services


def make_member_joined_channel(services: Services) -> Callable[..., None]:
    def member_joined_channel(event: dict[str, Any], context: BoltContext) -> None:
        workspace_id = context.team_id or ""
        user_id = str(event.get("user") or "")
        channel_id = str(event.get("channel") or "")
        if not (user_id and channel_id):
            return
        if services.store.open_round_for(workspace_id, channel_id) is None:
            return
        if user_id == services.people.bot_user_id(workspace_id):
            return
        if not services.people.person(workspace_id, user_id).can_answer:
            return
        services.sender.send(services.rounds.member_joined(workspace_id, channel_id, user_id),
                             workspace_id=workspace_id)

    return member_joined_channel
