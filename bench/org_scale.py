"""A whole organisation in one process: what do people notice at 50,000 people?

    python bench/org_scale.py                 50,000 people in 5,000 teams (issue 17's table)
    python bench/org_scale.py --quick         5,000 people in 500 teams (under a minute)
    python bench/org_scale.py --backends tinydb

The organisation, built through the Store API: one workspace of N people (in the emulated
Slack and in the user cache, DM channels known), teams of ten whose lead is their first
member, each with one closed, published diagnostic (every member answered 22 of the 23
statements; its snapshot and last-result summary kept, as closing writes them), two
500-member channels with an open diagnostic whose invitations all went out, channels of
twelve for `/wi3 start`, and a workspace admin. The TinyDB directory is built with fsync
skipped (a throwaway directory; one `os.sync()` at the end); the PostgreSQL database
(`--database-url`, default WI3_BENCH_DATABASE_URL, else the local server; skipped with one
line when none answers) through the same calls on four threads, then dropped.

Each row is measured against the real `python -m bot` process over signed HTTP, from the
moment the request leaves until what the person waits for lands in the emulated Slack:

* start: from launching `python -m bot` until `GET /healthz` answers 200;
* first click: a person's first click since the bot started (no cached profile flags, as
  after five idle minutes): Start on their invitation, until the first question lands;
* start in a channel of twelve: `/wi3 start` until every member's invitation landed (a
  second apart, so each start has the invitations' burst to itself);
* status all: `/wi3 status all` by the admin until the reply lands;
* ... until heat map and CSV by DM: the rest of `status all` (every team's summary read,
  both files made in the drawing worker and uploaded); no target, shown for what it costs;
* clicks during status all: answer clicks of people already answering, sent back to back
  from the moment `status all` is sent until its heat map and CSV landed (at least five),
  against the same clicks with nothing else going on (the reference row);
* App Home: `app_home_opened` of a lead invited to an open round, until `views.publish`.

The last line is one JSON object with every figure printed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latency import DEFAULT_SERVER, Server
from timing import Timing, summarise

from bot.emulator import SlackDriver, SlackEmulator, Workspace
from bot.emulator.server import _Reply
from conversations.refs import ActionIds
from conversations.results.summary import keep_summary
from conversations.views.diagnostic import invitation
from model import load_content, score_team
from storage import ResultSnapshot, Store, Team, UserInfo, open_store
from storage import Workspace as StoredWorkspace
from storage.tinydb import jsonfile

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
WORKSPACE = "T0ORG0001"
ADMIN = "U0ADMIN01"
TEAM_SIZE = 10
BIG_SIZE = 500
BIG_CHANNELS = ("C0ALLHANDS", "C0TOWNHALL")
START_SIZE = 12
PEOPLE = {"full": 50_000, "quick": 5_000}
RUNS = {"full": {"starts": 3, "first_clicks": 100, "invites": 5, "status_all": 5, "homes": 40},
        "quick": {"starts": 2, "first_clicks": 30, "invites": 3, "status_all": 3, "homes": 15}}
ALONE_CLICKS = 40
"""Answer clicks with nothing else going on: what "unchanged" is measured against."""
MIN_CLICKS_DURING = 5
MAX_CLICKS_DURING = 200
"""Clicks sent while one `status all` runs, at most (a slow one is then waited for)."""
ANSWERS_EACH = 20
"""Answer clicks per person at most (of 23 questions), so each click has a question."""
TARGETS = {"start_s": 2.0, "first_click_p99_ms": 50.0, "invites_s": 1.0, "status_all_s": 0.5,
           "during_p99_ms": 50.0, "home_p99_ms": 50.0}
BUILD_THREADS = {"tinydb": 1, "postgresql": 4}
WAIT_SECONDS = 60.0
BUDGET_REFILL_SECONDS = 1.0
"""Invitations go out at 20 a second with a burst of 10 (`bot.services`)."""
SLOW_WAIT_SECONDS = 600.0
"""How long a `status all` may take before the run gives up (before issue 17: minutes)."""


# --------------------------------------------------------------------- the organisation


@dataclass(frozen=True)
class Org:
    """Who is where: ids derived from numbers, so the bench and the bot agree."""

    people: int

    @property
    def teams(self) -> int:
        return self.people // TEAM_SIZE

    @staticmethod
    def person(n: int) -> str:
        return f"U{n:08d}"

    @staticmethod
    def team_channel(t: int) -> str:
        return f"C{t:08d}"

    def members(self, t: int) -> list[str]:
        return [self.person(t * TEAM_SIZE + m) for m in range(TEAM_SIZE)]

    def big_members(self, b: int) -> list[str]:
        """Big channel 0: the leads of the first 500 teams; 1: their second members."""
        return [self.person(t * TEAM_SIZE + b) for t in range(self.big_size)]

    @property
    def big_size(self) -> int:
        return min(BIG_SIZE, self.teams)

    @staticmethod
    def start_channel(k: int) -> str:
        return f"C0START{k:03d}"

    def start_members(self, k: int) -> list[str]:
        """Twelve people from the last teams (not in the big channels)."""
        first = self.people - (k + 1) * START_SIZE
        return [self.person(first + m) for m in range(START_SIZE)]


def emulated_workspace(org: Org, starts: int) -> Workspace:
    workspace = Workspace(team_id=WORKSPACE)
    for n in range(org.people):
        workspace.add_user(org.person(n), f"p{n}", locale="nl-NL" if n % 3 else "en-US")
    workspace.add_user(ADMIN, "admin", is_admin=True)
    for t in range(org.teams):
        workspace.add_channel(org.team_channel(t), f"team-{t}", org.members(t))
    for b, channel in enumerate(BIG_CHANNELS):
        workspace.add_channel(channel, f"big-{b}", org.big_members(b))
    for k in range(starts):
        workspace.add_channel(org.start_channel(k), f"start-{k}", org.start_members(k))
    return workspace


@dataclass
class Built:
    """What the bench needs to know about the stored organisation."""

    big_rounds: list[str] = field(default_factory=list)
    seconds: float = 0.0


def results_to_keep() -> list[dict[str, Any]]:
    """A few distinct team results (snapshots' `result`), scored once by the model."""
    content = load_content()
    items = [item.id for item in content.questionnaire.items]
    kept = []
    for shift in range(5):
        answers = [{item: (i + r + shift) % 5 + 1 for i, item in enumerate(items[:-1])}
                   for r in range(TEAM_SIZE)]
        result = score_team(answers, minimum=3, content=content)
        kept.append({"min_responses": 3, "team": result.to_dict()})
    return kept


def build(store: Store, org: Org, emulator: SlackEmulator, starts: int, threads: int) -> Built:
    """The organisation, through the Store API (see the module docstring)."""
    started = time.perf_counter()
    content = load_content()
    items = [item.id for item in content.questionnaire.items]
    kept = results_to_keep()
    store.save_workspace(StoredWorkspace(id=WORKSPACE, name="Org"))
    now = datetime.now(UTC)
    closed_at = now - timedelta(days=20)

    def team(t: int) -> None:
        members = org.members(t)
        saved = store.save_team(Team(WORKSPACE, org.team_channel(t), leads=(members[0],)))
        round_ = store.open_round(WORKSPACE, saved.channel_id, invited=members,
                                  item_ids=items, at=closed_at - timedelta(days=7))
        for n, user in enumerate(members):
            store.record_answers(round_.id, user,
                                 {item: (n + i) % 5 + 1 for i, item in enumerate(items[:-1])},
                                 at=closed_at - timedelta(days=1))
        store.close_round(round_.id, at=closed_at)
        snapshot = ResultSnapshot(round_.id, WORKSPACE, saved.channel_id, "diagnostic", None,
                                  closed_at, TEAM_SIZE, TEAM_SIZE, kept[t % len(kept)])
        store.save_snapshot(snapshot)
        keep_summary(store, snapshot, content)
        store.mark_results_posted(round_.id, at=closed_at)

    def user(n: int) -> None:
        person = org.person(n)
        store.save_user(UserInfo(WORKSPACE, person, dm_channel=emulator.dm_channel(person),
                                 locale="nl-NL" if n % 3 else "en-US", timezone="Europe/Amsterdam",
                                 fetched_at=now - timedelta(hours=2)))

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(team, range(org.teams)))
        list(pool.map(user, range(org.people)))
    built = Built()
    for b, channel in enumerate(BIG_CHANNELS):
        members = org.big_members(b)
        store.save_team(Team(WORKSPACE, channel, leads=(members[0],)))
        round_ = store.open_round(WORKSPACE, channel, invited=members, item_ids=items,
                                  closes_at=now + timedelta(days=7))
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda u, r=round_.id: store.mark_invitation_sent(r, u), members))
        built.big_rounds.append(round_.id)
    for k in range(starts):
        lead = org.start_members(k)[0]
        store.save_team(Team(WORKSPACE, org.start_channel(k), leads=(lead,)))
    built.seconds = round(time.perf_counter() - started, 1)
    return built


