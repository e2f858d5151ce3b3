"""The outbox in files, and the single owner's leases and rate budget.

Messages live in ``outbox/<0-f>.json``, sharded by key so a write stays small; which of
them wait to be sent is kept in memory (read from the shards on first use), since this
process is the directory's only owner. A change and the messages it causes are two files
here, so the messages are written first and the change second (under ``_outbox_lock``,
which claims also take): if the change never lands, the dispatcher finds nothing to send
for them (the round is not there, or not in that state) and voids them.

Leases and rate budgets need no file: with one owner there is nobody to share them with,
so they are kept in memory (a lease is always this process's).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar, cast

from storage.errors import UnknownRoundError
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
from storage.tinydb import codec
from storage.tinydb.core import StoreCore
from storage.tinydb.jsonfile import Partition
from storage.tinydb.layout import OUTBOX_SHARDS, outbox_spec

T = TypeVar("T")
Doc = dict[str, Any]
_WAITING = ("pending", "sending")
_FAN_OUT_OF_KIND = {INVITATION: "invitations", REMINDER: "reminders"}
"""A receipt of these kinds also records the DM in the round's fan-out progress."""


def _shard(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[0], 16)


class _Waiting(NamedTuple):
    """A waiting message in the in-memory index: when it may be claimed, its place in
    the queue, and (for watching the backlog) its kind and since when it has been due."""

    ready_at: datetime
    seq: int
    kind: str
    due_since: datetime


def _waiting(doc: Mapping[str, Any]) -> _Waiting:
    """A message never tried is due from its ready_at; one tried before has been due
    since it was queued (the same rule as the database's backlog)."""
    ready = codec.required_time(doc["ready_at"])
    queued = codec.required_time(doc["queued_at"])
    untried = doc["state"] == "pending" and doc["attempts"] == 0
    return _Waiting(ready, doc["seq"], doc["kind"], max(queued, ready) if untried else queued)


def _outgoing(key: str, doc: Mapping[str, Any]) -> Outgoing:
    return Outgoing(key=key, kind=doc["kind"], workspace_id=doc["workspace_id"],
                    round_id=doc.get("round_id"), user_id=doc.get("user_id"),
                    channel_id=doc.get("channel_id"), message=doc.get("message"))


