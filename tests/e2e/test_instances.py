"""Two (then three) real `python -m bot` processes on one PostgreSQL, behind a round-robin
load balancer: nothing lost, nothing twice, also across a kill -9.

Slack is the emulator in real time (the instances run on the real clock); instances tick
every second and hold claims for five, so a takeover is quick. Few tests, each covering a
lot: starting processes is the expensive part.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.emulator import SlackDriver, SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.emulator.workspace import Message, Workspace
from conversations.refs import ActionIds
from storage import Store, open_store
from storage.records import RESULTS
from tests.e2e.instances import (
    SIGNING_SECRET,
    Hold,
    Instance,
    RoundRobin,
    eventually,
    job_runs,
    launch,
    metadata_type,
    ready,
)
from tests.pg import TEST_PSEUDONYM_KEY, TEST_PSEUDONYM_KEY_HEX, TestDatabase

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kill -9")

ALEX, SAMI, NOOR, KAI = MEMBERS
WS = "T0WI3TEST"
CROWD = [f"U8{n:07d}" for n in range(200)]
STATEMENT = re.compile(r"(?:Statement|Stelling) (\d+) (?:of|van) 23")


@pytest.fixture
def database(pg_database: TestDatabase) -> TestDatabase:
    pg_database.truncate()
    return pg_database


@pytest.fixture
def store(database: TestDatabase) -> Iterator[Store]:
    """The test's own look at the database the instances share."""
    with open_store(database_url=database.url, pseudonym_key=TEST_PSEUDONYM_KEY) as opened:
        yield opened


class Cluster:
    """The instances, the balancer in front of them, and Slack's side of the requests."""

    def __init__(self, emulator: SlackEmulator, database: TestDatabase, logs: Path,
                 balancer: RoundRobin) -> None:
        self.emulator = emulator
        self.database = database
        self.logs = logs
        self.balancer = balancer
        self.instances: list[Instance] = []
        self.driver = SlackDriver(emulator, balancer.url, SIGNING_SECRET)

    def add(self, count: int) -> list[Instance]:
        started = [launch(self.emulator, self.database.url, TEST_PSEUDONYM_KEY_HEX,
                          self.logs / f"wi3-{len(self.instances) + n}.log")
                   for n in range(count)]
        self.instances += started
        ready(started)
        self.balancer.targets += started
        return started

    def command(self, user: str, channel: str, text: str) -> None:
        """`/wi3 text`, waiting for the reply (instances answer Slack first, work after)."""
        before = len(self.emulator.responses())
        assert self.driver.command(user, channel, text).status == 200
        eventually(lambda: self.emulator.responses()[before:] or None)

    def instance_holding(self, key: str) -> Instance:
        """The instance whose claim holds the outbox message `key` now."""
        (claim,) = self.database.sql(f"SELECT claim FROM outbox WHERE key = '{key}'")[0]
        pid = int(str(claim).split(":")[1])
        return next(each for each in self.instances if each.pid == pid)


@pytest.fixture
def cluster_of(database: TestDatabase, tmp_path: Path) -> Iterator[Any]:
    running: list[Cluster] = []

    def start(emulator: SlackEmulator, count: int = 2) -> Cluster:
        balancer = RoundRobin()
        serving = balancer.serving()
        serving.__enter__()
        cluster = Cluster(emulator, database, tmp_path, balancer)
        running.append(cluster)
        cluster._serving = serving  # type: ignore[attr-defined]
        cluster.add(count)
        return cluster

    yield start
    for cluster in running:
        for instance in cluster.instances:
            instance.stop()
        cluster._serving.__exit__(None, None, None)  # type: ignore[attr-defined]


def dm_with(emulator: SlackEmulator, user: str, action_id: str) -> Message | None:
    for message in reversed(emulator.messages_to(user)):
        if any(button.get("action_id") == action_id for _, button in message.buttons()):
            return message
    return None


def statement_of(message: Message) -> int | None:
    found = STATEMENT.search(message.visible_text())
    return int(found.group(1)) if found else None


