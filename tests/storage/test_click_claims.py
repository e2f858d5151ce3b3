"""A click's request claim, saved in the same write as what the click changes.

Slack's retries and replays of a click must run once; a click costs one durable write.
So the claim goes with the answer (``answer_and_advance``) or the move (``save_progress``):
both saved or neither, and a write that is refused or fails leaves the request unclaimed,
free to be tried again.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import URL, event

from storage import (
    Progress,
    RepeatedRequestError,
    RequestClaim,
    RoundClosedError,
    StalePositionError,
    StorageWriteError,
    Store,
)
from storage.sql import SQLStore
from storage.tinydb import TinyDBStore

from .conftest import FakeClock, open_team_round

CLICK = RequestClaim("signed:v0=click-one", 600)
OTHER_CLICK = RequestClaim("signed:v0=click-two", 600)


def test_a_click_claimed_with_its_answer_is_refused_when_it_comes_again(store: Store) -> None:
    round_ = open_team_round(store)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0, claim=CLICK)
    store.save_progress(Progress(round_.id, "U1", position=0), expected_position=1)  # back

    with pytest.raises(RepeatedRequestError):  # the replay would be valid by position
        store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 1,
                                 expected_position=0, claim=CLICK)

    assert store.answers_of(round_.id, "U1") == {"W1": 4}
    progress = store.get_progress(round_.id, "U1")
    assert progress is not None and progress.position == 0


def test_the_claim_survives_a_restart(store: Store, restart: Callable[[], Store]) -> None:
    round_ = open_team_round(store)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0, claim=CLICK)
    store.save_progress(Progress(round_.id, "U1", position=0), expected_position=1)
    again = restart()
    with pytest.raises(RepeatedRequestError):
        again.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 2,
                                 expected_position=0, claim=CLICK)
    assert again.answers_of(round_.id, "U1") == {"W1": 4}


def test_a_move_claimed_with_it_runs_once(store: Store) -> None:
    round_ = open_team_round(store)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0)
    store.save_progress(Progress(round_.id, "U1", position=0), expected_position=1, claim=CLICK)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 5,
                             expected_position=0)
    with pytest.raises(RepeatedRequestError):
        store.save_progress(Progress(round_.id, "U1", position=0), expected_position=1,
                            claim=CLICK)
    progress = store.get_progress(round_.id, "U1")
    assert progress is not None and progress.position == 1


def test_a_refused_write_leaves_its_click_unclaimed(store: Store) -> None:
    round_ = open_team_round(store)
    with pytest.raises(StalePositionError):  # clicked on a question they are not at
        store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 3,
                                 expected_position=1, claim=CLICK)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 3,
                             expected_position=0, claim=CLICK)
    assert store.answers_of(round_.id, "U1") == {"W1": 3}

    store.close_round(round_.id)
    with pytest.raises(RoundClosedError):
        store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 3,
                                 expected_position=1, claim=OTHER_CLICK)
    assert store.claim(OTHER_CLICK.key, 600) is True  # nothing of it was saved


def test_claims_are_per_request_and_expire(store: Store, clock: FakeClock) -> None:
    round_ = open_team_round(store)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0, claim=CLICK)
    store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 4,
                             expected_position=1, claim=OTHER_CLICK)
    store.save_progress(Progress(round_.id, "U1", position=1), expected_position=2)
    clock.advance(seconds=CLICK.ttl_seconds + 1)
    store.answer_and_advance(Progress(round_.id, "U1", position=2), "W2", 1,
                             expected_position=1, claim=OTHER_CLICK)
    assert store.answers_of(round_.id, "U1") == {"W1": 4, "W2": 1}


def test_many_expired_claims_are_let_go_and_live_ones_kept(store: Store,
                                                           clock: FakeClock) -> None:
    round_ = open_team_round(store, invited=tuple(f"U{n}" for n in range(70)))
    for n in range(70):
        clock.advance(seconds=20)
        store.answer_and_advance(Progress(round_.id, f"U{n}", position=1), "W1", 3,
                                 expected_position=0,
                                 claim=RequestClaim(f"signed:v0=click-{n}", 600))
    for n in range(70):
        store.save_progress(Progress(round_.id, f"U{n}", position=0), expected_position=1)
    refused = []
    for n in range(70):
        try:
            store.answer_and_advance(Progress(round_.id, f"U{n}", position=1), "W1", 5,
                                     expected_position=0,
                                     claim=RequestClaim(f"signed:v0=click-{n}", 600))
        except RepeatedRequestError:
            refused.append(n)
    assert refused == list(range(40, 70))  # the last 600 s of clicks, not the older ones


def test_of_many_deliveries_of_one_click_at_once_one_is_saved(store: Store) -> None:
    round_ = open_team_round(store)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0)
    outcomes = _race(8, lambda n: store.answer_and_advance(
        Progress(round_.id, "U1", position=2), "W2", n % 5 + 1, expected_position=1,
        claim=CLICK))
    saved = [o for o in outcomes if isinstance(o, Progress)]
    assert len(saved) == 1
    assert all(isinstance(o, RepeatedRequestError | StalePositionError)
               for o in outcomes if o not in saved)
    assert store.answers_of(round_.id, "U1")["W2"] in {1, 2, 3, 4, 5}


def test_a_done_checklist_stays_done_when_an_answer_moves_the_respondent(store: Store) -> None:
    round_ = open_team_round(store)
    last = len(round_.item_ids) - 1
    store.save_progress(Progress(round_.id, "U1", position=last + 1, finished=True,
                                 checklist_done=True))
    store.save_progress(Progress(round_.id, "U1", position=last), expected_position=last + 1)
    moved = store.answer_and_advance(Progress(round_.id, "U1", position=last + 1,
                                              finished=True),
                                     round_.item_ids[last], 2, expected_position=last,
                                     claim=CLICK)
    assert moved.checklist_done and moved.finished
    assert store.get_progress(round_.id, "U1") == moved


# -- one durable write, and none when it fails --------------------------------------------


@pytest.mark.backends("tinydb")
def test_tinydb_a_claimed_answer_is_one_file_write(store: TinyDBStore,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    round_ = open_team_round(store)
    with monkeypatch.context() as patch:
        synced = _count_calls(patch, os, "fsync", "fdatasync")
        store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                                 expected_position=0, claim=CLICK)
    assert synced == {"fsync": 2, "fdatasync": 0}  # the round's file, then its directory


@pytest.mark.backends("postgresql")
def test_postgresql_a_claimed_answer_is_one_commit(store: SQLStore) -> None:
    round_ = open_team_round(store)
    commits = []
    event.listen(store.engine, "commit", lambda _connection: commits.append(1))
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0, claim=CLICK)
    assert len(commits) == 1


@pytest.mark.backends("tinydb")
def test_tinydb_a_click_whose_write_failed_is_not_claimed(
    store: TinyDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_ = open_team_round(store)

    def no_space(*_args: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", no_space)
        with pytest.raises(StorageWriteError):
            store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                                     expected_position=0, claim=CLICK)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0, claim=CLICK)  # Slack's retry
    assert store.answers_of(round_.id, "U1") == {"W1": 4}


@pytest.mark.backends("postgresql")
def test_postgresql_a_click_whose_write_failed_is_not_claimed(store: SQLStore) -> None:
    round_ = open_team_round(store)
    armed = [True]

    @event.listens_for(store.engine, "before_cursor_execute")
    def drop_at_the_answer(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """The claim and the move are in the transaction when its connection dies."""
        if armed[0] and statement.startswith("INSERT INTO answers"):
            armed[0] = False
            pid = connection.connection.dbapi_connection.info.backend_pid
            with psycopg.connect(_libpq(store.engine.url), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with pytest.raises(StorageWriteError):
        store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                                 expected_position=0, claim=CLICK)
    store.answer_and_advance(Progress(round_.id, "U1", position=1), "W1", 4,
                             expected_position=0, claim=CLICK)
    assert store.answers_of(round_.id, "U1") == {"W1": 4}


def _count_calls(patch: pytest.MonkeyPatch, module: Any, *names: str) -> dict[str, int]:
    """Count calls of ``module.<name>`` from now until ``patch`` is undone."""
    counts = dict.fromkeys(names, 0)
    for name in names:
        real = getattr(module, name)

        def counted(*args: Any, _name: str = name, _real: Any = real) -> Any:
            counts[_name] += 1
            return _real(*args)

        patch.setattr(module, name, counted)
    return counts


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _race(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run ``action(n)`` in ``count`` threads at once; their results or exceptions."""
    outcomes: list[Any] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        try:
            outcomes.append(action(n))
        except Exception as err:
            outcomes.append(err)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
