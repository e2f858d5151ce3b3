"""Sustained load: many people answering at once, against the real `python -m bot`.

    python bench/answering.py                 270 people, 24 client threads, 23 statements
    python bench/answering.py --quick         270 people, 6 statements each
    python bench/answering.py --team-size 270 one channel of 270 instead of teams of 10

`bench/latency.py` runs it after its click figures (`--sustained-only` runs just this).

What issue 21 reported from outside: "270 people answering, 24 threads: 141 requests/s
with ack p99 215 ms and every answer exact; before the durable request claims and the
outbox, 304-332 requests/s with ack p99 99-130 ms". Here: one bot process as in production
(HTTP mode, waitress and the listener thread pool, LOG_LEVEL=WARNING) on TinyDB or
PostgreSQL, the emulated Slack and the people in this process. Everyone starts the round
(untimed), then 24 client threads answer for them, flat out: a thread clicks an answer
for one of its people whose question is on screen, waits for the HTTP answer (the ack),
and goes on with the next person of its share whose screen has moved on. So each
person answers like a person (the next click only once the next statement shows) and
the bot is never idle.

Figures: requests (answer clicks) per second over the whole run, the ack's median and
p99 (sending the signed request until its HTTP answer), the screen's median and p99
(until the emulated Slack received the update showing the next statement: the click's
`response_url` with `replace_original`, or a `chat.update`), and
whether every answer is stored exactly as clicked (each person's scores differ, read back
from the store after the bot stopped). The bot's CPU is shown in cores kept busy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fanout import DEFAULT_SERVER, own_database
from instances import cpu_seconds
from timing import on_screen_updates, summarise

from bot.emulator import SlackDriver, SlackEmulator, Workspace
from bot.emulator.workspace import Message
from conversations.refs import ActionIds
from conversations.views.diagnostic import actions_start
from model import load_content
from storage import Store, Team, open_store
from tests.e2e.instances import SIGNING_SECRET, Instance, launch, ready

WS = "T0BENCH02"
LEAD = "U0LEAD0002"
KEY = bytes.fromhex("cd" * 32)
PEOPLE = 270
THREADS = 24
TEAM_SIZE = 10
STATEMENTS = {"full": 23, "quick": 6}


def score_of(person: int, statement: int) -> int:
    """What person `person` answers to statement `statement` (1..5, differing)."""
    return (person + statement) % 5 + 1


@dataclass
class Person:
    number: int
    user: str
    channel: str
    question: Message | None = None
    answered: int = 0
    sent_at: float | None = None
    """When their last click went out, until its screen landed (None: on screen)."""


@dataclass
class Tally:
    """Acks and landed screens, under one lock."""

    guard: threading.Lock = field(default_factory=threading.Lock)
    acks: list[float] = field(default_factory=list)
    screens: list[float] = field(default_factory=list)
    failed: int = 0
    by_message: dict[tuple[str, str], Person] = field(default_factory=dict)

    def landed(self, channel: str, ts: str) -> None:
        with self.guard:
            person = self.by_message.get((channel, ts))
            if person is None or person.sent_at is None:
                return
            self.screens.append(time.perf_counter() - person.sent_at)
            person.sent_at = None


def workspace_of(people: int, team_size: int) -> tuple[Workspace, list[Person]]:
    workspace = Workspace(team_id=WS)
    workspace.add_user(LEAD, "lead")
    persons = []
    for start in range(0, people, team_size):
        channel = f"C0LOAD{start // team_size:04d}"
        members = [f"U0L{n:07d}" for n in range(start, min(start + team_size, people))]
        for user in members:
            workspace.add_user(user, user.lower())
        workspace.add_channel(channel, channel.lower(), [LEAD, *members])
        persons += [Person(start + n, user, channel) for n, user in enumerate(members)]
    return workspace, persons


def open_rounds(store: Store, persons: list[Person], emulator: SlackEmulator) -> dict[str, str]:
    """Each team's open round and every person's Start button (the set-up is not
    measured): the round id per channel."""
    items = [item.id for item in load_content().questionnaire.items]
    rounds: dict[str, str] = {}
    for channel in dict.fromkeys(p.channel for p in persons):
        store.save_team(Team(WS, channel, leads=(LEAD,)))
        invited = [p.user for p in persons if p.channel == channel]
        rounds[channel] = store.open_round(WS, channel, invited=invited, item_ids=items).id
    for person in persons:
        blocks = [actions_start("en", rounds[person.channel]).to_dict()]
        emulator.api.call("chat.postMessage", {"channel": person.user, "text": "Start",
                                               "blocks": blocks})
    return rounds


@contextmanager
def bot(backend: str, emulator: SlackEmulator, persons: list[Person], workdir: Path,
        database_url: str | None) -> Iterator[tuple[Instance, dict[str, str]]]:
    """The bot process over a store holding the teams and their open rounds."""
    data_dir = workdir / "unused-data"
    if backend == "tinydb":
        with open_store(data_dir) as store:
            rounds = open_rounds(store, persons, emulator)
        extra = {"DATABASE_URL": "", "WI3_PSEUDONYM_KEY": ""}
    else:
        assert database_url is not None
        with open_store(database_url=database_url, pseudonym_key=KEY, migrate=True) as store:
            rounds = open_rounds(store, persons, emulator)
        extra = {}
    instance = launch(emulator, database_url or "", KEY.hex(), workdir / "wi3.log",
                      tick_seconds=30, lease_seconds=60, log_level="WARNING", extra=extra)
    try:
        ready([instance])
        yield instance, rounds
    finally:
        instance.stop()


def note_screens(emulator: SlackEmulator, tally: Tally) -> None:
    on_screen_updates(emulator, tally.landed)


def question_of(emulator: SlackEmulator, user: str) -> Message | None:
    for message in reversed(emulator.messages_to(user)):
        if any(b.get("action_id") == ActionIds.answer(1) for _, b in message.buttons()):
            return message
    return None


def start_everyone(driver: SlackDriver, emulator: SlackEmulator, persons: list[Person],
                   by_message: dict[tuple[str, str], Person], wait_seconds: float = 120) -> None:
    """Everyone clicks Start (not measured) and has their first question, noted by the
    message it is in."""
    with ThreadPoolExecutor(16) as starters:
        for person in persons:
            invitation = emulator.messages_to(person.user)[-1]
            starters.submit(driver.click, person.user, invitation, ActionIds.START)
    deadline = time.monotonic() + wait_seconds
    for person in persons:
        while (found := question_of(emulator, person.user)) is None:
            if time.monotonic() > deadline:
                raise SystemExit("people never got their first question")
            time.sleep(0.01)
        person.question = found
        by_message[(found.channel, found.ts)] = person


def answer_share(share: list[Person], statements: int, driver: SlackDriver,
                 tally: Tally) -> None:
    """One client thread: click for whoever of its people has a question on screen."""
    waiting = deque(share)
    while waiting:
        person = waiting.popleft()
        if person.sent_at is not None:  # their screen has not moved on yet
            waiting.append(person)
            if all(p.sent_at is not None for p in waiting):
                time.sleep(0.001)
            continue
        assert person.question is not None
        message = driver.emulator.message(person.question.channel, person.question.ts)
        with tally.guard:
            person.sent_at = time.perf_counter()
        started = time.perf_counter()
        status = driver.click(person.user, message,
                              ActionIds.answer(score_of(person.number, person.answered))).status
        with tally.guard:
            tally.acks.append(time.perf_counter() - started)
            tally.failed += status != 200
        person.answered += 1
        if person.answered < statements:
            waiting.append(person)


def exactness(store: Store, persons: list[Person], rounds: dict[str, str],
              statements: int) -> int:
    """How many people's stored answers differ from what they clicked."""
    items = [item.id for item in load_content().questionnaire.items][:statements]
    wrong = 0
    for person in persons:
        clicked = {item: score_of(person.number, n) for n, item in enumerate(items)}
        wrong += store.answers_of(rounds[person.channel], person.user) != clicked
    return wrong


