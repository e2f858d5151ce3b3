"""Team settings: `setup`, `lead add|remove`, `language`, `minimum`."""

from __future__ import annotations

from bot.listeners.commands.common import Request, reply, team_or_explain
from bot.listeners.context import is_direct_message
from conversations.i18n import t


def setup(request: Request) -> None:
    caller = request.caller
    if caller.channel_id is None or is_direct_message(caller.channel_id):
        reply(request, t(caller.lang, "setup.dm_only", command="setup"))
        return
    people = request.services.people
    channel = caller.channel_id
    request.send(request.services.team.setup(
        caller, bot_in_channel=lambda: people.bot_in_channel(caller.workspace_id, channel)))


def lead(request: Request) -> None:
    team = team_or_explain(request)
    if team is not None:
        people = request.services.people
        workspace_id = request.caller.workspace_id
        request.send(request.services.team.lead(
            request.caller, team, request.command.args,
            is_person=lambda user: people.person(workspace_id, user, fresh=True).can_answer,
            is_member=lambda user: people.in_channel(workspace_id, team.channel_id, user)))


def language(request: Request) -> None:
    team = team_or_explain(request)
    if team is not None:
        request.send(request.services.team.language(request.caller, team, request.command.args))


def minimum(request: Request) -> None:
    team = team_or_explain(request)
    if team is not None:
        request.send(request.services.team.minimum(request.caller, team, request.command.args))


def autoclose(request: Request) -> None:
    team = team_or_explain(request)
    if team is not None:
        request.send(request.services.team.autoclose(request.caller, team, request.command.args))
