"""The Slack Web API methods the emulator implements, over a `Workspace`.

Each method takes the parsed request parameters and returns the answer Slack would
give (without `ok`), or raises `ApiError` with Slack's error code. Only what wi3 uses is
implemented, but with Slack's JSON shapes and error codes so `slack_sdk.WebClient` and
Bolt cannot tell the difference.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from bot.emulator.workspace import (
    Channel,
    HomeView,
    Message,
    ModalView,
    ResponsePost,
    Upload,
    Workspace,
)

Params = dict[str, Any]
Answer = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MODAL_TEXT = 24
"""A modal's title, submit and close labels (characters)."""
MAX_PRIVATE_METADATA = 3000
MAX_STACK = 3
"""Views in one modal stack: the first and two pushed."""
TRIGGER_SECONDS = 3.0
"""How long a `trigger_id` may open a modal, as Slack allows."""
RESPONSE_URL_USES = 5
RESPONSE_URL_SECONDS = 30 * 60
"""A `response_url` takes five posts within 30 minutes of the interaction."""
MAX_PAGE = 1000
DEFAULT_PAGE = 100
# Parameters Slack accepts as JSON inside a form field.
JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
_CONVERSATION_READ = ("channels:read", "groups:read", "im:read", "mpim:read")
HISTORY_SCOPES = ("channels:history", "groups:history", "im:history", "mpim:history")
# Slack's rule for a metadata `event_type`: lower-case words with underscores.
_EVENT_TYPE = re.compile(r"[a-z0-9_]{1,255}")

# Bot scopes each method needs (any one of them), as Slack enforces with `missing_scope`.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "conversations.members": _CONVERSATION_READ,
    "conversations.info": _CONVERSATION_READ,
    "conversations.open": ("im:write", "mpim:write"),
    "conversations.history": HISTORY_SCOPES,
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.delete": ("chat:write",),
    "views.publish": (),
    "views.open": (),
    "views.update": (),
    "views.push": (),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


