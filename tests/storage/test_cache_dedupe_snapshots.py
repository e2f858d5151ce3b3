"""User cache, request deduplication and closed-round snapshots."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest

from storage import ResultSnapshot, Store, StoreClosedError, UserInfo

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


def test_claims_survive_a_restart(store: Store, restart: Callable[[], Store]) -> None:
    store.claim("action:U1:171.1", ttl_seconds=3600)
    assert restart().claim("action:U1:171.1", ttl_seconds=3600) is False


def test_expired_keys_are_purged_so_the_files_stay_small(
    store: Store, clock: FakeClock
) -> None:
    for n in range(200):
        store.claim(f"Ev{n}", ttl_seconds=60)
    clock.advance(seconds=61)
    for n in range(100):  # enough to touch every shard file once more
        store.claim(f"later{n}", ttl_seconds=60)
    stored = 0
    for path in (store.data_dir / "dedupe").glob("*.json"):
        stored += len(json.loads(path.read_text())["claims"])
        assert "Ev1" not in path.read_text()  # keys are stored hashed
    assert stored == 100  # only the fresh keys are left


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
    listed.result["elements"]["waarde"]["phase"] = 2
    original = {"elements": {"waarde": {"phase": 1}}}
    assert store.list_snapshots("T1", "C1")[0].result == original
    store.save_snapshot(_snapshot("another-round", clock.now, 4))  # a later write, same file
    assert restart().list_snapshots("T1", "C1")[0].result == original


def test_a_read_only_store_refuses_writes_and_keeps_showing_the_files(
    store: Store, clock: FakeClock
) -> None:
    round_ = open_team_round(store)
    store.record_answer(round_.id, "U1", "W1", 2)
    with Store.open(store.data_dir, read_only=True) as reader:
        with pytest.raises(StoreClosedError, match="read-only"):
            reader.record_answer(round_.id, "U1", "W1", 5)
        assert reader.answers_of(round_.id, "U1") == {"W1": 2}
