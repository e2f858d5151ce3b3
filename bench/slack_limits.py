"""A channel of 500 answering together, under Slack's documented rate limits (issue 21).

    python bench/slack_limits.py                      500 people, 23 statements, both backends
    python bench/slack_limits.py --quick              60 people, 6 statements (under a minute)
    python bench/slack_limits.py --backend tinydb     one backend (or postgresql)

One bot process as in production (`python -m bot`, HTTP mode) on TinyDB or PostgreSQL,
the emulated Slack enforcing Slack's documented limits (its default: Tier 2/3/4 per method
and workspace, `chat.postMessage` per channel and workspace, `response_url` five uses),
and the people in this process. One channel of N people has an open round; each person
clicks Start (untimed), then answers every statement as a person does: the next click
only once the next statement is on their screen, after a think time drawn between
`--think` seconds (the full run's default spreads 500 people's 11,500 clicks over about
five minutes, inside the ten the issue asks for). Meanwhile two people outside the round
type `/wi3` commands (the lead `/wi3 status` in the channel, someone else `/wi3 help`)
every second.

Figures: every answer stored exactly as clicked (read back from the store after the bot
stopped), the next question on the person's screen (from sending the click until the
emulated Slack received the update of that message, through its `response_url` or
`chat.update`) p50/p95/p99, the 429s the emulated Slack answered during the answering
(by method; the click path's are those of the methods a click calls), and the commands'
latency (sending until their answer landed) max and p95. Targets: p95 < 1 s, p99 < 3 s,
zero 429s on the click path, commands < 3 s. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering import (
    KEY,
    WS,
    Person,
    bot,
    exactness,
    score_of,
    start_everyone,
)
from fanout import DEFAULT_SERVER, own_database
from timing import on_screen_updates

from bot.emulator import SlackDriver, SlackEmulator, Workspace
from bot.emulator.limits import METHOD_TIERS
from conversations.refs import ActionIds
from storage import open_store
from tests.e2e.instances import SIGNING_SECRET

LEAD = "U0LEAD0002"
OUTSIDER = "U0OUTSIDE1"
CHANNEL = "C0LIMITS01"
OTHER_CHANNEL = "C0OTHER001"
MODES = {
    "full": {"people": 500, "statements": 23, "think": (4.0, 22.0), "threads": 48},
    "quick": {"people": 60, "statements": 6, "think": (0.5, 3.0), "threads": 16},
}
CLICK_PATH = ("chat.update", "chat.postMessage", "chat.postEphemeral", "users.info",
              "users.list", "conversations.info", "conversations.members", "views.publish",
              "response_url")
"""What a click may call; a 429 on any of them during the answering is on the click path."""
COMMAND_EVERY_SECONDS = 1.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1e3, 1)


@dataclass
class Tally:
    """Clicks in flight, landed screens and commands, under one lock."""

    guard: threading.Lock = field(default_factory=threading.Lock)
    screens: list[float] = field(default_factory=list)
    commands: list[float] = field(default_factory=list)
    not_200: int = 0
    by_message: dict[tuple[str, str], Person] = field(default_factory=dict)
    commands_sent: dict[str, list[float]] = field(default_factory=dict)
    landed_at: dict[int, float] = field(default_factory=dict)

    def landed(self, channel: str, ts: str) -> None:
        with self.guard:
            person = self.by_message.get((channel, ts))
            if person is None or person.sent_at is None:
                return
            now = time.perf_counter()
            self.screens.append(now - person.sent_at)
            self.landed_at[person.number] = now
            person.sent_at = None

    def answered(self, user: str) -> None:
        with self.guard:
            pending = self.commands_sent.get(user)
            if pending:
                self.commands.append(time.perf_counter() - pending.pop(0))


def workspace_of(people: int) -> tuple[Workspace, list[Person]]:
    workspace = Workspace(team_id=WS)
    workspace.add_user(LEAD, "lead")
    workspace.add_user(OUTSIDER, "outsider")
    members = [f"U0L{n:07d}" for n in range(people)]
    for user in members:
        workspace.add_user(user, user.lower())
    workspace.add_channel(CHANNEL, "limits", [LEAD, *members])
    workspace.add_channel(OTHER_CHANNEL, "elsewhere", [OUTSIDER])
    return workspace, [Person(n, user, CHANNEL) for n, user in enumerate(members)]


def watch(emulator: SlackEmulator, tally: Tally) -> None:
    """Note when a question's update lands (either way) and when a command's answer does."""
    on_screen_updates(emulator, tally.landed)
    respond = emulator.handle_response_url

    def noting_response(secret: str, url: str, body: dict[str, Any]) -> Any:
        target = dict(emulator.api.response_urls.get(secret) or {})
        reply = respond(secret, url, body)
        if reply.status == 200 and target and not body.get("replace_original"):
            tally.answered(str(target.get("user")))
        return reply

    emulator.handle_response_url = noting_response  # type: ignore[method-assign]


class Agenda:
    """Who clicks next: each person once their screen moved on and they thought."""

    def __init__(self, persons: list[Person], think: tuple[float, float], seed: int) -> None:
        self.random = random.Random(seed)
        self.think = think
        self.guard = threading.Condition()
        now = time.perf_counter()
        self.due: list[tuple[float, int]] = [
            (now + self.random.uniform(0, think[1]), p.number) for p in persons]
        heapq.heapify(self.due)

    def next(self) -> int | None:
        with self.guard:
            while self.due:
                at, number = self.due[0]
                wait = at - time.perf_counter()
                if wait <= 0:
                    heapq.heappop(self.due)
                    return number
                self.guard.wait(wait)
            return None

    def again(self, number: int, landed: float) -> None:
        with self.guard:
            heapq.heappush(self.due, (landed + self.random.uniform(*self.think), number))
            self.guard.notify()


def clicker(agenda: Agenda, persons: list[Person], statements: int, driver: SlackDriver,
            tally: Tally, outstanding: list[int]) -> None:
    """One client thread: click for whoever is due, then put them back once their screen
    moved on (a person never clicks a question they cannot see)."""
    while (number := agenda.next()) is not None:
        person = persons[number]
        assert person.question is not None
        message = driver.emulator.message(person.question.channel, person.question.ts)
        with tally.guard:
            person.sent_at = time.perf_counter()
        status = driver.click(person.user, message,
                              ActionIds.answer(score_of(person.number, person.answered))).status
        person.answered += 1
        deadline = time.monotonic() + 30
        while person.sent_at is not None and time.monotonic() < deadline:
            time.sleep(0.005)
        with tally.guard:
            tally.not_200 += status != 200
            landed = tally.landed_at.get(number, time.perf_counter())
        if person.answered < statements:
            agenda.again(number, landed)
        else:
            with tally.guard:
                outstanding[0] -= 1


def commands(driver: SlackDriver, tally: Tally, done: threading.Event) -> None:
    """The lead's `/wi3 status` and an outsider's `/wi3 help`, each once a second."""
    who = [(LEAD, CHANNEL, "status"), (OUTSIDER, OTHER_CHANNEL, "help")]
    while not done.wait(COMMAND_EVERY_SECONDS):
        for user, channel, text in who:
            with tally.guard:
                tally.commands_sent.setdefault(user, []).append(time.perf_counter())
            if driver.command(user, channel, text).status != 200:
                with tally.guard:
                    tally.not_200 += 1


def rate_limited_since(emulator: SlackEmulator, since: float) -> Counter[str]:
    return Counter(call.method for call in emulator.rate_limited_calls() if call.time >= since)


def run(backend: str, mode: dict[str, Any], server: str) -> dict[str, Any]:
    people, statements = int(mode["people"]), int(mode["statements"])
    workspace, persons = workspace_of(people)
    tally = Tally()
    with SlackEmulator(workspace) as emulator, tempfile.TemporaryDirectory() as tmp, \
            (own_database(server) if backend == "postgresql" else nullcontext()) as url:
        assert emulator.limits.unlimited_because is None, "Slack's limits must be on"
        watch(emulator, tally)
        with bot(backend, emulator, persons, Path(tmp), url) as (instance, rounds):
            driver = SlackDriver(emulator, instance.url, SIGNING_SECRET)
            start_everyone(driver, emulator, persons, tally.by_message, wait_seconds=300)
            began_wall, began = time.time(), time.perf_counter()
            done = threading.Event()
            typing = threading.Thread(target=commands, args=(driver, tally, done))
            typing.start()
            agenda = Agenda(persons, mode["think"], seed=21)
            outstanding = [len(persons)]
            with ThreadPoolExecutor(int(mode["threads"])) as clients:
                for future in [clients.submit(clicker, agenda, persons, statements, driver,
                                            tally, outstanding)
                             for _ in range(int(mode["threads"]))]:
                    future.result()
            done.set()
            typing.join()
            elapsed = time.perf_counter() - began
            limited = rate_limited_since(emulator, began_wall)
        if backend == "tinydb":
            with open_store(Path(tmp) / "unused-data") as store:
                wrong = exactness(store, persons, rounds, statements)
        else:
            assert url is not None
            with open_store(database_url=url, pseudonym_key=KEY) as store:
                wrong = exactness(store, persons, rounds, statements)
    clicks = people * statements
    return {
        "backend": backend, "people": people, "statements": statements,
        "answers_expected": clicks, "people_with_wrong_answers": wrong,
        "screens_landed": len(tally.screens), "not_200": tally.not_200,
        "screen_p50_ms": percentile(tally.screens, 0.50),
        "screen_p95_ms": percentile(tally.screens, 0.95),
        "screen_p99_ms": percentile(tally.screens, 0.99),
        "screen_max_ms": percentile(tally.screens, 1.0),
        "rate_limited": dict(limited),
        "rate_limited_click_path": sum(n for m, n in limited.items() if m in CLICK_PATH),
        "commands": len(tally.commands),
        "command_p95_ms": percentile(tally.commands, 0.95),
        "command_max_ms": percentile(tally.commands, 1.0),
        "tier_2_3_calls": sum(1 for call in emulator.calls()
                              if METHOD_TIERS.get(call.method, 4) in (2, 3)
                              and call.time >= began_wall),
        "seconds": round(elapsed, 1),
    }


def show(result: dict[str, Any]) -> None:
    stored = (result["answers_expected"] if result["people_with_wrong_answers"] == 0
              else f"NOT all ({result['people_with_wrong_answers']} people differ)")
    print(f"{result['backend']:<10} {result['people']} people x {result['statements']} "
          f"statements in {result['seconds']} s: answers stored {stored}; next question on "
          f"screen p50 {result['screen_p50_ms']} ms p95 {result['screen_p95_ms']} ms p99 "
          f"{result['screen_p99_ms']} ms max {result['screen_max_ms']} ms "
          f"({result['screens_landed']} landed); 429s on the click path "
          f"{result['rate_limited_click_path']} (all: {result['rate_limited'] or 0}); "
          f"Tier 2/3 calls {result['tier_2_3_calls']}; {result['commands']} /wi3 commands "
          f"p95 {result['command_p95_ms']} ms max {result['command_max_ms']} ms; "
          f"not 200: {result['not_200']}", flush=True)


def verdict(result: dict[str, Any]) -> list[str]:
    """The targets this run missed."""
    missed = []
    if result["people_with_wrong_answers"]:
        missed.append("every answer stored")
    if not result["screen_p95_ms"] < 1000:
        missed.append("screen p95 < 1 s")
    if not result["screen_p99_ms"] < 3000:
        missed.append("screen p99 < 3 s")
    if result["rate_limited_click_path"]:
        missed.append("no 429 on the click path")
    if not result["command_max_ms"] < 3000:
        missed.append("commands < 3 s")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 people, 6 statements")
    parser.add_argument("--backend", choices=("tinydb", "postgresql", "both"), default="both")
    parser.add_argument("--people", type=int, help="instead of the mode's")
    parser.add_argument("--think", type=float, nargs=2, metavar=("MIN", "MAX"),
                        help="seconds between a question showing and its click")
    parser.add_argument("--database-url", default=os.environ.get("WI3_BENCH_DATABASE_URL",
                                                                 DEFAULT_SERVER))
    args = parser.parse_args()
    mode = dict(MODES["quick" if args.quick else "full"])
    if args.people:
        mode["people"] = args.people
    if args.think:
        mode["think"] = tuple(args.think)
    backends = ["tinydb", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"load average {os.getloadavg()[0]:.1f} before, {os.cpu_count()} CPU(s)")
    results = []
    for backend in backends:
        result = run(backend, mode, args.database_url)
        show(result)
        missed = verdict(result)
        print(f"{backend}: " + ("all targets met" if not missed
                                else "missed: " + ", ".join(missed)), flush=True)
        results.append({**result, "missed": missed})
    print(f"load average {os.getloadavg()[0]:.1f} after")
    print(json.dumps({"slack_limits": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
