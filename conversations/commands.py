"""Parsing `/wi3 ...` text into a subcommand, with "did you mean" for typos."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

SUBCOMMANDS = (
    "help",
    "setup",
    "start",
    "status",
    "close",
    "pulse",
    "lead",
    "language",
    "minimum",
    "autoclose",
    "export",
    "me",
    "forget",
    "about",
    "actions",
    "report",
)
LEAD_ONLY = frozenset(
    {"start", "status", "close", "pulse", "lead", "language", "minimum", "autoclose", "export",
     "report"}
)
ALIASES = {"taal": "language", "sluit": "close", "hulp": "help", "?": "help", "min": "minimum",
           "over": "about", "model": "about", "acties": "actions", "afspraken": "actions",
           "rapport": "report"}

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Command:
    """A parsed `/wi3` invocation: ``name`` is a known subcommand or ``None`` (unknown)."""

    name: str | None
    args: tuple[str, ...]
    word: str = ""
    suggestion: str | None = None

    @property
    def rest(self) -> str:
        return " ".join(self.args)


def parse(text: str | None) -> Command:
    """Split the command text; an empty text means help."""
    words = (text or "").strip().split()
    if not words:
        return Command("help", ())
    word = words[0].lower()
    name = ALIASES.get(word, word)
    if name in SUBCOMMANDS:
        return Command(name, tuple(words[1:]), word)
    return Command(None, tuple(words[1:]), word, _suggest(word))


def _suggest(word: str) -> str | None:
    """The subcommand a typo most likely meant: a unique prefix first, then the closest spelling."""
    prefixed = [name for name in SUBCOMMANDS if name.startswith(word)]
    if len(prefixed) == 1:
        return prefixed[0]
    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1, cutoff=0.6)
    return close[0] if close else None


def mentioned_user(args: tuple[str, ...]) -> str | None:
    """The user id in a Slack mention (``<@U123|name>``), as escaped slash command text has it."""
    for arg in args:
        match = _USER_MENTION.fullmatch(arg)
        if match:
            return match.group(1)
    return None
