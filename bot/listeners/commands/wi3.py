"""The `/wi3` command: acknowledge at once, then route the subcommand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.commands import about, commitments, personal, pulse, report, rounds, settings
from bot.listeners.commands.common import Request
from bot.listeners.context import reply_to, requester
from bot.services import Services
from conversations.commands import parse
from conversations.team import may_manage
from conversations.views.help import help_message

Handler = Callable[[Request], None]

ROUTES: dict[str, Handler] = {
    "setup": settings.setup,
    "lead": settings.lead,
    "language": settings.language,
    "minimum": settings.minimum,
    "autoclose": settings.autoclose,
    "start": rounds.start,
    "status": rounds.status,
    "close": rounds.close,
    "export": rounds.export,
    "actions": commitments.actions,
    "pulse": pulse.pulse,
    "me": personal.me,
    "forget": personal.forget,
    "about": about.about,
    "report": report.report,
}


def make_wi3_command(services: Services) -> Callable[..., None]:
    def wi3_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        ack()
        caller = requester(context).caller()
        route(Request(services, caller, parse(command.get("text")), reply_to(context)))

    return wi3_command


def route(request: Request) -> None:
    command = request.command
    handler = ROUTES.get(command.name or "")
    if handler is not None:
        handler(request)
        return
    caller = request.caller
    team = request.team()
    message = help_message(
        caller.lang,
        is_lead=may_manage(team, caller) or bool(
            request.services.store.teams_led_by(caller.workspace_id, caller.user_id)),
        unknown_word=command.word if command.name is None else None,
        suggestion=command.suggestion,
        content=request.services.content,
    )
    if request.reply is not None:
        request.reply(message)
