"""A local Slack Web API over real HTTP, for tests and the local try-out.

`SlackEmulator` serves `/api/<method>` on 127.0.0.1 (stdlib only), so the real
`slack_sdk.WebClient` works against it through `base_url=emulator.api_url`. It checks the
bearer token, enforces Slack's documented rate limits (`bot.emulator.limits`; off only
with a reason, `unlimited`), fails on demand (`fail_next`), records every
call, and answers questions a test asks about what a user would now see.

It can hold several workspaces (`add_workspace`), each with its own tokens, people,
channels and messages (ids may be the same in two of them); a token answers for its own
workspace only, and `in_workspace(team_id)` asks about another one. With an app
registered for distribution (`register_app`) it also serves Slack's authorize page
(`/oauth/v2/authorize`), `oauth.v2.access` (codes, and refresh tokens with rotation) and
`auth.revoke`; `uninstall` revokes a workspace's tokens (see `bot.emulator.oauth`).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import email.parser
import email.policy
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.emulator.api import ApiError, WebApi
from bot.emulator.limits import Fault, Faults, RateLimits
from bot.emulator.oauth import OAuthApp, Tokens
from bot.emulator.openid import AUTHORIZE_PATH as OPENID_AUTHORIZE_PATH
from bot.emulator.openid import METHODS as OPENID_METHODS
from bot.emulator.openid import OpenID
from bot.emulator.workspace import (
    HomeView,
    Message,
    ModalView,
    ResponsePost,
    Upload,
    Workspace,
)
from bot.slack_client import REQUIRED_SCOPES

DEFAULT_TOKEN = "xoxb-emulator-not-a-real-token"
RESPONSE_URL = "response_url"
"""The name `fail_next` knows POSTs to a `response_url` by."""
_DEFAULT_ERRORS = {200: "fatal_error", 429: "ratelimited", 500: "internal_error"}


@dataclass(frozen=True)
class Call:
    """One Web API request as the emulator saw and answered it."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    response: dict[str, Any]
    workspace: str | None = None
    """The workspace whose token made the call (None: no usable token)."""

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        error = self.response.get("error")
        return str(error) if error is not None else None


