"""Caches of things Slack told us or shows: user profiles, processed request keys, and a
fingerprint of each person's App Home (the ``homes`` table of the person's profile file).

Profiles live in 256 files per workspace (by user id), so refreshing one rewrites about
two hundred profiles at 50,000 people instead of all of them, and saving a profile that
did not change writes nothing. Request keys are appended to logs (``claims.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from storage.errors import StoreClosedError
from storage.pseudonyms import request_digest
from storage.records import UserInfo
from storage.tinydb import codec
from storage.tinydb.core import StoreCore, Survey
from storage.tinydb.jsonfile import read_data_file
from storage.tinydb.layout import FileSpec, is_valid_id, require_id, users_spec


class CachesMixin(StoreCore):
    """The user cache and the processed-request keys."""

    def get_user(self, workspace_id: str, user_id: str) -> UserInfo | None:
        if not (is_valid_id(workspace_id) and is_valid_id(user_id)):
            return None
        part = self._part(users_spec(workspace_id, user_id))
        with part.lock:
            doc = part.table("users").doc(user_id)
        return codec.user_from_doc(doc) if doc else None

    def save_user(self, info: UserInfo) -> UserInfo:
        """Cache what Slack told us about a user; fetched_at defaults to now. Writes only
        when something differs from what is cached."""
        require_id(info.workspace_id, "workspace id")
        require_id(info.user_id, "user id")
        info = replace(info, fetched_at=self._now(info.fetched_at))
        doc = codec.user_to_doc(info)
        part = self._part(users_spec(info.workspace_id, info.user_id))
        with part.lock:
            users = part.table("users")
            if users.doc(info.user_id) != doc:
                users.put(info.user_id, doc)
        return info

    def save_profiles(self, profiles: Iterable[UserInfo]) -> None:
        """One write per profile file touched (256 per workspace at most), of the profiles
        that changed; a cached DM channel stays."""
        now = self._now()
        by_part: defaultdict[FileSpec, list[UserInfo]] = defaultdict(list)
        for info in profiles:
            require_id(info.workspace_id, "workspace id")
            require_id(info.user_id, "user id")
            by_part[users_spec(info.workspace_id, info.user_id)].append(info)
        for spec, infos in by_part.items():
            part = self._part(spec)
            with part.lock:
                users = part.table("users")
                changed: dict[str, Any] = {}
                for info in infos:
                    cached = users.doc(info.user_id)
                    dm_channel = cached.get("dm_channel") if cached else None
                    doc = codec.user_to_doc(replace(info, dm_channel=dm_channel or info.dm_channel,
                                                    fetched_at=info.fetched_at or now))
                    if cached != doc:
                        changed[info.user_id] = doc
                if changed:
                    users.put_many(changed)

    def published_home(self, workspace_id: str, user_id: str) -> str | None:
        if not (is_valid_id(workspace_id) and is_valid_id(user_id)):
            return None
        part = self._part(users_spec(workspace_id, user_id))
        with part.lock:
            doc = part.table("homes").doc(user_id)
        return str(doc["fingerprint"]) if doc else None

    def remember_home(self, workspace_id: str, user_id: str, fingerprint: str) -> None:
        require_id(workspace_id, "workspace id")
        require_id(user_id, "user id")
        part = self._part(users_spec(workspace_id, user_id))
        with part.lock:
            homes = part.table("homes")
            if homes.doc(user_id) != {"fingerprint": fingerprint}:
                homes.put(user_id, {"fingerprint": fingerprint})

    def claim(self, key: str, ttl_seconds: float) -> bool:
        """True the first time a request key is seen within ``ttl_seconds``; atomic, and
        one appended line whatever the number of live claims."""
        if self._closed:
            raise StoreClosedError("the store is closed")
        return self._claims.claim(request_digest(key), self._now().timestamp(), ttl_seconds)

    def _adopt_older_layouts(self, found: Survey) -> None:
        """A whole-workspace user cache goes into its shards (entries already in a shard
        are newer and stay); request keys of the rewritten shards join the logs. The old
        files are removed once their contents are safely in the new ones."""
        for spec in found.of_kind("users_whole"):
            self._split_user_cache(spec)
        now = self._now().timestamp()
        for spec in found.of_kind("dedupe"):
            data, _ = read_data_file(self._dir / spec.relpath, spec)
            claims = (data or {}).get("claims", {})
            self._claims.carry_over({digest: doc["expires"] for digest, doc in claims.items()},
                                    now)
            self._remove(spec)

    def _split_user_cache(self, spec: FileSpec) -> None:
        data, _ = read_data_file(self._dir / spec.relpath, spec)
        if self._read_only:
            return
        workspace_id = str(spec.workspace_id)
        by_shard: defaultdict[FileSpec, dict[str, Mapping[str, Any]]] = defaultdict(dict)
        for user_id, doc in (data or {}).get("users", {}).items():
            by_shard[users_spec(workspace_id, user_id)][user_id] = doc
        for shard, docs in by_shard.items():
            part = self._part(shard)
            with part.lock:
                users = part.table("users")
                missing = {key: doc for key, doc in docs.items() if users.doc(key) is None}
                if missing:
                    users.put_many(missing)
        self._remove(spec)

    def _remove(self, spec: FileSpec) -> None:
        if not self._read_only:
            (self._dir / spec.relpath).unlink(missing_ok=True)
