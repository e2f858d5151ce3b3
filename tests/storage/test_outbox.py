"""The outbox on both backends: queued with the change that causes it, claimed by one
dispatcher at a time, taken over in doubt when a holder dies, recorded once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from storage import Store, check
from storage.records import (
    INVITATION,
    OUTBOX_KEEP_DAYS,
    RESULTS,
    OutboxBacklog,
    Outgoing,
    Pace,
    Round,
)
from storage.sql.check import check_database
from tests.pg import StoreBackend

from .conftest import FakeClock, open_team_round

LEASE = 60.0


def invitations(round_: Round) -> list[Outgoing]:
    return [Outgoing(f"invitation/{round_.id}/{user}", INVITATION, round_.workspace_id,
                     round_id=round_.id, user_id=user) for user in round_.invited]


def results(round_: Round) -> list[Outgoing]:
    return [Outgoing(f"results/{round_.id}", RESULTS, round_.workspace_id,
                     round_id=round_.id, channel_id=round_.channel_id)]


def note(key: str, due_at: datetime | None = None) -> Outgoing:
    return Outgoing(key, "post", "T1", channel_id="C1", message={"text": key}, due_at=due_at)


def test_opening_a_round_queues_its_invitations_in_order_and_each_is_claimed_once(
    store: Store, clock: FakeClock
) -> None:
    round_ = store.open_round("T1", "C1", invited=["U1", "U2"], outbox=invitations)
    first = store.claim_next("A", LEASE)
    second = store.claim_next("B", LEASE)
    assert first is not None and second is not None
    assert [first.outgoing.user_id, second.outgoing.user_id] == ["U1", "U2"]
    assert (first.attempts, first.in_doubt, first.first_claimed_at) == (0, False, clock.now)
    assert store.claim_next("C", LEASE) is None
    assert store.record_sent(first, "1700000000.000100") is True
    assert store.record_sent(first, "1700000000.000100") is False
    assert store.invitations_sent(round_.id) == {"U1"}
    assert store.outbox_state(first.outgoing.key) == "sent"
    assert store.enqueue(invitations(round_)) == 0  # queued or sent already: left alone
    assert store.outbox_counts() == {"sent": 1, "sending": 1}


def test_only_the_call_that_closes_a_round_queues_its_results(store: Store) -> None:
    round_ = open_team_round(store)
    assert store.close_round(round_.id, outbox=results) is True
    assert store.close_round(round_.id, outbox=lambda r: [note("again")]) is False
    claim = store.claim_next("A", LEASE)
    assert claim is not None and claim.outgoing.key == f"results/{round_.id}"
    assert store.claim_next("A", LEASE) is None
    assert [r.id for r in store.rounds_awaiting_results()] == [round_.id]
    chart = note(f"chart/{round_.id}")
    assert store.record_sent(claim, "1.2", then=[chart]) is True
    assert store.rounds_awaiting_results() == []
    follow_up = store.claim_next("A", LEASE)
    assert follow_up is not None and follow_up.outgoing == chart


def test_a_claim_whose_holder_died_is_taken_over_in_doubt(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    store.enqueue([note("n1")])
    dead = store.claim_next("A", LEASE)
    assert dead is not None
    again = restart()  # reopened as after a crash: the claim on record, its holder gone
    clock.advance(seconds=LEASE - 1)
    assert again.claim_next("B", LEASE) is None  # not yet expired
    clock.advance(seconds=2)
    taken = again.claim_next("B", LEASE)
    assert taken is not None and taken.outgoing.key == "n1"
    assert (taken.in_doubt, taken.attempts) == (True, 1)
    assert taken.first_claimed_at == dead.first_claimed_at
    assert taken.came_due_at == dead.claimed_until  # the dead holder's sends ended by then
    assert again.record_not_sent(dead, retry_at=clock.now, in_doubt=False) is False
    assert again.record_sent(taken, "ts") is True


def test_a_failed_send_comes_back_when_due_and_gives_up_when_told(
    store: Store, clock: FakeClock
) -> None:
    store.enqueue([note("n1")])
    claim = store.claim_next("A", LEASE)
    assert claim is not None
    assert store.record_not_sent(claim, retry_at=clock.now + timedelta(seconds=30),
                                 in_doubt=True, problem="timeout") is True
    assert store.claim_next("A", LEASE) is None
    clock.advance(seconds=30)
    again = store.claim_next("A", LEASE)
    assert again is not None and (again.attempts, again.in_doubt) == (1, True)
    assert store.record_not_sent(again, retry_at=clock.now, in_doubt=False,
                                 counts=False) is True
    third = store.claim_next("A", LEASE)
    assert third is not None and (third.attempts, third.in_doubt) == (1, False)
    assert store.record_not_sent(third, retry_at=None, in_doubt=False, problem="gone") is True
    assert store.outbox_state("n1") == "failed"
    assert store.claim_next("A", LEASE) is None


def test_a_voided_message_is_forgotten_and_may_be_queued_again(store: Store) -> None:
    store.enqueue([note("n1")])
    claim = store.claim_next("A", LEASE)
    assert claim is not None and store.record_void(claim) is True
    assert store.outbox_state("n1") is None
    assert store.enqueue([note("n1")]) == 1


def test_a_message_due_later_waits_and_survives_a_restart(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    store.enqueue([note("later", due_at=clock.now + timedelta(minutes=5)), note("now")])
    claim = store.claim_next("A", LEASE)
    assert claim is not None and claim.outgoing.key == "now"
    assert store.claim_next("A", LEASE) is None
    store.record_sent(claim, "ts")
    again = restart()
    clock.advance(minutes=5)
    later = again.claim_next("A", LEASE)
    assert later is not None and later.outgoing.key == "later"
    assert later.outgoing.message == {"text": "later"}


def test_the_backlog_says_per_kind_what_is_due_since_when_and_what_waits_for_later(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    queued_at = clock.now
    store.open_round("T1", "C1", invited=["U1", "U2", "U3"], outbox=invitations)
    store.enqueue([note("later", due_at=queued_at + timedelta(hours=2))])
    clock.advance(minutes=10)
    claim = store.claim_next("A", LEASE)
    assert claim is not None
    assert store.outbox_backlog() == (
        OutboxBacklog(INVITATION, due=3, scheduled=0, oldest_due_since=queued_at),
        OutboxBacklog("post", due=0, scheduled=1, oldest_due_since=None))
    store.record_sent(claim, "ts")
    second = store.claim_next("A", LEASE)
    assert second is not None  # tried and refused: still due since it was queued
    store.record_not_sent(second, retry_at=clock.now + timedelta(minutes=5), in_doubt=False)
    clock.advance(hours=2, minutes=5)  # the later one's time has come
    assert restart().outbox_backlog() == (  # the files say the same after a restart
        OutboxBacklog(INVITATION, due=2, scheduled=0, oldest_due_since=queued_at),
        OutboxBacklog("post", due=1, scheduled=0,
                      oldest_due_since=queued_at + timedelta(hours=2)))


def test_an_empty_outbox_has_no_backlog(store: Store) -> None:
    assert store.outbox_backlog() == ()


def test_forget_me_takes_a_users_dms_and_the_purge_takes_old_receipts(
    store: Store, clock: FakeClock
) -> None:
    round_ = store.open_round("T1", "C1", invited=["U1", "U2"], outbox=invitations)
    sent = store.claim_next("A", LEASE)
    assert sent is not None and store.record_sent(sent, "ts")
    store.forget_user("T1", "U2")
    assert store.outbox_state(f"invitation/{round_.id}/U2") is None
    assert store.outbox_state(f"invitation/{round_.id}/U1") == "sent"
    clock.advance(days=OUTBOX_KEEP_DAYS + 1)
    store.purge_expired()
    assert store.outbox_counts() == {}


def test_concurrent_dispatchers_claim_each_message_exactly_once(store: Store) -> None:
    store.enqueue([note(f"n{n:02d}") for n in range(40)])
    claimed: list[str] = []
    guard = threading.Lock()

    def dispatch(owner: str) -> None:
        while (claim := store.claim_next(owner, LEASE)) is not None:
            with guard:
                claimed.append(claim.outgoing.key)
            store.record_sent(claim, "ts")

    threads = [threading.Thread(target=dispatch, args=(f"D{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [f"n{n:02d}" for n in range(40)]
    assert store.outbox_counts() == {"sent": 40}


def test_a_reminder_pass_is_queued_once(store: Store) -> None:
    round_ = open_team_round(store)
    assert store.mark_reminder_sent(round_.id, outbox=lambda r: [note("r1")]) is True
    assert store.mark_reminder_sent(round_.id, outbox=lambda r: [note("r2")]) is False
    assert store.outbox_counts() == {"pending": 1}


def test_members_added_to_a_round_are_queued_with_them(store: Store) -> None:
    round_ = open_team_round(store)

    def invite_new(changed: Round) -> list[Outgoing]:
        return [each for each in invitations(changed) if each.user_id == "U9"]

    store.add_invited(round_.id, ["U9"], outbox=invite_new)
    claim = store.claim_next("A", LEASE)
    assert claim is not None and claim.outgoing.user_id == "U9"


# -- leases and rate budgets -----------------------------------------------------------------


def test_a_lease_has_one_holder_until_it_expires_or_is_released(
    store: Store, clock: FakeClock
) -> None:
    assert store.hold_lease("job:close", "A", 30) is True
    assert store.hold_lease("job:close", "B", 30) is False
    clock.advance(seconds=20)
    assert store.hold_lease("job:close", "A", 30) is True  # renewed
    clock.advance(seconds=20)
    assert store.hold_lease("job:close", "B", 30) is False
    clock.advance(seconds=11)
    assert store.hold_lease("job:close", "B", 30) is True  # A stopped renewing
    store.release_lease("job:close", "A")  # not A's any more: nothing happens
    assert store.hold_lease("job:close", "A", 30) is False
    store.release_lease("job:close", "B")
    assert store.hold_lease("job:close", "A", 30) is True


def test_changes_to_a_pace_never_overlap(store: Store) -> None:
    def bump(pace: Pace | None) -> tuple[Pace, int]:
        count = pace.pauses + 1 if pace else 1
        return Pace(next_free=0.0, paused_until=0.0, rate=1.0, recovered_at=0.0,
                    pauses=count), count

    seen: list[int] = []
    threads = [threading.Thread(target=lambda: seen.extend(
        store.change_pace("T1", bump) for _ in range(10))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 41))
    assert store.change_pace("T2", bump) == 1


def test_check_says_how_many_messages_wait_and_were_given_up(
    store: Store, store_backend: StoreBackend, data_dir: Path, request: pytest.FixtureRequest,
) -> None:
    store.enqueue([note("n1"), note("n2")])
    claim = store.claim_next("A", LEASE)
    assert claim is not None
    store.record_not_sent(claim, retry_at=None, in_doubt=False, problem="channel_not_found")
    counts: Mapping[str, int]
    if store_backend.name == "tinydb":
        counts = check(data_dir).counts
    else:
        counts = check_database(request.getfixturevalue("pg_url"), None).counts
    assert (counts["outbox_pending"], counts["outbox_failed"]) == (1, 1)
