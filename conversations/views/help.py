"""`/wi3` and `/wi3 help`: what each subcommand does, tailored to whether the caller leads."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from conversations.i18n import t
from conversations.views.about import about_summary
from conversations.views.common import Message, context, message, section
from model import Content, load_content

EVERYONE = ("start", "actions", "me", "forget", "about", "help")
LEADS = (
    "setup", "status", "close", "pulse", "lead", "language", "minimum", "autoclose", "export",
    "report",
)


def help_message(
    lang: str, *, is_lead: bool, unknown_word: str | None = None, suggestion: str | None = None,
    content: Content | None = None,
) -> Message:
    """The subcommands (a lead's first), then the model in short, pointing at `/wi3 about`."""
    blocks: list[Block] = []
    if unknown_word is not None:
        if suggestion:
            line = t(lang, "help.did_you_mean", word=unknown_word, suggestion=suggestion)
        else:
            line = t(lang, "help.unknown", word=unknown_word)
        blocks.append(section(f"🤔 {line}"))
    blocks.append(section(f"*{t(lang, 'help.title')}*\n{t(lang, 'help.intro')}"))
    everyone = [t(lang, f"help.{name}") for name in EVERYONE]
    leads = [t(lang, f"help.{name}") for name in LEADS]
    if is_lead:
        blocks.append(section(t(lang, "help.leads") + "\n" + "\n".join(leads)))
        blocks.append(section(t(lang, "help.everyone") + "\n" + "\n".join(everyone)))
    else:
        blocks.append(section(t(lang, "help.everyone") + "\n" + "\n".join(everyone)))
        blocks.append(context(t(lang, "help.leads") + " " + " · ".join(
            line.split(" — ")[0] for line in leads)))
    summary = about_summary(lang, content or load_content())
    blocks.append(context(t(lang, "about.short_title"), *summary))
    return message(t(lang, "help.title"), blocks)
