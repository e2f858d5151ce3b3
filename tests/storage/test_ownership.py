"""One process owns a data directory; a second one refuses to start with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storage import Store, StoreClosedError, StoreLockedError

REPO = Path(__file__).resolve().parents[2]
SECOND_BOT = """
import sys
from storage import Store, StorageError
try:
    Store.open(sys.argv[1])
except StorageError as err:
    print(err)
    sys.exit(2)
print("started")
"""


def test_a_second_process_on_the_same_directory_refuses_with_one_line(
    store: Store, data_dir: Path
) -> None:
    result = subprocess.run([sys.executable, "-c", SECOND_BOT, str(data_dir)], cwd=REPO,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "already in use by another wi3 process" in lines[0]
    assert str(data_dir) in lines[0]
    assert result.stderr == ""


def test_a_second_store_in_the_same_process_is_refused_too(store: Store, data_dir: Path) -> None:
    with pytest.raises(StoreLockedError, match="held by process"):
        Store.open(data_dir)


def test_the_directory_is_free_again_after_close(store: Store, data_dir: Path) -> None:
    store.close()
    result = subprocess.run([sys.executable, "-c", SECOND_BOT, str(data_dir)], cwd=REPO,
                            capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "started"


def test_a_closed_store_refuses_work_instead_of_pretending(store: Store) -> None:
    store.close()
    with pytest.raises(StoreClosedError, match="closed"):
        store.claim("Ev1", 60)
