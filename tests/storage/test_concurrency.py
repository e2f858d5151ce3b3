"""Many threads writing at once: every answer stored once, no errors, valid files."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from storage import Store, check

from .conftest import ITEMS, open_team_round

THREADS = 8
WRITES = 500
ROUNDS = 8


def test_8_threads_x_500_answers_store_exactly_4000(
    store: Store, restart: Callable[[], Store]
) -> None:
    round_ids = [open_team_round(store, f"C{n}").id for n in range(ROUNDS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def respondent(thread: int) -> None:
        start.wait()
        try:
            for n in range(WRITES):
                round_id = round_ids[n % ROUNDS]  # every thread writes to every round
                user = f"U{thread}x{n // (ROUNDS * len(ITEMS))}"
                item = ITEMS[(n // ROUNDS) % len(ITEMS)]
                store.record_answer(round_id, user, item, n % 5 + 1)
        except BaseException as err:  # report, don't hide, any failure
            errors.append(err)

    threads = [threading.Thread(target=respondent, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    again = restart()
    stored = sum(len(a) for r in round_ids for a in again.all_answers(r))
    assert stored == THREADS * WRITES
    for path in again.data_dir.rglob("*.json"):
        json.loads(path.read_text())
    assert check(again.data_dir).counts["answers"] == THREADS * WRITES


def test_threads_keep_every_answer_when_only_a_few_files_fit_in_memory(data_dir: Path) -> None:
    """Files dropped from memory are read back from disk; no write is lost on the way."""
    with Store.open(data_dir, cache_files=8, retention_days=730) as small:
        round_ids = [open_team_round(small, f"C{n}").id for n in range(12)]
        errors: list[BaseException] = []

        def respondent(thread: int) -> None:
            try:
                for n in range(120):
                    round_id = round_ids[(n + thread) % len(round_ids)]
                    small.record_answer(round_id, f"U{thread}x{n}", ITEMS[n % len(ITEMS)], 2)
                    small.get_progress(round_id, f"U{thread}x{n}")
            except BaseException as err:
                errors.append(err)

        threads = [threading.Thread(target=respondent, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sum(len(a) for r in round_ids for a in small.all_answers(r)) == 4 * 120
