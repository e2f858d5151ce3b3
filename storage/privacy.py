"""Forget-me and retention: raw answers go, closed-round aggregates stay."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from storage import codec
from storage.core import StoreCore, TeamKey
from storage.layout import is_valid_id, users_spec


class PrivacyMixin(StoreCore):
    """Forget-me and the retention purge."""

    def forget_user(self, workspace_id: str, user_id: str) -> int:
        """Remove a user's answers, checklist, progress and participation from every round
        of the workspace, open or closed, and their cached profile. Snapshots stay.

        Returns how many answers were removed.
        """
        respondent = self._respondent(workspace_id, user_id)
        removed = 0
        for round_id in self._round_ids(lambda key: key[0] == workspace_id):
            part, _ = self._round_part(round_id)
            with part.batch():
                if not part.exists():
                    continue
                removed += part.table("answers").drop_where(
                    lambda _k, doc: doc["respondent"] == respondent)
                for table in ("progress", "participation", "checklists"):
                    part.table(table).drop({respondent})
        if is_valid_id(workspace_id):
            users = self._part(users_spec(workspace_id))
            with users.lock:
                users.table("users").drop({user_id})
        return removed

    def _round_ids(self, team_filter: Callable[[TeamKey], bool]) -> list[str]:
        with self._dir_lock:
            return [rid for rid, key in self._round_team.items() if team_filter(key)]

    def purge_answers_older_than(self, days: int, now: datetime | None = None) -> int:
        """Delete raw answers, checklists and progress older than ``days``; keeps snapshots
        and participation. Returns how many answers were removed."""
        cutoff = self._now(now) - timedelta(days=days)
        removed = 0
        with self._dir_lock:
            teams = set(self._round_team.values())
        for key in sorted(teams):
            for round_ in self._rounds_of_team(key):
                if round_.opened_at < cutoff:
                    removed += self._purge_round(round_.id, cutoff)
        return removed

    def _purge_round(self, round_id: str, cutoff: datetime) -> int:
        def is_old(field: str) -> Callable[[str, Mapping[str, Any]], bool]:
            def old(_key: str, doc: Mapping[str, Any]) -> bool:
                when = codec.time_from_text(doc.get(field))
                return when is None or when < cutoff
            return old

        part, _ = self._round_part(round_id)
        with part.batch():
            if not part.exists():
                return 0
            removed = part.table("answers").drop_where(is_old("at"))
            part.table("checklists").drop_where(is_old("at"))
            part.table("progress").drop_where(is_old("updated_at"))
        return removed

    def purge_expired(self, now: datetime | None = None) -> int:
        """Apply the retention setting (WI3_RETENTION_DAYS); run at startup and daily."""
        return self.purge_answers_older_than(self.retention_days, now)