def run(backend: str, people: int, threads: int, team_size: int, statements: int,
        server: str) -> dict[str, Any]:
    workspace, persons = workspace_of(people, team_size)
    tally = Tally()
    with SlackEmulator(workspace) as emulator, tempfile.TemporaryDirectory() as tmp, \
            (own_database(server) if backend == "postgresql" else _no_database()) as url:
        note_screens(emulator, tally)
        with bot(backend, emulator, persons, Path(tmp), url) as (instance, rounds):
            driver = SlackDriver(emulator, instance.url, SIGNING_SECRET)
            start_everyone(driver, emulator, persons, tally.by_message)
            cpu_before = cpu_seconds([instance.pid])[instance.pid]
            began = time.perf_counter()
            with ThreadPoolExecutor(threads) as clients:
                shares = [persons[n::threads] for n in range(threads)]
                for done in [clients.submit(answer_share, share, statements, driver, tally)
                             for share in shares]:
                    done.result()
            deadline = time.monotonic() + 60
            while any(p.sent_at is not None for p in persons) and time.monotonic() < deadline:
                time.sleep(0.01)
            elapsed = time.perf_counter() - began
            cpu = cpu_seconds([instance.pid])[instance.pid] - cpu_before
        if backend == "tinydb":
            with open_store(Path(tmp) / "unused-data") as store:
                wrong = exactness(store, persons, rounds, statements)
        else:
            assert url is not None
            with open_store(database_url=url, pseudonym_key=KEY) as store:
                wrong = exactness(store, persons, rounds, statements)
    acks, screens = summarise(tally.acks), summarise(tally.screens)
    return {"backend": backend, "people": people, "team_size": team_size, "threads": threads,
            "statements": statements, "clicks": len(tally.acks),
            "requests_per_second": round(len(tally.acks) / elapsed, 1),
            "ack_median_ms": acks.median_ms, "ack_p99_ms": acks.p99_ms,
            "screen_median_ms": screens.median_ms, "screen_p99_ms": screens.p99_ms,
            "screens_missing": len(tally.acks) - len(tally.screens),
            "not_200": tally.failed, "people_with_wrong_answers": wrong,
            "bot_cores": round(cpu / elapsed, 2), "seconds": round(elapsed, 1)}


