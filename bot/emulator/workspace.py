"""The state of an emulated Slack workspace: its people, channels, and what the bot posted.

Seed a `Workspace` with users and channels before starting the emulator; the emulator
adds messages, DMs, uploads and Home tabs as the bot calls the Web API, and tests read
them back in the shape a Slack user would see.
"""

from __future__ import annotations

import itertools
import mimetypes
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass
class User:
    """A person (or bot) in the workspace, with the fields wi3 reads from `users.info`."""

    id: str
    name: str
    real_name: str = ""
    locale: str = "en-US"
    tz: str = "Europe/Amsterdam"
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False

    def to_slack(self, team_id: str, *, include_locale: bool) -> dict[str, Any]:
        """This user as `users.info` returns it."""
        local_now = datetime.now(ZoneInfo(self.tz))
        offset = local_now.utcoffset()
        real_name = self.real_name or self.name
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": local_now.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": {"real_name": real_name, "display_name": self.name, "team": team_id},
        }
        if include_locale:
            user["locale"] = self.locale
        return user


@dataclass
class Channel:
    """A public or private channel; `members` are user ids, the bot's membership apart."""

    id: str
    name: str
    members: list[str] = field(default_factory=list)
    bot_is_member: bool = True
    is_private: bool = False
    created: int = 1_700_000_000

    def to_slack(self, bot_user_id: str) -> dict[str, Any]:
        """This channel as `conversations.info` returns it."""
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": False,
            "is_general": False,
            "is_member": self.bot_is_member,
            "created": self.created,
            "creator": self.members[0] if self.members else bot_user_id,
            "num_members": len(self.all_members(bot_user_id)),
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }

    def all_members(self, bot_user_id: str) -> list[str]:
        """Members as Slack lists them: people plus the bot when it has joined."""
        members = list(self.members)
        if self.bot_is_member and bot_user_id not in members:
            members.append(bot_user_id)
        return members