def answer_everything(cluster: Cluster, user: str) -> None:
    """Start, then answer each statement once its question shows (clicks alternate
    between the instances: the balancer takes turns)."""
    emulator, driver = cluster.emulator, cluster.driver
    invitation = eventually(lambda: dm_with(emulator, user, ActionIds.START))
    driver.click(user, invitation, ActionIds.START)
    question = eventually(lambda: dm_with(emulator, user, ActionIds.answer(1)))
    for n in range(1, 24):

        def at_statement(n: int = n) -> Message | None:
            now = emulator.message(question.channel, question.ts)
            return now if statement_of(now) == n else None

        shown = eventually(at_statement)
        assert driver.click(user, shown, ActionIds.answer(1 + n % 5)).status == 200
    done = eventually(lambda: dm_with(emulator, user, ActionIds.CHECKLIST_DONE))
    driver.click(user, done, ActionIds.CHECKLIST_DONE)


def test_a_round_on_two_instances_behind_a_load_balancer(
    cluster_of: Any, store: Store,
) -> None:
    with SlackEmulator(sample_workspace()) as emulator:
        cluster = cluster_of(emulator)
        cluster.command(LEAD, TEAM_CHANNEL, "setup")
        cluster.command(LEAD, TEAM_CHANNEL, "start")
        for user in (ALEX, SAMI, NOOR):
            answer_everything(cluster, user)
        (round_,) = store.open_rounds()
        for user in (ALEX, SAMI, NOOR):
            assert store.answers_of(round_.id, user) == {
                item: 1 + n % 5 for n, item in enumerate(round_.item_ids, start=1)}
        assert all(count > 20 for count in cluster.balancer.served.values())

        # Kai answers as fast as the questions come while Lotte closes the round.
        race = Race()
        racing = threading.Thread(target=answer_until_closed, args=(cluster, KAI, race))
        racing.start()
        eventually(lambda: len(race.clicked) >= 3 or None)
        cluster.command(LEAD, TEAM_CHANNEL, "close")
        race.closed.set()
        racing.join(60)
        assert not racing.is_alive()
        accepted = race.highest_shown(emulator) - 1
        assert accepted >= 3
        assert len(store.answers_of(round_.id, KAI)) == accepted  # each accepted one kept

        eventually(lambda: emulator.uploads() or None)
        assert len(marked(emulator, TEAM_CHANNEL, "wi3_results")) == 1
        assert len(emulator.uploads()) == 1
        assert len(marked(emulator, TEAM_CHANNEL, "wi3_post")) == 1  # the announcement
        invited = invitations(emulator, list(round_.invited))
        assert set(invited.values()) == {1}

        # Both instances tick every second; the job runs where its lease is held (one
        # instance, unless a stall longer than the lease moved it): never twice a tick.
        runs = eventually(lambda: (lambda found: found if len(found) >= 4 else None)(
            job_runs(cluster.instances, "close-due-rounds")))
        gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(runs)]
        assert min(gaps) > timedelta(seconds=0.5)
        span = (runs[-1][0] - runs[0][0]).total_seconds()
        assert len(runs) <= span + 1  # one run a tick (a second), not one per instance


class Race:
    """Kai's clicks racing the close: which statements he clicked, and where."""

    def __init__(self) -> None:
        self.clicked: list[int] = []
        self.closed = threading.Event()
        self.question: Message | None = None

    def highest_shown(self, emulator: SlackEmulator) -> int:
        """The furthest statement Kai's question message showed: every statement before
        it was an answer the bot accepted (and said so)."""
        assert self.question is not None
        updates = [str(call.params.get("blocks")) for call in emulator.calls("chat.update")
                   if call.ok and call.params.get("channel") == self.question.channel
                   and call.params.get("ts") == self.question.ts]
        replaced = [str(post.body.get("blocks")) for post in emulator.responses()
                    if post.outcome == "replace_original"
                    and post.channel == self.question.channel]  # the click's own update
        shown = [STATEMENT.search(blocks) for blocks in updates + replaced]
        return max((int(found.group(1)) for found in shown if found), default=1)


