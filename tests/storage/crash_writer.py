"""Child process for the kill -9 test: writes in a loop, prints each confirmed write.

Usage: python -m tests.storage.crash_writer DATA_DIR CHANNEL

Line "n" on stdout means write number n returned, so it must be on disk. Answer n is
user U{n // len(ITEMS)}, item ITEMS[n % len(ITEMS)], score n % 5 + 1; every few writes
also touch the index, the user cache and the dedupe files, so a kill can hit any of them.
"""

from __future__ import annotations

import sys

from storage import Team, UserInfo
from storage.tinydb import TinyDBStore

ITEMS = tuple(f"Q{i}" for i in range(20))


def expected_answer(n: int) -> tuple[str, str, int]:
    return f"U{n // len(ITEMS)}", ITEMS[n % len(ITEMS)], n % 5 + 1


def main(data_dir: str, channel: str) -> None:
    store = TinyDBStore.open(data_dir)
    store.save_team(Team("T1", channel, leads=("L1",)))
    round_ = store.open_round("T1", channel, item_ids=ITEMS)
    print(f"round {round_.id}", flush=True)
    n = 0
    while True:
        user, item, score = expected_answer(n)
        store.record_answers(round_.id, user, {item: score})
        if n % 7 == 3:
            store.save_user(UserInfo("T1", user, dm_channel=f"D{n}"))
        if n % 11 == 5:
            store.claim(f"{channel}:{n}", ttl_seconds=3600)
        if n % 29 == 13:
            store.save_team(Team("T1", channel, leads=("L1", user)))
        sys.stdout.write(f"{n}\n")
        sys.stdout.flush()
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
