"""The status view's "post the full results again" button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.actions.common import clicked_value, run_click
from bot.services import Services
from conversations.i18n import t
from conversations.outbound import Reply
from conversations.views.diagnostic import notice


def make_repost(services: Services) -> Callable[..., None]:
    def repost(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()

        def again(s: Services, caller: Any, b: dict[str, Any], _where: Any) -> list[Any]:
            snapshot = s.store.get_snapshot(clicked_value(b))
            team = s.store.get_team(snapshot.workspace_id, snapshot.channel_id) if snapshot \
                else None
            if snapshot is None or team is None or snapshot.workspace_id != caller.workspace_id:
                return [Reply(notice(t(caller.lang, "question.round_unknown")))]
            return s.reports.repost(caller, team, snapshot.round_id)

        run_click(services, body, context, again)

    return repost