class ApiError(Exception):
    """A Slack error answer: `{"ok": false, "error": code, **extra}`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class WebApi:
    """The emulated Web API state and methods; all access under `workspace.lock`."""

    def __init__(self, workspace: Workspace, scopes: tuple[str, ...],
                 clock: Callable[[], float] = time.time) -> None:
        self.workspace = workspace
        self.scopes = scopes
        self.clock = clock
        self.messages: dict[tuple[str, str], Message] = {}
        self.dms: dict[str, str] = {}
        self.uploads: dict[str, Upload] = {}
        self.homes: dict[str, HomeView] = {}
        self.modals: dict[str, ModalView] = {}
        self.stacks: dict[str, list[str]] = {}
        """Each person's open modal stack, view ids bottom first."""
        self.triggers: dict[str, tuple[str, float, bool]] = {}
        """trigger_id -> (the person it was minted for, when, whether used)."""
        self.response_urls: dict[str, dict[str, str | None]] = {}
        self.response_url_uses: dict[str, tuple[float, int]] = {}
        """response_url secret -> (when minted, monotonic; times used)."""
        self.responses: list[ResponsePost] = []
        self.public_url = ""
        self._last_microseconds = 0
        self.methods: dict[str, Callable[[Params], Answer]] = {
            "auth.test": self.auth_test,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "conversations.members": self.conversations_members,
            "conversations.info": self.conversations_info,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.delete": self.chat_delete,
            "views.publish": self.views_publish,
            "views.open": self.views_open,
            "views.update": self.views_update,
            "views.push": self.views_push,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
        }

    # ------------------------------------------------------------------ dispatch

    def call(self, method: str, params: Params) -> Answer:
        """Run `method` with `params`; raises `ApiError` the way Slack answers `ok: false`."""
        handler = self.methods.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        self._require_any_scope(METHOD_SCOPES.get(method, ()))
        with self.workspace.lock:
            return handler(decode_json_fields(params))

    def _require_any_scope(self, needed: tuple[str, ...]) -> None:
        if needed and not any(scope in self.scopes for scope in needed):
            raise ApiError("missing_scope", needed=",".join(needed), provided=",".join(self.scopes))

    # ------------------------------------------------------------------ identity

    def auth_test(self, params: Params) -> Answer:
        ws = self.workspace
        return {
            "url": f"https://{ws.domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "enterprise_id": ws.enterprise_id,
            "is_enterprise_install": False,
        }

    def users_info(self, params: Params) -> Answer:
        user = self.workspace.users.get(str(params.get("user", "")))
        if user is None:
            raise ApiError("user_not_found")
        include_locale = truthy(params.get("include_locale"))
        return {"user": user.to_slack(self.workspace.team_id, include_locale=include_locale)}

    def users_list(self, params: Params) -> Answer:
        """Everyone in the workspace, a page at a time (`cursor`, `limit`), like Slack."""
        include_locale = truthy(params.get("include_locale"))
        users = list(self.workspace.users.values())
        start = decode_cursor(params.get("cursor"))
        if start > len(users):
            raise ApiError("invalid_cursor")
        page = users[start : start + page_limit(params.get("limit"))]
        end = start + len(page)
        return {
            "members": [u.to_slack(self.workspace.team_id, include_locale=include_locale)
                        for u in page],
            "response_metadata": {"next_cursor": encode_cursor(end) if end < len(users)
                                  else ""},
        }

    # ------------------------------------------------------------------ conversations

    def conversations_members(self, params: Params) -> Answer:
        channel = self._readable_channel(params)
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        members = channel.all_members(self.workspace.bot_user_id)
        start = decode_cursor(params.get("cursor"))
        if start > len(members):
            raise ApiError("invalid_cursor")
        limit = page_limit(params.get("limit"))
        page = members[start : start + limit]
        end = start + len(page)
        next_cursor = encode_cursor(end) if end < len(members) else ""
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def conversations_info(self, params: Params) -> Answer:
        channel_id = str(params.get("channel", ""))
        dm_user = self._dm_owner(channel_id)
        if dm_user is not None:
            self._require_any_scope(("im:read",))
            return {"channel": self._dm_info(channel_id, dm_user)}
        channel = self._readable_channel(params)
        return {"channel": channel.to_slack(self.workspace.bot_user_id)}

    def conversations_open(self, params: Params) -> Answer:
        if params.get("channel"):
            channel_id = str(params["channel"])
            if self._dm_owner(channel_id) is None:
                raise ApiError("channel_not_found")
            return {"channel": {"id": channel_id}}
        user_ids = [uid.strip() for uid in str(params.get("users", "")).split(",") if uid.strip()]
        if len(user_ids) != 1:
            raise ApiError("not_enough_users" if not user_ids else "too_many_users")
        user = self.workspace.users.get(user_ids[0])
        if user is None:
            raise ApiError("user_not_found")
        if user.is_bot:
            raise ApiError("cannot_dm_bot")
        channel_id = self.dm_channel(user.id)
        if truthy(params.get("return_im")):
            return {"channel": self._dm_info(channel_id, user.id), "already_open": True}
        return {"channel": {"id": channel_id}}

    def dm_channel(self, user_id: str) -> str:
        """The stable DM channel between the bot and `user_id` (opened on first use)."""
        with self.workspace.lock:
            if user_id not in self.dms:
                self.dms[user_id] = self.workspace.new_id("D")
            return self.dms[user_id]

    # ------------------------------------------------------------------ chat

    def chat_post_message(self, params: Params) -> Answer:
        channel_id = self.postable_channel(params.get("channel"))
        text, blocks = message_content(params)
        metadata = message_metadata(params)
        message = self._new_message(
            channel_id, text, blocks, thread_ts=optional_str(params.get("thread_ts"))
        )
        message.metadata = metadata
        return {"channel": channel_id, "ts": message.ts, "message": message.to_slack()}

    def chat_update(self, params: Params) -> Answer:
        channel_id = self._existing_channel_id(params.get("channel"))
        message = self._own_message(channel_id, params.get("ts"))
        text, blocks = message_content(params, allow_empty=True)
        apply_update(message, text, blocks, params)
        return {
            "channel": channel_id,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_slack(),
        }

    def chat_post_ephemeral(self, params: Params) -> Answer:
        channel_id = self.postable_channel(params.get("channel"))
        user_id = str(params.get("user", ""))
        user = self.workspace.users.get(user_id)
        if user is None:
            raise ApiError("user_not_found")
        if not self._is_member(channel_id, user_id):
            raise ApiError("user_not_in_channel")
        text, blocks = message_content(params)
        message = self._new_message(channel_id, text, blocks, ephemeral_to=user_id)
        return {"message_ts": message.ts}

    def chat_delete(self, params: Params) -> Answer:
        channel_id = self._existing_channel_id(params.get("channel"))
        message = self._own_message(channel_id, params.get("ts"))
        message.deleted = True
        return {"channel": channel_id, "ts": message.ts}

    # ------------------------------------------------------------------ history (bot.delivery)

    def conversations_history(self, params: Params) -> Answer:
        """A conversation's messages, newest first, a page at a time (`limit`, `cursor`,
        `has_more`), between `oldest` and `latest` (exclusive unless `inclusive`); each
        message's `metadata` only with `include_all_metadata`."""
        channel_id = str(params.get("channel", ""))
        self._require_any_scope((self._history_scope(channel_id),))
        inclusive = truthy(params.get("inclusive"))
        oldest = history_bound(params.get("oldest"), "invalid_ts_oldest", default=0.0)
        latest = history_bound(params.get("latest"), "invalid_ts_latest", default=float("inf"))
        found = sorted(
            (message for (channel, _), message in self.messages.items()
             if channel == channel_id and not message.is_ephemeral and not message.deleted
             and (oldest <= float(message.ts) <= latest if inclusive
                  else oldest < float(message.ts) < latest)),
            key=lambda message: float(message.ts), reverse=True)
        start = decode_cursor(params.get("cursor"))
        if start > len(found):
            raise ApiError("invalid_cursor")
        page = found[start : start + page_limit(params.get("limit"))]
        end = start + len(page)
        with_metadata = truthy(params.get("include_all_metadata"))
        return {
            "messages": [message.to_slack(with_metadata=with_metadata) for message in page],
            "has_more": end < len(found),
            "pin_count": 0,
            "response_metadata": {"next_cursor": encode_cursor(end) if end < len(found)
                                  else ""},
        }

    def _history_scope(self, channel_id: str) -> str:
        """The scope reading `channel_id` needs (Slack's error if it cannot be read)."""
        if self._dm_owner(channel_id) is not None:
            return "im:history"
        channel = self.workspace.channels.get(channel_id)
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise ApiError("channel_not_found")
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return "groups:history" if channel.is_private else "channels:history"

    # ------------------------------------------------------------------ views

    def views_publish(self, params: Params) -> Answer:
        user_id = str(params.get("user_id", ""))
        if user_id not in self.workspace.users:
            raise ApiError("user_not_found")
        view = params.get("view")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise ApiError("invalid_arguments")
        if len(view.get("blocks", [])) > MAX_VIEW_BLOCKS:
            raise ApiError("invalid_arguments")
        current = self.homes.get(user_id)
        given_hash = params.get("hash")
        if given_hash and current is not None and given_hash != current.hash:
            raise ApiError("hash_conflict")
        new_hash = f"{time.time():.6f}.{secrets.token_hex(4)}"
        if current is None:
            current = self.homes[user_id] = HomeView(
                id=self.workspace.new_id("V"), user=user_id, view=view, hash=new_hash
            )
        else:
            current.view, current.hash = view, new_hash
            current.publishes += 1
        return {"view": self._view_answer(current)}

    def mint_trigger_id(self, user: str) -> str:
        """A `trigger_id` for an interaction by `user`: good for one modal, for a while."""
        trigger = f"{int(time.time())}.{secrets.token_hex(16)}"
        with self.workspace.lock:
            self.triggers[trigger] = (user, time.monotonic(), False)
        return trigger

    def _use_trigger(self, params: Params) -> str:
        """The person a fresh, unused trigger belongs to; Slack's error otherwise."""
        entry = self.triggers.get(str(params.get("trigger_id", "")))
        if entry is None:
            raise ApiError("invalid_trigger_id")
        user, issued, used = entry
        if used:
            raise ApiError("exchanged_trigger_id")
        if time.monotonic() - issued > TRIGGER_SECONDS:
            raise ApiError("expired_trigger_id")
        self.triggers[str(params["trigger_id"])] = (user, issued, True)
        return user

    def views_open(self, params: Params) -> Answer:
        """Open a modal for the person whose interaction minted the trigger."""
        view = checked_modal(params.get("view"))
        user = self._use_trigger(params)
        modal = self._new_modal(user, view, root=None)
        self.stacks[user] = [modal.id]
        return {"view": self._modal_answer(modal)}

    def views_push(self, params: Params) -> Answer:
        """Push a view onto the person's open modal stack (at most three deep)."""
        view = checked_modal(params.get("view"))
        user = self._use_trigger(params)
        stack = self.stacks.get(user) or []
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        modal = self._new_modal(user, view, root=self.modals[stack[0]].id,
                                previous=stack[-1])
        stack.append(modal.id)
        return {"view": self._modal_answer(modal)}

    def views_update(self, params: Params) -> Answer:
        """Replace an open modal's view, by `view_id` (or `external_id`), minding `hash`."""
        view = checked_modal(params.get("view"))
        modal = self._open_modal(params)
        given_hash = params.get("hash")
        if given_hash and given_hash != modal.hash:
            raise ApiError("hash_conflict")
        modal.view, modal.hash, modal.errors = view, _new_hash(), {}
        modal.updates += 1
        return {"view": self._modal_answer(modal)}

    def _open_modal(self, params: Params) -> ModalView:
        wanted = params.get("view_id") or params.get("external_id")
        for stack in self.stacks.values():
            for view_id in stack:
                modal = self.modals[view_id]
                if wanted in (modal.id, modal.view.get("external_id")):
                    return modal
        raise ApiError("not_found")

    def _new_modal(self, user: str, view: dict[str, Any], *, root: str | None,
                   previous: str | None = None) -> ModalView:
        view_id = self.workspace.new_id("V")
        modal = ModalView(id=view_id, user=user, view=view, hash=_new_hash(),
                          root_view_id=root or view_id, previous_view_id=previous)
        self.modals[view_id] = modal
        return modal

    def _modal_answer(self, modal: ModalView) -> Answer:
        return {
            "id": modal.id,
            "team_id": self.workspace.team_id,
            "type": "modal",
            "title": modal.view.get("title"),
            "submit": modal.view.get("submit"),
            "close": modal.view.get("close"),
            "blocks": modal.blocks,
            "private_metadata": modal.private_metadata,
            "callback_id": modal.callback_id,
            "external_id": modal.view.get("external_id", ""),
            "state": {"values": {}},
            "hash": modal.hash,
            "root_view_id": modal.root_view_id,
            "previous_view_id": modal.previous_view_id,
            "app_id": self.workspace.app_id,
            "bot_id": self.workspace.bot_id,
        }

    def answer_submission(self, view_id: str, answer: dict[str, Any]) -> None:
        """Apply the bot's answer to a `view_submission`, as Slack would: `errors` keep the
        modal open showing them, `update` replaces it, `push` stacks a new view, `clear`
        closes the whole stack, anything else closes the submitted view."""
        with self.workspace.lock:
            modal = self.modals[view_id]
            stack = self.stacks.get(modal.user, [])
            action = answer.get("response_action")
            if action == "errors":
                errors = answer.get("errors")
                if not isinstance(errors, dict) or not set(errors) <= set(modal.inputs()):
                    raise ApiError("invalid_arguments")  # Slack rejects errors for no input
                modal.errors = {str(k): str(v) for k, v in errors.items()}
            elif action == "update":
                modal.view, modal.hash, modal.errors = checked_modal(answer.get("view")), \
                    _new_hash(), {}
                modal.updates += 1
            elif action == "push":
                if len(stack) >= MAX_STACK:
                    raise ApiError("push_limit_reached")
                pushed = self._new_modal(modal.user, checked_modal(answer.get("view")),
                                         root=modal.root_view_id, previous=modal.id)
                stack.append(pushed.id)
            elif action == "clear":
                stack.clear()
            elif view_id in stack:
                del stack[stack.index(view_id):]

    def _view_answer(self, home: HomeView) -> Answer:
        return {
            "id": home.id,
            "team_id": self.workspace.team_id,
            "type": "home",
            "blocks": home.blocks,
            "private_metadata": home.view.get("private_metadata", ""),
            "callback_id": home.view.get("callback_id", ""),
            "external_id": home.view.get("external_id", ""),
            "hash": home.hash,
            "app_id": self.workspace.app_id,
            "bot_id": self.workspace.bot_id,
        }

    # ------------------------------------------------------------------ files

    def files_get_upload_url(self, params: Params) -> Answer:
        filename = optional_str(params.get("filename"))
        try:
            length = int(params.get("length", ""))
        except (TypeError, ValueError):
            length = -1
        if not filename or length < 0:
            raise ApiError("invalid_arguments")
        file_id = self.workspace.new_id("F")
        self.uploads[file_id] = Upload(file_id=file_id, filename=filename, length=length)
        secret = secrets.token_urlsafe(12)
        self.response_urls[f"upload:{secret}"] = {"file_id": file_id}
        return {"upload_url": f"{self.public_url}/upload/v1/{secret}", "file_id": file_id}

    def receive_upload(self, secret: str, content: bytes) -> bool:
        """Store the bytes POSTed to an upload URL; False for an unknown URL."""
        with self.workspace.lock:
            entry = self.response_urls.get(f"upload:{secret}")
            if entry is None:
                return False
            upload = self.uploads[str(entry["file_id"])]
            upload.content, upload.received = content, True
            return True

    def files_complete_upload(self, params: Params) -> Answer:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise ApiError("invalid_arguments")
        channel_id = params.get("channel_id") or params.get("channels")
        channel = self.postable_channel(channel_id) if channel_id else None
        uploads = [self._received_upload(entry) for entry in files]
        for upload, entry in zip(uploads, files, strict=True):
            upload.title = str(entry.get("title") or upload.filename)
            upload.channel = channel
            upload.initial_comment = str(params.get("initial_comment") or "")
            upload.thread_ts = optional_str(params.get("thread_ts"))
            upload.completed = True
        if channel is not None:
            self._new_message(
                channel,
                str(params.get("initial_comment") or ""),
                [],
                thread_ts=optional_str(params.get("thread_ts")),
                files=[upload.to_slack() for upload in uploads],
            )
        return {"files": [upload.to_slack() for upload in uploads]}

    def _received_upload(self, entry: Any) -> Upload:
        file_id = entry.get("id") if isinstance(entry, dict) else None
        upload = self.uploads.get(str(file_id))
        if upload is None or not upload.received or upload.completed:
            raise ApiError("file_not_found")
        return upload

    # ------------------------------------------------------------------ response_url

    def mint_response_url(self, channel: str, user: str, message_ts: str | None = None) -> str:
        """A `response_url` for an interaction in `channel` by `user` (about `message_ts`)."""
        secret = secrets.token_urlsafe(12)
        with self.workspace.lock:
            self.response_urls[secret] = {
                "channel": channel,
                "user": user,
                "message_ts": message_ts,
            }
            self.response_url_uses[secret] = (time.monotonic(), 0)
        return f"{self.public_url}/actions/{self.workspace.team_id}/{secret}"

    def respond(self, secret: str, url: str, body: Params) -> Answer:
        """Apply a POST to a `response_url`, as Slack would show it."""
        with self.workspace.lock:
            target = self.response_urls.get(secret)
            if target is None or "channel" not in target:
                raise ApiError("expired_url")
            self._use_response_url(secret)
            channel, user = str(target["channel"]), str(target["user"])
            outcome = self._apply_response(target, body)
            self.responses.append(ResponsePost(url, body, channel, user, outcome))
            return {}

    def _use_response_url(self, secret: str) -> None:
        """Slack takes a `response_url` up to five times within 30 minutes."""
        minted, uses = self.response_url_uses.get(secret, (time.monotonic(), 0))
        if time.monotonic() - minted > RESPONSE_URL_SECONDS:
            raise ApiError("expired_url")
        if uses >= RESPONSE_URL_USES:
            raise ApiError("used_url")
        self.response_url_uses[secret] = (minted, uses + 1)

    def _apply_response(self, target: dict[str, str | None], body: Params) -> str:
        channel, user = str(target["channel"]), str(target["user"])
        original = self._original_of(target)
        if truthy(body.get("delete_original")):
            if original is None:
                raise ApiError("message_not_found")
            original.deleted = True
            return "delete_original"
        text, blocks = message_content(decode_json_fields(body))
        if truthy(body.get("replace_original")):
            if original is None:
                raise ApiError("message_not_found")
            original.text, original.blocks = text, blocks
            original.edits += 1
            return "replace_original"
        if body.get("response_type") == "in_channel":
            self._new_message(channel, text, blocks, via="response_url",
                              thread_ts=optional_str(body.get("thread_ts")))
            return "in_channel"
        self._new_message(channel, text, blocks, ephemeral_to=user, via="response_url")
        return "ephemeral"

    def _original_of(self, target: dict[str, str | None]) -> Message | None:
        ts = target.get("message_ts")
        if not ts:
            return None
        message = self.messages.get((str(target["channel"]), ts))
        return message if message is not None and not message.deleted else None

    # ------------------------------------------------------------------ helpers

    def postable_channel(self, raw: Any) -> str:
        """The channel id a message to `raw` lands in; posting to a user id means the DM."""
        target = str(raw or "")
        if target in self.workspace.users:
            user = self.workspace.users[target]
            self._check_can_dm(user.id)
            return self.dm_channel(user.id)
        dm_user = self._dm_owner(target)
        if dm_user is not None:
            self._check_can_dm(dm_user)
            return target
        channel = self.workspace.channels.get(target)
        if channel is None:
            raise ApiError("channel_not_found")
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel.id

    def _check_can_dm(self, user_id: str) -> None:
        user = self.workspace.users[user_id]
        if user.deleted:
            raise ApiError("account_inactive")
        if user.is_bot:
            raise ApiError("cannot_dm_bot")

    def _existing_channel_id(self, raw: Any) -> str:
        target = str(raw or "")
        if target in self.workspace.channels or self._dm_owner(target) is not None:
            return target
        if target in self.workspace.users and target in self.dms:
            return self.dms[target]
        raise ApiError("channel_not_found")

    def _readable_channel(self, params: Params) -> Channel:
        channel = self.workspace.channels.get(str(params.get("channel", "")))
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise ApiError("channel_not_found")
        self._require_any_scope(("groups:read",) if channel.is_private else ("channels:read",))
        return channel

    def _dm_owner(self, channel_id: str) -> str | None:
        for user_id, dm_id in self.dms.items():
            if dm_id == channel_id:
                return user_id
        return None

    def _dm_info(self, channel_id: str, user_id: str) -> Answer:
        return {
            "id": channel_id,
            "created": 1_700_000_000,
            "is_im": True,
            "is_channel": False,
            "is_group": False,
            "is_private": True,
            "is_org_shared": False,
            "user": user_id,
            "is_user_deleted": self.workspace.users[user_id].deleted,
        }

    def _is_member(self, channel_id: str, user_id: str) -> bool:
        dm_user = self._dm_owner(channel_id)
        if dm_user is not None:
            return dm_user == user_id
        return user_id in self.workspace.channels[channel_id].members

    def _own_message(self, channel_id: str, ts: Any) -> Message:
        message = self.messages.get((channel_id, str(ts or "")))
        if message is None or message.deleted:
            raise ApiError("message_not_found")
        if message.user != self.workspace.bot_user_id:
            raise ApiError("cant_update_message")
        return message

    def _new_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        *,
        thread_ts: str | None = None,
        ephemeral_to: str | None = None,
        files: list[dict[str, Any]] | None = None,
        via: str = "api",
    ) -> Message:
        ws = self.workspace
        message = Message(
            channel=channel,
            ts=self._next_ts(),
            text=text,
            blocks=blocks,
            user=ws.bot_user_id,
            bot_id=ws.bot_id,
            app_id=ws.app_id,
            thread_ts=thread_ts,
            ephemeral_to=ephemeral_to,
            files=files or [],
            via=via,
        )
        self.messages[(channel, message.ts)] = message
        return message

    def _next_ts(self) -> str:
        """A message timestamp: seconds.microseconds, strictly increasing like Slack's.

        Counted in whole microseconds: a float of 1.8e9 seconds steps by about a quarter of
        one, so adding 0.000001 again and again gave two messages the same ts (the second
        replacing the first) once several were sent within one tick of a test's clock."""
        with self.workspace.lock:
            now = max(round(self.clock() * 1_000_000), self._last_microseconds + 1)
            self._last_microseconds = now
            return f"{now // 1_000_000}.{now % 1_000_000:06d}"



