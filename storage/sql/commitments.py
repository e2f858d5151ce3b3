"""What teams took on after their results: one row per commitment.

A team's numbers are handed out under a transaction-scoped advisory lock on the team, so
two leads saving at once get consecutive numbers (the unique index would refuse a clash);
the due-date DM is claimed with a conditional ``UPDATE`` (``reminded_at IS NULL``), so one
instance sends it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, text, update

from storage.errors import UnknownCommitmentError, UnknownRoundError
from storage.ids import require_slack_id
from storage.records import (
    ACTIVE_STATES,
    Commitment,
    CommitmentPlan,
    CommitmentState,
    changed_commitment,
)
from storage.sql.core import SQLCore, moment, utc
from storage.sql.schema import commitments, rounds

TEAM_LOCK = 0x77693304
"""The advisory lock class ("wi3" and 4) under which a team's next number is taken."""
_FIELDS = ("text", "owner", "due", "remind_at", "state", "updated_at", "reminded_at")


def _commitment(row: Row[Any]) -> Commitment:
    return Commitment(
        id=row.id, workspace_id=row.workspace_id, channel_id=row.channel_id,
        round_id=row.round_id, number=row.number, text=row.text, owner=row.owner,
        due=row.due, remind_at=moment(row.remind_at), state=row.state,
        planned_by=row.planned_by, planned_at=utc(row.planned_at),
        updated_at=utc(row.updated_at), reminded_at=utc(row.reminded_at),
    )


def _row(commitment: Commitment) -> dict[str, Any]:
    return {column.name: getattr(commitment, column.name) for column in commitments.c}


class CommitmentsPart(SQLCore):
    """Commitments, their owners and their due-date DMs."""

    def add_commitments(self, workspace_id: str, channel_id: str, round_id: str,
                        plans: Sequence[CommitmentPlan], *, planned_by: str,
                        at: datetime | None = None) -> list[Commitment]:
        """Store a lead's plans together, numbered after the team's earlier ones."""
        require_slack_id(workspace_id, "workspace id")
        require_slack_id(channel_id, "channel id")
        at_ = self._now(at)
        with self._write() as connection:
            team = connection.execute(select(rounds.c.workspace_id, rounds.c.channel_id)
                                      .where(rounds.c.id == round_id)).first()
            if team is None or tuple(team) != (workspace_id, channel_id):
                raise UnknownRoundError(round_id)
            first = self._next_number(connection, workspace_id, channel_id)
            added = [Commitment(
                id=_new_id(at_), workspace_id=workspace_id, channel_id=channel_id,
                round_id=round_id, number=first + n, text=plan.text, owner=plan.owner,
                due=plan.due, remind_at=plan.remind_at, planned_by=planned_by,
                planned_at=at_, updated_at=at_,
            ) for n, plan in enumerate(plans)]
            if added:
                connection.execute(insert(commitments), [_row(c) for c in added])
        return added

    @staticmethod
    def _next_number(connection: Connection, workspace_id: str, channel_id: str) -> int:
        connection.execute(text("SELECT pg_advisory_xact_lock(:kind, hashtext(:team))"),
                           {"kind": TEAM_LOCK, "team": f"{workspace_id}/{channel_id}"})
        highest = connection.execute(
            select(func.max(commitments.c.number))
            .where(commitments.c.workspace_id == workspace_id,
                   commitments.c.channel_id == channel_id)).scalar_one()
        return int(highest or 0) + 1

    def get_commitment(self, commitment_id: str) -> Commitment | None:
        with self._read() as connection:
            row = connection.execute(select(commitments)
                                     .where(commitments.c.id == commitment_id)).first()
        return _commitment(row) if row else None

    def commitments_of_team(self, workspace_id: str, channel_id: str) -> list[Commitment]:
        with self._read() as connection:
            rows = connection.execute(
                select(commitments).where(commitments.c.workspace_id == workspace_id,
                                          commitments.c.channel_id == channel_id)
                .order_by(commitments.c.number)).all()
        return [_commitment(row) for row in rows]

    def commitments_owned_by(self, workspace_id: str, user_id: str) -> list[Commitment]:
        with self._read() as connection:
            rows = connection.execute(
                select(commitments).where(commitments.c.workspace_id == workspace_id,
                                          commitments.c.owner == user_id)
                .order_by(commitments.c.channel_id, commitments.c.number)).all()
        return [_commitment(row) for row in rows]

    def due_commitments(self, now: datetime | None = None) -> list[Commitment]:
        at = self._now(now)
        with self._read() as connection:
            rows = connection.execute(
                select(commitments).where(commitments.c.reminded_at.is_(None),
                                          commitments.c.state.in_(ACTIVE_STATES),
                                          commitments.c.remind_at <= at)
                .order_by(commitments.c.remind_at, commitments.c.channel_id,
                          commitments.c.number)).all()
        return [_commitment(row) for row in rows]

    def mark_commitment_reminded(self, commitment_id: str, at: datetime | None = None) -> bool:
        at_ = self._now(at)
        with self._write() as connection:
            won = connection.execute(
                update(commitments).where(commitments.c.id == commitment_id,
                                          commitments.c.reminded_at.is_(None))
                .values(reminded_at=at_).returning(commitments.c.id)).first()
            if won is None:
                self._locked(connection, commitment_id)  # UnknownCommitmentError if none
        return won is not None

    def update_commitment(self, commitment_id: str, *, text: str | None = None,
                          owner: str | None = None, due: date | None = None,
                          remind_at: datetime | None = None,
                          state: CommitmentState | None = None,
                          at: datetime | None = None) -> Commitment:
        at_ = self._now(at)
        with self._write() as connection:
            current = self._locked(connection, commitment_id)
            changed = changed_commitment(current, text=text, owner=owner, due=due,
                                         remind_at=remind_at, state=state, at=at_)
            connection.execute(update(commitments).where(commitments.c.id == commitment_id)
                               .values({name: getattr(changed, name) for name in _FIELDS}))
        return changed

    @staticmethod
    def _locked(connection: Connection, commitment_id: str) -> Commitment:
        row = connection.execute(select(commitments).where(commitments.c.id == commitment_id)
                                 .with_for_update()).first()
        if row is None:
            raise UnknownCommitmentError(commitment_id)
        return _commitment(row)



def forget_owner(connection: Connection, workspace_id: str, user_id: str) -> None:
    """The user's name comes off the workspace's commitments (the team keeps them)."""
    for column in (commitments.c.owner, commitments.c.planned_by):
        connection.execute(update(commitments)
                           .where(commitments.c.workspace_id == workspace_id,
                                  column == user_id)
                           .values({column.name: None}))


def _new_id(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
