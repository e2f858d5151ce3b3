"""`/wi3 pulse [weekly|biweekly|monthly [day] [HH:MM] | now | off]` from the team channel."""

from __future__ import annotations

from bot.listeners.commands.common import Request, team_or_explain


def pulse(request: Request) -> None:
    team = team_or_explain(request)
    if team is None:
        return
    services = request.services
    caller = request.caller
    request.send(services.pulse.command(
        caller, team, request.command.args,
        members=lambda: services.people.channel_members(caller.workspace_id, team.channel_id),
        caller_timezone=services.people.person(caller.workspace_id, caller.user_id).timezone,
    ))