@contextmanager
def _no_database() -> Iterator[None]:
    yield None


def show(result: dict[str, Any]) -> None:
    exact = ("every answer exact" if result["people_with_wrong_answers"] == 0
             and result["screens_missing"] == 0 and result["not_200"] == 0
             else f"{result['people_with_wrong_answers']} people with wrong answers, "
                  f"{result['screens_missing']} screens missing, {result['not_200']} not 200")
    print(f"{result['backend']:<10} {result['people']} people (teams of {result['team_size']}),"
          f" {result['threads']} threads, {result['clicks']} answers: "
          f"{result['requests_per_second']:6.1f} requests/s, ack median "
          f"{result['ack_median_ms']:.1f} ms p99 {result['ack_p99_ms']:.1f} ms, screen median "
          f"{result['screen_median_ms']:.1f} ms p99 {result['screen_p99_ms']:.1f} ms, bot "
          f"{result['bot_cores']:.2f} cores; {exact}", flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--team-size", type=int, default=TEAM_SIZE)


def measure(backends: list[str], args: argparse.Namespace, mode: str,
            server: str) -> list[dict[str, Any]]:
    results = []
    for backend in backends:
        result = run(backend, args.people, args.threads, args.team_size, STATEMENTS[mode],
                     server)
        show(result)
        results.append(result)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 statements each, not 23")
    parser.add_argument("--backends", default="tinydb,postgresql")
    parser.add_argument("--database-url", default=os.environ.get("WI3_BENCH_DATABASE_URL",
                                                                 DEFAULT_SERVER))
    add_arguments(parser)
    args = parser.parse_args()
    backends = [name for name in ("tinydb", "postgresql") if name in args.backends.split(",")]
    print(f"load average {os.getloadavg()[0]:.1f} before, {os.cpu_count()} CPU(s)")
    results = measure(backends, args, "quick" if args.quick else "full", args.database_url)
    print(f"load average {os.getloadavg()[0]:.1f} after")
    print(json.dumps({"sustained": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
