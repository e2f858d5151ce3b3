"""`/wi3 about`: the model behind the results, for anyone, anywhere."""

from __future__ import annotations

from bot.listeners.commands.common import Request
from conversations.views.about import about_message


def about(request: Request) -> None:
    if request.reply is not None:
        request.reply(about_message(request.caller.lang, request.services.content))
