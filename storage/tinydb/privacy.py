"""Forget-me and retention: raw answers go, closed-round aggregates stay."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from storage.pseudonyms import forgotten_placeholder
from storage.records import Round
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
        for key in self._rounds.teams(workspace_id):
            self._replace_invitee(key, user_id)
        removed = 0
        for round_id in self._rounds.round_ids(workspace_id):
            removed += self._forget_in_round(round_id, respondent, user_id)
        self._drop_lead(workspace_id, user_id)
        self._forget_owner(workspace_id, user_id)
        if is_valid_id(workspace_id) and is_valid_id(user_id):
            users = self._part(users_spec(workspace_id, user_id))
            with users.lock:
                users.table("users").drop({user_id})
                users.table("homes").drop({user_id})
        self._forget_outbox(workspace_id, user_id)
        return removed

    def _replace_invitee(self, key: TeamKey, user_id: str) -> None:
        part = self._rounds_part(key)
        with part.lock:
            rounds = part.table("rounds")
            changed: dict[str, Round] = {}
            for round_id, doc in rounds.docs().items():
                if user_id not in doc["invited"]:
                    continue
                round_ = codec.round_from_doc(doc)
                stand_in = forgotten_placeholder(round_.invited)
                invited = tuple(stand_in if u == user_id else u for u in round_.invited)
                changed[round_id] = replace(round_, invited=invited)
            if changed:
                rounds.put_many({rid: codec.round_to_doc(r) for rid, r in changed.items()})
                for round_ in changed.values():
                    self._rounds.record(round_)

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

    def purge_answers_older_than(self, days: int, now: datetime | None = None) -> int:
        """Delete raw answers, checklists and progress older than ``days``; keeps snapshots
        and participation. Returns how many answers were removed.

        Which rounds were opened before the cutoff comes from the round directory, so only
        their own files are read (no ``rounds.json``)."""
        cutoff = self._now(now) - timedelta(days=days)
        removed = 0
        for _key, round_id in sorted(self._rounds.opened_before(cutoff)):
            removed += self._purge_round(round_id, cutoff)
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
        self._claims.purge(moment.timestamp())
        self._purge_outbox(moment)
        return removed
