"""A round's file and its journal (TinyDB): a click appends one line instead of rewriting
the round's file, and nothing is lost, applied twice or kept after forget-me."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage import CorruptFileError, Progress, RequestClaim, check
from storage.tinydb import TinyDBStore
from storage.tinydb.journal import COMPACT_BYTES

from .conftest import FakeClock, open_team_round

pytestmark = pytest.mark.backends("tinydb")


def files_of(data_dir: Path) -> tuple[Path, Path]:
    [round_file] = data_dir.glob("teams/T1/C1/round-*.json")
    return round_file, round_file.with_suffix(".log")


def answer(store: TinyDBStore, round_id: str, user: str, at: int, item: str, score: int,
           claim: str | None = None) -> Progress:
    return store.answer_and_advance(
        Progress(round_id, user, position=at + 1), item, score, expected_position=at,
        claim=RequestClaim(claim, 600) if claim else None)


def test_a_click_appends_one_synced_line_and_leaves_the_round_file_alone(
    store: TinyDBStore, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    round_ = open_team_round(store)
    answer(store, round_.id, "U1", 0, "W1", 4)  # the round's file is written first,
    answer(store, round_.id, "U2", 0, "W1", 4)  # then its journal is started
    round_file, log = files_of(data_dir)
    before = round_file.read_bytes()
    synced = {"fsync": 0, "fdatasync": 0}

    def counting(name: str, real: Callable[[int], None]) -> Callable[[int], None]:
        def sync(fd: int) -> None:
            synced[name] += 1
            real(fd)
        return sync

    for name in synced:
        monkeypatch.setattr(os, name, counting(name, getattr(os, name)))

    answer(store, round_.id, "U1", 1, "W2", 5, claim="signed:v0=a")

    assert synced == {"fsync": 0, "fdatasync": 1}
    assert round_file.read_bytes() == before
    [line] = [json.loads(raw) for raw in log.read_text().splitlines()][-1:]
    assert set(line["put"]) == {"answers", "progress", "claims"}


def test_a_restart_reads_the_journal_back(store: TinyDBStore, clock: FakeClock,
                                          data_dir: Path) -> None:
    round_ = open_team_round(store)
    for at, item in enumerate(("W1", "W2", "W3")):
        answer(store, round_.id, "U1", at, item, at + 2, claim=f"signed:v0={item}")
    store.close()
    with TinyDBStore.open(data_dir, clock=clock) as again:
        assert again.answers_of(round_.id, "U1") == {"W1": 2, "W2": 3, "W3": 4}
        progress = again.get_progress(round_.id, "U1")
        assert progress is not None and progress.position == 3
        report = check(data_dir)
        assert report.counts["answers"] == 3 and not report.problems
        exported = again.export_all()["files"]
        [round_doc] = [doc for name, doc in exported.items() if "/round-" in name]
        assert len(round_doc["answers"]) == 3


def test_a_line_cut_short_by_a_crash_is_ignored_and_cut_off(store: TinyDBStore,
                                                           clock: FakeClock,
                                                           data_dir: Path) -> None:
    round_ = open_team_round(store)
    answer(store, round_.id, "U1", 0, "W1", 4)
    answer(store, round_.id, "U1", 1, "W2", 4)
    store.close()
    _round_file, log = files_of(data_dir)
    with log.open("ab") as journal:
        journal.write(b'{"seq": 99, "put": {"answers": {"x')  # killed mid-append
    with TinyDBStore.open(data_dir, clock=clock) as again:
        assert again.answers_of(round_.id, "U1") == {"W1": 4, "W2": 4}
        answer(again, round_.id, "U1", 2, "W3", 1)
    assert all(json.loads(line) for line in log.read_text().splitlines())
    with TinyDBStore.open(data_dir, clock=clock) as third:
        assert third.answers_of(round_.id, "U1") == {"W1": 4, "W2": 4, "W3": 1}


def test_lines_the_file_holds_are_not_applied_again(store: TinyDBStore, clock: FakeClock,
                                                    data_dir: Path) -> None:
    """A crash after the file was rewritten but before its journal was emptied."""
    round_ = open_team_round(store)
    answer(store, round_.id, "U3", 0, "W1", 5)
    answer(store, round_.id, "U1", 0, "W1", 4)
    answer(store, round_.id, "U1", 1, "W2", 4)
    _round_file, log = files_of(data_dir)
    old_lines = log.read_bytes()
    store.save_progress(Progress(round_.id, "U1", position=1), expected_position=2)  # Back
    store.forget_user("T1", "U3")  # a removal rewrites the file and empties the journal
    assert log.read_bytes() == b""
    store.close()
    log.write_bytes(old_lines)
    with TinyDBStore.open(data_dir, clock=clock) as again:
        progress = again.get_progress(round_.id, "U1")
        assert progress is not None and progress.position == 1
        answer(again, round_.id, "U1", 1, "W2", 2)
    with TinyDBStore.open(data_dir, clock=clock) as third:
        assert third.answers_of(round_.id, "U1") == {"W1": 4, "W2": 2}


def test_forget_me_leaves_nothing_of_the_person_in_the_journal(store: TinyDBStore,
                                                              data_dir: Path) -> None:
    round_ = open_team_round(store)
    answer(store, round_.id, "U2", 0, "W1", 2)
    answer(store, round_.id, "U1", 0, "W1", 4)
    answer(store, round_.id, "U1", 1, "W2", 3)
    respondent = store._respondent("T1", "U1")
    round_file, log = files_of(data_dir)
    assert respondent in log.read_text()

    store.forget_user("T1", "U1")

    assert respondent not in round_file.read_text() + log.read_text()
    assert store.answers_of(round_.id, "U2") == {"W1": 2}


def test_a_journal_larger_than_its_file_is_folded_into_it(store: TinyDBStore,
                                                         clock: FakeClock,
                                                         data_dir: Path) -> None:
    people = tuple(f"U{n}" for n in range(200))
    round_ = open_team_round(store, invited=people)
    for user in people:
        for at, item in enumerate(round_.item_ids[:3]):
            answer(store, round_.id, user, at, item, 3)
    round_file, log = files_of(data_dir)
    assert log.stat().st_size < max(COMPACT_BYTES, round_file.stat().st_size) + 2048
    assert json.loads(round_file.read_text())["_meta"]["journal"]["applied"] > 0
    store.close()
    with TinyDBStore.open(data_dir, clock=clock) as again:
        assert all(again.answers_of(round_.id, user) == dict.fromkeys(round_.item_ids[:3], 3)
                   for user in people)


def test_a_damaged_journal_line_is_named(store: TinyDBStore, clock: FakeClock,
                                         data_dir: Path) -> None:
    round_ = open_team_round(store)
    answer(store, round_.id, "U1", 0, "W1", 4)
    answer(store, round_.id, "U1", 1, "W2", 9 // 3)
    store.close()
    _round_file, log = files_of(data_dir)
    lines = log.read_text().splitlines()
    bad: dict[str, Any] = json.loads(lines[-1])
    for doc in bad["put"]["answers"].values():
        doc["score"] = 7
    log.write_text("\n".join([*lines[:-1], json.dumps(bad)]) + "\n")
    with TinyDBStore.open(data_dir, clock=clock) as again, \
            pytest.raises(CorruptFileError, match=r"round-.*\.log"):
        again.answers_of(round_.id, "U1")
    assert any(".log" in problem for problem in check(data_dir).problems)


def test_a_journal_with_a_line_missing_is_named_not_half_applied(
    store: TinyDBStore, clock: FakeClock, data_dir: Path,
) -> None:
    round_ = open_team_round(store)
    for at, item in enumerate(("W1", "W2", "W3", "I1")):
        answer(store, round_.id, "U1", at, item, 3)
    store.close()
    _round_file, log = files_of(data_dir)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:1] + lines[2:]))  # the second line lost
    with TinyDBStore.open(data_dir, clock=clock) as again, \
            pytest.raises(CorruptFileError, match="do not follow on"):
        again.answers_of(round_.id, "U1")
