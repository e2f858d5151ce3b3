"""One process owns a TinyDB data directory; a second one refuses to start with one clear
line, and a read-only reader (check, export) only reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storage import StoreClosedError, StoreLockedError
from storage.tinydb import TinyDBStore

from .conftest import FakeClock, open_team_round

pytestmark = pytest.mark.backends("tinydb")

REPO = Path(__file__).resolve().parents[2]
SECOND_BOT = """
import sys
from storage import StorageError
from storage.tinydb import TinyDBStore
try:
    TinyDBStore.open(sys.argv[1])
except StorageError as err:
    print(err)
    sys.exit(2)
print("started")
"""


def test_a_second_process_on_the_same_directory_refuses_with_one_line(
    store: TinyDBStore, data_dir: Path
) -> None:
    result = subprocess.run([sys.executable, "-c", SECOND_BOT, str(data_dir)], cwd=REPO,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "already in use by another wi3 process" in lines[0]
    assert str(data_dir) in lines[0]
    assert result.stderr == ""


def test_a_second_store_in_the_same_process_is_refused_too(
    store: TinyDBStore, data_dir: Path
) -> None:
    with pytest.raises(StoreLockedError, match="held by process"):
        TinyDBStore.open(data_dir)


def test_the_directory_is_free_again_after_close(store: TinyDBStore, data_dir: Path) -> None:
    store.close()
    result = subprocess.run([sys.executable, "-c", SECOND_BOT, str(data_dir)], cwd=REPO,
                            capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "started"


def test_a_closed_store_refuses_work_instead_of_pretending(store: TinyDBStore) -> None:
    store.close()
    with pytest.raises(StoreClosedError, match="closed"):
        store.claim("Ev1", 60)


def test_a_read_only_store_refuses_writes_and_keeps_showing_the_files(
    store: TinyDBStore, clock: FakeClock
) -> None:
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 2})
    with TinyDBStore.open(store.data_dir, read_only=True) as reader:
        with pytest.raises(StoreClosedError, match="read-only"):
            reader.record_answers(round_.id, "U1", {"W1": 5})
        assert reader.answers_of(round_.id, "U1") == {"W1": 2}
