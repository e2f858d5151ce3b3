"""Shared fixtures: a store in a temporary directory with a clock the test controls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import Round, Store, Team
from tests.conftest import FakeClock

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ITEMS = ("W1", "W2", "W3", "I1", "I2", "N1", "V1")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def opened(data_dir: Path, clock: FakeClock) -> Iterator[list[Store]]:
    """Every store a test opens, closed at the end."""
    stores: list[Store] = [Store.open(data_dir, clock=clock, retention_days=730)]
    yield stores
    for each in stores:
        each.close()


@pytest.fixture
def store(opened: list[Store]) -> Store:
    return opened[0]


@pytest.fixture
def restart(opened: list[Store], data_dir: Path, clock: FakeClock) -> Callable[[], Store]:
    """Close the current store and open the directory again, as a bot restart would."""

    def again() -> Store:
        opened[-1].close()
        opened.append(Store.open(data_dir, clock=clock, retention_days=730))
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
