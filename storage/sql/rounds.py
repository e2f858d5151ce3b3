"""Rounds from opening to results posted, fan-out progress, and closed-round snapshots.

Each rule is the condition of one statement: opening inserts unless the partial unique
index finds the team's open round; closing is ``UPDATE ... WHERE status = 'open'``; the
marks set a time only where it is still NULL; fan-out marks insert unless present. The
messages a change causes (``outbox``) are queued in the change's own transaction.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, select, update
from sqlalchemy.dialects.postgresql import insert

from storage.errors import RoundAlreadyOpenError, UnknownRoundError
from storage.ids import require_slack_id
from storage.protocols import OutboxOf
from storage.pseudonyms import is_forgotten
from storage.readonly import json_default
from storage.records import ResultSnapshot, Round, RoundKind
from storage.sql.core import SQLCore, moment, round_from_row
from storage.sql.outbox import queue_messages
from storage.sql.schema import fanout_sent, rounds, snapshots

_ORDER = (rounds.c.opened_at, rounds.c.workspace_id, rounds.c.channel_id, rounds.c.id)
_OPEN_ROUND_ATTEMPTS = 5
INVITATIONS = "invitations"
REMINDERS = "reminders"


def _open() -> Select[Any]:
    return select(rounds).where(rounds.c.status == "open").order_by(*_ORDER)


def _snapshot(row: Row[Any]) -> ResultSnapshot:
    return ResultSnapshot(
        round_id=row.round_id, workspace_id=row.workspace_id, channel_id=row.channel_id,
        kind=row.kind, subject=row.subject, closed_at=moment(row.closed_at),
        invited_count=row.invited_count, responses=row.responses, result=row.result,
        pulse_number=row.pulse_number,
    )


def _queue(connection: Connection, outbox: OutboxOf | None, round_: Round,
           now: datetime) -> None:
    """The messages a change to ``round_`` causes, in the change's transaction."""
    if outbox is not None:
        queue_messages(connection, outbox(round_), now)


def _new_round_id(opened_at: datetime) -> str:
    return f"{opened_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"


