"""Rounds from the team channel: `start`, `status`, `close`, `export`."""

from __future__ import annotations

from bot.listeners.commands.common import Request, reply, team_or_explain
from bot.listeners.context import is_direct_message
from conversations.i18n import t


def start(request: Request) -> None:
    caller = request.caller
    services = request.services
    if caller.channel_id is None or is_direct_message(caller.channel_id):
        _resume_anywhere(request)
        return
    team = team_or_explain(request)
    if team is None:
        return
    request.send(services.rounds.start(
        caller, team, request.command.rest,
        members=lambda: services.people.channel_members(caller.workspace_id, team.channel_id),
    ))


def _resume_anywhere(request: Request) -> None:
    """`/wi3 start` in a DM: carry on with my open rounds."""
    caller = request.caller
    services = request.services
    open_rounds = [r for r in services.store.rounds_for_user(caller.workspace_id, caller.user_id)
                   if not services.store.has_finished(r.id, caller.user_id)]
    if not open_rounds:
        reply(request, t(caller.lang, "round.no_round_for_you"))
        return
    request.send(services.diagnostic.begin(caller, open_rounds[0].id))


def status(request: Request) -> None:
    if request.command.args[:1] == ("all",):
        request.send(request.services.reports.status_all(request.caller))
        return
    team = team_or_explain(request)
    if team is not None:
        request.send(request.services.reports.status(request.caller, team))


def close(request: Request) -> None:
    team = team_or_explain(request)
    if team is not None:
        request.send(request.services.closing.close_command(request.caller, team))


def export(request: Request) -> None:
    team = team_or_explain(request)
    if team is not None:
        request.send(request.services.reports.export(request.caller, team))
