"""`/wi3 actions`: the team's commitments, in its channel (anyone in it may look)."""

from __future__ import annotations

from bot.listeners.commands.common import Request, team_or_explain


def actions(request: Request) -> None:
    team = team_or_explain(request)
    if team is not None:
        request.send(request.services.actions.listing(request.caller, team))