class RoundsPart(SQLCore):
    """Round lifecycle, fan-out progress and snapshots."""

    def open_round(
        self,
        workspace_id: str,
        channel_id: str,
        *,
        kind: RoundKind = "diagnostic",
        subject: str | None = None,
        invited: Iterable[str] = (),
        item_ids: Iterable[str] = (),
        closes_at: datetime | None = None,
        pulse_number: int | None = None,
        at: datetime | None = None,
        outbox: OutboxOf | None = None,
    ) -> Round:
        """Open a new round; RoundAlreadyOpenError if the team has one (the index says)."""
        require_slack_id(workspace_id, "workspace id")
        require_slack_id(channel_id, "channel id")
        opened_at = self._now(at)
        members, items = tuple(invited), tuple(item_ids)
        for _ in range(_OPEN_ROUND_ATTEMPTS):
            round_ = Round(id=_new_round_id(opened_at), workspace_id=workspace_id,
                           channel_id=channel_id, kind=kind, subject=subject, status="open",
                           opened_at=opened_at, closes_at=closes_at, invited=members,
                           item_ids=items, pulse_number=pulse_number)
            with self._write() as connection:
                if self._insert_round(connection, round_):
                    _queue(connection, outbox, round_, opened_at)
                    return round_
                current = connection.execute(
                    _open().where(rounds.c.workspace_id == workspace_id,
                                  rounds.c.channel_id == channel_id)).first()
            if current is not None:
                raise RoundAlreadyOpenError(round_from_row(current))
            # the id was taken (or the open round closed meanwhile): try again
        raise RuntimeError("could not find a free round id")

    @staticmethod
    def _insert_round(connection: Connection, round_: Round) -> bool:
        values = {name: getattr(round_, name) for name in (
            "id", "workspace_id", "channel_id", "kind", "subject", "status", "opened_at",
            "closes_at", "closed_at", "pulse_number", "results_posted_at", "reminder_sent_at")}
        inserted = connection.execute(
            insert(rounds).values(**values, invited=list(round_.invited),
                                  item_ids=list(round_.item_ids))
            .on_conflict_do_nothing().returning(rounds.c.id)).first()
        return inserted is not None

    def get_round(self, round_id: str) -> Round | None:
        with self._read() as connection:
            row = connection.execute(select(rounds).where(rounds.c.id == round_id)).first()
        return round_from_row(row) if row else None

    def open_round_for(self, workspace_id: str, channel_id: str) -> Round | None:
        query = _open().where(rounds.c.workspace_id == workspace_id,
                              rounds.c.channel_id == channel_id)
        with self._read() as connection:
            row = connection.execute(query).first()
        return round_from_row(row) if row else None

    def _rounds(self, query: Select[Any]) -> list[Round]:
        with self._read() as connection:
            return [round_from_row(row) for row in connection.execute(query)]

    def open_rounds(self) -> list[Round]:
        return self._rounds(_open())

    def due_rounds(self, now: datetime | None = None) -> list[Round]:
        return self._rounds(_open().where(rounds.c.closes_at <= self._now(now)))

    def rounds_for_user(self, workspace_id: str, user_id: str) -> list[Round]:
        return self._rounds(_open().where(rounds.c.workspace_id == workspace_id,
                                          rounds.c.invited.contains([user_id])))

    def teams_of_member(self, workspace_id: str, user_id: str) -> list[str]:
        query = (select(rounds.c.channel_id).distinct()
                 .where(rounds.c.workspace_id == workspace_id,
                        rounds.c.invited.contains([user_id]))
                 .order_by(rounds.c.channel_id))
        with self._read() as connection:
            return [str(row[0]) for row in connection.execute(query)]

    def rounds_awaiting_results(self) -> list[Round]:
        return self._rounds(select(rounds).where(
            rounds.c.status == "closed", rounds.c.results_posted_at.is_(None)).order_by(*_ORDER))

    def list_rounds(self, workspace_id: str, channel_id: str) -> list[Round]:
        return self._rounds(select(rounds).where(
            rounds.c.workspace_id == workspace_id, rounds.c.channel_id == channel_id,
        ).order_by(rounds.c.opened_at, rounds.c.id))

    def add_invited(self, round_id: str, user_ids: Iterable[str], *,
                    outbox: OutboxOf | None = None) -> Round:
        """Add members to an open round's invitation list (existing ones are kept once)."""
        new_ids = tuple(user_ids)
        with self._write() as connection:
            current = round_from_row(self._open_round_row(connection, round_id))
            invited = tuple(dict.fromkeys(current.invited + new_ids))
            if invited == current.invited:
                return current
            row = connection.execute(update(rounds).where(rounds.c.id == round_id)
                                     .values(invited=list(invited)).returning(rounds)).one()
            changed = round_from_row(row)
            _queue(connection, outbox, changed, self._now())
        return changed

    def _mark(self, round_id: str, condition: Any, values: dict[str, Any],
              outbox: OutboxOf | None = None) -> bool:
        """Set ``values`` on a round where ``condition`` holds, queueing ``outbox`` with
        them; True if this call did."""
        with self._write() as connection:
            changed = connection.execute(
                update(rounds).where(rounds.c.id == round_id, condition).values(**values)
                .returning(rounds)).first()
            if changed is None:
                self._round_row(connection, round_id)  # UnknownRoundError if there is none
                return False
            _queue(connection, outbox, round_from_row(changed), self._now())
        return True

    def close_round(self, round_id: str, at: datetime | None = None, *,
                    outbox: OutboxOf | None = None) -> bool:
        """Close a round; True only for the call that closed it (safe to repeat)."""
        return self._mark(round_id, rounds.c.status == "open",
                          {"status": "closed", "closed_at": self._now(at)}, outbox)

    def mark_results_posted(self, round_id: str, at: datetime | None = None) -> bool:
        return self._mark(round_id, rounds.c.results_posted_at.is_(None),
                          {"results_posted_at": self._now(at)})

    def mark_reminder_sent(self, round_id: str, at: datetime | None = None, *,
                           outbox: OutboxOf | None = None) -> bool:
        return self._mark(round_id, rounds.c.reminder_sent_at.is_(None),
                          {"reminder_sent_at": self._now(at)}, outbox)

    # -- fan-out progress ---------------------------------------------------------------------

    def mark_invitation_sent(self, round_id: str, user_id: str,
                             at: datetime | None = None) -> bool:
        return self._mark_sent(INVITATIONS, round_id, user_id, at)

    def invitations_sent(self, round_id: str) -> frozenset[str]:
        return self._sent(INVITATIONS, round_id)

    def mark_reminder_sent_to(self, round_id: str, user_id: str,
                              at: datetime | None = None) -> bool:
        return self._mark_sent(REMINDERS, round_id, user_id, at)

    def reminders_sent(self, round_id: str) -> frozenset[str]:
        return self._sent(REMINDERS, round_id)

    def _mark_sent(self, fanout: str, round_id: str, user_id: str,
                   at: datetime | None) -> bool:
        moment_ = self._now(at)
        with self._write() as connection:
            self._open_round_row(connection, round_id)
            inserted = connection.execute(
                insert(fanout_sent).values(round_id=round_id, fanout=fanout, user_id=user_id,
                                           sent_at=moment_)
                .on_conflict_do_nothing().returning(fanout_sent.c.user_id)).first()
        return inserted is not None

    def _sent(self, fanout: str, round_id: str) -> frozenset[str]:
        """Members the DMs reached, and the forgotten (there is nobody left to send to)."""
        with self._read() as connection:
            invited = connection.execute(select(rounds.c.invited)
                                         .where(rounds.c.id == round_id)).scalar_one_or_none()
            if invited is None:
                raise UnknownRoundError(round_id)
            sent = connection.execute(select(fanout_sent.c.user_id).where(
                fanout_sent.c.round_id == round_id, fanout_sent.c.fanout == fanout)).scalars()
            return frozenset(sent) | {user for user in invited if is_forgotten(user)}

    # -- snapshots ----------------------------------------------------------------------------

    def save_snapshot(self, snapshot: ResultSnapshot) -> None:
        """Keep a round's aggregates (replacing an earlier snapshot of it)."""
        try:  # a deep, JSON-safe copy: later changes to the caller's dict do not leak in
            result = json.loads(json.dumps(snapshot.result, default=json_default))
        except (TypeError, ValueError) as err:
            raise ValueError(f"snapshot result must be JSON-safe: {err}") from err
        values = {"round_id": snapshot.round_id, "workspace_id": snapshot.workspace_id,
                  "channel_id": snapshot.channel_id, "kind": snapshot.kind,
                  "subject": snapshot.subject, "closed_at": snapshot.closed_at,
                  "invited_count": snapshot.invited_count, "responses": snapshot.responses,
                  "result": result, "pulse_number": snapshot.pulse_number}
        statement = insert(snapshots).values(values)
        with self._write() as connection:
            row = self._round_row(connection, snapshot.round_id)
            if (row.workspace_id, row.channel_id) != (snapshot.workspace_id, snapshot.channel_id):
                raise ValueError(f"round {snapshot.round_id} is not a round of "
                                 f"{snapshot.workspace_id}/{snapshot.channel_id}")
            connection.execute(statement.on_conflict_do_update(
                index_elements=[snapshots.c.round_id],
                set_={name: statement.excluded[name] for name in values if name != "round_id"}))

    def get_snapshot(self, round_id: str) -> ResultSnapshot | None:
        with self._read() as connection:
            row = connection.execute(select(snapshots)
                                     .where(snapshots.c.round_id == round_id)).first()
        return _snapshot(row) if row else None

    def list_snapshots(self, workspace_id: str, channel_id: str) -> list[ResultSnapshot]:
        query = (select(snapshots)
                 .where(and_(snapshots.c.workspace_id == workspace_id,
                             snapshots.c.channel_id == channel_id))
                 .order_by(snapshots.c.closed_at, snapshots.c.round_id))
        with self._read() as connection:
            return [_snapshot(row) for row in connection.execute(query)]
