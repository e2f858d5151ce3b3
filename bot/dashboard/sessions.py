"""Signed cookies: who is signed in, and the state of a sign-in under way.

Nothing is kept on the server: a cookie carries its own content and an expiry, signed
with HMAC-SHA256 under a key every instance derives from the app's client secret, so any
instance behind the balancer reads any instance's cookie and none can be forged or
stretched (the expiry inside is checked, whatever the browser keeps). Each kind of token
is signed for its purpose, so a sign-in state is never accepted as a session.

Sign-out clears the cookie in the browser; a copy taken before stays valid until its
expiry (at most `SESSION_SECONDS`), which is why sessions are short.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

SESSION_COOKIE = "wi3_session"
SIGN_IN_COOKIE = "wi3_sign_in"
SESSION_SECONDS = 8 * 3600
SIGN_IN_SECONDS = 10 * 60
"""How long the way through Slack's sign-in page may take."""
COOKIE_PATH = "/dashboard"

Clock = Callable[[], float]


def session_key(client_secret: str) -> bytes:
    """The signing key of the dashboard's cookies, the same in every instance."""
    return hmac.new(client_secret.encode(), b"wi3 dashboard cookies v1", hashlib.sha256).digest()


class Signer:
    """Signs and reads back small JSON payloads with an expiry."""

    def __init__(self, key: bytes, clock: Clock) -> None:
        self.key = key
        self.clock = clock

    def sign(self, purpose: str, payload: Mapping[str, Any], seconds: int) -> str:
        body = dict(payload, exp=int(self.clock()) + seconds)
        encoded = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{encoded}.{self._mac(purpose, encoded)}"

    def read(self, purpose: str, token: str | None) -> dict[str, Any] | None:
        """The payload, or None when the token is missing, forged, for another purpose,
        malformed or expired."""
        if not token or token.count(".") != 1:
            return None
        encoded, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(purpose, encoded)):
            return None
        try:
            payload = json.loads(_unb64(encoded))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
            return None
        return payload if payload["exp"] > self.clock() else None

    def token(self, purpose: str, value: str) -> str:
        """A MAC of `value` for `purpose` (the forms' CSRF token from the session id)."""
        return self._mac(purpose, value)

    def _mac(self, purpose: str, data: str) -> str:
        digest = hmac.new(self.key, f"{purpose}\n{data}".encode(), hashlib.sha256).digest()
        return _b64(digest)


@dataclass(frozen=True)
class Session:
    """A signed-in person."""

    workspace_id: str
    user_id: str
    lang: str
    name: str
    sid: str
    """Random per sign-in: what the forms' CSRF token is made from."""

    def to_payload(self) -> dict[str, str]:
        return {"ws": self.workspace_id, "user": self.user_id, "lang": self.lang,
                "name": self.name, "sid": self.sid}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Session | None:
        try:
            fields = [str(payload[key]) for key in ("ws", "user", "lang", "name", "sid")]
        except KeyError:
            return None
        return cls(*fields)

    @classmethod
    def new(cls, workspace_id: str, user_id: str, lang: str, name: str) -> Session:
        return cls(workspace_id, user_id, lang, name, secrets.token_urlsafe(16))


def cookie_header(name: str, value: str, *, seconds: int, secure: bool) -> tuple[str, str]:
    """A Set-Cookie header: HttpOnly, SameSite=Lax (the way back from Slack is a top-level
    navigation from another site), Secure over HTTPS, only for the dashboard's paths."""
    parts = [f"{name}={value}", f"Path={COOKIE_PATH}", f"Max-Age={seconds}", "HttpOnly",
             "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return ("Set-Cookie", "; ".join(parts))


def cleared(name: str, *, secure: bool) -> tuple[str, str]:
    return cookie_header(name, "", seconds=0, secure=secure)


def read_cookies(header: str) -> dict[str, str]:
    """Name -> value from a Cookie header (the first of a repeated name wins)."""
    found: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in found:
            found[name] = value
    return found


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
