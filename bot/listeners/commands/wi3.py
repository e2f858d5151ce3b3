"""The `/wi3` command: acknowledge at once, then route the subcommand."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from bot.listeners.commands import about, personal, pulse, rounds, settings
from bot.listeners.commands.common import Request, reply
from bot.listeners.context import caller_of
from bot.services import Services
from conversations.commands import parse
from conversations.i18n import has, t
from conversations.team import may_manage
from conversations.views.help import help_message

logger = logging.getLogger(__name__)

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
    "pulse": pulse.pulse,
    "me": personal.me,
    "forget": personal.forget,
    "about": about.about,
}


def make_wi3_command(services: Services) -> Callable[..., None]:
    def wi3_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        caller = caller_of(command, services)
        request = Request(services, caller, parse(command.get("text")), respond)
        try:
            route(request)
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            logger.warning("/wi3 %s: Slack said %s", request.command.name or "?", code)
            key = f"errors.{code}" if has(f"errors.{code}") else "common.error_generic"
            reply(request, t(caller.lang, key, channel=caller.channel_id or ""))
        except Exception:
            logger.exception("/wi3 %s failed", request.command.name or "?")
            reply(request, t(caller.lang, "common.error_generic"))

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
    request.respond(text=message["text"], blocks=message["blocks"], response_type="ephemeral")
