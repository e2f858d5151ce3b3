"""A whole round end to end with the bot's data in PostgreSQL (the rest of the end-to-end
suite runs there too with WI3_TEST_STORE=postgresql)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services
from conversations.refs import ActionIds
from storage import Progress, RequestClaim, Store
from tests.conftest import FakeClock
from tests.e2e.helpers import answer_all, current_question, invitation, progress_line
from tests.pg import TestDatabase, postgresql_backend

ALEX, SAMI, NOOR, KAI = MEMBERS


@pytest.fixture
def store(pg_url: str, clock: FakeClock) -> Iterator[Store]:
    """The bot's store in this run's PostgreSQL database, for every test here."""
    with postgresql_backend(pg_url, clock).open() as opened:
        yield opened


def test_a_round_on_postgresql_from_start_to_results(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, pg_database: TestDatabase
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "language en")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(KAI, invitation(emulator, KAI), ActionIds.START)
    question = current_question(emulator, KAI)
    seen = emulator.message(question.channel, question.ts)
    assert driver.click_as_seen(KAI, seen, ActionIds.answer(2)).status == 200
    assert driver.click_as_seen(KAI, seen, ActionIds.answer(4)).status == 200  # stale: ignored
    [round_] = services.store.open_rounds()
    assert services.store.answers_of(round_.id, KAI) == {round_.item_ids[0]: 2}
    progress = services.store.get_progress(round_.id, KAI)
    assert progress is not None and progress.position == 1
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 5)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    driver.command(LEAD, TEAM_CHANNEL, "close")
    posts = [m.visible_text() for m in emulator.messages_to(TEAM_CHANNEL) if m.visible_text()]
    results = [post for post in posts if "Strategic" in post]
    assert len(results) == 1 and "4 of 5 answered" in results[0]  # Kai stopped after one
    assert services.store.rounds_awaiting_results() == []
    assert pg_database.sql("SELECT count(*) FROM participation") == [(3,)]
    assert pg_database.sql("SELECT count(*) FROM snapshots") == [(1,)]


class OtherInstanceFirst:
    """The store as one of two instances sees it: the same person's other click on the
    same question, handled by the other instance, lands just before this one's write."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def answer_and_advance(self, progress: Progress, item_id: str, score: int | None,
                           at: datetime | None = None, *,
                           expected_position: int | None = None,
                           claim: RequestClaim | None = None) -> Progress:
        self._store.answer_and_advance(progress, item_id, 1, at,
                                       expected_position=expected_position)
        return self._store.answer_and_advance(progress, item_id, score, at,
                                              expected_position=expected_position, claim=claim)


def test_a_click_another_instance_answered_first_shows_where_the_person_is(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(KAI, invitation(emulator, KAI), ActionIds.START)
    question = current_question(emulator, KAI)
    services.diagnostic.store = OtherInstanceFirst(services.store)  # type: ignore[assignment]
    assert driver.click(KAI, question, ActionIds.answer(4)).status == 200
    [round_] = services.store.open_rounds()
    assert services.store.answers_of(round_.id, KAI) == {round_.item_ids[0]: 1}
    progress = services.store.get_progress(round_.id, KAI)
    assert progress is not None and progress.position == 1
    # The message moves on to the question the person is at now (no dead end).
    assert progress_line(emulator.message(question.channel, question.ts)) == \
        "Statement 2 of 23 · Value · about _our use of social tools at work_"
