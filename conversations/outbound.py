"""What a flow asks the bot to send. Flows return these; only `bot/` turns them into API calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Message = dict[str, Any]


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
    """A file for a channel or DM (charts, CSV exports)."""

    channel_id: str | None
    user_id: str | None
    filename: str
    content: bytes
    title: str
    comment: str | None = None


@dataclass(frozen=True)
class PublishHome:
    user_id: str
    view: dict[str, Any]


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
