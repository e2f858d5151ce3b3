"""Crash safety: kill -9 at random moments, disk full, I/O errors."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import Progress, StorageError, StorageWriteError, Team
from storage.tinydb import TinyDBStore, jsonfile

from .conftest import FakeClock, open_team_round
from .crash_writer import expected_answer

pytestmark = pytest.mark.backends("tinydb")

REPO = Path(__file__).resolve().parents[2]
TRIALS = 20


def _run_writer_and_kill(data_dir: Path, channel: str, rng: random.Random) -> tuple[str, int]:
    """Start the writer, SIGKILL it at a random moment; (round id, writes confirmed)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.crash_writer", str(data_dir), channel],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    first = child.stdout.readline()
    assert first.startswith("round "), child.stderr.read() if child.stderr else first
    time.sleep(rng.uniform(0.0, 0.12))
    child.send_signal(signal.SIGKILL)
    out, _ = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    confirmed = [line for line in out.split("\n")[:-1] if line.isdigit()]  # complete lines
    return first.split()[1], len(confirmed)


@pytest.mark.slow
def test_kill_9_at_random_moments_never_corrupts_or_loses_a_confirmed_write(
    data_dir: Path,
) -> None:
    rng = random.Random(20250303)
    TinyDBStore.open(data_dir).close()
    total_confirmed = 0
    for trial in range(TRIALS):
        round_id, confirmed = _run_writer_and_kill(data_dir, f"C{trial}", rng)
        total_confirmed += confirmed
        for path in data_dir.rglob("*.json"):
            json.loads(path.read_text())  # every file parses
        with TinyDBStore.open(data_dir) as store:  # validates every file, takes over the lock
            answers: dict[str, dict[str, int | None]] = {}
            for n in range(confirmed):
                user, item, score = expected_answer(n)
                if user not in answers:
                    answers[user] = store.answers_of(round_id, user)
                assert answers[user].get(item) == score, (trial, n)
        assert not list(data_dir.rglob(".*.tmp")), "leftover temp files are cleaned at start"
    assert total_confirmed > TRIALS  # the kills really landed mid-stream


def _fail(code: int) -> None:
    raise OSError(code, os.strerror(code))


def _fail_writes(monkeypatch: pytest.MonkeyPatch, code: int, call: str = "write") -> None:
    monkeypatch.setattr(os, call, lambda *_args: _fail(code))


def test_disk_full_raises_a_clear_error_and_keeps_the_previous_state(
    store: TinyDBStore, monkeypatch: pytest.MonkeyPatch, data_dir: Path, clock: FakeClock
) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 2})
    [round_file] = data_dir.glob("teams/T1/C1/round-*.json")
    before = round_file.read_bytes()

    with monkeypatch.context() as patch:
        _fail_writes(patch, errno.ENOSPC)
        with pytest.raises(StorageWriteError) as raised:
            store.record_answers(round_.id, "U1", {"W1": 5})
        with pytest.raises(StorageError):
            store.save_team(Team("T1", "C1", leads=("L2",)))

    message = str(raised.value)
    assert "No space left on device" in message
    assert round_file.stem in message  # the round's file or its journal, by name
    assert "\n" not in message
    assert round_file.read_bytes() == before
    assert store.answers_of(round_.id, "U1") == {"W1": 2}  # memory matches the disk
    team = store.get_team("T1", "C1")
    assert team is not None and team.leads == ("L1",)
    assert not list(data_dir.rglob(".*.tmp"))
    problem = store.write_problem()  # /healthz says why while writes fail: the latest failure
    assert problem is not None and "No space left" in problem and "index.json" in problem
    assert store.write_failures() == 2  # /metrics counts them
    assert store.record_answers(round_.id, "U1", {"W1": 5}) == 1  # space is back: works again
    assert store.write_problem() is None
    assert store.write_failures() == 2
    store.close()
    with TinyDBStore.open(data_dir, clock=clock) as again:
        assert again.answers_of(round_.id, "U1") == {"W1": 5}


def test_an_io_error_on_fsync_keeps_the_previous_state(
    store: TinyDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 2})
    with monkeypatch.context() as patch:
        _fail_writes(patch, errno.EIO, call="fsync")
        _fail_writes(patch, errno.EIO, call="fdatasync")  # a journal line's sync
        with pytest.raises(StorageWriteError, match="Input/output error"):
            store.save_progress(Progress(round_.id, "U1", position=1, finished=True))
    assert store.get_progress(round_.id, "U1") is None
    assert not store.has_finished(round_.id, "U1")


def test_a_failed_directory_sync_says_the_new_state_may_not_be_durable(
    store: TinyDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_ = open_team_round(store)
    with monkeypatch.context() as patch:
        patch.setattr(jsonfile, "fsync_directory", lambda _d: _fail(errno.EIO))
        with pytest.raises(StorageWriteError, match="may not survive a power cut") as raised:
            store.record_answers(round_.id, "U1", {"W1": 2})
    assert raised.value.replaced
    assert store.answers_of(round_.id, "U1") == {"W1": 2}  # memory matches the file


def test_a_write_that_returned_is_on_disk_for_another_reader(store: TinyDBStore) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U7", {"W3": 4})
    with TinyDBStore.open(store.data_dir, read_only=True) as reader:
        assert reader.answers_of(round_.id, "U7") == {"W3": 4}


def test_temp_files_left_by_a_crash_are_removed_at_start(
    store: TinyDBStore, data_dir: Path, clock: FakeClock
) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 2})
    store.close()
    leftover = data_dir / "teams" / "T1" / "C1" / ".rounds.json.0123456789abcdef.tmp"
    leftover.write_text('{"half a wri')
    with TinyDBStore.open(data_dir, clock=clock) as again:
        assert not leftover.exists()
        assert again.answers_of(round_.id, "U1") == {"W1": 2}

