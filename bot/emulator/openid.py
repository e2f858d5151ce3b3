"""Slack's side of "Sign in with Slack" (OpenID Connect): the authorize page,
`openid.connect.token` and `openid.connect.userInfo`.

The authorize page lists the workspace's people, each a link that signs that person in
(a test, or someone trying the dashboard, picks who they are); with `user=` in the query
it signs that person in at once. Either way the browser goes back to the app's redirect
URL with a one-time code, which the app exchanges (with its client id and secret) for a
user token and an ID token carrying the nonce; the user token then reads who it is,
including the person's Slack locale. Like Slack, a redirect URL must be one registered
for the app, or a path below it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.emulator.api import ApiError, WebApi
from bot.emulator.workspace import User

AUTHORIZE_PATH = "/openid/connect/authorize"
METHODS = ("openid.connect.token", "openid.connect.userInfo")
TOKEN_SECONDS = 3600


@dataclass
class SignInApp:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class _Code:
    team_id: str
    user_id: str
    nonce: str | None
    redirect_uri: str


@dataclass
class OpenID:
    """Codes and user tokens of signed-in people, across the emulated workspaces."""

    clock: Callable[[], float] = time.time
    app: SignInApp | None = None
    codes: dict[str, _Code] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)
    """user token -> (team id, user id)"""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, client_id: str, client_secret: str, *redirect_uris: str) -> None:
        self.app = SignInApp(client_id, client_secret, tuple(redirect_uris))

    # ------------------------------------------------------------------ the authorize page

    def authorize(self, query: Mapping[str, str], apis: Mapping[str, WebApi],
                  self_url: str) -> tuple[str, str]:
        """("redirect", location) or ("page", html): where the browser goes next, or the
        page where the person picks who they are. `ApiError` on a bad request."""
        app = self._app(query.get("client_id"))
        redirect = query.get("redirect_uri", "")
        if not any(redirect == uri or redirect.startswith(uri.rstrip("/") + "/")
                   for uri in app.redirect_uris):
            raise ApiError("bad_redirect_uri")
        if query.get("response_type") != "code" or "openid" not in query.get("scope", ""):
            raise ApiError("invalid_scope")
        state = {"state": query["state"]} if "state" in query else {}
        if query.get("cancel"):
            return "redirect", f"{redirect}?{urlencode({'error': 'access_denied', **state})}"
        user_id = query.get("user")
        team_id = query.get("team") or next(iter(apis))
        api = apis.get(team_id)
        if api is None:
            raise ApiError("team_not_found")
        if user_id is None:
            return "page", _page(api, query, self_url)
        person = api.workspace.users.get(user_id)
        if person is None or person.is_bot or person.deleted:
            raise ApiError("user_not_found")
        code = secrets.token_hex(12)
        with self.lock:
            self.codes[code] = _Code(team_id, user_id, query.get("nonce"), redirect)
        return "redirect", f"{redirect}?{urlencode({'code': code, **state})}"

    # ------------------------------------------------------------------ the methods

    def answer(self, method: str, token: str | None, params: Mapping[str, Any],
               client: tuple[str, str] | None, apis: Mapping[str, WebApi]) -> dict[str, Any]:
        if method == "openid.connect.token":
            return self._token(params, client, apis)
        with self.lock:
            found = self.tokens.get(token or "")
        if found is None:
            raise ApiError("invalid_auth")
        team_id, user_id = found
        api = apis[team_id]
        return _claims(api, api.workspace.users[user_id])

    def _token(self, params: Mapping[str, Any], client: tuple[str, str] | None,
               apis: Mapping[str, WebApi]) -> dict[str, Any]:
        client_id, secret = client or (params.get("client_id"), params.get("client_secret"))
        app = self._app(client_id)
        if secret != app.client_secret:
            raise ApiError("bad_client_secret")
        with self.lock:
            code = self.codes.pop(str(params.get("code", "")), None)
        if code is None:
            raise ApiError("invalid_code")
        if params.get("redirect_uri") != code.redirect_uri:
            raise ApiError("bad_redirect_uri")
        api = apis[code.team_id]
        token = f"xoxp-{code.team_id}-{secrets.token_hex(12)}"
        with self.lock:
            self.tokens[token] = (code.team_id, code.user_id)
        now = int(self.clock())
        claims = {**_claims(api, api.workspace.users[code.user_id]), "iss": "https://slack.com",
                  "aud": app.client_id, "iat": now, "exp": now + TOKEN_SECONDS,
                  "auth_time": now, "nonce": code.nonce}
        return {"access_token": token, "token_type": "Bearer",
                "id_token": _jwt(claims, app.client_secret)}

    def _app(self, client_id: Any) -> SignInApp:
        if self.app is None or client_id != self.app.client_id:
            raise ApiError("invalid_client_id")
        return self.app


def _claims(api: WebApi, user: User) -> dict[str, Any]:
    """Who the person is, as `openid.connect.userInfo` says it."""
    ws = api.workspace
    return {
        "sub": user.id, "https://slack.com/user_id": user.id,
        "https://slack.com/team_id": ws.team_id, "https://slack.com/team_name": ws.team_name,
        "https://slack.com/team_domain": ws.domain, "email": f"{user.name}@{ws.domain}.test",
        "email_verified": True, "name": user.real_name or user.name,
        "given_name": (user.real_name or user.name).split(" ")[0], "locale": user.locale,
    }


def _jwt(claims: Mapping[str, Any], key: str) -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = part(json.dumps(claims).encode())
    mac = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{part(mac)}"


def _page(api: WebApi, query: Mapping[str, str], self_url: str) -> str:
    ws = api.workspace
    people = sorted(ws.people(), key=lambda user: user.id)
    def link(user: User) -> str:
        chosen = urlencode({**query, "user": user.id, "team": ws.team_id})
        return (f'<li><a href="{html.escape(self_url + "?" + chosen)}">'
                f"{html.escape(user.real_name or user.name)} ({html.escape(user.id)})</a></li>")

    links = "\n".join(link(user) for user in people)
    cancel = html.escape(self_url + "?" + urlencode({**query, "cancel": "1"}))
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Sign in to Slack (emulated)</title></head><body><main>"
            f"<h1>Sign in to {html.escape(ws.team_name)}</h1><p>Who are you?</p>"
            f"<ul>{links}</ul><p><a href=\"{cancel}\">Cancel</a></p></main></body></html>")
