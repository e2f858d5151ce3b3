"""Forget-me and retention: raw answers go, closed-round aggregates stay."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from storage.pseudonyms import forgotten_placeholder
from storage.tinydb import codec
from storage.tinydb.core import TeamKey
from storage.tinydb.layout import is_valid_id, users_spec
from storage.tinydb.outbox import OutboxMixin

_RESPONDENT_TABLES = ("progress", "participation", "checklists")
_FAN_OUT_TABLES = ("invitations", "reminders")


class PrivacyMixin(OutboxMixin):
    """Forget-me and the retention purge."""

    def forget_user(self, workspace_id: str, user_id: str) -> int:
        """Remove every trace of a user from the workspace's files; snapshots stay.

        The invitation lists go first (one write per team), so a crash part-way leaves a
        ``forgotten:N`` stand-in that already counts as invited and reached; running
        forget again finishes the rest. Returns how many answers were removed.
        """
        respondent = self._respondent(workspace_id, user_id)
        teams = self._teams_of_workspace(workspace_id)
        for key in teams:
            self._replace_invitee(key, user_id)
        removed = 0
        for round_id in self._round_ids(lambda key: key[0] == workspace_id):
            removed += self._forget_in_round(round_id, respondent, user_id)
        self._drop_lead(workspace_id, user_id)
        self._forget_owner(workspace_id, user_id)
        if is_valid_id(workspace_id):
            users = self._part(users_spec(workspace_id))
            with users.lock:
                users.table("users").drop({user_id})
        self._forget_outbox(workspace_id, user_id)
        return removed

    def _teams_of_workspace(self, workspace_id: str) -> list[TeamKey]:
        with self._dir_lock:
            return sorted({key for key in self._round_team.values() if key[0] == workspace_id})

    def _replace_invitee(self, key: TeamKey, user_id: str) -> None:
        part = self._rounds_part(key)
        with part.lock:
            rounds = part.table("rounds")
            changed = {}
            for round_id, doc in rounds.docs().items():
                round_ = codec.round_from_doc(doc)
                if user_id in round_.invited:
                    stand_in = forgotten_placeholder(round_.invited)
                    invited = tuple(stand_in if u == user_id else u for u in round_.invited)
                    changed[round_id] = codec.round_to_doc(replace(round_, invited=invited))
            if changed:
                rounds.put_many(changed)

    def _forget_in_round(self, round_id: str, respondent: str, user_id: str) -> int:
        part, _ = self._round_part(round_id)
        with part.batch():
            if not part.exists():
                return 0
            removed = part.table("answers").drop_where(
                lambda _k, doc: doc["respondent"] == respondent)
            for table in _RESPONDENT_TABLES:
                part.table(table).drop({respondent})
            for table in _FAN_OUT_TABLES:
                part.table(table).drop({user_id})
        return removed

    def _drop_lead(self, workspace_id: str, user_id: str) -> None:
        index = self._index()
        with index.lock:
            teams = index.table("teams")
            changed = {}
            for doc_key, doc in teams.docs().items():
                team = codec.team_from_doc(doc)
                if team.workspace_id == workspace_id and user_id in team.leads:
                    leads = tuple(lead for lead in team.leads if lead != user_id)
                    changed[doc_key] = codec.team_to_doc(replace(team, leads=leads))
            if changed:
                teams.put_many(changed)

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
        """Apply the retention setting, drop expired request keys and long-finished outbox
        messages; at start and daily. Returns how many answers were removed."""
        moment = self._now(now)
        removed = self.purge_answers_older_than(self.retention_days, moment)
        self._purge_claims(moment)
        self._purge_outbox(moment)
        return removed