@contextmanager
def without_fsync() -> Iterator[None]:
    """Filling a throwaway directory: no fsync per write (of the file or its directory),
    one sync at the end."""
    real_fsync, real_directory = os.fsync, jsonfile.fsync_directory
    os.fsync = lambda fd: None
    jsonfile.fsync_directory = lambda directory: None
    try:
        yield
    finally:
        os.fsync, jsonfile.fsync_directory = real_fsync, real_directory
        os.sync()


# --------------------------------------------------------------------- Slack's side


class WatchedEmulator(SlackEmulator):
    """The emulated Slack, noting the moment each Web API call or response lands."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.landed = threading.Condition()
        self.log: list[tuple[float, str, dict[str, Any]]] = []

    def handle_api(self, method: str, token: str | None, params: dict[str, Any],
                   client: tuple[str, str] | None = None) -> _Reply:
        reply = super().handle_api(method, token, params, client)
        if _took(reply):  # a call Slack refused (429) landed nothing
            self._note(method, params)
        return reply

    def handle_response_url(self, secret: str, url: str, body: dict[str, Any]) -> _Reply:
        target = dict(self.api_holding(secret).response_urls.get(secret) or {})
        reply = super().handle_response_url(secret, url, body)
        if _took(reply):
            self._note("response_url", {**body, "channel": target.get("channel")})
        return reply

    def _note(self, method: str, params: dict[str, Any]) -> None:
        with self.landed:
            self.log.append((time.perf_counter(), method, params))
            self.landed.notify_all()

    def mark(self) -> int:
        with self.landed:
            return len(self.log)

    def wait(self, since: int, done: Callable[[str, dict[str, Any]], bool],
             count: int = 1, timeout: float = WAIT_SECONDS) -> float:
        """When the `count`-th call after `since` for which `done` holds landed."""
        seen = since
        found = 0
        deadline = time.monotonic() + timeout
        with self.landed:
            while True:
                for at, method, params in self.log[seen:]:
                    seen += 1
                    if done(method, params):
                        found += 1
                        if found == count:
                            return at
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    calls = [(method, params.get("channel")) for _, method, params
                             in self.log[since:]]
                    raise TimeoutError(f"the bot's answer never landed; calls: {calls[-8:]}")
                self.landed.wait(remaining)


def _took(reply: Any) -> bool:
    """Whether the emulated Slack took the call (not a 429 or another refusal)."""
    return bool(reply.status == 200 and reply.body.get("ok", True))


def to_channel(*channels: str) -> Callable[[str, dict[str, Any]], bool]:
    wanted = set(channels)
    return lambda method, params: ((method in ("chat.postMessage", "chat.update")
                                    or (method == "response_url"
                                        and bool(params.get("replace_original"))))
                                   and str(params.get("channel")) in wanted)


def posted_to(emulator: SlackEmulator, users: Sequence[str]
              ) -> Callable[[str, dict[str, Any]], bool]:
    """A DM to each of `users` (by user id or DM channel), each counted once."""
    left = {**{user: user for user in users}, **{emulator.dm_channel(u): u for u in users}}
    reached: set[str] = set()

    def done(method: str, params: dict[str, Any]) -> bool:
        user = left.get(str(params.get("channel")))
        if method == "chat.postMessage" and user is not None and user not in reached:
            reached.add(user)
            return True
        return False

    return done


# --------------------------------------------------------------------- the bot process


class Bot:
    """`python -m bot` serving HTTP on a free port, on a data directory or a database."""

    def __init__(self, emulator: SlackEmulator, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
                    "SLACK_BOT_TOKEN": emulator.token, "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": emulator.api_url, "PORT": str(self.port),
                    "LOG_LEVEL": "WARNING", **env}
        self.log = Path(tempfile.mkstemp(prefix="wi3-org-bot-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Launch it; seconds until /healthz answered 200."""
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot"], env=self.env,
                                            cwd=tempfile.gettempdir(), stdout=log, stderr=log)
        url = f"http://127.0.0.1:{self.port}/healthz"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited: {self.tail()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.005)

    def tail(self) -> str:
        """The end of the bot's log (for a run that went wrong)."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    def peak_memory_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------- the rows


@dataclass
class Rows:
    start_s: list[float] = field(default_factory=list)
    first_click: list[float] = field(default_factory=list)
    invites_s: list[float] = field(default_factory=list)
    status_all_s: list[float] = field(default_factory=list)
    files_s: list[float] = field(default_factory=list)
    alone: list[float] = field(default_factory=list)
    during: list[float] = field(default_factory=list)
    home: list[float] = field(default_factory=list)
    peak_mb: float = 0.0


class Session:
    """One running bot and the people clicking on it."""

    def __init__(self, emulator: WatchedEmulator, bot: Bot, org: Org, built: Built) -> None:
        self.emulator = emulator
        self.driver = SlackDriver(emulator, bot.events_url, SECRET)
        self.org = org
        self.built = built
        self.answering: deque[tuple[str, int]] = deque()
        """People who started, with how many questions they answered."""

    def invite(self, user: str, round_id: str, channel: str) -> Any:
        """The invitation the bot sent earlier, in the person's DM (as Slack keeps it)."""
        message = invitation("en", round_id=round_id, channel_id=channel, lead_id=ADMIN,
                             subject="our organisation", question_count=23,
                             deadline=datetime.now(UTC) + timedelta(days=7), min_responses=3)
        with self.emulator.workspace.lock:
            answer = self.emulator.api.chat_post_message({
                "channel": self.emulator.dm_channel(user), "text": message["text"],
                "blocks": message["blocks"]})
        return self.emulator.message(answer["channel"], answer["ts"])

    def first_click(self, user: str) -> float:
        """Start on the invitation, until the first question lands."""
        message = self.invite(user, self.built.big_rounds[1], BIG_CHANNELS[1])
        since = self.emulator.mark()
        started = time.perf_counter()
        self.driver.click(user, message, ActionIds.START)
        landed = self.emulator.wait(since, to_channel(message.channel, user))
        self.answering.append((user, 0))
        return landed - started

    def answer_click(self) -> float:
        """An answer click of someone already answering, until their next question lands
        (each person in turn, while they have questions left)."""
        user, answered = self.answering.popleft()
        question = next(m for m in reversed(self.emulator.messages_to(user))
                        if any(b["action_id"] == ActionIds.answer(3) for _, b in m.buttons()))
        since = self.emulator.mark()
        started = time.perf_counter()
        self.driver.click(user, question, ActionIds.answer(3))
        landed = self.emulator.wait(since, to_channel(question.channel, user))
        if answered + 1 < ANSWERS_EACH:
            self.answering.append((user, answered + 1))
        return landed - started

    def start_in_channel(self, k: int) -> float:
        """`/wi3 start` until every member's invitation landed, after a pause that lets the
        invitations' rate budget fill up again (starts are not back to back)."""
        time.sleep(BUDGET_REFILL_SECONDS)
        members = self.org.start_members(k)
        since = self.emulator.mark()
        started = time.perf_counter()
        self.driver.command(members[0], self.org.start_channel(k), "start")
        landed = self.emulator.wait(since, posted_to(self.emulator, members), count=len(members))
        return landed - started

    def status_all(self) -> tuple[float, float, list[float]]:
        """`/wi3 status all`: until its reply, until the heat map and CSV landed by DM, and
        the answer clicks sent back to back all that time."""
        since = self.emulator.mark()
        started = time.perf_counter()
        sender = threading.Thread(target=self.driver.command,
                                  args=(ADMIN, self.org.team_channel(0), "status all"))
        sender.start()
        clicks: list[float] = []

        def files_landed() -> bool:
            with self.emulator.landed:
                log = self.emulator.log[since:]
            return sum(method == "files.completeUploadExternal" for _, method, _ in log) >= 2

        while (not files_landed() or len(clicks) < MIN_CLICKS_DURING) \
                and len(clicks) < MAX_CLICKS_DURING:
            clicks.append(self.answer_click())
        sender.join()
        replied = self.emulator.wait(since, lambda method, _: method == "response_url",
                                     timeout=SLOW_WAIT_SECONDS)
        by_dm = self.emulator.wait(
            since, lambda method, _: method == "files.completeUploadExternal", count=2,
            timeout=SLOW_WAIT_SECONDS)
        return replied - started, by_dm - started, clicks

    def home(self, user: str) -> float:
        since = self.emulator.mark()
        started = time.perf_counter()
        self.driver.event("app_home_opened", user=user, tab="home")
        landed = self.emulator.wait(
            since, lambda method, params: method == "views.publish"
            and params.get("user_id") == user)
        return landed - started


