"""A Slack message as HTML: the dashboard shows the very post and guide Slack shows.

The round page is the channel's results post and a team's discussion questions are the
lead's guide, built by the same view functions from the same gated outcome, then turned
into HTML here: a header becomes a heading, a section a paragraph, a context a small
note; buttons are Slack's and are left out. Slack's mrkdwn becomes HTML after everything
is escaped, so nothing a person typed (a round's subject, a commitment) can become markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup

_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_DATE = re.compile(r"&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;")
_CHANNEL = re.compile(r"&lt;#([A-Z0-9]+)(?:\|[^&]*)?&gt;")
_USER = re.compile(r"&lt;@([A-Z0-9]+)(?:\|[^&]*)?&gt;")
_LINK = re.compile(r"&lt;(?:https?://[^|&]+)\|([^&]*)&gt;")


def mrkdwn_html(text: str) -> Markup:
    """Slack mrkdwn as safe HTML: entities Slack escaped are read back, everything is
    escaped again, then bold, italics, code, dates, mentions and line breaks are drawn."""
    escaped = html.escape(html.unescape(text), quote=True)
    escaped = _DATE.sub(r"\1", escaped)
    escaped = _CHANNEL.sub(r"#\1", escaped)
    escaped = _USER.sub(r"@\1", escaped)
    escaped = _LINK.sub(r"\1", escaped)
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    escaped = _ITALIC.sub(r"<em>\1</em>", escaped)
    escaped = _STRIKE.sub(r"<s>\1</s>", escaped)
    return Markup(escaped.replace("\n", "<br>\n"))  # escaped above


def blocks_html(blocks: Iterable[Mapping[str, Any]], *, heading_level: int = 2) -> Markup:
    """Block Kit blocks as HTML, in order; interactive blocks are Slack's and left out."""
    parts = [part for block in blocks if (part := _block(block, heading_level))]
    return Markup("\n".join(parts))  # each part is escaped


def _block(block: Mapping[str, Any], level: int) -> str:
    kind = block.get("type")
    if kind == "header":
        return f"<h{level}>{html.escape(_text(block.get('text')))}</h{level}>"
    if kind == "section":
        parts = [_rich(block.get("text"))]
        parts += [_rich(field) for field in block.get("fields") or ()]
        body = "<br>\n".join(part for part in parts if part)
        return f'<p class="slack-section">{body}</p>' if body else ""
    if kind == "context":
        texts = [_rich(element) for element in block.get("elements") or ()]
        return "".join(f'<p class="slack-context">{text}</p>' for text in texts if text)
    if kind == "divider":
        return "<hr>"
    return ""


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, Mapping) else ""


def _rich(obj: Any) -> str:
    if not isinstance(obj, Mapping):
        return ""
    if obj.get("type") == "mrkdwn":
        return str(mrkdwn_html(_text(obj)))
    return html.escape(html.unescape(_text(obj)))
