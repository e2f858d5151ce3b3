"""A person's own data: `me` and `forget me`."""

from __future__ import annotations

from bot.listeners.commands.common import Request, reply
from conversations.i18n import t


def me(request: Request) -> None:
    request.send(request.services.rounds.my_answers(request.caller))


def forget(request: Request) -> None:
    if request.command.args[:1] != ("me",):
        reply(request, t(request.caller.lang, "help.forget"))
        return
    request.send(request.services.rounds.forget_prompt(request.caller))