def measure(emulator: WatchedEmulator, env: dict[str, str], org: Org, built: Built,
            runs: dict[str, int]) -> Rows:
    rows = Rows()
    bot = Bot(emulator, env)
    for _ in range(runs["starts"] - 1):
        rows.start_s.append(bot.start())
        bot.stop()
    rows.start_s.append(bot.start())
    try:
        session = Session(emulator, bot, org, built)
        clickers = org.big_members(1)[:runs["first_clicks"]]
        rows.first_click = [session.first_click(user) for user in clickers]
        for _ in range(10):  # warming up
            session.answer_click()
        rows.alone = [session.answer_click() for _ in range(ALONE_CLICKS)]
        rows.invites_s = [session.start_in_channel(k) for k in range(runs["invites"])]
        for _ in range(runs["status_all"]):
            seconds, by_dm, clicks = session.status_all()
            rows.status_all_s.append(seconds)
            rows.files_s.append(by_dm)
            rows.during.extend(clicks)
        rows.home = [session.home(user) for user in org.big_members(0)[:runs["homes"]]]
        rows.peak_mb = bot.peak_memory_mb()
    except Exception:
        print(f"the bot's log ({bot.log}) ends:\n{bot.tail()}", file=sys.stderr)
        raise
    finally:
        bot.stop()
    return rows