@dataclass
class Message:
    """A message as the bot left it: after every update, with `deleted` once removed."""

    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    user: str = ""
    bot_id: str = ""
    app_id: str = ""
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    via: str = "api"
    deleted: bool = False
    edits: int = 0
    metadata: dict[str, Any] | None = None  # `event_type` and `event_payload`, if posted with

    @property
    def is_ephemeral(self) -> bool:
        return self.ephemeral_to is not None

    def to_slack(self, *, with_metadata: bool = False) -> dict[str, Any]:
        """The message as Slack embeds it in API answers and interaction payloads
        (`conversations.history` adds its metadata when asked to)."""
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": self.text,
            "user": self.user,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "ts": self.ts,
            "team": "",
        }
        if self.blocks:
            message["blocks"] = self.blocks
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.files:
            message["files"] = self.files
        if with_metadata and self.metadata is not None:
            message["metadata"] = self.metadata
        return message

    def visible_text(self) -> str:
        """Everything a reader sees: the text, then each text in the blocks, one per line."""
        parts = [self.text] if self.text and not self.blocks else []
        parts.extend(block_texts(self.blocks))
        return "\n".join(part for part in parts if part)

    def buttons(self) -> list[tuple[str, dict[str, Any]]]:
        """Every button as (block_id, element), in reading order."""
        return [
            (block_id, element)
            for block_id, element in interactive_elements(self.blocks)
            if element.get("type") == "button"
        ]

    def find_button(
        self, action_id: str | None = None, text: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """The button with this `action_id` or label `text`; `LookupError` if none."""
        return find_button(self.blocks, action_id=action_id, text=text, where=self.ts)


@dataclass
class HomeView:
    """A user's App Home tab as last published."""

    id: str
    user: str
    view: dict[str, Any]
    hash: str
    publishes: int = 1

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.view.get("blocks", []))

    def visible_text(self) -> str:
        return "\n".join(block_texts(self.blocks))

    def find_button(
        self, action_id: str | None = None, text: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        where = f"the Home tab of {self.user}"
        return find_button(self.blocks, action_id=action_id, text=text, where=where)


@dataclass
class ModalView:
    """A modal as the person sees it: opened with `views.open`, changed by `views.update`,
    stacked by `views.push`, and still open (with the errors under its inputs) after a
    submission answered with `response_action: errors`."""

    id: str
    user: str
    view: dict[str, Any]
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    updates: int = 0

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.view.get("blocks", []))

    @property
    def callback_id(self) -> str:
        return str(self.view.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata", ""))

    def inputs(self) -> dict[str, dict[str, Any]]:
        """Each input block's element by block id, in reading order."""
        return {str(block["block_id"]): block["element"] for block in self.blocks
                if block.get("type") == "input" and "block_id" in block}

    def visible_text(self) -> str:
        """The title, everything the blocks show, then the errors under the inputs."""
        title = self.view.get("title") or {}
        parts = [str(title.get("text", "")), *block_texts(self.blocks)]
        return "\n".join(part for part in [*parts, *self.errors.values()] if part)


@dataclass
class Upload:
    """A file shared with `files_upload_v2`: the bytes as received and where it went."""

    file_id: str
    filename: str
    length: int
    content: bytes = b""
    received: bool = False
    title: str = ""
    channel: str | None = None
    initial_comment: str = ""
    thread_ts: str | None = None
    completed: bool = False

    def to_slack(self) -> dict[str, Any]:
        return {
            "id": self.file_id,
            "name": self.filename,
            "title": self.title or self.filename,
            "size": len(self.content),
            "mimetype": _mimetype(self.filename),
            "channels": [self.channel] if self.channel else [],
        }


@dataclass
class ResponsePost:
    """One POST to a `response_url`, as received."""

    url: str
    body: dict[str, Any]
    channel: str
    user: str
    outcome: str  # "ephemeral", "in_channel", "replace_original", "delete_original"


class Workspace:
    """The seedable part of the emulated workspace: identity, users and channels."""

    def __init__(
        self,
        *,
        team_id: str = "T0WI3TEST",
        team_name: str = "WI3 Test",
        domain: str = "wi3-test",
        bot_user_id: str = "U0WI3BOT",
        bot_id: str = "B0WI3BOT",
        app_id: str = "A0WI3APP",
        bot_name: str = "wi3",
        enterprise_id: str | None = None,
    ) -> None:
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        """Set: the workspace belongs to this Enterprise Grid org."""
        self.team_name = team_name
        self.domain = domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self.add_user(bot_user_id, bot_name, real_name=bot_name, is_bot=True)

    def add_user(self, id: str, name: str, **fields: Any) -> User:
        """Add (or replace) a user; `fields` are `User`'s optional fields."""
        user = User(id=id, name=name, **fields)
        with self.lock:
            self.users[id] = user
        return user

    def add_channel(
        self,
        id: str,
        name: str,
        members: Iterable[str] = (),
        *,
        bot_is_member: bool = True,
        is_private: bool = False,
    ) -> Channel:
        """Add (or replace) a channel with these member ids."""
        channel = Channel(
            id=id, name=name, members=list(members), bot_is_member=bot_is_member,
            is_private=is_private,
        )
        with self.lock:
            self.channels[id] = channel
        return channel

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-looking id such as `D0000000007`."""
        return f"{prefix}{next(self._ids):010d}"

    def people(self) -> Iterator[User]:
        """Every human, active user (no bots, nobody deactivated)."""
        return (user for user in self.users.values() if not user.is_bot and not user.deleted)


def block_texts(blocks: Iterable[dict[str, Any]]) -> list[str]:
    """The readable strings in Block Kit blocks, in order (texts, fields, labels)."""
    found: list[str] = []
    for block in blocks:
        _collect_texts(block, found)
    return found


def _collect_texts(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            found.append(node["text"])
            return
        for key, value in node.items():
            if key not in ("action_id", "block_id", "value", "url", "style"):
                _collect_texts(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect_texts(item, found)


def interactive_elements(blocks: Iterable[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(block_id, element) for every element carrying an `action_id`."""
    found: list[tuple[str, dict[str, Any]]] = []
    for index, block in enumerate(blocks):
        block_id = str(block.get("block_id", f"block-{index}"))
        candidates = list(block.get("elements", []))
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        found.extend(
            (block_id, element)
            for element in candidates
            if isinstance(element, dict) and "action_id" in element
        )
    return found


def find_button(
    blocks: Iterable[dict[str, Any]],
    *,
    action_id: str | None,
    text: str | None,
    where: str,
) -> tuple[str, dict[str, Any]]:
    """The first button matching `action_id` and/or its label `text`."""
    if action_id is None and text is None:
        raise ValueError("give an action_id or a button text")
    for block_id, element in interactive_elements(blocks):
        if element.get("type") != "button":
            continue
        label = element.get("text", {}).get("text")
        if (action_id is None or element["action_id"] == action_id) and (
            text is None or label == text
        ):
            return block_id, element
    raise LookupError(f"no button action_id={action_id!r} text={text!r} in {where}")


def _mimetype(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
