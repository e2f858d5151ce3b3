"""Slack's side of the conversation: signed requests to the bot's `/slack/events`.

The driver sends what Slack sends when someone types `/wi3 ...`, clicks a button, or
opens the App Home: the same encodings (form fields, `payload=` JSON, event envelopes),
signed with the signing secret, over real HTTP. Buttons are found in the messages the
emulator recorded, so a test clicks exactly what the user sees.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.emulator.server import SlackEmulator
from bot.emulator.workspace import HomeView, Message, ModalView

# Slack rejects requests whose timestamp is more than five minutes off.
STALE_SECONDS = 6 * 60
VERIFICATION_TOKEN = "emulated-verification-token"


@dataclass(frozen=True)
class SentRequest:
    """A request exactly as the driver sent it, to send again (a replay)."""

    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class DriverResponse:
    """The bot's HTTP answer to one request."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    event_id: str | None = None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDriver:
    """Sends commands, clicks and events to a bot as Slack would."""

    def __init__(
        self,
        emulator: SlackEmulator,
        events_url: str,
        signing_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        team_id: str | None = None,
    ) -> None:
        """`team_id`: the workspace whose people send the requests (default: the
        emulator's first)."""
        if team_id is not None:
            emulator = emulator.in_workspace(team_id)
        self.emulator = emulator
        self.workspace = emulator.workspace
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.clock = clock
        self.timeout = timeout
        self._serial = itertools.count(1)
        self._last_action_ts = 0.0
        self.sent: list[SentRequest] = []

    # ------------------------------------------------------------------ slash commands

    def command(
        self,
        user: str,
        channel: str,
        text: str = "",
        *,
        command: str = "/wi3",
        forged: bool = False,
        stale: bool = False,
    ) -> DriverResponse:
        """`user` types `{command} {text}` in `channel` (a channel id, or a user id for the DM)."""
        channel_id = self._channel_id(channel)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.workspace.team_id,
            "team_domain": self.workspace.domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user,
            "user_name": self._user_name(user),
            "command": command,
            "text": text,
            "api_app_id": self.workspace.app_id,
            "is_enterprise_install": "false",
            **({"enterprise_id": self.workspace.enterprise_id}
               if self.workspace.enterprise_id else {}),
            "response_url": self.emulator.mint_response_url(channel_id, user),
            "trigger_id": self._trigger_id(user),
        }
        return self.post(urlencode(fields), "application/x-www-form-urlencoded",
                         forged=forged, stale=stale)

    # ------------------------------------------------------------------ interactivity

    def click(
        self,
        user: str,
        message: Message,
        action_id: str | None = None,
        *,
        text: str | None = None,
        value: str | None = None,
        state: dict[str, Any] | None = None,
        forged: bool = False,
        stale: bool = False,
    ) -> DriverResponse:
        """`user` clicks the button (by `action_id` and/or label `text`) in `message`.

        `state` is what the user chose in the message's inputs, as Slack sends it:
        `{block_id: {action_id: {"type": ..., "selected_options": [...]}}}`."""
        current = self.emulator.message(message.channel, message.ts)
        if current.deleted:
            raise LookupError(f"message {message.ts} was deleted; nothing to click")
        block_id, button = current.find_button(action_id, text)
        action = self._button_action(block_id, button, value)
        return self.block_actions(user, [action], message=current, forged=forged, stale=stale,
                                  state=state)

    def click_as_seen(
        self, user: str, message: Message, action_id: str | None = None, *,
        text: str | None = None,
    ) -> DriverResponse:
        """Click a button of `message` as this copy shows it, even if the bot has updated
        the message since: a double click racing the update, or a client not refreshed."""
        block_id, button = message.find_button(action_id, text)
        action = self._button_action(block_id, button, None)
        return self.block_actions(user, [action], message=message)

    def click_home(
        self,
        user: str,
        action_id: str | None = None,
        *,
        text: str | None = None,
        value: str | None = None,
        forged: bool = False,
        stale: bool = False,
    ) -> DriverResponse:
        """`user` clicks a button on their App Home tab."""
        home = self.emulator.home_view(user)
        if home is None:
            raise LookupError(f"no Home tab published for {user}")
        block_id, button = home.find_button(action_id, text)
        action = self._button_action(block_id, button, value)
        return self.block_actions(user, [action], home=home, forged=forged, stale=stale)

    def block_actions(
        self,
        user: str,
        actions: list[dict[str, Any]],
        *,
        message: Message | None = None,
        home: HomeView | None = None,
        forged: bool = False,
        stale: bool = False,
        state: dict[str, Any] | None = None,
    ) -> DriverResponse:
        """A `block_actions` payload for `actions` on a message or a Home tab."""
        payload = self._interaction_base("block_actions", user)
        if state:
            payload["state"] = {"values": state}
        if message is not None:
            payload.update(self._message_context(user, message))
        elif home is not None:
            payload["container"] = {"type": "view", "view_id": home.id}
            payload["view"] = self._home_payload(home)
        stamped = [{**action, "action_ts": self._action_ts()} for action in actions]
        payload["actions"] = stamped
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", forged=forged, stale=stale)

    # ------------------------------------------------------------------ modals

    def submit_view(
        self,
        user: str,
        values: dict[str, str | None] | None = None,
        *,
        forged: bool = False,
    ) -> DriverResponse:
        """`user` fills in their open modal and presses its submit button.

        `values` maps an input's block id to what they enter: the text typed, the value
        of the menu option picked, the user picked or the date picked ("2026-12-14");
        None clears a prefilled input. Inputs not named keep what the modal prefilled.
        The bot's answer is applied to the modal as Slack applies it (errors stay shown
        under the inputs; a plain acknowledgement closes it)."""
        modal = self.emulator.modal(user)
        if modal is None:
            raise LookupError(f"{user} has no modal open")
        state = modal_state(modal, values or {})
        payload = self._interaction_base("view_submission", user)
        del payload["state"]
        payload["view"] = {
            "id": modal.id, "team_id": self.workspace.team_id, "type": "modal",
            "blocks": modal.blocks, "private_metadata": modal.private_metadata,
            "callback_id": modal.callback_id, "state": {"values": state},
            "hash": modal.hash, "title": modal.view.get("title"),
            "close": modal.view.get("close"), "submit": modal.view.get("submit"),
            "root_view_id": modal.root_view_id, "previous_view_id": modal.previous_view_id,
            "app_id": self.workspace.app_id, "bot_id": self.workspace.bot_id,
            "external_id": modal.view.get("external_id", ""),
        }
        payload["response_urls"] = []
        response = self.post(urlencode({"payload": json.dumps(payload)}),
                             "application/x-www-form-urlencoded", forged=forged)
        if response.status == 200:
            answer = response.json() if response.body.strip() else {}
            self.emulator.answer_submission(modal.id, answer if isinstance(answer, dict) else {})
        return response

    # ------------------------------------------------------------------ events

    def event(
        self,
        type: str,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        forged: bool = False,
        stale: bool = False,
        **fields: Any,
    ) -> DriverResponse:
        """An Events API delivery of `{type, **fields}`; pass the same `event_id` and a
        `retry_num` to replay it the way Slack retries. Over the Events API's limit for the
        workspace Slack delivers `app_rate_limited` instead, as it does."""
        if type != "app_rate_limited" and \
                self.emulator.limits.event_retry_after(self.workspace.team_id) is not None:
            return self._rate_limited_notice()
        now = self.clock()
        event_id = event_id or f"Ev{next(self._serial):010d}"
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.workspace.team_id,
            "api_app_id": self.workspace.app_id,
            "event": {"type": type, **fields, "event_ts": f"{now:.6f}"},
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(now),
            **({"enterprise_id": self.workspace.enterprise_id}
               if self.workspace.enterprise_id else {}),
            "authorizations": [
                {
                    "enterprise_id": self.workspace.enterprise_id,
                    "team_id": self.workspace.team_id,
                    "user_id": self.workspace.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        response = self.post(json.dumps(envelope), "application/json", forged=forged,
                             stale=stale, headers=headers)
        return DriverResponse(response.status, response.body, response.headers, event_id)

    def _rate_limited_notice(self) -> DriverResponse:
        """What Slack sends instead of the events it drops over the Events API's limit."""
        notice = {"token": VERIFICATION_TOKEN, "type": "app_rate_limited",
                  "team_id": self.workspace.team_id, "api_app_id": self.workspace.app_id,
                  "minute_rate_limited": int(self.clock()) // 60 * 60}
        return self.post(json.dumps(notice), "application/json")

    def uninstall(self) -> tuple[DriverResponse, DriverResponse]:
        """Someone removes the app from the workspace: Slack revokes its tokens and sends
        `tokens_revoked` and `app_uninstalled`."""
        self.emulator.uninstall(self.workspace.team_id)
        revoked = self.event("tokens_revoked",
                             tokens={"oauth": [], "bot": [self.workspace.bot_user_id]})
        return revoked, self.event("app_uninstalled")

    # ------------------------------------------------------------------ transport

    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        forged: bool = False,
        stale: bool = False,
        headers: dict[str, str] | None = None,
    ) -> DriverResponse:
        """POST `body` to the bot, signed (or forged, or with a stale timestamp)."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        timestamp = str(int(self.clock() - (STALE_SECONDS if stale else 0)))
        return self.post_raw(raw, {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self._signature(raw, timestamp, forged),
            **(headers or {}),
        })

    def post_raw(self, body: bytes, headers: dict[str, str]) -> DriverResponse:
        """POST exactly `body` with exactly these headers (plus Slack's user agent): for
        requests Slack would never send, such as a timestamp header of `abc`."""
        self.sent.append(SentRequest(body, dict(headers)))
        request_headers = {"User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                           **headers}
        request = urllib.request.Request(
            self.events_url, data=body, headers=request_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return DriverResponse(response.status, response.read().decode("utf-8"),
                                      dict(response.headers))
        except urllib.error.HTTPError as error:
            return DriverResponse(error.code, error.read().decode("utf-8", "replace"),
                                  dict(error.headers))

    def replay(self, request: SentRequest) -> DriverResponse:
        """Send a captured request again, byte for byte, signature and all."""
        return self.post_raw(request.body, request.headers)

    def _signature(self, raw: bytes, timestamp: str, forged: bool) -> str:
        if forged:
            wrong = hmac.new(secrets.token_bytes(16), raw, hashlib.sha256).hexdigest()
            return f"v0={wrong}"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # Slack never sends this; sign the bytes anyway
            base = b"v0:" + timestamp.encode() + b":" + raw
            digest = hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
            return f"v0={digest}"
        signature = SignatureVerifier(self.signing_secret).generate_signature(
            timestamp=timestamp, body=text
        )
        return str(signature)

    # ------------------------------------------------------------------ payload parts

    def _interaction_base(self, kind: str, user: str) -> dict[str, Any]:
        ws = self.workspace
        return {
            "type": kind,
            "user": {
                "id": user,
                "username": self._user_name(user),
                "name": self._user_name(user),
                "team_id": ws.team_id,
            },
            "api_app_id": ws.app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(user),
            "team": {"id": ws.team_id, "domain": ws.domain,
                     **({"enterprise_id": ws.enterprise_id} if ws.enterprise_id else {})},
            "enterprise": ({"id": ws.enterprise_id, "name": ws.enterprise_id}
                           if ws.enterprise_id else None),
            "is_enterprise_install": False,
            "state": {"values": {}},
        }

    def _message_context(self, user: str, message: Message) -> dict[str, Any]:
        context: dict[str, Any] = {
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": message.is_ephemeral,
            },
            "channel": {"id": message.channel, "name": self._channel_name(message.channel)},
            "response_url": self.emulator.mint_response_url(message.channel, user, message.ts),
        }
        if not message.is_ephemeral:
            context["message"] = message.to_slack()
        return context

    def _home_payload(self, home: HomeView) -> dict[str, Any]:
        ws = self.workspace
        return {
            "id": home.id,
            "team_id": ws.team_id,
            "type": "home",
            "blocks": home.blocks,
            "private_metadata": home.view.get("private_metadata", ""),
            "callback_id": home.view.get("callback_id", ""),
            "external_id": home.view.get("external_id", ""),
            "state": {"values": {}},
            "hash": home.hash,
            "app_id": ws.app_id,
            "bot_id": ws.bot_id,
        }

    @staticmethod
    def _button_action(
        block_id: str, button: dict[str, Any], value: str | None
    ) -> dict[str, Any]:
        action = {
            "action_id": button["action_id"],
            "block_id": block_id,
            "text": button.get("text", {"type": "plain_text", "text": ""}),
            "type": "button",
        }
        chosen = value if value is not None else button.get("value")
        if chosen is not None:
            action["value"] = chosen
        if "style" in button:
            action["style"] = button["style"]
        return action

    def _channel_id(self, channel: str) -> str:
        if channel in self.workspace.users:
            return self.emulator.dm_channel(channel)
        return channel

    def _channel_name(self, channel_id: str) -> str:
        channel = self.workspace.channels.get(channel_id)
        return channel.name if channel is not None else "directmessage"

    def _user_name(self, user: str) -> str:
        person = self.workspace.users.get(user)
        return person.name if person is not None else user

    def _trigger_id(self, user: str) -> str:
        """A trigger the emulator knows, so the bot may open one modal with it."""
        return self.emulator.mint_trigger_id(user)

    def _action_ts(self) -> str:
        """Unique per click, as Slack's are, even under a frozen test clock."""
        self._last_action_ts = max(self.clock(), self._last_action_ts + 0.000001)
        return f"{self._last_action_ts:.6f}"


_PREFILLED = {"plain_text_input": ("value", "initial_value"),
              "users_select": ("selected_user", "initial_user"),
              "datepicker": ("selected_date", "initial_date"),
              "static_select": ("selected_option", "initial_option")}
"""Per input element type: where its value goes in `state.values`, and its prefill."""


def modal_state(modal: ModalView, values: dict[str, str | None]) -> dict[str, Any]:
    """`view.state.values` as Slack sends it for what was entered into `modal`."""
    inputs = modal.inputs()
    unknown = set(values) - set(inputs)
    if unknown:
        raise LookupError(f"no input {sorted(unknown)} in the modal; it has {list(inputs)}")
    state: dict[str, Any] = {}
    for block_id, element in inputs.items():
        kind = str(element.get("type"))
        key, prefill = _PREFILLED[kind]
        if block_id not in values:
            entered = element.get(prefill)
        elif kind == "static_select" and values[block_id] is not None:
            entered = next((option for option in element.get("options", [])
                            if option.get("value") == values[block_id]), None)
            if entered is None:
                raise LookupError(f"{block_id} offers no option {values[block_id]!r}")
        else:
            entered = values[block_id]
        state[block_id] = {str(element["action_id"]): {"type": kind, key: entered}}
    return state
