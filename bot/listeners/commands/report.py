"""`/wi3 report [subject or round id]`: a closed round's PDF report, by DM to the lead."""

from __future__ import annotations

from bot.listeners.commands.common import Request, team_or_explain


def report(request: Request) -> None:
    team = team_or_explain(request)
    if team is None:
        return
    people = request.services.people
    request.send(request.services.report.report(
        request.caller, team, request.command.rest,
        channel_name=lambda: people.channel_name(team.workspace_id, team.channel_id),
    ))
