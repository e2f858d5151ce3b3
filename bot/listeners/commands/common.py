"""What every subcommand handler gets, and the small helpers they share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.listeners.context import ReplyTo, is_direct_message
from bot.services import Services
from conversations.commands import Command
from conversations.context import Caller
from conversations.i18n import t
from conversations.outbound import Outbound
from conversations.views.diagnostic import notice
from storage import Team


@dataclass(frozen=True)
class Request:
    services: Services
    caller: Caller
    command: Command
    reply: ReplyTo | None

    def team(self) -> Team | None:
        if self.caller.channel_id is None:
            return None
        return self.services.store.get_team(self.caller.workspace_id, self.caller.channel_id)

    def send(self, outbounds: Iterable[Outbound]) -> None:
        self.services.sender.send(outbounds, workspace_id=self.caller.workspace_id,
                                  reply=self.reply, lang=self.caller.lang)


def reply(request: Request, text: str) -> None:
    if request.reply is not None:
        request.reply(notice(text))


def team_or_explain(request: Request) -> Team | None:
    """The channel's team, or None after telling the caller why there is none."""
    caller = request.caller
    name = request.command.name or ""
    if caller.channel_id is None or is_direct_message(caller.channel_id):
        reply(request, t(caller.lang, "setup.dm_only", command=name))
        return None
    team = request.team()
    if team is None:
        reply(request, t(caller.lang, "setup.not_a_team", channel=caller.channel_id))
    return team
