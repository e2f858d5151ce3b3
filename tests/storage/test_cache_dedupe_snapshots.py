"""User cache, request deduplication and closed-round snapshots."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import replace

import pytest

from storage import ResultSnapshot, Store, UnknownRoundError, UserInfo

from .conftest import FakeClock, open_team_round


def test_user_cache_round_trips_with_a_fetch_time(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    saved = store.save_user(UserInfo("T1", "U1", dm_channel="D1", locale="nl-NL",
                                     timezone="Europe/Amsterdam"))
    assert saved.fetched_at == clock.now
    assert restart().get_user("T1", "U1") == saved


def test_user_cache_is_per_workspace(store: Store) -> None:
    store.save_user(UserInfo("T1", "U1", locale="en-US"))
    assert store.get_user("T2", "U1") is None
    assert store.get_user("T1", "U1") is not None


def test_a_request_key_is_claimed_once_until_it_expires(store: Store, clock: FakeClock) -> None:
    assert store.claim("Ev01", ttl_seconds=600) is True
    assert store.claim("Ev01", ttl_seconds=600) is False  # Slack's retry
    assert store.claim("Ev02", ttl_seconds=600) is True
    clock.advance(seconds=601)
    assert store.claim("Ev01", ttl_seconds=600) is True


def test_a_request_key_with_any_characters_is_claimed_cleanly(store: Store) -> None:
    broken = "Ev\udc80\ud800x"  # lone surrogates: a malformed event id
    assert store.claim(broken, ttl_seconds=600) is True
    assert store.claim(broken, ttl_seconds=600) is False
    assert store.claim("Ev\u00e9\U0001f600", ttl_seconds=600) is True


def test_expired_claims_are_dropped_by_the_purge_and_can_be_claimed_again(
    store: Store, clock: FakeClock
) -> None:
    store.claim("Ev1", ttl_seconds=60)
    clock.advance(seconds=61)
    store.purge_expired()
    assert store.claim("Ev1", ttl_seconds=60) is True


def test_claims_survive_a_restart(store: Store, restart: Callable[[], Store]) -> None:
    store.claim("action:U1:171.1", ttl_seconds=3600)
    assert restart().claim("action:U1:171.1", ttl_seconds=3600) is False


def test_concurrent_claims_of_the_same_keys_succeed_once_each(store: Store) -> None:
    wins: list[bool] = []

    def handle_retries() -> None:
        for n in range(50):
            wins.append(store.claim(f"Ev{n}", ttl_seconds=600))

    threads = [threading.Thread(target=handle_retries) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 50 and len(wins) == 400


def _snapshot(round_id: str, closed_at: object, responses: int) -> ResultSnapshot:
    return ResultSnapshot(round_id=round_id, workspace_id="T1", channel_id="C1",
                          kind="diagnostic", subject=None, closed_at=closed_at,  # type: ignore
                          invited_count=5, responses=responses,
                          result={"overall": 2, "elements": {"waarde": {"phase": 2}}})


def test_snapshots_are_listed_oldest_first_and_replace_by_round(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    first = open_team_round(store)
    store.close_round(first.id)
    store.save_snapshot(_snapshot(first.id, clock.now, 3))
    clock.advance(days=30)
    second = store.open_round("T1", "C1")
    store.close_round(second.id)
    store.save_snapshot(_snapshot(second.id, clock.now, 2))
    store.save_snapshot(_snapshot(second.id, clock.now, 4))  # recomputed: replaces
    again = restart()
    listed = again.list_snapshots("T1", "C1")
    assert [(s.round_id, s.responses) for s in listed] == [(first.id, 3), (second.id, 4)]
    assert listed[0].result == {"overall": 2, "elements": {"waarde": {"phase": 2}}}
    assert again.get_snapshot(second.id) == listed[1]
    assert again.list_snapshots("T1", "C2") == []


def test_a_snapshot_cannot_be_changed_through_the_callers_dicts(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    round_ = open_team_round(store)
    result = {"elements": {"waarde": {"phase": 1}}}
    store.save_snapshot(ResultSnapshot(round_.id, "T1", "C1", "diagnostic", None, clock.now,
                                       invited_count=3, responses=3, result=result))
    result["elements"]["waarde"]["phase"] = 3
    [listed] = store.list_snapshots("T1", "C1")
    # what a read hands out is read-only (TinyDB: the stored data itself, not a copy) or
    # a copy of its own (PostgreSQL): either way the store keeps what was saved
    with contextlib.suppress(TypeError):
        listed.result["elements"]["waarde"]["phase"] = 2
    original = {"elements": {"waarde": {"phase": 1}}}
    assert store.list_snapshots("T1", "C1")[0].result == original
    store.close_round(round_.id)
    clock.advance(days=1)
    later = store.open_round("T1", "C1")
    store.save_snapshot(_snapshot(later.id, clock.now, 4))  # a later write, same team
    assert restart().list_snapshots("T1", "C1")[0].result == original


def test_a_snapshot_belongs_to_a_known_round_of_its_team(store: Store, clock: FakeClock) -> None:
    round_ = open_team_round(store)
    with pytest.raises(UnknownRoundError):
        store.save_snapshot(_snapshot("20250101T000000-0badc0de", clock.now, 3))
    with pytest.raises(ValueError, match="not a round of"):
        store.save_snapshot(replace(_snapshot(round_.id, clock.now, 3), channel_id="C2"))
    assert store.get_snapshot(round_.id) is None