def checked_modal(view: Any) -> dict[str, Any]:
    """A modal view as Slack accepts it; `invalid_arguments` for what it would refuse."""
    if not isinstance(view, dict) or view.get("type") != "modal":
        raise ApiError("invalid_arguments")
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > MAX_VIEW_BLOCKS:
        raise ApiError("invalid_arguments")
    for label in ("title", "submit", "close"):
        text = (view.get(label) or {}).get("text", "") if isinstance(view.get(label), dict) \
            else ""
        if (label == "title" or label in view) and not 0 < len(text) <= MAX_MODAL_TEXT:
            raise ApiError("invalid_arguments")
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA:
        raise ApiError("invalid_arguments")
    if any(block.get("type") == "input" for block in blocks) and "submit" not in view:
        raise ApiError("invalid_arguments")  # inputs need a submit button
    return view


def _new_hash() -> str:
    return f"{time.time():.6f}.{secrets.token_hex(4)}"


def decode_json_fields(params: Params) -> Params:
    """Form-encoded requests carry `blocks`, `view`... as JSON strings; decode them."""
    decoded = dict(params)
    for name in JSON_FIELDS:
        value = decoded.get(name)
        if isinstance(value, str) and value.strip():
            try:
                decoded[name] = json.loads(value)
            except json.JSONDecodeError as error:
                code = "invalid_blocks" if name == "blocks" else "invalid_arguments"
                raise ApiError(code) from error
    return decoded


