"""Pseudonyms: how wi3 files answers without filing who gave them.

Answers are kept under HMAC-SHA256(key, "workspace:user") instead of the Slack user id, so
the stored answers alone do not say who answered what. The key is a 32-byte secret: the
TinyDB backend keeps it in ``secret.key`` in the data directory; with PostgreSQL it comes
from ``WI3_PSEUDONYM_KEY`` (shared by every instance, never stored in the database).

Request keys (Slack event ids, clicks) are stored as plain SHA-256 digests: short, fixed
size, and no user ids in the data.
"""

from __future__ import annotations

import hashlib
import hmac
import re

KEY_BYTES = 32
KEY_CHARS = 32
"""Hex characters kept from the HMAC: 128 bits, plenty to avoid collisions, half the size."""
KEY_HEX = re.compile(r"[0-9a-fA-F]{64}")
KEY_HOW_TO = ("64 hexadecimal characters, e.g. from "
              "`python -c 'import secrets; print(secrets.token_hex(32))'`")

FORGOTTEN_PREFIX = "forgotten:"
"""Stands in for a member who asked to be forgotten, in the lists that count invitees."""


def respondent_key(key: bytes, workspace_id: str, user_id: str) -> str:
    """The pseudonym under which a user's answers are stored."""
    message = f"{workspace_id}:{user_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:KEY_CHARS]


def key_check(key: bytes) -> str:
    """A value that tells whether two keys are the same without revealing either.

    The PostgreSQL backend stores it so an instance started with another key refuses to
    start instead of filing answers under pseudonyms nobody can match again.
    """
    return hmac.new(key, b"wi3 pseudonym key check", hashlib.sha256).hexdigest()


def parse_key(text: str) -> bytes:
    """The key from its hex text (``WI3_PSEUDONYM_KEY``, ``secret.key``); ValueError if odd."""
    cleaned = text.strip()
    if not KEY_HEX.fullmatch(cleaned):
        raise ValueError(f"the pseudonym key must be {KEY_HOW_TO}")
    return bytes.fromhex(cleaned)


def request_digest(key: str) -> str:
    """A request key as stored. Any string works, even one with a lone surrogate
    (a malformed event id): it is encoded losslessly instead of raising."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def forgotten_placeholder(invited: tuple[str, ...]) -> str:
    """The next stand-in for a forgotten member of a round (forgotten:1, forgotten:2...)."""
    taken = sum(1 for user in invited if is_forgotten(user))
    return f"{FORGOTTEN_PREFIX}{taken + 1}"


def is_forgotten(user_id: str) -> bool:
    return user_id.startswith(FORGOTTEN_PREFIX)