# --------------------------------------------------------------------- backends


def run_backend(backend: str, org: Org, runs: dict[str, int], server: Server | None,
                tmp: Path) -> tuple[Built, Rows]:
    workspace = emulated_workspace(org, runs["invites"])
    emulator = WatchedEmulator(workspace)
    with emulator:
        if backend == "tinydb":
            data_dir = tmp / "data"
            with without_fsync(), open_store(data_dir, retention_days=100_000) as store:
                built = build(store, org, emulator, runs["invites"], BUILD_THREADS[backend])
            env = {"WI3_DATA_DIR": str(data_dir), "WI3_RETENTION_DAYS": "100000"}
        else:
            assert server is not None
            url = server.new_database("org")
            key = secrets.token_hex(32)
            with open_store(database_url=url, pseudonym_key=bytes.fromhex(key),
                            retention_days=100_000, migrate=True) as store:
                built = build(store, org, emulator, runs["invites"], BUILD_THREADS[backend])
            env = {"DATABASE_URL": url, "WI3_PSEUDONYM_KEY": key,
                   "WI3_DATA_DIR": str(tmp / "unused"), "WI3_RETENTION_DAYS": "100000"}
        emulator.log.clear()
        return built, measure(emulator, env, org, built, runs)


# --------------------------------------------------------------------- report