class SlackEmulator:
    """An emulated Slack workspace's Web API, served on 127.0.0.1 while started.

    Queries return snapshots: what a user would see at the moment of asking.
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        scopes: Iterable[str] = REQUIRED_SCOPES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`clock` stamps messages (their `ts`): a test running the bot in virtual time
        gives the emulator the same time, as Slack and the bot share the real one."""
        self.workspace = workspace or Workspace()
        self.token = token
        self.api = WebApi(self.workspace, tuple(scopes), clock)
        self.tokens = Tokens()
        self.tokens.grant(token, self.workspace.team_id)
        self.openid = OpenID()
        self._apis: dict[str, WebApi] = {self.workspace.team_id: self.api}
        self.limits = RateLimits()
        self.faults = Faults()
        # Methods called with an app-level token instead of the bot token: {method: (token, answer)}
        self._app_level: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {}
        self._calls: list[Call] = []
        self._calls_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SlackEmulator:
        """Listen on a free 127.0.0.1 port in a background thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        for api in self._apis.values():
            api.public_url = self.url
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name="slack-emulator", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The emulator's root URL, e.g. `http://127.0.0.1:53111`."""
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL to give `WebClient(base_url=...)` / `SLACK_API_URL`."""
        return self.url + "/api/"

    # ------------------------------------------------------------------ workspaces, OAuth

    def add_workspace(self, workspace: Workspace, *, token: str | None = None) -> SlackEmulator:
        """Another workspace (with `token` already installed in it, if given); returns the
        emulator's view of it (see `in_workspace`)."""
        api = WebApi(workspace, tuple(self.api.scopes), self.api.clock)
        api.public_url = self.api.public_url
        self._apis[workspace.team_id] = api
        if token is not None:
            self.tokens.grant(token, workspace.team_id)
        return self.in_workspace(workspace.team_id)

    def in_workspace(self, team_id: str) -> SlackEmulator:
        """This emulator, with its queries (`messages_to`, `home_view`, ...) and response
        URLs about the workspace `team_id`."""
        view = copy.copy(self)
        view.api = self._apis[team_id]
        view.workspace = view.api.workspace
        return view

    def register_app(self, client_id: str, client_secret: str, redirect_uri: str, *,
                     token_seconds: int | None = None) -> None:
        """The app as registered for distribution; `token_seconds` turns token rotation
        on (Slack's tokens then expire after that long)."""
        self.tokens.app = OAuthApp(client_id, client_secret, redirect_uri, token_seconds)

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: its tokens stop working (the events are the
        driver's, `SlackDriver.uninstall`)."""
        self.tokens.revoke_workspace(team_id)

    def expire_tokens(self, team_id: str) -> None:
        """Time passes beyond the expiry of the workspace's rotating tokens."""
        self.tokens.expire_workspace(team_id)

    @property
    def authorize_url(self) -> str:
        return self.url + "/oauth/v2/authorize"

    def authorize(self, query: dict[str, str]) -> str:
        """The installer approves on Slack's authorize page: where their browser goes next.
        `team` picks the workspace (an enterprise id: an org-wide install)."""
        wanted = query.get("team") or self.workspace.team_id
        for team_id, api in self._apis.items():
            if wanted in (team_id, api.workspace.enterprise_id):
                return self.tokens.authorize(query, team_id, org_wide=wanted != team_id)
        raise ApiError("team_not_found")

    # ------------------------------------------------------------------ behaviour

    def unlimited(self, *, reason: str, method: str | None = None) -> None:
        """Switch Slack's rate limits off (only `method`'s, if given), for a test that
        must not meet them; `reason` (required, non-empty) says why."""
        self.limits.unlimited(reason=reason, method=method)

    def documented_limits(self) -> None:
        """Slack's documented rate limits again (the default), with fresh buckets."""
        self.limits.documented()

    def rate_limit(self, method: str, per_second: float, burst: float | None = None) -> None:
        """Limit `method` in each workspace (burst defaults to one second's worth)."""
        self.limits.limit_method(method, per_second, burst)

    def channel_rate_limit(self, per_second: float = 1.0, burst: float = 1.0) -> None:
        """Limit `chat.postMessage` per channel, as Slack does (about 1 per second)."""
        self.limits.limit_channel_posts(per_second, burst)

    def fail_next(
        self,
        method: str,
        error: str | None = None,
        status: int = 200,
        count: int = 1,
        retry_after: int = 1,
        applied: bool = False,
    ) -> None:
        """Answer the next `count` calls to `method` with `error` and HTTP `status`; with
        `applied`, each call takes effect first (Slack took it; the answer got lost)."""
        code = error or _DEFAULT_ERRORS.get(status, "internal_error")
        self.faults.add(method, Fault(code, status, count, retry_after, applied))

    def serve_app_level(
        self, method: str, app_token: str, answer: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> None:
        """Answer `method` for callers holding the app-level token `app_token` (Socket
        Mode's `apps.connections.open`, see `bot.emulator.socket_mode`)."""
        self._app_level[method] = (app_token, answer)

    def mint_response_url(self, channel: str, user: str, message_ts: str | None = None) -> str:
        """A `response_url` to put into a payload; POSTs to it are recorded and applied."""
        return self.api.mint_response_url(channel, user, message_ts)

    def dm_channel(self, user: str) -> str:
        """The bot's DM channel id with `user` (stable; opened if needed)."""
        return self.api.dm_channel(user)

    def mint_trigger_id(self, user: str) -> str:
        """A `trigger_id` to put into `user`'s command or click: it may open one modal."""
        return self.api.mint_trigger_id(user)

    def answer_submission(self, view_id: str, answer: dict[str, Any]) -> None:
        """What the bot answered to a submission of `view_id`, applied as Slack would."""
        self.api.answer_submission(view_id, answer)

    # ------------------------------------------------------------------ queries

    def rate_limited_calls(self, method: str | None = None) -> list[Call]:
        """Calls answered 429 (to `method`, if given), oldest first."""
        return [call for call in self.calls(method) if call.status == 429]

    def calls(self, method: str | None = None) -> list[Call]:
        """Every recorded call (to `method`, if given), oldest first."""
        with self._calls_lock:
            return [call for call in self._calls if method is None or call.method == method]

    def messages_to(self, target: str, *, include_deleted: bool = False) -> list[Message]:
        """Visible messages in a channel, or in the DM with a user id, oldest first."""
        channel = self._channel_of(target)
        with self.workspace.lock:
            found = [
                message
                for (message_channel, _), message in self.api.messages.items()
                if message_channel == channel
                and not message.is_ephemeral
                and (include_deleted or not message.deleted)
            ]
            return sorted(copy.deepcopy(found), key=lambda message: float(message.ts))

    def last_message(self, target: str) -> Message | None:
        """The newest visible message in a channel or DM, as it stands after updates."""
        messages = self.messages_to(target)
        return messages[-1] if messages else None

    def message(self, channel: str, ts: str) -> Message:
        """The message as it stands now (deleted ones included, flagged)."""
        with self.workspace.lock:
            return copy.deepcopy(self.api.messages[(channel, ts)])

    def ephemerals_to(self, user: str, channel: str | None = None) -> list[Message]:
        """Ephemeral messages only `user` sees (in `channel`, if given), oldest first."""
        with self.workspace.lock:
            found = [
                message
                for message in self.api.messages.values()
                if message.ephemeral_to == user
                and not message.deleted
                and (channel is None or message.channel == channel)
            ]
            return sorted(copy.deepcopy(found), key=lambda message: float(message.ts))

    def uploads(self) -> list[Upload]:
        """Files shared through `files_upload_v2`, with their bytes, title and channel."""
        with self.workspace.lock:
            return copy.deepcopy(
                [upload for upload in self.api.uploads.values() if upload.completed]
            )

    def home_view(self, user: str) -> HomeView | None:
        with self.workspace.lock:
            return copy.deepcopy(self.api.homes.get(user))

    def modal(self, user: str) -> ModalView | None:
        """The modal `user` has open (the top of their stack), None when none is."""
        with self.workspace.lock:
            stack = self.api.stacks.get(user) or []
            return copy.deepcopy(self.api.modals[stack[-1]]) if stack else None

    def responses(self) -> list[ResponsePost]:
        """Every POST made to a minted `response_url`, oldest first."""
        with self.workspace.lock:
            return copy.deepcopy(self.api.responses)

    def reset_calls(self) -> None:
        with self._calls_lock:
            self._calls.clear()

    def _channel_of(self, target: str) -> str:
        if target in self.workspace.users:
            return self.dm_channel(target)
        return target

    # ------------------------------------------------------------------ request handling

    def handle_api(self, method: str, token: str | None, params: dict[str, Any],
                   client: tuple[str, str] | None = None) -> _Reply:
        """Authenticate, apply faults and limits, run the method, record the call.
        `client`: the app's id and secret (HTTP Basic), for `oauth.v2.access`."""
        workspace: list[str] = []
        reply = self._answer(method, token, params, client, workspace)
        call = Call(method, params, time.time(), reply.status, reply.body,
                    workspace[0] if workspace else None)
        with self._calls_lock:
            self._calls.append(call)
        return reply

    def _answer(self, method: str, token: str | None, params: dict[str, Any],
                client: tuple[str, str] | None, workspace: list[str]) -> _Reply:
        if method in OPENID_METHODS:  # Sign in with Slack (bot.emulator.openid)
            try:
                found = self.openid.answer(method, token, params, client, self._apis)
            except ApiError as error:
                return _Reply.error(error.error)
            return _Reply(200, {"ok": True, **found}, {})
        if method == "oauth.v2.access":  # the app authenticates, not a token
            client_id, client_secret = client or (None, None)
            try:
                answer = self.tokens.access(params, client_id, client_secret, self._apis)
            except ApiError as error:
                return _Reply.error(error.error)
            return _Reply(200, {"ok": True, **answer}, {})
        if not token:
            return _Reply.error("not_authed")
        app_level = self._app_level.get(method)
        if app_level is not None:
            if token != app_level[0]:
                return _Reply.error("invalid_auth")
            api = self.api
        else:
            try:
                grant = self.tokens.check(token)
            except ApiError as error:
                return _Reply.error(error.error)
            api = self._apis[grant.team_id]
            workspace.append(grant.team_id)
            if method == "auth.revoke":
                grant.revoked = True
                return _Reply(200, {"ok": True, "revoked": True}, {})
        scopes_header = {"x-oauth-scopes": ",".join(api.scopes)}
        fault = self.faults.take(method)
        if fault is not None:
            if fault.applied:
                with contextlib.suppress(ApiError):
                    self.api.call(method, params)
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return _Reply.error(fault.error, status=fault.status, headers=headers)
        retry_after = self.limits.retry_after(method, self._post_channel(api, method, params),
                                              api.workspace.team_id)
        if retry_after is not None:
            return _Reply.error("ratelimited", status=429,
                                headers={"Retry-After": str(retry_after)})
        try:
            answer = app_level[1](params) if app_level else api.call(method, params)
        except ApiError as error:
            return _Reply.error(error.error, headers=scopes_header, **error.extra)
        return _Reply(200, {"ok": True, **answer}, scopes_header)

    @staticmethod
    def _post_channel(api: WebApi, method: str, params: dict[str, Any]) -> str | None:
        """The channel a `chat.postMessage` would land in, for the per-channel limit."""
        if method != "chat.postMessage":
            return None
        try:
            with api.workspace.lock:
                return api.postable_channel(params.get("channel"))
        except ApiError:
            return None

    def api_holding(self, secret: str) -> WebApi:
        """The workspace that minted a response or upload URL (each secret is its own)."""
        for api in self._apis.values():
            if secret in api.response_urls or f"upload:{secret}" in api.response_urls:
                return api
        return self.api

    def handle_response_url(self, secret: str, url: str, body: dict[str, Any]) -> _Reply:
        """A POST to a `response_url`; `fail_next(RESPONSE_URL, ...)` fails it instead."""
        fault = self.faults.take(RESPONSE_URL)
        if fault is not None:
            return _Reply.error(fault.error, status=fault.status)
        try:
            self.api_holding(secret).respond(secret, url, body)
        except ApiError as error:
            status = 404 if error.error in ("expired_url", "used_url", "message_not_found") \
                else 400
            return _Reply.error(error.error, status=status)
        return _Reply(200, {"ok": True}, {})


@dataclass
class _Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]

    @classmethod
    def error(
        cls, code: str, *, status: int = 200, headers: dict[str, str] | None = None, **extra: Any
    ) -> _Reply:
        return cls(status, {"ok": False, "error": code, **extra}, headers or {})


def _handler_for(emulator: SlackEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(_EmulatorHandler):
        pass

    Handler.emulator = emulator
    return Handler


class _EmulatorHandler(BaseHTTPRequestHandler):
    """Routes `/api/<method>`, upload URLs and response URLs to the emulator."""

    emulator: SlackEmulator
    protocol_version = "HTTP/1.1"
    server_version = "SlackEmulator/1"

    def do_POST(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator's record is `calls()`, not stderr."""

    def _route(self) -> None:
        parts = urlsplit(self.path)
        body = self._body()
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/"):]
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            try:
                params.update(self._params(body))
            except ValueError:
                self._send(_Reply.error("invalid_form_data"))
                return
            token = params.pop("token", None) or self._bearer()
            self._send(self.emulator.handle_api(method, token, params, self._basic()))
        elif parts.path == "/oauth/v2/authorize":
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            try:
                location = self.emulator.authorize(query)
            except ApiError as error:
                self._send(_Reply.error(error.error, status=400))
                return
            self._redirect(location)
        elif parts.path == OPENID_AUTHORIZE_PATH:
            self._openid_authorize(dict(parse_qsl(parts.query, keep_blank_values=True)))
        elif parts.path.startswith("/upload/v1/"):
            secret = parts.path.rsplit("/", 1)[-1]
            self._upload(secret, body)
        elif parts.path.startswith("/actions/"):
            secret = parts.path.rsplit("/", 1)[-1]
            try:
                payload = json.loads(body or b"{}")
            except json.JSONDecodeError:
                payload = None
            if not isinstance(payload, dict):
                self._send(_Reply.error("invalid_payload", status=400))
                return
            url = self.emulator.url + parts.path
            self._send(self.emulator.handle_response_url(secret, url, payload))
        else:
            self._send(_Reply.error("not_found", status=404))

    def _openid_authorize(self, query: dict[str, str]) -> None:
        emulator = self.emulator
        try:
            kind, answer = emulator.openid.authorize(
                query, emulator._apis, emulator.url + OPENID_AUTHORIZE_PATH)
        except ApiError as error:
            self._send(_Reply.error(error.error, status=400))
            return
        if kind == "redirect":
            self._redirect(answer)
            return
        payload = answer.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _bearer(self) -> str | None:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def _basic(self) -> tuple[str, str] | None:
        """The app's id and secret, as slack_sdk sends them to `oauth.v2.access`."""
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            client_id, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return client_id, secret

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _params(self, body: bytes) -> dict[str, Any]:
        if not body:
            return {}
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            parsed = json.loads(body)
            if not isinstance(parsed, dict):
                raise ValueError("JSON body must be an object")
            return parsed
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))

    def _upload(self, secret: str, body: bytes) -> None:
        content = _multipart_file(self.headers.get("Content-Type", ""), body)
        if not self.emulator.api_holding(secret).receive_upload(secret, content):
            self._send_text(404, "upload_not_found")
            return
        self._send_text(200, f"OK - {len(content)}")

    def _send(self, reply: _Reply) -> None:
        payload = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_text(self, status: int, text: str) -> None:
        payload = text.encode("utf-8")
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _multipart_file(content_type: str, body: bytes) -> bytes:
    """The file bytes of an upload: the body itself, or its first part if multipart."""
    if not content_type.startswith("multipart/form-data"):
        return body
    header = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload
    return b""
