"""Storage fixtures: the contract store (each backend in turn) and the TinyDB one.

``store`` and ``restart`` run a test once per backend (see ``store_backend`` in
tests/conftest.py); a module marked ``pytest.mark.backends("tinydb")`` gets TinyDB only,
with ``data_dir`` to look at its files. The clock starts on a fixed Monday and moves
only when the test says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import Round, Store, Team
from tests.conftest import FakeClock as FakeClock  # re-exported for the storage tests
from tests.pg import StoreBackend

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ITEMS = ("W1", "W2", "W3", "I1", "I2", "N1", "V1")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The TinyDB backend's directory (the same one `store_backend` uses)."""
    return tmp_path / "data"


@pytest.fixture
def opened(store_backend: StoreBackend) -> Iterator[list[Store]]:
    """Every store a test opens, closed at the end."""
    stores: list[Store] = [store_backend.open()]
    yield stores
    for each in stores:
        each.close()


@pytest.fixture
def store(opened: list[Store]) -> Store:
    return opened[0]


@pytest.fixture
def restart(opened: list[Store], store_backend: StoreBackend) -> Callable[[], Store]:
    """Close the current store and open the same place again, as a bot restart would."""

    def again() -> Store:
        opened[-1].close()
        opened.append(store_backend.open())
        return opened[-1]

    return again


def open_team_round(
    store: Store,
    channel: str = "C1",
    invited: tuple[str, ...] = ("U1", "U2", "U3"),
    workspace: str = "T1",
    closes_at: datetime | None = None,
) -> Round:
    """A team with a lead and an open diagnostic round over ITEMS."""
    store.save_team(Team(workspace, channel, leads=("L1",)))
    return store.open_round(workspace, channel, invited=invited, item_ids=ITEMS,
                            closes_at=closes_at)
