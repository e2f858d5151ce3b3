"""Scale by construction: a write rewrites one small file (or appends a line), whatever else
is stored, and the start reads only what serving needs.

(The timings are measured by bench/storage.py; this checks the property they rely on.)
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from storage import ResultSnapshot, UserInfo
from storage.pseudonyms import request_digest
from storage.tinydb import TinyDBStore, check, codec, journal, jsonfile
from storage.tinydb.layout import Data, FileSpec

from .conftest import ITEMS, FakeClock, open_team_round

pytestmark = pytest.mark.backends("tinydb")


def test_an_answer_appends_to_its_rounds_journal_the_same_line_regardless_of_totals(
    store: TinyDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _spy_writes(monkeypatch)

    def answer_size(round_id: str) -> tuple[list[Path], int]:
        written.clear()
        store.record_answers(round_id, "U-measured", {"W1": 3})
        paths = [path for path, _ in written]
        size = written[-1][1]
        store.record_answers(round_id, "U-measured", {"W1": 4})
        return paths, size

    measured = open_team_round(store, "C0")
    for n in range(10):
        store.record_answers(measured.id, f"U{n}", dict.fromkeys(ITEMS, 4))
    paths, small_store_size = answer_size(measured.id)
    assert [p.name for p in paths] == [f"round-{measured.id}.log"]

    for channel in range(1, 41):  # 40 more teams with 10 respondents each
        other = open_team_round(store, f"C{channel}")
        for n in range(10):
            store.record_answers(other.id, f"U{n}", dict.fromkeys(ITEMS, 2))
    paths, big_store_size = answer_size(measured.id)
    assert [p.name for p in paths] == [f"round-{measured.id}.log"]
    assert big_store_size == small_store_size


def _spy_writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, int]]:
    """Every whole-file write and journal line from now on: (path, bytes)."""
    written: list[tuple[Path, int]] = []
    real_write, real_append = jsonfile.replace_file, journal.append

    def spy(path: Path, payload: bytes) -> None:
        written.append((path, len(payload)))
        real_write(path, payload)

    def spy_append(path: Path, line: bytes, keep: int) -> bool:
        written.append((path, len(line)))
        return real_append(path, line, keep)

    monkeypatch.setattr(jsonfile, "replace_file", spy)
    monkeypatch.setattr(journal, "append", spy_append)
    return written


def _claim_bytes(data_dir: Path) -> int:
    return sum(path.stat().st_size for path in (data_dir / "claims").glob("*.log"))


def test_a_claim_appends_one_line_however_many_claims_are_live(
    store: TinyDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _spy_writes(monkeypatch)

    def cost_of_one_claim(key: str) -> int:
        before = _claim_bytes(store.data_dir)
        assert store.claim(key, ttl_seconds=600)
        return _claim_bytes(store.data_dir) - before

    alone = cost_of_one_claim("first")
    for n in range(300):
        store.claim(f"Ev{n}", ttl_seconds=600)
    assert cost_of_one_claim("after 300 others") == alone
    assert written == []  # no file is rewritten for a claim
    assert not any("Ev1" in path.read_text()
                   for path in (store.data_dir / "claims").glob("*.log"))  # keys hashed


def test_expired_claims_go_with_their_minutes_log_a_minute_later(
    store: TinyDBStore, clock: FakeClock
) -> None:
    for n in range(50):
        store.claim(f"Ev{n}", ttl_seconds=60)
    clock.advance(seconds=121)
    for n in range(20):
        store.claim(f"later{n}", ttl_seconds=60)  # the first of a new minute cleans up
    stored = [line for path in (store.data_dir / "claims").glob("*.log")
              for line in path.read_text().splitlines()]
    assert len(stored) == 20  # only the fresh keys' logs are left
    assert store.claim("Ev1", ttl_seconds=60)  # an expired key can be claimed again


def test_a_claim_cut_short_by_a_crash_is_ignored_and_trimmed(
    store: TinyDBStore, clock: FakeClock
) -> None:
    store.claim("kept", ttl_seconds=600)
    store.close()
    [log] = (store.data_dir / "claims").glob("*.log")
    log.write_bytes(log.read_bytes() + b"0123abc")  # the start of a line, then the crash
    with TinyDBStore.open(store.data_dir, clock=clock) as again:
        assert again.claim("kept", ttl_seconds=600) is False
        assert again.claim("new", ttl_seconds=600) is True
    lines = [line for path in (store.data_dir / "claims").glob("*.log")
             for line in path.read_text().splitlines()]
    assert len(lines) == 2 and not any(line.startswith("0123abc") for line in lines)


def test_a_profile_refresh_rewrites_one_small_shard_and_an_unchanged_one_nothing(
    store: TinyDBStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(600):
        store.save_user(UserInfo("T1", f"U{n:05d}", locale="en-US", fetched_at=clock.now))
    written = _spy_writes(monkeypatch)
    store.save_user(UserInfo("T1", "U00007", locale="nl-NL", fetched_at=clock.now))
    [(path, _size)] = written
    assert path.parent == store.data_dir / "users" / "T1"
    assert len(json.loads(path.read_text())["users"]) < 20  # of 600 cached
    written.clear()
    store.save_user(UserInfo("T1", "U00007", locale="nl-NL", fetched_at=clock.now))
    assert written == []


def test_the_start_reads_only_the_index_and_the_rounds_files(
    store: TinyDBStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for channel in ("C1", "C2"):
        round_ = open_team_round(store, channel)
        store.record_answers(round_.id, "U1", {"W1": 3})
        store.save_snapshot(ResultSnapshot(round_.id, "T1", channel, "diagnostic", None,
                                           clock.now, 3, 1, {}))
    store.save_user(UserInfo("T1", "U1", locale="en-US"))
    store.claim("Ev1", 600)
    store.close()
    read: list[str] = []
    real_read = jsonfile.load_data_file

    def spy(path: Path, spec: FileSpec) -> tuple[Data | None, bool, Any]:
        read.append(spec.kind)
        return real_read(path, spec)

    monkeypatch.setattr(jsonfile, "load_data_file", spy)
    with TinyDBStore.open(store.data_dir, clock=clock) as again:
        # each once; and the outbox's 16 shards (what the dispatcher sends first)
        assert sorted(kind for kind in read if kind != "outbox") == ["index", "rounds", "rounds"]
        assert read.count("outbox") <= 16
        assert again.get_user("T1", "U1") is not None  # the rest when first used
        assert read.count("users") == 1


def test_files_and_their_partitions_are_let_go_beyond_the_cache(
    data_dir: Path, clock: FakeClock
) -> None:
    with TinyDBStore.open(data_dir, clock=clock, cache_files=8) as store:
        rounds = [open_team_round(store, f"C{n}") for n in range(30)]
        for round_ in rounds:
            store.record_answers(round_.id, "U1", {"W1": 4})
        gc.collect()
        assert len(store._parts) <= 8 + 1  # the cache, and at most one in use
        assert all(store.answers_of(r.id, "U1") == {"W1": 4} for r in rounds)


def test_a_whole_workspace_user_cache_is_split_into_shards_at_start(
    data_dir: Path, clock: FakeClock
) -> None:
    with TinyDBStore.open(data_dir, clock=clock) as store:
        store.save_user(UserInfo("T1", "U2", locale="nl-NL"))  # newer than the old file's
    spec = FileSpec("users_whole", "users/T1.json", workspace_id="T1")
    old = {"_meta": {"schema": spec.meta()},
           "users": {user: codec.user_to_doc(UserInfo("T1", user, locale="en-US",
                                                      fetched_at=clock.now))
                     for user in ("U1", "U2", "U3")}}
    (data_dir / "users" / "T1.json").write_text(json.dumps(old))
    with TinyDBStore.open(data_dir, clock=clock) as store:
        assert [store.get_user("T1", u).locale for u in ("U1", "U2", "U3")  # type: ignore[union-attr]
                ] == ["en-US", "nl-NL", "en-US"]
    assert not (data_dir / "users" / "T1.json").exists()
    assert check(data_dir).ok


def test_claims_of_the_older_layout_are_kept_at_start(data_dir: Path, clock: FakeClock) -> None:
    digest = request_digest("Ev-before-the-upgrade")
    spec = FileSpec("dedupe", f"dedupe/{digest[0]}.json")
    older = {"_meta": {"schema": spec.meta()},
             "claims": {digest: {"expires": clock.now.timestamp() + 600}}}
    (data_dir / "dedupe").mkdir(parents=True)
    (data_dir / "dedupe" / f"{digest[0]}.json").write_text(json.dumps(older))
    (data_dir / "secret.key").write_text("ab" * 32)
    with TinyDBStore.open(data_dir, clock=clock) as store:
        assert store.claim("Ev-before-the-upgrade", 600) is False
    assert not list((data_dir / "dedupe").glob("*.json"))
    with TinyDBStore.open(data_dir, clock=clock) as store:  # now kept in the logs
        assert store.claim("Ev-before-the-upgrade", 600) is False


def test_the_retention_purge_reads_only_the_files_of_rounds_old_enough(
    store: TinyDBStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = open_team_round(store, "C1")
    store.record_answers(old.id, "U1", {"W1": 3})
    clock.advance(days=40)
    for channel in ("C2", "C3"):
        recent = open_team_round(store, channel)
        store.record_answers(recent.id, "U1", {"W1": 3})
    store.close()
    with TinyDBStore.open(store.data_dir, clock=clock) as again:
        read: list[str] = []
        real_read = jsonfile.load_data_file

        def spy(path: Path, spec: FileSpec) -> tuple[Data | None, bool, Any]:
            read.append(spec.relpath)
            return real_read(path, spec)

        monkeypatch.setattr(jsonfile, "load_data_file", spy)
        assert again.purge_answers_older_than(30) == 1
    assert read == [f"teams/T1/C1/round-{old.id}.json"]
