"""The outbox, scheduler leases and shared rate budgets: how instances work together.

A message is queued in the transaction of the change that causes it (``queue_messages``,
used by the round lifecycle), claimed by one dispatcher at a time with ``FOR UPDATE SKIP
LOCKED`` (so instances never wait for each other's claims), and recorded as sent together
with what its receipt means (an invitation recorded, results marked posted) and the
messages it causes next. A claim is a lease: when its holder dies, the claim expires and
the next dispatcher takes the message over, marked in doubt.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Row, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from storage.records import (
    INVITATION,
    OUTBOX_KEEP_DAYS,
    REMINDER,
    RESULTS,
    Claim,
    OutboxBacklog,
    OutboxState,
    Outgoing,
    Pace,
)
from storage.sql.core import SQLCore, moment
from storage.sql.schema import fanout_sent, leases, outbox, rate_budgets, rounds

T = TypeVar("T")
_WAITING = ("pending", "sending")
_FINISHED = ("sent", "failed")
_FAN_OUT_OF_KIND = {INVITATION: "invitations", REMINDER: "reminders"}
"""A receipt of these kinds also records the DM in the round's fan-out progress."""


def queue_messages(connection: Connection, messages: Iterable[Outgoing], now: datetime) -> int:
    """Insert messages not queued yet (by key), in this transaction; how many were new."""
    rows = [{
        "key": each.key, "workspace_id": each.workspace_id, "kind": each.kind,
        "round_id": each.round_id, "user_id": each.user_id, "channel_id": each.channel_id,
        "message": dict(each.message) if each.message is not None else None,
        "state": "pending", "ready_at": each.due_at or now, "attempts": 0,
        "in_doubt": False, "queued_at": now,
    } for each in messages]
    if not rows:
        return 0
    inserted = connection.execute(
        insert(outbox).on_conflict_do_nothing().returning(outbox.c.key), rows).all()
    return len(inserted)


def _outgoing(row: Row[Any]) -> Outgoing:
    return Outgoing(key=row.key, kind=row.kind, workspace_id=row.workspace_id,
                    round_id=row.round_id, user_id=row.user_id, channel_id=row.channel_id,
                    message=row.message)


