"""How many answer clicks per second do one and two wi3 instances sustain on PostgreSQL
with the 99th percentile under 100 ms? Both measured in one run.

    python bench/instances.py            steps of 5 s (a few minutes)
    python bench/instances.py --quick    steps of 2 s, fewer of them

Each configuration gets a fresh database and real `python -m bot` processes (HTTP mode,
LOG_LEVEL=WARNING) behind a round-robin load balancer on loopback, as in production behind
nginx (`compose.yaml`). A few hundred respondents of one team have started the round (not
timed). Then answer clicks are offered at a rising rate, step by step: each click goes to
an idle respondent's current question, and its time runs from sending the signed
`block_actions` to the emulated Slack receiving the update (through the click's
`response_url`) that shows the next statement: what the person waits for, with the
instance's acknowledgement, dedupe claim, conditional answer write and reads in between.
A step is sustained when the clicks finished at the offered rate (at least 95% of it)
with p99 < 100 ms; the figure is the highest sustained step. The climb ends at the first
overloaded step (p99 over a second, or the clicks not finishing at the offered rate); a
step over 100 ms below it is noise from the machine's other work and is shown as not
sustained.

Everything here shares one machine: the load generator, the emulator, PostgreSQL and the
instances; each step prints how many cores each of them kept busy. On two cores the
second instance shares the first one's CPU (and the load generator's), so the two figures
say more about contention than about scaling; with a core per instance (and PostgreSQL
and the load on their own) the second instance adds about what the first one does, until
the database's commit rate is the limit. The last line is one JSON object with every
figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fanout import DEFAULT_SERVER, own_database
from timing import on_screen_updates, summarise

from bot.emulator import SlackDriver, SlackEmulator, Workspace
from bot.emulator.workspace import Message
from conversations.refs import ActionIds
from conversations.views.diagnostic import actions_start
from model import load_content
from storage import Team, open_store
from tests.e2e.instances import SIGNING_SECRET, Instance, RoundRobin, launch, ready

WS = "T0BENCH01"
CHANNEL = "C0BENCH01"
LEAD = "U0LEAD0001"
KEY = bytes.fromhex("ab" * 32)
RESPONDENTS = 400
RATES = (25, 50, 75, 100, 125, 150, 200, 250, 300)
WARM_UP = (20, 3.0)
"""A first, unjudged step: fresh processes warm up (imports, connection pools, caches)."""
STEP_SECONDS = {"full": 5.0, "quick": 2.0}
TARGET_P99_MS = 100.0
OVERLOADED_P99_MS = 1000.0
"""A step this slow (or one not finished at its rate) ends the climb: queues only grow."""
SUSTAINED_SHARE = 0.95
SENDERS = 48
"""Threads sending clicks (each waits for its HTTP answer, which is the ack)."""


@dataclass
class Respondent:
    user: str
    question: Message | None = None
    statement: int = 1
    busy: bool = False


@dataclass
class Clicks:
    """Clicks in flight by message, and finished ones' times, under one lock."""

    guard: threading.Lock = field(default_factory=threading.Lock)
    sent: dict[tuple[str, str], tuple[float, Respondent]] = field(default_factory=dict)
    done: list[tuple[float, float]] = field(default_factory=list)  # (sent at, seconds)

    def updated(self, channel: str, ts: str) -> None:
        with self.guard:
            pending = self.sent.pop((channel, ts), None)
            if pending is None:
                return
            started, respondent = pending
            self.done.append((started, time.perf_counter() - started))
            respondent.statement += 1
            respondent.busy = False


