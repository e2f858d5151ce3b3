"""Scale by construction: recording an answer rewrites one small file, whatever else is stored.

(The timings are measured by bench/storage.py; this checks the property they rely on.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.tinydb import TinyDBStore, jsonfile

from .conftest import ITEMS, FakeClock, open_team_round

pytestmark = pytest.mark.backends("tinydb")


def test_an_answer_rewrites_only_its_rounds_file_of_the_same_size_regardless_of_totals(
    store: TinyDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[tuple[Path, int]] = []
    real_write = jsonfile.replace_file

    def spy(path: Path, payload: bytes) -> None:
        written.append((path, len(payload)))
        real_write(path, payload)

    def answer_size(round_id: str) -> tuple[list[Path], int]:
        written.clear()
        store.record_answers(round_id, "U-measured", {"W1": 3})
        paths = [path for path, _ in written]
        size = written[-1][1]
        store.record_answers(round_id, "U-measured", {"W1": 4})  # keep the file the same size
        return paths, size

    monkeypatch.setattr(jsonfile, "replace_file", spy)
    measured = open_team_round(store, "C0")
    for n in range(10):
        store.record_answers(measured.id, f"U{n}", dict.fromkeys(ITEMS, 4))
    paths, small_store_size = answer_size(measured.id)
    assert [p.name for p in paths] == [f"round-{measured.id}.json"]

    for channel in range(1, 41):  # 40 more teams with 10 respondents each
        other = open_team_round(store, f"C{channel}")
        for n in range(10):
            store.record_answers(other.id, f"U{n}", dict.fromkeys(ITEMS, 2))
    paths, big_store_size = answer_size(measured.id)
    assert [p.name for p in paths] == [f"round-{measured.id}.json"]
    assert big_store_size == small_store_size


def test_expired_keys_are_purged_so_the_files_stay_small(
    store: TinyDBStore, clock: FakeClock
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
