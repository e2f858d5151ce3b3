"""What teams took on after their results, one ``commitments.json`` per team.

A commitment is found by its id, by its owner and by its due-date DM from an in-memory
index (id -> team, owner, when its DM is armed) rebuilt at startup from the files, like
the round directory: every query reads only the files it needs, and every change is one
write to one team's file, after which the index follows.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from storage.errors import UnknownCommitmentError, UnknownRoundError
from storage.records import (
    Commitment,
    CommitmentPlan,
    CommitmentState,
    changed_commitment,
)
from storage.tinydb import codec
from storage.tinydb.core import StoreCore, Survey, TeamKey
from storage.tinydb.jsonfile import Partition
from storage.tinydb.layout import FileSpec, commitments_spec, is_valid_id, require_id

TABLE = "commitments"


@dataclass(frozen=True)
class _Known:
    """What the index keeps of a commitment: enough to find it without reading files."""

    team: TeamKey
    owner: str | None
    armed_at: datetime | None
    """When its due-date DM is due; None once claimed or no longer under way."""


def _known(commitment: Commitment) -> _Known:
    armed = commitment.remind_at if commitment.is_active and commitment.reminded_at is None \
        else None
    return _Known((commitment.workspace_id, commitment.channel_id), commitment.owner, armed)


class CommitmentsMixin(StoreCore):
    """Commitments, their owners and their due-date DMs.

    An in-memory index (id -> team, owner, when the DM is due) answers "whose, where, due
    when" without reading every team's file; it is built on first use (the scheduler's
    first tick, say), not at start, from the teams' ``commitments.json`` files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._commitments_lock = threading.Lock()
        self._commitment_index: dict[str, _Known] | None = None
        self._commitments_files: list[FileSpec] = []
        """The teams' files as the start-up walk found them (those made since are indexed
        as they are made)."""

    def _known_commitments(self) -> dict[str, _Known]:
        """The index, read from the files the first time (call under the index's lock)."""
        if self._commitment_index is None:
            index: dict[str, _Known] = {}
            for spec in self._commitments_files:
                for commitment in self._read_commitments(self._part(spec)):
                    index[commitment.id] = _known(commitment)
            self._commitment_index = index
        return self._commitment_index

    def _found(self, found: Survey) -> None:
        super()._found(found)
        self._commitments_files = found.of_kind("commitments")

    def _reload(self) -> None:
        super()._reload()
        with self._commitments_lock:
            self._commitment_index = None

    def add_commitments(self, workspace_id: str, channel_id: str, round_id: str,
                        plans: Sequence[CommitmentPlan], *, planned_by: str,
                        at: datetime | None = None) -> list[Commitment]:
        """Store a lead's plans together, numbered after the team's earlier ones."""
        key = (require_id(workspace_id, "workspace id"), require_id(channel_id, "channel id"))
        if self._team_of(round_id) != key:
            raise UnknownRoundError(round_id)
        moment = self._now(at)
        part = self._part(commitments_spec(*key))
        with part.lock:
            existing = self._read_commitments(part)
            first = max((c.number for c in existing), default=0) + 1
            added = [Commitment(
                id=self._new_commitment_id(moment), workspace_id=workspace_id,
                channel_id=channel_id, round_id=round_id, number=first + n, text=plan.text,
                owner=plan.owner, due=plan.due, remind_at=plan.remind_at,
                planned_by=planned_by, planned_at=moment, updated_at=moment,
            ) for n, plan in enumerate(plans)]
            if added:
                part.table(TABLE).put_many({c.id: codec.commitment_to_doc(c) for c in added})
            with self._commitments_lock:
                self._known_commitments().update({c.id: _known(c) for c in added})
        return added

    def _new_commitment_id(self, moment: datetime) -> str:
        stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        while True:
            commitment_id = f"{stamp}-{secrets.token_hex(4)}"
            with self._commitments_lock:
                if commitment_id not in self._known_commitments():
                    return commitment_id

    def get_commitment(self, commitment_id: str) -> Commitment | None:
        with self._commitments_lock:
            known = self._known_commitments().get(commitment_id)
        return self._load_commitment(known.team, commitment_id) if known else None

    def commitments_of_team(self, workspace_id: str, channel_id: str) -> list[Commitment]:
        if not (is_valid_id(workspace_id) and is_valid_id(channel_id)):
            return []
        return self._read_commitments(self._part(commitments_spec(workspace_id, channel_id)))

    def commitments_owned_by(self, workspace_id: str, user_id: str) -> list[Commitment]:
        found = self._indexed(lambda k: k.team[0] == workspace_id and k.owner == user_id)
        return sorted((c for c in found if c.owner == user_id),
                      key=lambda c: (c.channel_id, c.number))

    def due_commitments(self, now: datetime | None = None) -> list[Commitment]:
        moment = self._now(now)
        found = self._indexed(lambda k: k.armed_at is not None and k.armed_at <= moment)
        due = [c for c in found if c.is_active and c.reminded_at is None
               and c.remind_at <= moment]
        return sorted(due, key=lambda c: (c.remind_at, c.channel_id, c.number))

    def mark_commitment_reminded(self, commitment_id: str, at: datetime | None = None) -> bool:
        moment = self._now(at)
        changed = self._change_commitment(
            commitment_id,
            lambda c: replace(c, reminded_at=moment) if c.reminded_at is None else None)
        return changed is not None

    def update_commitment(self, commitment_id: str, *, text: str | None = None,
                          owner: str | None = None, due: date | None = None,
                          remind_at: datetime | None = None,
                          state: CommitmentState | None = None,
                          at: datetime | None = None) -> Commitment:
        moment = self._now(at)
        changed = self._change_commitment(commitment_id, lambda current: changed_commitment(
            current, text=text, owner=owner, due=due, remind_at=remind_at, state=state,
            at=moment))
        if changed is None:  # the same values at the same moment
            changed = self.get_commitment(commitment_id)
            assert changed is not None
        return changed

    def _forget_owner(self, workspace_id: str, user_id: str) -> None:
        """The user's name comes off the workspace's commitments (the team keeps them)."""
        with self._commitments_lock:
            teams = sorted({known.team for known in self._known_commitments().values()
                            if known.team[0] == workspace_id})
        for team in teams:
            part = self._part(commitments_spec(*team))
            with part.lock:
                changed = [replace(c, owner=None if c.owner == user_id else c.owner,
                                   planned_by=None if c.planned_by == user_id else c.planned_by)
                           for c in self._read_commitments(part)
                           if user_id in (c.owner, c.planned_by)]
                if changed:
                    part.table(TABLE).put_many({c.id: codec.commitment_to_doc(c)
                                                for c in changed})
                with self._commitments_lock:
                    self._known_commitments().update({c.id: _known(c) for c in changed})

    # -- plumbing -----------------------------------------------------------------------------

    @staticmethod
    def _read_commitments(part: Partition) -> list[Commitment]:
        with part.lock:
            docs = part.table(TABLE).docs()
        return sorted((codec.commitment_from_doc(d) for d in docs.values()),
                      key=lambda c: c.number)

    def _load_commitment(self, team: TeamKey, commitment_id: str) -> Commitment | None:
        part = self._part(commitments_spec(*team))
        with part.lock:
            doc = part.table(TABLE).doc(commitment_id)
        return codec.commitment_from_doc(doc) if doc else None

    def _indexed(self, wanted: Callable[[_Known], bool]) -> list[Commitment]:
        with self._commitments_lock:
            chosen = [(known.team, cid) for cid, known in self._known_commitments().items()
                      if wanted(known)]
        loaded = (self._load_commitment(team, cid) for team, cid in chosen)
        return [c for c in loaded if c is not None]

    def _change_commitment(
        self, commitment_id: str, change: Callable[[Commitment], Commitment | None]
    ) -> Commitment | None:
        """Apply ``change`` under the team file's lock; None if it changed nothing."""
        with self._commitments_lock:
            known = self._known_commitments().get(commitment_id)
        if known is None:
            raise UnknownCommitmentError(commitment_id)
        part = self._part(commitments_spec(*known.team))
        with part.lock:
            current = self._load_commitment(known.team, commitment_id)
            if current is None:
                raise UnknownCommitmentError(commitment_id)
            changed = change(current)
            if changed is None or changed == current:
                return None
            part.table(TABLE).put(commitment_id, codec.commitment_to_doc(changed))
            with self._commitments_lock:
                self._known_commitments()[commitment_id] = _known(changed)
        return changed

