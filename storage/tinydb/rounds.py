"""Round lifecycle and history: open, invite, close, mark; plus closed-round snapshots.

A team's rounds live in its ``rounds.json``; every change is one write to that file, under
its lock, and the in-memory round directory is updated after the write succeeded. The
messages a change causes (``outbox``) are queued just before the change is written (see
``storage.tinydb.outbox``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from storage.errors import RoundAlreadyOpenError, RoundClosedError
from storage.protocols import OutboxOf
from storage.pseudonyms import is_forgotten
from storage.records import ResultSnapshot, Round, RoundKind
from storage.tinydb import codec
from storage.tinydb.layout import is_valid_id, require_id, snapshots_spec
from storage.tinydb.outbox import OutboxMixin


def _round_order(round_: Round) -> tuple[datetime, str, str, str]:
    """Oldest first; rounds opened at the same moment in channel order."""
    return (round_.opened_at, round_.workspace_id, round_.channel_id, round_.id)


class RoundsMixin(OutboxMixin):
    """Round lifecycle (open, invite, close, marks), fan-out progress and snapshots."""

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
        """Open a new round for a team; RoundAlreadyOpenError if one is open already."""
        key = (require_id(workspace_id, "workspace id"), require_id(channel_id, "channel id"))
        opened_at = self._now(at)
        part = self._rounds_part(key)
        with part.lock:
            current = self._rounds.open_round(key)
            if current is not None:
                raise RoundAlreadyOpenError(current)
            round_ = Round(
                id=self._new_round_id(opened_at), workspace_id=workspace_id,
                channel_id=channel_id, kind=kind, subject=subject, status="open",
                opened_at=opened_at, closes_at=closes_at, invited=tuple(invited),
                item_ids=tuple(item_ids), pulse_number=pulse_number,
            )
            with self._outbox_lock:
                self._queue_for(outbox, round_, opened_at)
                part.table("rounds").put(round_.id, codec.round_to_doc(round_))
            self._rounds.record(round_)
        return round_

    def _queue_for(self, outbox: OutboxOf | None, round_: Round, now: datetime) -> None:
        if outbox is not None:
            self._queue(outbox(round_), now)

    def _new_round_id(self, opened_at: datetime) -> str:
        stamp = opened_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        while True:
            round_id = f"{stamp}-{secrets.token_hex(4)}"
            if not self._rounds.knows(round_id):
                return round_id

    def get_round(self, round_id: str) -> Round | None:
        key = self._rounds.team_of(round_id)
        return self._load_round(key, round_id) if key else None

    def open_round_for(self, workspace_id: str, channel_id: str) -> Round | None:
        return self._rounds.open_round((workspace_id, channel_id))

    def open_rounds(self) -> list[Round]:
        return sorted(self._rounds.open_rounds(), key=_round_order)

    def due_rounds(self, now: datetime | None = None) -> list[Round]:
        """Open rounds whose closing time has come."""
        moment = self._now(now)
        return [r for r in self.open_rounds() if r.closes_at is not None and r.closes_at <= moment]

    def rounds_for_user(self, workspace_id: str, user_id: str) -> list[Round]:
        """Open rounds in a workspace to which the user is invited (the directory's index
        by person: no file is read)."""
        return sorted(self._rounds.open_rounds_of(workspace_id, user_id), key=_round_order)

    def teams_of_member(self, workspace_id: str, user_id: str) -> list[str]:
        """The directory's hint by person, each checked against the team's rounds (so a
        person forgotten since is nobody's member any more)."""
        return [channel for channel in self._rounds.asked_in(workspace_id, user_id)
                if any(user_id in r.invited
                       for r in self._rounds_of_team((workspace_id, channel)))]

    def rounds_awaiting_results(self) -> list[Round]:
        """Closed rounds whose results were not posted yet (say, after a crash)."""
        return sorted((self._load_round(key, rid) for key, rid in self._rounds.unposted()),
                      key=_round_order)

    def list_rounds(self, workspace_id: str, channel_id: str) -> list[Round]:
        """Every round of a team, oldest first."""
        if not (is_valid_id(workspace_id) and is_valid_id(channel_id)):
            return []
        return self._rounds_of_team((workspace_id, channel_id))

    def _change_round(self, round_id: str, change: Callable[[Round], Round | None],
                      outbox: OutboxOf | None = None) -> Round | None:
        """Apply ``change`` to a round under its team's lock, queueing ``outbox`` first;
        None if it changed nothing."""
        key = self._team_of(round_id)
        part = self._rounds_part(key)
        with part.lock:
            current = self._load_round(key, round_id)
            changed = change(current)
            if changed is None or changed == current:
                return None
            with self._outbox_lock:
                self._queue_for(outbox, changed, self._now())
                part.table("rounds").put(round_id, codec.round_to_doc(changed))
            self._rounds.record(changed)
        return changed

    def add_invited(self, round_id: str, user_ids: Iterable[str], *,
                    outbox: OutboxOf | None = None) -> Round:
        """Add members to an open round's invitation list (existing ones are kept once)."""
        new_ids = tuple(user_ids)

        def invite(round_: Round) -> Round:
            if not round_.is_open:
                raise RoundClosedError(round_)
            return replace(round_, invited=round_.invited + new_ids)

        changed = self._change_round(round_id, invite, outbox)
        return changed or self._load_round(self._team_of(round_id), round_id)

    def close_round(self, round_id: str, at: datetime | None = None, *,
                    outbox: OutboxOf | None = None) -> bool:
        """Close a round; True only for the call that closed it (safe to repeat)."""
        closed_at = self._now(at)
        round_part, _ = self._round_part(round_id)
        with round_part.lock:  # no answer can slip in between the check and the close
            closed = self._change_round(
                round_id,
                lambda r: replace(r, status="closed", closed_at=closed_at) if r.is_open else None,
                outbox,
            )
        return closed is not None

    def mark_results_posted(self, round_id: str, at: datetime | None = None) -> bool:
        """Record that results went out; True only the first time."""
        moment = self._now(at)
        changed = self._change_round(
            round_id,
            lambda r: replace(r, results_posted_at=moment) if r.results_posted_at is None else None,
        )
        return changed is not None

    def _record_results_posted(self, round_id: str, at: datetime) -> None:
        self.mark_results_posted(round_id, at)

    def mark_reminder_sent(self, round_id: str, at: datetime | None = None, *,
                           outbox: OutboxOf | None = None) -> bool:
        """Record that the reminders are under way; True only the first time."""
        moment = self._now(at)
        changed = self._change_round(
            round_id,
            lambda r: replace(r, reminder_sent_at=moment) if r.reminder_sent_at is None else None,
            outbox,
        )
        return changed is not None

    def mark_invitation_sent(self, round_id: str, user_id: str,
                             at: datetime | None = None) -> bool:
        """Invitation fan-out progress: True the first time this user's DM is recorded."""
        return self._mark_sent("invitations", round_id, user_id, at)

    def invitations_sent(self, round_id: str) -> frozenset[str]:
        return self._sent("invitations", round_id)

    def mark_reminder_sent_to(self, round_id: str, user_id: str,
                              at: datetime | None = None) -> bool:
        """Reminder fan-out progress: True the first time this user's DM is recorded."""
        return self._mark_sent("reminders", round_id, user_id, at)

    def reminders_sent(self, round_id: str) -> frozenset[str]:
        return self._sent("reminders", round_id)

    def _record_fan_out(self, table: str, round_id: str, user_id: str, at: datetime) -> None:
        """A receipt: recorded whether or not the round closed since the DM went out."""
        self._mark_sent(table, round_id, user_id, at, require_open=False)

    def _mark_sent(self, table: str, round_id: str, user_id: str,
                   at: datetime | None, *, require_open: bool = True) -> bool:
        """One DM of a fan-out is on record (keyed by raw user id: the DM needs it)."""
        moment = self._now(at)
        part, key = self._round_part(round_id)
        with part.lock:
            if require_open:
                self._require_open(round_id, key)
            sent = part.table(table)
            if sent.doc(user_id) is not None:
                return False
            sent.put(user_id, {"at": codec.time_to_text(moment)})
        return True

    def _sent(self, table: str, round_id: str) -> frozenset[str]:
        """Members the DMs reached, and the forgotten (there is nobody left to send to)."""
        part, key = self._round_part(round_id)
        with part.lock:
            sent = part.table(table).keys()
        forgotten = {u for u in self._load_round(key, round_id).invited if is_forgotten(u)}
        return frozenset(sent | forgotten)

    def save_snapshot(self, snapshot: ResultSnapshot) -> None:
        """Keep a round's aggregates (replacing an earlier snapshot of it)."""
        key = (require_id(snapshot.workspace_id, "workspace id"),
               require_id(snapshot.channel_id, "channel id"))
        if self._team_of(snapshot.round_id) != key:
            raise ValueError(f"round {snapshot.round_id} is not a round of {'/'.join(key)}")
        part = self._part(snapshots_spec(*key))
        with part.lock:
            part.table("snapshots").put(snapshot.round_id, codec.snapshot_to_doc(snapshot))

    def get_snapshot(self, round_id: str) -> ResultSnapshot | None:
        key = self._rounds.team_of(round_id)
        if key is None:
            return None
        part = self._part(snapshots_spec(*key))
        with part.lock:
            doc = part.table("snapshots").doc(round_id)
        return codec.snapshot_from_doc(doc) if doc else None

    def list_snapshots(self, workspace_id: str, channel_id: str) -> list[ResultSnapshot]:
        """A team's closed-round aggregates, oldest first (for history and trends)."""
        if not (is_valid_id(workspace_id) and is_valid_id(channel_id)):
            return []
        part = self._part(snapshots_spec(workspace_id, channel_id))
        with part.lock:
            docs = part.table("snapshots").docs()
        snaps = (codec.snapshot_from_doc(d) for d in docs.values())
        return sorted(snaps, key=lambda s: (s.closed_at, s.round_id))
