"""Small helpers shared by the view builders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150

Message = dict[str, Any]


def slack_date(moment: datetime) -> str:
    """A date Slack renders in each reader's own timezone and locale, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def mrkdwn_escape(text: str) -> str:
    """Slack's three control characters, so typed text (a round's subject) cannot ping
    @channel or fake a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut text to Slack's limit with an ellipsis instead of letting the API reject it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=clip(text, MAX_HEADER_TEXT))


def section(text: str, *, block_id: str | None = None, accessory: Any = None) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, MAX_SECTION_TEXT)),
        block_id=block_id,
        accessory=accessory,
    )


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, 2000)) for t in texts[:10]])


def button(
    text: str, action_id: str, value: str, *, style: str | None = None, url: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    return ButtonElement(
        text=clip(text, 75), action_id=action_id, value=value, style=style, url=url,
        confirm=confirm,
    )


def actions(block_id: str, *elements: Any) -> ActionsBlock:
    return ActionsBlock(block_id=block_id, elements=list(elements))


def message(text: str, blocks: Sequence[Block]) -> Message:
    """A chat message payload (``text`` is the notification/fallback line)."""
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        raise ValueError(f"a message holds at most {MAX_MESSAGE_BLOCKS} blocks, got {len(blocks)}")
    return {"text": clip(text, 3000), "blocks": [block.to_dict() for block in blocks]}
