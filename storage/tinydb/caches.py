"""Two caches of things Slack told us: user profiles and processed request keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from storage.pseudonyms import request_digest
from storage.records import UserInfo
from storage.tinydb import codec
from storage.tinydb.core import StoreCore
from storage.tinydb.layout import DEDUPE_SHARDS, dedupe_spec, is_valid_id, require_id, users_spec


class CachesMixin(StoreCore):
    """The user cache and the processed-request keys."""

    def get_user(self, workspace_id: str, user_id: str) -> UserInfo | None:
        if not is_valid_id(workspace_id):
            return None
        part = self._part(users_spec(workspace_id))
        with part.lock:
            doc = part.table("users").doc(user_id)
        return codec.user_from_doc(doc) if doc else None

    def save_user(self, info: UserInfo) -> UserInfo:
        """Cache what Slack told us about a user; fetched_at defaults to now."""
        require_id(info.workspace_id, "workspace id")
        info = replace(info, fetched_at=self._now(info.fetched_at))
        part = self._part(users_spec(info.workspace_id))
        with part.lock:
            part.table("users").put(info.user_id, codec.user_to_doc(info))
        return info

    def claim(self, key: str, ttl_seconds: float) -> bool:
        """True the first time a request key is seen within ``ttl_seconds``; atomic.

        Expired keys of the same shard are purged in the same write, so the files stay small.
        """
        digest = request_digest(key)
        now = self._now().timestamp()
        part = self._part(dedupe_spec(int(digest[0], 16) % DEDUPE_SHARDS))
        with part.batch():
            claims = part.table("claims")
            seen = claims.doc(digest)
            if seen is not None and seen["expires"] > now:
                return False
            claims.drop_where(lambda _k, doc: doc["expires"] <= now)
            claims.put(digest, {"expires": now + ttl_seconds})
        return True

    def _purge_claims(self, now: datetime) -> None:
        """Drop expired request keys from every shard (writes only shards that change)."""
        moment = now.timestamp()
        for shard in range(DEDUPE_SHARDS):
            part = self._part(dedupe_spec(shard))
            with part.lock:
                if part.exists():
                    part.table("claims").drop_where(lambda _k, doc: doc["expires"] <= moment)