def workspace_of(respondents: int) -> tuple[Workspace, list[str]]:
    workspace = Workspace(team_id=WS)
    people = [f"U{n:09d}" for n in range(respondents)]
    for user in [LEAD, *people]:
        workspace.add_user(user, user.lower())
    workspace.add_channel(CHANNEL, "bench", [LEAD, *people])
    return workspace, people


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds of each of these processes so far (Linux /proc)."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@dataclass
class Cores:
    """Where the CPU went during a step, in cores kept busy on average (a process that
    started during the step counts from zero; one that ended is not seen)."""

    instances: list[int]
    started: float = 0.0
    marks: dict[str, dict[int, float]] = field(default_factory=dict)

    def start(self) -> None:
        self.started = time.perf_counter()
        self.marks = self._now()

    def used(self) -> dict[str, float]:
        seconds = time.perf_counter() - self.started
        now = self._now()
        return {name: round(sum(cpu - self.marks[name].get(pid, 0.0)
                                for pid, cpu in now[name].items()) / seconds, 2)
                for name in now}

    def _now(self) -> dict[str, dict[int, float]]:
        return {"instances": cpu_seconds(self.instances),
                "postgres": cpu_seconds(postgres_pids()),
                "harness": cpu_seconds([os.getpid()])}


@contextmanager
def cluster(emulator: SlackEmulator, url: str, count: int,
            logs: Path) -> Iterator[tuple[RoundRobin, Cores]]:
    balancer = RoundRobin()
    instances: list[Instance] = [launch(emulator, url, KEY.hex(), logs / f"wi3-{n}.log",
                                        tick_seconds=30, lease_seconds=60,
                                        log_level="WARNING") for n in range(count)]
    try:
        ready(instances)
        balancer.targets += instances
        with balancer.serving():
            yield balancer, Cores([each.pid for each in instances])
    finally:
        for instance in instances:
            instance.stop()


def started_round(url: str, people: list[str], emulator: SlackEmulator) -> str:
    """The team and its open round, with each respondent's Start button in their DMs
    (written behind the instances' backs: the set-up is not what is measured)."""
    items = [item.id for item in load_content().questionnaire.items]
    with open_store(database_url=url, pseudonym_key=KEY, migrate=True) as store:
        store.save_team(Team(WS, CHANNEL, leads=(LEAD,)))
        round_ = store.open_round(WS, CHANNEL, invited=people, item_ids=items)
    blocks = [actions_start("en", round_.id).to_dict()]
    for user in people:
        emulator.api.call("chat.postMessage", {"channel": user, "text": "Start",
                                               "blocks": blocks})
    return round_.id


def question_of(emulator: SlackEmulator, user: str) -> Message | None:
    for message in reversed(emulator.messages_to(user)):
        if any(b.get("action_id") == ActionIds.answer(1) for _, b in message.buttons()):
            return message
    return None


def measure(count: int, server: str, step: float, respondents: int) -> dict[str, Any]:
    """Offer rising click rates to `count` instances; the steps' figures."""
    workspace, people = workspace_of(respondents)
    clicks = Clicks()
    with SlackEmulator(workspace) as emulator, own_database(server) as url, \
            tempfile.TemporaryDirectory() as logs:
        record_updates(emulator, clicks)
        started_round(url, people, emulator)
        with cluster(emulator, url, count, Path(logs)) as (balancer, cores):
            driver = SlackDriver(emulator, balancer.url, SIGNING_SECRET)
            pool = [Respondent(user) for user in people]
            start_everyone(driver, emulator, pool)
            steps = []
            with ThreadPoolExecutor(SENDERS) as senders:
                offer(*WARM_UP, pool, driver, clicks, senders)
                for rate in RATES:
                    cores.start()
                    figures = offer(rate, step, pool, driver, clicks, senders)
                    figures["cores"] = cores.used()
                    steps.append(figures)
                    busy = figures["cores"]
                    print(f"  {count} instance(s) {rate:4d}/s offered: "
                          f"{figures['achieved_per_second']:6.1f}/s done, median "
                          f"{figures['median_ms']:6.1f} ms, p99 {figures['p99_ms']:7.1f} ms; "
                          f"cores busy: wi3 {busy['instances']:.2f}, PostgreSQL "
                          f"{busy['postgres']:.2f}, load generator + Slack + balancer "
                          f"{busy['harness']:.2f}"
                          f"{'' if figures['sustained'] else '  (not sustained)'}",
                          flush=True)
                    if figures["overloaded"]:
                        break
    sustained = [s["offered_per_second"] for s in steps if s["sustained"]]
    return {"instances": count, "sustained_per_second": max(sustained, default=0),
            "steps": steps}


def record_updates(emulator: SlackEmulator, clicks: Clicks) -> None:
    """Note when Slack receives each update of a question (a click's answer shown)."""
    on_screen_updates(emulator, clicks.updated)


