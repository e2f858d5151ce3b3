"""Scale by construction: recording an answer rewrites one small file, whatever else is stored.

(The timings are measured by bench/storage.py; this checks the property they rely on.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Store, jsonfile

from .conftest import ITEMS, open_team_round


def test_an_answer_rewrites_only_its_rounds_file_of_the_same_size_regardless_of_totals(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[tuple[Path, int]] = []
    real_write = jsonfile.replace_file

    def spy(path: Path, payload: bytes) -> None:
        written.append((path, len(payload)))
        real_write(path, payload)

    def answer_size(round_id: str) -> tuple[list[Path], int]:
        written.clear()
        store.record_answer(round_id, "U-measured", "W1", 3)
        paths = [path for path, _ in written]
        size = written[-1][1]
        store.record_answer(round_id, "U-measured", "W1", 4)  # keep the file the same size
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