def ms(timing: Timing) -> str:
    return f"median {timing.median_ms:.1f} ms, p99 {timing.p99_ms:.1f} ms"


def report(backend: str, built: Built, rows: Rows, figures: dict[str, Any]) -> bool:
    first = summarise(rows.first_click)
    alone = summarise(rows.alone)
    during = summarise(rows.during)
    home = summarise(rows.home)
    found: dict[str, Any] = {
        "build_s": built.seconds,
        "start_s_max": round(max(rows.start_s), 2),
        "start_s_all": [round(s, 2) for s in rows.start_s],
        "first_click_median_ms": first.median_ms, "first_click_p99_ms": first.p99_ms,
        "first_click_max_ms": round(max(rows.first_click) * 1e3, 1),
        "invites_s_max": round(max(rows.invites_s), 3),
        "invites_s_all": [round(s, 3) for s in rows.invites_s],
        "status_all_s_max": round(max(rows.status_all_s), 3),
        "status_all_s_all": [round(s, 3) for s in rows.status_all_s],
        "status_all_files_s_all": [round(s, 2) for s in rows.files_s],
        "alone_median_ms": alone.median_ms, "alone_p99_ms": alone.p99_ms,
        "during_median_ms": during.median_ms, "during_p99_ms": during.p99_ms,
        "during_max_ms": round(max(rows.during) * 1e3, 1), "during_clicks": during.samples,
        "home_median_ms": home.median_ms, "home_p99_ms": home.p99_ms,
        "home_max_ms": round(max(rows.home) * 1e3, 1),
        "peak_memory_mb": rows.peak_mb,
    }
    met = {
        "start_s": found["start_s_max"] < TARGETS["start_s"],
        "first_click_p99_ms": first.p99_ms < TARGETS["first_click_p99_ms"],
        "invites_s": found["invites_s_max"] < TARGETS["invites_s"],
        "status_all_s": found["status_all_s_max"] < TARGETS["status_all_s"],
        "during_p99_ms": during.p99_ms < TARGETS["during_p99_ms"],
        "home_p99_ms": home.p99_ms < TARGETS["home_p99_ms"],
    }
    lines = [
        ("start to /healthz 200", f"{found['start_s_all']} s", "< 2 s", met["start_s"]),
        ("first click of a person", ms(first) + f", max {found['first_click_max_ms']} ms",
         "p99 < 50 ms", met["first_click_p99_ms"]),
        ("/wi3 start, 12 members, all invited", f"{found['invites_s_all']} s", "< 1 s",
         met["invites_s"]),
        ("/wi3 status all until the reply", f"{found['status_all_s_all']} s", "< 0.5 s",
         met["status_all_s"]),
        ("  ... until heat map and CSV by DM", f"{found['status_all_files_s_all']} s", "", True),
        (f"answer clicks alone ({alone.samples}, reference)", ms(alone), "", True),
        (f"clicks during status all ({during.samples})",
         ms(during) + f", max {found['during_max_ms']} ms", "p99 < 50 ms",
         met["during_p99_ms"]),
        ("App Home open", ms(home) + f", max {found['home_max_ms']} ms", "p99 < 50 ms",
         met["home_p99_ms"]),
    ]
    print(f"\n{backend}: built in {built.seconds} s; bot peak memory {rows.peak_mb} MB")
    for name, now, target, ok in lines:
        verdict = f"target {target:<12} {'met' if ok else 'NOT met'}" if target else ""
        print(f"  {name:<38} {now:<44} {verdict}".rstrip())
    figures.update({f"{backend}_{key}": value for key, value in found.items()})
    figures[f"{backend}_targets_met"] = all(met.values())
    return all(met.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 people instead of 50,000")
    parser.add_argument("--people", type=int, default=None,
                        help="another size (with --quick's number of runs: a smoke test)")
    parser.add_argument("--backends", default="tinydb,postgresql",
                        help="comma-separated: tinydb, postgresql (default: both)")
    parser.add_argument("--database-url", default=os.environ.get("WI3_BENCH_DATABASE_URL",
                                                                 DEFAULT_SERVER),
                        help="PostgreSQL server to create the run's database on")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    started = time.perf_counter()
    org = Org(args.people or PEOPLE[mode])
    backends = [name for name in ("tinydb", "postgresql") if name in args.backends.split(",")]
    server = Server(args.database_url) if "postgresql" in backends else None
    why_not = server.reachable() if server else None
    if server is not None and why_not is not None:
        print(f"PostgreSQL skipped: no server at {server.url.render_as_string()} ({why_not})")
        backends.remove("postgresql")
        server = None
    figures: dict[str, Any] = {"mode": mode, "people": org.people, "teams": org.teams,
                               "backends": backends}
    print(f"{org.people:,} people in {org.teams:,} teams of {TEAM_SIZE}, two channels of "
          f"{org.big_size} with an open round; backends: {', '.join(backends)}")
    met = True
    try:
        for backend in backends:
            with tempfile.TemporaryDirectory() as tmp:
                built, rows = run_backend(backend, org, RUNS[mode], server, Path(tmp))
            met = report(backend, built, rows, figures) and met
    finally:
        if server is not None:
            server.drop_all()
    figures["targets_met"] = met
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"\nwhole run: {figures['seconds']} s")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