def start_everyone(driver: SlackDriver, emulator: SlackEmulator,
                   pool: list[Respondent]) -> None:
    with ThreadPoolExecutor(16) as starters:
        for respondent in pool:
            invitation = emulator.messages_to(respondent.user)[-1]
            starters.submit(driver.click, respondent.user, invitation, ActionIds.START)
    deadline = time.monotonic() + 120
    for respondent in pool:
        while (found := question_of(emulator, respondent.user)) is None:
            if time.monotonic() > deadline:
                raise SystemExit("respondents never got their first question")
            time.sleep(0.01)
        respondent.question = found


def offer(rate: int, seconds: float, pool: list[Respondent], driver: SlackDriver,
          clicks: Clicks, senders: ThreadPoolExecutor) -> dict[str, Any]:
    """Clicks at `rate` per second for `seconds`, each to an idle respondent."""
    interval = 1.0 / rate
    begin = time.perf_counter()
    offered = 0
    while (now := time.perf_counter()) < begin + seconds:
        due = begin + offered * interval
        if now < due:
            time.sleep(due - now)
        respondent = idle(pool, clicks)
        if respondent is None:
            raise SystemExit("out of respondents: raise --respondents")
        assert respondent.question is not None
        with clicks.guard:
            respondent.busy = True
            clicks.sent[(respondent.question.channel, respondent.question.ts)] = (
                time.perf_counter(), respondent)
        senders.submit(click, driver, respondent)
        offered += 1
    time.sleep(1.0)  # let the step's last clicks finish
    with clicks.guard:
        timed = [seconds_ for sent_at, seconds_ in clicks.done if sent_at >= begin]
        late = sum(1 for sent_at, _ in clicks.sent.values() if sent_at >= begin)
    finished_in_step = len(timed)
    summary = summarise(timed + [60.0] * late) if timed or late else summarise([0.0])
    achieved = finished_in_step / seconds
    return {"offered_per_second": rate, "offered": offered, "finished": finished_in_step,
            "achieved_per_second": round(achieved, 1), "median_ms": summary.median_ms,
            "p99_ms": summary.p99_ms,
            "sustained": summary.p99_ms < TARGET_P99_MS and late == 0
            and finished_in_step >= SUSTAINED_SHARE * offered,
            "overloaded": summary.p99_ms > OVERLOADED_P99_MS
            or finished_in_step < SUSTAINED_SHARE * offered}


def idle(pool: list[Respondent], clicks: Clicks) -> Respondent | None:
    with clicks.guard:
        return next((r for r in pool if not r.busy and r.statement < 23), None)


def click(driver: SlackDriver, respondent: Respondent) -> None:
    assert respondent.question is not None
    current = driver.emulator.message(respondent.question.channel, respondent.question.ts)
    driver.click(respondent.user, current, ActionIds.answer(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short steps")
    parser.add_argument("--database-url", default=os.environ.get("WI3_BENCH_DATABASE_URL",
                                                                 DEFAULT_SERVER))
    parser.add_argument("--respondents", type=int, default=RESPONDENTS)
    args = parser.parse_args()
    step = STEP_SECONDS["quick" if args.quick else "full"]
    load_before = os.getloadavg()[0]
    print(f"wi3 multi-instance benchmark: answer clicks per second with p99 < "
          f"{TARGET_P99_MS:.0f} ms, on PostgreSQL, {os.cpu_count()} CPU(s), steps of "
          f"{step:.0f} s; load average {load_before:.1f} before")
    results = [measure(count, args.database_url, step, args.respondents) for count in (1, 2)]
    load_after = os.getloadavg()[0]
    for result in results:
        print(f"{result['instances']} instance(s): {result['sustained_per_second']} clicks/s "
              f"sustained with p99 < {TARGET_P99_MS:.0f} ms")
    print(f"load average {load_after:.1f} after (the machine's other work counts too)")
    print(json.dumps({"cpus": os.cpu_count(), "step_seconds": step,
                      "target_p99_ms": TARGET_P99_MS, "load_before": load_before,
                      "load_after": load_after, "results": results}))


if __name__ == "__main__":
    main()
