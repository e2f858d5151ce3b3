"""Once started, the interpreter suits a bot: start-up objects out of the garbage
collector's way, and a busy thread hands the interpreter lock on sooner."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from bot import interpreter


@pytest.fixture
def restored_interpreter() -> Iterator[None]:
    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("restored_interpreter")
def test_a_full_collection_no_longer_walks_what_start_up_made() -> None:
    made_at_start = [[n] for n in range(1000)]
    assert gc.is_tracked(made_at_start[0])
    interpreter.settle()
    assert gc.get_freeze_count() >= len(made_at_start)
    assert not any(item is made_at_start[0] for item in gc.get_objects(generation=2))
    assert gc.get_threshold()[0] == interpreter.YOUNG_THRESHOLD


@pytest.mark.usefixtures("restored_interpreter")
def test_garbage_made_after_start_is_still_collected() -> None:
    interpreter.settle()

    class Cycle:
        other: object = None

    first, second = Cycle(), Cycle()
    first.other, second.other = second, first
    del first, second
    assert gc.collect() >= 2


@pytest.mark.usefixtures("restored_interpreter")
def test_settling_sets_the_switch_interval_to_a_millisecond() -> None:
    """What it buys (a click beside a busy thread) is measured by bench/org_scale.py."""
    interpreter.settle()
    assert sys.getswitchinterval() == interpreter.SWITCH_INTERVAL_SECONDS == 0.001
