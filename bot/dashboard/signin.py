"""Sign in with Slack (OpenID Connect), in both modes.

The way through: `/dashboard/signin` sends the browser to Slack's authorize page with a
fresh `state` and `nonce`, both kept in a short-lived signed cookie (so whichever instance
the browser comes back to can check them). Slack sends the browser back to
`/dashboard/signin/done` with a one-time code; the code is exchanged at
`openid.connect.token` (the app authenticates with its client id and secret), the ID
token's nonce and audience are checked (it came straight from Slack over the API, so its
signature need not be), and `openid.connect.userInfo` says who the person is, in which
workspace, and their locale. Every call goes to `SLACK_API_URL`, like every other one.

Only a workspace that has wi3 installed may sign in: in single-workspace mode the bot
token's, in multi-workspace mode any with an installation.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator

from bot.dashboard.sessions import SIGN_IN_SECONDS, Session, Signer

SCOPES = ("openid", "profile", "email")
SIGN_IN_PURPOSE = "sign-in"
TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"


def authorize_url(api_url: str) -> str:
    """Slack's OpenID authorize page beside its Web API
    (`https://slack.com/openid/connect/authorize`)."""
    return urljoin(api_url, "../openid/connect/authorize")


@dataclass(frozen=True)
class Problem:
    """Why a sign-in did not work: a catalog key (`dashboard.signin.*`) and a reason."""

    key: str
    reason: str = ""


class SignIn:
    def __init__(self, *, client_id: str, client_secret: str, api_url: str,
                 client: WebClient, signer: Signer,
                 installed: Callable[[str], bool]) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.api_url = api_url
        self.client = client
        self.signer = signer
        self.installed = installed

    def start(self, redirect_uri: str, then: str) -> tuple[str, str]:
        """(Slack's authorize URL, the signed sign-in cookie): where the browser goes,
        and what it brings back."""
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        cookie = self.signer.sign(SIGN_IN_PURPOSE, {"state": state, "nonce": nonce,
                                                    "then": then, "redirect": redirect_uri},
                                  SIGN_IN_SECONDS)
        generator = OpenIDConnectAuthorizeUrlGenerator(
            client_id=quote(self.client_id, safe=""), redirect_uri=quote(redirect_uri, safe=""),
            scopes=list(SCOPES), authorization_url=authorize_url(self.api_url))
        return generator.generate(state=state, nonce=nonce), cookie

    def finish(self, query: dict[str, str], cookie: str | None) -> tuple[Session, str] | Problem:
        """The person Slack signed in, and where they were going; or why not."""
        pending = self.signer.read(SIGN_IN_PURPOSE, cookie)
        if pending is None or not secrets.compare_digest(
                str(pending.get("state", "")), query.get("state", "")):
            return Problem("expired")
        if "error" in query:
            return Problem("cancelled" if query["error"] == "access_denied" else "failed",
                           query["error"][:50])
        code = query.get("code", "")
        if not code:
            return Problem("failed", "no_code")
        try:
            token = self.client.openid_connect_token(
                client_id=self.client_id, client_secret=self.client_secret, code=code,
                redirect_uri=str(pending.get("redirect", "")))
            claims = _claims(str(token.get("id_token", "")))
            if claims.get("nonce") != pending.get("nonce") or claims.get("aud") != self.client_id:
                return Problem("failed", "id_token")
            info = self.client.openid_connect_userInfo(token=str(token["access_token"]))
        except SlackApiError as error:
            return Problem("failed", str(error.response.get("error", "error"))[:50])
        except (KeyError, ValueError):
            return Problem("failed", "answer")
        workspace_id, user_id = str(info.get(TEAM_CLAIM, "")), str(info.get(USER_CLAIM, ""))
        if not workspace_id or not user_id or workspace_id != claims.get(TEAM_CLAIM):
            return Problem("failed", "identity")
        if not self.installed(workspace_id):
            return Problem("not_installed")
        name = str(info.get("name") or info.get("given_name") or user_id)[:80]
        session = Session.new(workspace_id, user_id, str(info.get("locale") or "en"), name)
        return session, str(pending.get("then", ""))


def _claims(id_token: str) -> dict[str, Any]:
    """The ID token's claims. It came straight from Slack's token endpoint over the API
    (TLS in production), so per OpenID Connect §3.1.3.7 its signature need not be checked
    here; its nonce and audience are."""
    parts = id_token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    if not isinstance(payload, dict):
        raise ValueError("claims are not an object")
    return payload
