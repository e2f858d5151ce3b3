"""Slack's side of installing an app in many workspaces: tokens, the authorize page,
`oauth.v2.access` (codes and refresh tokens) and `auth.revoke`.

Each token belongs to one emulated workspace and may expire (token rotation: Slack then
hands out `xoxe.xoxb-` tokens with a refresh token, revoked once used) or be revoked (the
app removed). The authorize page approves at once, as if the installer clicked "Allow",
and sends the browser back to the app's redirect URL with a one-time code.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.emulator.api import ApiError, WebApi

DEFAULT_TOKEN_SECONDS = 12 * 3600
"""How long a rotating token lives at Slack."""


@dataclass
class Grant:
    """A token Slack issued: for which workspace, until when, whether revoked."""

    team_id: str
    expires_at: float | None = None
    revoked: bool = False
    org_wide: bool = False


@dataclass
class OAuthApp:
    """The app registered at Slack for distribution: its credentials and redirect URL."""

    client_id: str
    client_secret: str
    redirect_uri: str
    token_seconds: int | None = None
    """Set: token rotation is on, and tokens live this long."""


@dataclass
class _Code:
    team_id: str
    scopes: str
    redirect_uri: str | None
    org_wide: bool


@dataclass
class Tokens:
    """Every token and code the emulated Slack issued, and the registered app."""

    clock: Callable[[], float] = time.time
    app: OAuthApp | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    refresh: dict[str, tuple[str, str]] = field(default_factory=dict)
    """refresh token -> (team id, scopes)"""
    codes: dict[str, _Code] = field(default_factory=dict)
    deny_next: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def grant(self, token: str, team_id: str, **fields: Any) -> None:
        with self.lock:
            self.grants[token] = Grant(team_id, **fields)

    def check(self, token: str) -> Grant:
        """The grant of a usable token; Slack's error for any other."""
        with self.lock:
            grant = self.grants.get(token)
        if grant is None:
            raise ApiError("invalid_auth")
        if grant.revoked:
            raise ApiError("token_revoked")
        if grant.expires_at is not None and self.clock() >= grant.expires_at:
            raise ApiError("token_expired")
        return grant

    def revoke_workspace(self, team_id: str) -> None:
        with self.lock:
            for grant in self.grants.values():
                if grant.team_id == team_id:
                    grant.revoked = True
            self.refresh = {key: value for key, value in self.refresh.items()
                            if value[0] != team_id}

    def expire_workspace(self, team_id: str) -> None:
        """Time passes beyond the expiry of the workspace's rotating tokens."""
        with self.lock:
            for grant in self.grants.values():
                if grant.team_id == team_id and grant.expires_at is not None:
                    grant.expires_at = self.clock() - 1

    def tokens_of(self, team_id: str) -> list[str]:
        with self.lock:
            return [token for token, grant in self.grants.items() if grant.team_id == team_id]

    # ------------------------------------------------------------------ the authorize page

    def authorize(self, query: dict[str, str], team_id: str, org_wide: bool) -> str:
        """Where the browser goes after the installer approves (or cancels)."""
        app = self._app(query.get("client_id"))
        asked = query.get("redirect_uri")
        if asked is not None and asked != app.redirect_uri:
            raise ApiError("bad_redirect_uri")
        state = {"state": query["state"]} if "state" in query else {}
        if self.deny_next:
            self.deny_next = False
            return f"{asked or app.redirect_uri}?{urlencode({'error': 'access_denied', **state})}"
        code = secrets.token_hex(12)
        with self.lock:
            self.codes[code] = _Code(team_id, query.get("scope", ""), asked, org_wide)
        return f"{asked or app.redirect_uri}?{urlencode({'code': code, **state})}"

    # ------------------------------------------------------------------ oauth.v2.access

    def access(self, params: dict[str, Any], client_id: str | None, client_secret: str | None,
               apis: dict[str, WebApi]) -> dict[str, Any]:
        app = self._app(client_id or params.get("client_id"))
        if (client_secret or params.get("client_secret")) != app.client_secret:
            raise ApiError("bad_client_secret")
        if params.get("grant_type") == "refresh_token":
            with self.lock:
                found = self.refresh.pop(str(params.get("refresh_token", "")), None)
            if found is None:
                raise ApiError("invalid_refresh_token")
            team_id, scopes = found
            return self._issue(apis[team_id], scopes, org_wide=False)
        with self.lock:
            code = self.codes.pop(str(params.get("code", "")), None)
        if code is None:
            raise ApiError("invalid_code")
        if code.redirect_uri is not None and params.get("redirect_uri") != code.redirect_uri:
            raise ApiError("bad_redirect_uri")
        api = apis[code.team_id]
        api.scopes = tuple(scope for scope in code.scopes.split(",") if scope)
        installer = next((user.id for user in api.workspace.people() if user.is_admin),
                         api.workspace.bot_user_id)
        return {**self._issue(api, code.scopes, org_wide=code.org_wide),
                "authed_user": {"id": installer}}

    def _issue(self, api: WebApi, scopes: str, *, org_wide: bool) -> dict[str, Any]:
        app = self.app
        assert app is not None
        ws = api.workspace
        rotating = app.token_seconds is not None
        token = (f"xoxe.xoxb-1-{secrets.token_hex(12)}" if rotating
                 else f"xoxb-{ws.team_id}-{secrets.token_hex(12)}")
        expiry = self.clock() + app.token_seconds if app.token_seconds is not None else None
        self.grant(token, ws.team_id, expires_at=expiry, org_wide=org_wide)
        answer: dict[str, Any] = {
            "access_token": token, "token_type": "bot", "scope": scopes,
            "bot_user_id": ws.bot_user_id, "app_id": ws.app_id,
            "team": None if org_wide else {"id": ws.team_id, "name": ws.team_name},
            "enterprise": ({"id": ws.enterprise_id, "name": ws.enterprise_id}
                           if ws.enterprise_id else None),
            "is_enterprise_install": org_wide,
        }
        if app.token_seconds is not None:
            refresh = f"xoxe-1-{secrets.token_hex(12)}"
            with self.lock:
                self.refresh[refresh] = (ws.team_id, scopes)
            answer |= {"refresh_token": refresh, "expires_in": app.token_seconds}
        return answer

    def _app(self, client_id: Any) -> OAuthApp:
        if self.app is None or client_id != self.app.client_id:
            raise ApiError("invalid_client_id")
        return self.app