class OutboxPart(SQLCore):
    """The outbox, leases and rate budgets."""

    def enqueue(self, messages: Iterable[Outgoing], at: datetime | None = None) -> int:
        now = self._now(at)
        with self._write() as connection:
            return queue_messages(connection, messages, now)

    def claim_next(self, owner: str, lease_seconds: float,
                   now: datetime | None = None) -> Claim | None:
        """Lock the longest-waiting due row no other transaction holds, and claim it."""
        moment_ = self._now(now)
        until = moment_ + timedelta(seconds=lease_seconds)
        token = f"{owner}:{secrets.token_hex(6)}"
        with self._write() as connection:
            row = connection.execute(
                select(outbox.c.key, outbox.c.state, outbox.c.ready_at).where(
                    outbox.c.state.in_(_WAITING), outbox.c.ready_at <= moment_)
                .order_by(outbox.c.ready_at, outbox.c.seq).limit(1)
                .with_for_update(skip_locked=True)).first()
            if row is None:
                return None
            taken_over = row.state == "sending"  # its holder's claim expired
            claimed = connection.execute(
                update(outbox).where(outbox.c.key == row.key).values(
                    state="sending", claim=token, ready_at=until,
                    attempts=outbox.c.attempts + 1,
                    in_doubt=outbox.c.in_doubt | taken_over,
                    first_claimed_at=func.coalesce(outbox.c.first_claimed_at, moment_))
                .returning(outbox)).one()
        return Claim(outgoing=_outgoing(claimed), token=token, attempts=claimed.attempts - 1,
                     in_doubt=claimed.in_doubt, first_claimed_at=moment(claimed.first_claimed_at),
                     claimed_until=until, came_due_at=moment(row.ready_at))

    def record_sent(self, claim: Claim, receipt: str | None, at: datetime | None = None, *,
                    then: Iterable[Outgoing] = ()) -> bool:
        moment_ = self._now(at)
        sent = claim.outgoing
        with self._write() as connection:
            state = connection.execute(select(outbox.c.state).where(outbox.c.key == sent.key)
                                       .with_for_update()).scalar_one_or_none()
            if state == "sent":
                return False
            if state is not None:
                connection.execute(update(outbox).where(outbox.c.key == sent.key).values(
                    state="sent", finished_at=moment_, receipt=receipt, message=None,
                    claim=None, ready_at=None, in_doubt=False, problem=None))
            self._receipt_means(connection, sent, moment_)
            queue_messages(connection, then, moment_)
        return True

    @staticmethod
    def _receipt_means(connection: Connection, sent: Outgoing, at: datetime) -> None:
        """What a receipt of this kind records besides itself."""
        if sent.round_id is None:
            return
        fanout = _FAN_OUT_OF_KIND.get(sent.kind)
        if fanout is not None and sent.user_id is not None:
            connection.execute(insert(fanout_sent).values(
                round_id=sent.round_id, fanout=fanout, user_id=sent.user_id, sent_at=at,
            ).on_conflict_do_nothing())
        elif sent.kind == RESULTS:
            connection.execute(update(rounds).where(
                rounds.c.id == sent.round_id, rounds.c.results_posted_at.is_(None),
            ).values(results_posted_at=at))

    def record_not_sent(self, claim: Claim, *, retry_at: datetime | None, in_doubt: bool,
                        problem: str | None = None, counts: bool = True) -> bool:
        now = self._now()
        values: dict[str, Any] = {"claim": None, "in_doubt": in_doubt, "problem": problem}
        if retry_at is None:
            values.update(state="failed", ready_at=None, finished_at=now)
        else:
            values.update(state="pending", ready_at=retry_at)
        if not counts:
            values["attempts"] = outbox.c.attempts - 1
        with self._write() as connection:
            return self._still_held(connection, claim, update(outbox).values(**values))

    def record_void(self, claim: Claim) -> bool:
        with self._write() as connection:
            return self._still_held(connection, claim, delete(outbox))

    @staticmethod
    def _still_held(connection: Connection, claim: Claim, statement: Any) -> bool:
        """Run an update or delete of the claimed row, if the claim is still this one."""
        done = connection.execute(statement.where(
            outbox.c.key == claim.outgoing.key, outbox.c.state == "sending",
            outbox.c.claim == claim.token).returning(outbox.c.key)).first()
        return done is not None

    def outbox_state(self, key: str) -> OutboxState | None:
        with self._read() as connection:
            state = connection.execute(select(outbox.c.state)
                                       .where(outbox.c.key == key)).scalar_one_or_none()
        return cast(OutboxState | None, state)

    def outbox_counts(self) -> dict[str, int]:
        with self._read() as connection:
            rows = connection.execute(select(outbox.c.state, func.count())
                                      .group_by(outbox.c.state)).all()
        return {str(state): int(count) for state, count in rows}

    def outbox_backlog(self, now: datetime | None = None) -> tuple[OutboxBacklog, ...]:
        """One grouped read of the waiting rows (the same index as claiming: state and
        ready_at). A message never tried is due from its ready_at; one tried before
        has been due since it was queued."""
        moment_ = self._now(now)
        untried = and_(outbox.c.state == "pending", outbox.c.attempts == 0)
        due_since = case((untried, func.greatest(outbox.c.queued_at, outbox.c.ready_at)),
                         else_=outbox.c.queued_at)
        is_due = or_(~untried, outbox.c.ready_at <= moment_)
        with self._read() as connection:
            rows = connection.execute(
                select(outbox.c.kind,
                       func.count().filter(is_due).label("due"),
                       func.count().filter(~is_due).label("scheduled"),
                       func.min(due_since).filter(is_due).label("oldest"))
                .where(outbox.c.state.in_(_WAITING)).group_by(outbox.c.kind)).all()
        return tuple(OutboxBacklog(kind=str(row.kind), due=int(row.due),
                                   scheduled=int(row.scheduled),
                                   oldest_due_since=moment(row.oldest) if row.oldest else None)
                     for row in sorted(rows, key=lambda row: str(row.kind)))

    def _forget_outbox(self, connection: Connection, workspace_id: str, user_id: str) -> None:
        """A forgotten user's DMs, queued or sent, go with them."""
        connection.execute(delete(outbox).where(outbox.c.workspace_id == workspace_id,
                                                outbox.c.user_id == user_id))

    def _purge_outbox(self, connection: Connection, now: datetime) -> None:
        """Finished messages are kept a while (queueing one again does nothing), then go."""
        connection.execute(delete(outbox).where(
            outbox.c.state.in_(_FINISHED),
            outbox.c.finished_at < now - timedelta(days=OUTBOX_KEEP_DAYS)))

    # -- leases -------------------------------------------------------------------------------

    def hold_lease(self, name: str, owner: str, seconds: float,
                   now: datetime | None = None) -> bool:
        """The insert takes a free lease; the update renews ours or takes an expired one."""
        moment_ = self._now(now)
        statement = insert(leases).values(name=name, owner=owner,
                                          expires_at=moment_ + timedelta(seconds=seconds))
        with self._write() as connection:
            held = connection.execute(statement.on_conflict_do_update(
                index_elements=[leases.c.name],
                set_={"owner": statement.excluded.owner,
                      "expires_at": statement.excluded.expires_at},
                where=(leases.c.owner == owner) | (leases.c.expires_at <= moment_),
            ).returning(leases.c.name)).first()
        return held is not None

    def release_lease(self, name: str, owner: str) -> None:
        with self._write() as connection:
            connection.execute(delete(leases).where(leases.c.name == name,
                                                    leases.c.owner == owner))

    # -- rate budgets -------------------------------------------------------------------------

    def change_pace(self, workspace_id: str,
                    change: Callable[[Pace | None], tuple[Pace, T]]) -> T:
        """Under the budget row's lock; the first change of a workspace inserts it (and
        of two first changes at once, the second runs again over the first's row)."""
        while True:
            with self._write() as connection:
                row = connection.execute(select(rate_budgets).where(
                    rate_budgets.c.workspace_id == workspace_id).with_for_update()).first()
                current = None if row is None else Pace(
                    next_free=row.next_free, paused_until=row.paused_until, rate=row.rate,
                    recovered_at=row.recovered_at, pauses=row.pauses)
                pace, result = change(current)
                values = {"next_free": pace.next_free, "paused_until": pace.paused_until,
                          "rate": pace.rate, "recovered_at": pace.recovered_at,
                          "pauses": pace.pauses}
                if row is not None:
                    if pace != current:  # a change, not only a look
                        connection.execute(update(rate_budgets).where(
                            rate_budgets.c.workspace_id == workspace_id).values(**values))
                    return result
                inserted = connection.execute(
                    insert(rate_budgets).values(workspace_id=workspace_id, **values)
                    .on_conflict_do_nothing().returning(rate_budgets.c.workspace_id)).first()
                if inserted is not None:
                    return result