def message_content(params: Params, *, allow_empty: bool = False) -> tuple[str, list[Any]]:
    """(text, blocks) of a message request, checked the way Slack checks them."""
    text = str(params.get("text") or "")
    blocks = params.get("blocks") or []
    if not isinstance(blocks, list) or not all(
        isinstance(block, dict) and "type" in block for block in blocks
    ):
        raise ApiError("invalid_blocks")
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        raise ApiError("invalid_blocks")
    if not text and not blocks and not allow_empty:
        raise ApiError("no_text")
    return text, blocks


def message_metadata(params: Params) -> dict[str, Any] | None:
    """A message's `metadata` (`event_type` and `event_payload`), checked like Slack."""
    metadata = params.get("metadata")
    if metadata in (None, ""):
        return None
    if not isinstance(metadata, dict):
        raise ApiError("invalid_metadata_format")
    event_type, payload = metadata.get("event_type"), metadata.get("event_payload")
    if not isinstance(event_type, str) or not _EVENT_TYPE.fullmatch(event_type):
        raise ApiError("invalid_metadata_schema")
    if not isinstance(payload, dict):
        raise ApiError("invalid_metadata_schema")
    return {"event_type": event_type, "event_payload": payload}


def history_bound(raw: Any, error: str, *, default: float) -> float:
    """`oldest` or `latest` of a history request, as seconds."""
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except (TypeError, ValueError) as invalid:
        raise ApiError(error) from invalid


def apply_update(message: Message, text: str, blocks: list[Any], params: Params) -> None:
    """Replace a message's content; blocks omitted from an update are kept, like Slack."""
    if text or "text" in params:
        message.text = text
    if "blocks" in params:
        message.blocks = blocks
    message.edits += 1


def truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes")


def optional_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def page_limit(raw: Any) -> int:
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_PAGE
    return DEFAULT_PAGE if limit <= 0 else min(limit, MAX_PAGE)


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(raw: Any) -> int:
    if not raw:
        return 0
    try:
        kind, _, number = base64.b64decode(str(raw), validate=True).decode().partition(":")
        offset = int(number)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError("invalid_cursor") from error
    if kind != "offset" or offset < 0:
        raise ApiError("invalid_cursor")
    return offset