def answer_until_closed(cluster: Cluster, user: str, race: Race) -> None:
    emulator, driver = cluster.emulator, cluster.driver
    invitation = eventually(lambda: dm_with(emulator, user, ActionIds.START))
    driver.click(user, invitation, ActionIds.START)
    question = eventually(lambda: dm_with(emulator, user, ActionIds.answer(1)))
    race.question = question
    last = 0
    while True:
        def moved(last: int = last) -> Message | None:
            shown = emulator.message(question.channel, question.ts)
            at = statement_of(shown)
            return shown if at is None or at > last or race.closed.is_set() else None

        shown = eventually(moved)
        at = statement_of(shown)
        if at is None or at == 23 or at == last:
            return  # closed (or done)
        driver.click(user, shown, ActionIds.answer(4))
        race.clicked.append(at)
        last = at


def marked(emulator: SlackEmulator, channel: str, event_type: str) -> list[Message]:
    """Messages in `channel` carrying wi3's delivery mark of `event_type`."""
    return [m for m in emulator.messages_to(channel)
            if m.metadata and m.metadata.get("event_type") == event_type]


def crowd_workspace() -> Workspace:
    workspace = sample_workspace()
    for user in CROWD:
        workspace.add_user(user, user.lower())
    workspace.channels[TEAM_CHANNEL].members.extend(CROWD)
    return workspace


def test_kill_9_in_a_200_member_fan_out_and_in_results_posting_loses_and_repeats_nothing(
    cluster_of: Any, store: Store,
) -> None:
    with SlackEmulator(crowd_workspace()) as emulator:
        emulator.rate_limit("chat.postMessage", per_second=50, burst=20)
        cluster = cluster_of(emulator)
        everyone = [LEAD, *MEMBERS, *CROWD]
        cluster.command(LEAD, TEAM_CHANNEL, "setup")
        sixtieth = Hold(emulator, counted(60, lambda method, params: method == "chat.postMessage"
                                          and metadata_type(params) == "wi3_invitation"))
        cluster.command(LEAD, TEAM_CHANNEL, "start")
        assert sixtieth.reached.wait(60)
        (round_,) = store.open_rounds()
        victim = cluster.instance_holding(f"invitation/{round_.id}/{sixtieth.params['channel']}")
        victim.kill()  # Slack took the sixtieth invitation; its sender is gone
        sixtieth.release()
        cluster.balancer.targets.remove(victim)

        eventually(lambda: len(store.invitations_sent(round_.id)) == len(everyone) or None,
                   timeout=90, what="not everyone was invited")
        assert set(invitations(emulator, everyone).values()) == {1}

        cluster.add(1)  # the orchestrator replaces the dead instance
        for user in (ALEX, SAMI, NOOR):  # answer sheets, behind the instances' backs
            store.record_answers(round_.id, user, dict.fromkeys(round_.item_ids, 4))
            store.mark_finished(round_.id, user)
        results = Hold(emulator, lambda method, params: method == "chat.postMessage"
                       and metadata_type(params) == "wi3_results")
        cluster.command(LEAD, TEAM_CHANNEL, "close")
        assert results.reached.wait(60)
        cluster.instance_holding(f"{RESULTS}/{round_.id}").kill()
        results.release()

        eventually(lambda: store.rounds_awaiting_results() == [] or None, timeout=60,
                   what="the results post was never recorded")
        eventually(lambda: emulator.uploads() or None, timeout=30)
        assert len(marked(emulator, TEAM_CHANNEL, "wi3_results")) == 1
        assert len(emulator.uploads()) == 1


def counted(nth: int, matches: Any) -> Any:
    """Matches the `nth` call that `matches` picks."""
    seen = [0]
    guard = threading.Lock()

    def match(method: str, params: dict[str, Any]) -> bool:
        if not matches(method, params):
            return False
        with guard:
            seen[0] += 1
            return seen[0] == nth

    return match


def invitations(emulator: SlackEmulator, users: list[str]) -> Counter[str]:
    return Counter({user: sum(1 for m in emulator.messages_to(user)
                              if any(b.get("action_id") == ActionIds.START
                                     for _, b in m.buttons())) for user in users})
