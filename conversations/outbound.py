"""What a flow asks the bot to send. Flows return these; only `bot/` turns them into API calls."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]


@dataclass(frozen=True)
class Drawing:
    """Bytes a pure function will make (a heat map, a PDF): heavy work, so the bot makes
    them away from the threads that answer clicks (`bot.drawing`). The function is named
    ("package.module:function") and the arguments are plain values, so a drawing can be
    made in another process without the flow's process importing the drawing library."""

    function: str
    args: tuple[Any, ...]
    keywords: Mapping[str, Any] = field(default_factory=dict)

    def draw(self) -> bytes:
        module, _, name = self.function.partition(":")
        made = getattr(importlib.import_module(module), name)(*self.args, **self.keywords)
        if not isinstance(made, bytes):
            raise TypeError(f"{self.function} made {type(made).__name__}, not bytes")
        return made


@dataclass(frozen=True)
class SendDM:
    """A direct message to a user (the bot opens or reuses the DM channel)."""

    user_id: str
    message: Message


@dataclass(frozen=True)
class PostToChannel:
    channel_id: str
    message: Message


@dataclass(frozen=True)
class UpdateMessage:
    """Replace a message we posted earlier (a question moving on, buttons retired)."""

    channel_id: str
    ts: str
    message: Message


@dataclass(frozen=True)
class Reply:
    """An answer to whoever triggered the request, visible only to them (ephemeral)."""

    message: Message
    replace_original: bool = False


@dataclass(frozen=True)
class UploadFile:
    """A file for a channel or DM (charts, CSV exports, reports); `content` may still be
    to be drawn."""

    channel_id: str | None
    user_id: str | None
    filename: str
    content: bytes | Drawing
    title: str
    comment: str | None = None


@dataclass(frozen=True)
class PublishHome:
    """The person's App Home. Not published again when Slack shows this very view,
    unless `unseen` (Slack said it shows no Home yet)."""

    user_id: str
    view: dict[str, Any]
    unseen: bool = False


@dataclass(frozen=True)
class OpenModal:
    """A modal for whoever clicked or typed. Slack's `trigger_id` is good once, for three
    seconds, so this goes straight to Slack (`views.open`), never through a queue."""

    trigger_id: str
    view: dict[str, Any]


@dataclass(frozen=True)
class SendQueued:
    """Messages were queued in the outbox with a change (`conversations.queued`): send
    them now rather than when the bot next looks. They go out once, in the background."""


Outbound = (SendDM | PostToChannel | UpdateMessage | Reply | UploadFile | PublishHome
            | SendQueued | OpenModal)
