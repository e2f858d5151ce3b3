"""Many threads clicking at once: every answer stored once, no errors, nobody skipped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import Progress, Store
from storage.tinydb import TinyDBStore, check

from .conftest import ITEMS, open_team_round

THREADS = 8
WRITES = 500
ROUNDS = 8


def clicks(thread: int) -> list[tuple[int, str, int]]:
    """One thread's clicks: (round, user, position); every thread writes to every round,
    and each person answers their round's questions in order."""
    return [(n % ROUNDS, f"U{thread}X{n // (ROUNDS * len(ITEMS))}", (n // ROUNDS) % len(ITEMS))
            for n in range(WRITES)]


def test_8_threads_x_500_answers_through_answer_and_advance_store_exactly_4000(
    store: Store, restart: Callable[[], Store]
) -> None:
    round_ids = [open_team_round(store, f"C{n}").id for n in range(ROUNDS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def respondent(thread: int) -> None:
        start.wait()
        try:
            for round_index, user, position in clicks(thread):
                moved = Progress(round_ids[round_index], user, position=position + 1,
                                 finished=position + 1 == len(ITEMS))
                store.answer_and_advance(moved, ITEMS[position], position % 5 + 1,
                                         expected_position=position)
        except BaseException as err:  # report, don't hide, any failure
            errors.append(err)

    threads = [threading.Thread(target=respondent, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    reached = {(round_index, user): position + 1
               for thread in range(THREADS) for round_index, user, position in clicks(thread)}
    again = restart()
    assert sum(len(a) for r in round_ids for a in again.all_answers(r)) == THREADS * WRITES
    assert sum(again.finished_count(r) for r in round_ids) == sum(
        1 for position in reached.values() if position == len(ITEMS))
    for (round_index, user), position in reached.items():
        progress = again.get_progress(round_ids[round_index], user)
        assert progress is not None and progress.position == position, (round_index, user)


@pytest.mark.backends("tinydb")
def test_threads_keep_every_answer_when_only_a_few_files_fit_in_memory(data_dir: Path) -> None:
    """Files dropped from memory are read back from disk; no write is lost on the way."""
    with TinyDBStore.open(data_dir, cache_files=8) as small:
        round_ids = [open_team_round(small, f"C{n}").id for n in range(12)]
        errors: list[BaseException] = []

        def respondent(thread: int) -> None:
            try:
                for n in range(120):
                    round_id = round_ids[(n + thread) % len(round_ids)]
                    small.record_answers(round_id, f"U{thread}X{n}", {ITEMS[n % len(ITEMS)]: 2})
                    small.get_progress(round_id, f"U{thread}X{n}")
            except BaseException as err:
                errors.append(err)

        threads = [threading.Thread(target=respondent, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sum(len(a) for r in round_ids for a in small.all_answers(r)) == 4 * 120
    assert check(data_dir).counts["answers"] == 4 * 120
