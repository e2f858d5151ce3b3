"""Caches of things Slack told us or shows: user profiles, processed request keys, and a
fingerprint of each person's App Home."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from storage.ids import require_slack_id
from storage.pseudonyms import request_digest
from storage.records import UserInfo
from storage.sql.core import SQLCore, utc
from storage.sql.schema import home_views, request_claims, user_cache

_PROFILE = ("dm_channel", "locale", "timezone", "fetched_at")
_PROFILES_PER_STATEMENT = 1000


class CachesPart(SQLCore):
    """The user cache and the processed-request keys."""

    def get_user(self, workspace_id: str, user_id: str) -> UserInfo | None:
        with self._read() as connection:
            row = connection.execute(select(user_cache).where(
                user_cache.c.workspace_id == workspace_id,
                user_cache.c.user_id == user_id)).first()
        if row is None:
            return None
        return UserInfo(workspace_id=row.workspace_id, user_id=row.user_id,
                        dm_channel=row.dm_channel, locale=row.locale, timezone=row.timezone,
                        fetched_at=utc(row.fetched_at))

    def save_user(self, info: UserInfo) -> UserInfo:
        """Cache what Slack told us about a user; fetched_at defaults to now."""
        require_slack_id(info.workspace_id, "workspace id")
        info = replace(info, fetched_at=self._now(info.fetched_at))
        statement = insert(user_cache).values(
            workspace_id=info.workspace_id, user_id=info.user_id,
            **{name: getattr(info, name) for name in _PROFILE})
        with self._write() as connection:
            connection.execute(statement.on_conflict_do_update(
                index_elements=[user_cache.c.workspace_id, user_cache.c.user_id],
                set_={name: statement.excluded[name] for name in _PROFILE}))
        return info

    def save_profiles(self, profiles: Iterable[UserInfo]) -> None:
        """Upserts of a thousand rows at a time, in one transaction; the DM channel of a
        cached row is left as it is."""
        now = self._now()
        rows = []
        for info in profiles:
            require_slack_id(info.workspace_id, "workspace id")
            rows.append({"workspace_id": info.workspace_id, "user_id": info.user_id,
                         "dm_channel": info.dm_channel, "locale": info.locale,
                         "timezone": info.timezone, "fetched_at": info.fetched_at or now})
        statement = insert(user_cache)
        upsert = statement.on_conflict_do_update(
            index_elements=[user_cache.c.workspace_id, user_cache.c.user_id],
            set_={name: statement.excluded[name] for name in ("locale", "timezone",
                                                               "fetched_at")})
        with self._write() as connection:
            for start in range(0, len(rows), _PROFILES_PER_STATEMENT):
                connection.execute(upsert, rows[start:start + _PROFILES_PER_STATEMENT])

    def published_home(self, workspace_id: str, user_id: str) -> str | None:
        with self._read() as connection:
            found = connection.execute(select(home_views.c.fingerprint).where(
                home_views.c.workspace_id == workspace_id,
                home_views.c.user_id == user_id)).scalar_one_or_none()
        return None if found is None else str(found)

    def remember_home(self, workspace_id: str, user_id: str, fingerprint: str) -> None:
        """One upsert: the last publish to a person wins."""
        require_slack_id(workspace_id, "workspace id")
        statement = insert(home_views).values(workspace_id=workspace_id, user_id=user_id,
                                              fingerprint=fingerprint)
        with self._write() as connection:
            connection.execute(statement.on_conflict_do_update(
                index_elements=[home_views.c.workspace_id, home_views.c.user_id],
                set_={"fingerprint": statement.excluded.fingerprint}))

    def claim(self, key: str, ttl_seconds: float) -> bool:
        """True for exactly one caller per key within ``ttl_seconds``."""
        with self._write() as connection:
            return take_claim(connection, key, ttl_seconds, self._now())


def take_claim(connection: Connection, key: str, ttl_seconds: float, now: datetime) -> bool:
    """Claim a request key in the caller's transaction: the insert wins, or the update of
    an expired claim does; a live claim is left alone (False). Of two transactions
    claiming one key, the second waits for the first and then finds its claim."""
    statement = insert(request_claims).values(
        digest=request_digest(key), expires_at=now + timedelta(seconds=ttl_seconds))
    won = connection.execute(statement.on_conflict_do_update(
        index_elements=[request_claims.c.digest],
        set_={"expires_at": statement.excluded.expires_at},
        where=request_claims.c.expires_at <= now,
    ).returning(request_claims.c.digest)).first()
    return won is not None