class OutboxMixin(StoreCore):
    """The outbox (sharded files), leases and rate budgets (memory)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outbox_lock = threading.RLock()
        self._waiting: dict[str, _Waiting] | None = None
        self._last_seq = 0
        self._leases: dict[str, tuple[str, datetime]] = {}
        self._paces: dict[str, Pace] = {}
        self._pace_lock = threading.Lock()

    # -- the outbox ---------------------------------------------------------------------------

    def _outbox_part(self, key: str) -> Partition:
        return self._part(outbox_spec(_shard(key)))

    def _waiting_index(self) -> dict[str, _Waiting]:
        """Messages waiting to be sent, by key; the caller holds the lock."""
        if self._waiting is None:
            waiting: dict[str, _Waiting] = {}
            for shard in range(OUTBOX_SHARDS):
                part = self._part(outbox_spec(shard))
                with part.lock:
                    docs = part.table("messages").docs() if part.exists() else {}
                for key, doc in docs.items():
                    self._last_seq = max(self._last_seq, doc["seq"])
                    if doc["state"] in _WAITING:
                        waiting[key] = _waiting(doc)
            self._waiting = waiting
        return self._waiting

    def _queue(self, messages: Iterable[Outgoing], now: datetime) -> int:
        """Write the messages not queued yet, one write per shard; how many were new."""
        by_shard: dict[int, dict[str, Doc]] = {}
        with self._outbox_lock:
            waiting = self._waiting_index()
            for each in messages:
                by_shard.setdefault(_shard(each.key), {})[each.key] = self._new_doc(each, now)
            added = 0
            for shard, docs in sorted(by_shard.items()):
                part = self._part(outbox_spec(shard))
                with part.lock:
                    table = part.table("messages")
                    fresh = {key: doc for key, doc in docs.items() if table.doc(key) is None}
                    if fresh:
                        table.put_many(fresh)
                for key, doc in fresh.items():
                    waiting[key] = _waiting(doc)
                added += len(fresh)
        return added

    def _new_doc(self, message: Outgoing, now: datetime) -> Doc:
        self._last_seq += 1
        return {
            "seq": self._last_seq, "kind": message.kind, "workspace_id": message.workspace_id,
            "round_id": message.round_id, "user_id": message.user_id,
            "channel_id": message.channel_id,
            "message": dict(message.message) if message.message is not None else None,
            "state": "pending", "ready_at": codec.time_to_text(message.due_at or now),
            "attempts": 0, "in_doubt": False, "claim": None, "first_claimed_at": None,
            "queued_at": codec.time_to_text(now), "finished_at": None, "receipt": None,
            "problem": None,
        }

    def enqueue(self, messages: Iterable[Outgoing], at: datetime | None = None) -> int:
        return self._queue(messages, self._now(at))

    def claim_next(self, owner: str, lease_seconds: float,
                   now: datetime | None = None) -> Claim | None:
        moment = self._now(now)
        until = moment + timedelta(seconds=lease_seconds)
        with self._outbox_lock:
            waiting = self._waiting_index()
            due = [(each.ready_at, each.seq, key) for key, each in waiting.items()
                   if each.ready_at <= moment]
            if not due:
                return None
            _, _, key = min(due)
            part = self._outbox_part(key)
            with part.lock:
                table = part.table("messages")
                stored = table.doc(key)
                assert stored is not None, f"the outbox lost track of {key}"
                doc = dict(stored)  # stored documents are shared: change a copy
                came_due = codec.required_time(doc["ready_at"])
                token = f"{owner}:{secrets.token_hex(6)}"
                doc.update(
                    state="sending", claim=token, ready_at=codec.time_to_text(until),
                    attempts=doc["attempts"] + 1,
                    in_doubt=doc["in_doubt"] or doc["state"] == "sending",
                    first_claimed_at=doc["first_claimed_at"] or codec.time_to_text(moment))
                table.put(key, doc)
            waiting[key] = _waiting(doc)
        return Claim(outgoing=_outgoing(key, doc), token=token, attempts=doc["attempts"] - 1,
                     in_doubt=doc["in_doubt"],
                     first_claimed_at=codec.required_time(doc["first_claimed_at"]),
                     claimed_until=until, came_due_at=came_due)

    def record_sent(self, claim: Claim, receipt: str | None, at: datetime | None = None, *,
                    then: Iterable[Outgoing] = ()) -> bool:
        """What the receipt means is written first, then the receipt: a crash between
        leaves the message claimed, and its next claim finds it sent (in doubt)."""
        moment = self._now(at)
        key = claim.outgoing.key
        part = self._outbox_part(key)
        with part.lock:
            stored = part.table("messages").doc(key)
        doc = None if stored is None else dict(stored)  # stored documents are shared
        if doc is not None and doc["state"] == "sent":
            return False
        self._receipt_means(claim.outgoing, moment)
        with self._outbox_lock:
            if doc is not None:
                doc.update(state="sent", finished_at=codec.time_to_text(moment),
                           receipt=receipt, message=None, claim=None, ready_at=None,
                           in_doubt=False, problem=None)
                with part.lock:
                    part.table("messages").put(key, doc)
                self._waiting_index().pop(key, None)
            self._queue(then, moment)
        return True

    def _receipt_means(self, sent: Outgoing, at: datetime) -> None:
        """What a receipt of this kind records besides itself (the round may be gone)."""
        if sent.round_id is None:
            return
        try:
            fanout = _FAN_OUT_OF_KIND.get(sent.kind)
            if fanout is not None and sent.user_id is not None:
                self._record_fan_out(fanout, sent.round_id, sent.user_id, at)
            elif sent.kind == RESULTS:
                self._record_results_posted(sent.round_id, at)
        except UnknownRoundError:
            return

    def _record_fan_out(self, table: str, round_id: str, user_id: str, at: datetime) -> None:
        """Provided by the rounds part of the store."""
        raise NotImplementedError

    def _record_results_posted(self, round_id: str, at: datetime) -> None:
        """Provided by the rounds part of the store."""
        raise NotImplementedError

    def record_not_sent(self, claim: Claim, *, retry_at: datetime | None, in_doubt: bool,
                        problem: str | None = None, counts: bool = True) -> bool:
        now = self._now()

        def put_back(doc: Doc) -> Doc | None:
            doc.update(claim=None, in_doubt=in_doubt, problem=problem)
            if retry_at is None:
                doc.update(state="failed", ready_at=None, finished_at=codec.time_to_text(now))
            else:
                doc.update(state="pending", ready_at=codec.time_to_text(retry_at))
            if not counts:
                doc["attempts"] -= 1
            return doc

        return self._if_held(claim, put_back)

    def record_void(self, claim: Claim) -> bool:
        return self._if_held(claim, lambda _doc: None)

    def _if_held(self, claim: Claim, change: Callable[[Doc], Doc | None]) -> bool:
        """Apply ``change`` to the claimed message (None: remove it) if the claim is
        still this one."""
        key = claim.outgoing.key
        part = self._outbox_part(key)
        with self._outbox_lock, part.lock:
            table = part.table("messages")
            doc = table.doc(key)
            if doc is None or doc["state"] != "sending" or doc["claim"] != claim.token:
                return False
            changed = change(dict(doc))  # stored documents are shared: change a copy
            waiting = self._waiting_index()
            if changed is None:
                table.drop({key})
                waiting.pop(key, None)
                return True
            table.put(key, changed)
            if changed["state"] in _WAITING:
                waiting[key] = _waiting(changed)
            else:
                waiting.pop(key, None)
        return True

    def outbox_state(self, key: str) -> OutboxState | None:
        part = self._outbox_part(key)
        with part.lock:
            doc = part.table("messages").doc(key)
        return cast(OutboxState, doc["state"]) if doc is not None else None

    def outbox_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for shard in range(OUTBOX_SHARDS):
            part = self._part(outbox_spec(shard))
            with part.lock:
                docs = part.table("messages").docs() if part.exists() else {}
            for doc in docs.values():
                counts[doc["state"]] = counts.get(doc["state"], 0) + 1
        return counts

    def outbox_backlog(self, now: datetime | None = None) -> tuple[OutboxBacklog, ...]:
        """From the in-memory index of waiting messages: no file is read."""
        moment = self._now(now)
        by_kind: dict[str, tuple[int, int, datetime | None]] = {}
        with self._outbox_lock:
            waiting = list(self._waiting_index().values())
        for each in waiting:
            due, scheduled, oldest = by_kind.get(each.kind, (0, 0, None))
            if each.due_since <= moment or each.ready_at <= moment:
                since = min(each.due_since, oldest) if oldest else each.due_since
                by_kind[each.kind] = (due + 1, scheduled, since)
            else:
                by_kind[each.kind] = (due, scheduled + 1, oldest)
        return tuple(OutboxBacklog(kind, due, scheduled, oldest)
                     for kind, (due, scheduled, oldest) in sorted(by_kind.items()))

    def _drop_outbox_where(self, predicate: Callable[[str, Mapping[str, Any]], bool]) -> None:
        """Remove the messages ``predicate`` picks, shard by shard (writes only shards
        that change)."""
        with self._outbox_lock:
            waiting = self._waiting_index()
            for shard in range(OUTBOX_SHARDS):
                part = self._part(outbox_spec(shard))
                with part.lock:
                    if not part.exists():
                        continue
                    table = part.table("messages")
                    doomed = {key for key, doc in table.docs().items() if predicate(key, doc)}
                    table.drop(doomed)
                for key in doomed:
                    waiting.pop(key, None)

    def _forget_outbox(self, workspace_id: str, user_id: str) -> None:
        """A forgotten user's DMs, queued or sent, go with them."""
        self._drop_outbox_where(lambda _key, doc: doc["workspace_id"] == workspace_id
                                and doc.get("user_id") == user_id)

    def _drop_outbox_of(self, workspace_id: str) -> None:
        """A purged workspace's messages, queued or sent, go with its data."""
        self._drop_outbox_where(lambda _key, doc: doc["workspace_id"] == workspace_id)

    def _purge_outbox(self, now: datetime) -> None:
        """Finished messages are kept a while (queueing one again does nothing), then go."""
        cutoff = now - timedelta(days=OUTBOX_KEEP_DAYS)

        def finished_long_ago(_key: str, doc: Mapping[str, Any]) -> bool:
            finished = codec.time_from_text(doc.get("finished_at"))
            return doc["state"] not in _WAITING and finished is not None and finished < cutoff

        self._drop_outbox_where(finished_long_ago)

    # -- leases and rate budgets: the single owner's ------------------------------------------

    def hold_lease(self, name: str, owner: str, seconds: float,
                   now: datetime | None = None) -> bool:
        """The one owner of the directory does every job: a lease is an in-memory note, so
        an owner name other than the holder's still waits out the holder's lease."""
        moment = self._now(now)
        with self._pace_lock:
            holder = self._leases.get(name)
            if holder is not None and holder[0] != owner and holder[1] > moment:
                return False
            self._leases[name] = (owner, moment + timedelta(seconds=seconds))
        return True

    def release_lease(self, name: str, owner: str) -> None:
        with self._pace_lock:
            if self._leases.get(name, (None,))[0] == owner:
                del self._leases[name]

    def change_pace(self, workspace_id: str,
                    change: Callable[[Pace | None], tuple[Pace, T]]) -> T:
        with self._pace_lock:
            pace, result = change(self._paces.get(workspace_id))
            self._paces[workspace_id] = pace
        return result
