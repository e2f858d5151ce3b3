"""The crash harness: a real `python -m bot` process killed with SIGKILL at named crash
points (`bot.crash`, `WI3_CRASH_AT`), restarted on the same TinyDB directory or PostgreSQL
database, and checked from the outside after every kill: the emulated Slack's recorded
messages and the store reopened from what is on disk.

What it checks:
- every answer Slack saw acknowledged (the click got its 200) is in the store;
- every member has at most one invitation per round while the series runs, exactly one
  once the bot settled; every closed round at most one results post, then exactly one;
- every commitment save Slack saw acknowledged is in the store.

A series walks rounds through their life (start with a fan-out, members answer, close,
the lead plans commitments, a pulse, its close) while a list of crash points is armed one
life at a time: each point fires where it is next passed, the harness sees the process
gone, checks, and starts the next life with the next point armed. Requests that died with
the process are made again, as a person clicks again when nothing happened.

Used by `tests/e2e/test_crashes.py` (a short series per backend) and `bench/crash.py`
(the long one).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from bot.emulator import SlackDriver, SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.emulator.workspace import Message, Workspace
from conversations.refs import ActionIds, decode_ref
from conversations.views.plan import field_block
from storage import Store, open_store
from tests.e2e.instances import REPO, reported_port
from tests.pg import TEST_PSEUDONYM_KEY, TEST_PSEUDONYM_KEY_HEX

T = TypeVar("T")
SIGNING_SECRET = "crash-signing-secret-0123456789abcdef"
ANSWERING = MEMBERS[:3]
"""The members who answer (the others, the lead and the crowd only get invitations)."""


class BotDied(Exception):
    """The bot process is gone (a crash point fired): check, restart, try again."""


@dataclass(frozen=True)
class Backend:
    """Where the bot keeps its data: a TinyDB directory, or a PostgreSQL database."""

    name: str
    data_dir: Path
    database_url: str | None = None

    def env(self) -> dict[str, str]:
        if self.database_url is None:
            return {"WI3_DATA_DIR": str(self.data_dir)}
        return {"WI3_DATA_DIR": str(self.data_dir), "DATABASE_URL": self.database_url,
                "WI3_PSEUDONYM_KEY": TEST_PSEUDONYM_KEY_HEX}

    @contextmanager
    def reopened(self) -> Iterator[Store]:
        """The store as a restarted bot finds it (opened from disk, the bot being dead)."""
        if self.database_url is None:
            with open_store(self.data_dir) as store:
                yield store
        else:
            with open_store(database_url=self.database_url,
                            pseudonym_key=TEST_PSEUDONYM_KEY) as store:
                yield store


@dataclass
class Figures:
    """What a series found: the kills, and every promise broken (all should stay 0)."""

    kills: Counter[str] = field(default_factory=Counter)
    acked_answers: int = 0
    lost_answers: int = 0
    acked_saves: int = 0
    lost_saves: int = 0
    duplicate_invitations: int = 0
    duplicate_results: int = 0
    missing_invitations: int = 0
    missing_results: int = 0
    rounds: int = 0
    saved_twice: int = 0
    """Commitments saved again because their first save died before its ack (the lead
    submitted again): not a promise the harness holds the bot to, but worth knowing."""
    what: list[str] = field(default_factory=list)
    """Each broken promise, described (for the failure message)."""

    @property
    def total_kills(self) -> int:
        return sum(self.kills.values())

    def broken(self) -> int:
        return (self.lost_answers + self.lost_saves + self.saved_twice
                + self.duplicate_invitations + self.duplicate_results
                + self.missing_invitations + self.missing_results)


def mark_id(key: str) -> str:
    """The digest an outbox message's delivery mark names it by (`bot.delivery`)."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def crowd_workspace(size: int) -> Workspace:
    """The sample workspace with `size` more members in the team channel (a wider fan-out)."""
    workspace = sample_workspace()
    crowd = [f"U9{n:07d}" for n in range(size)]
    for user in crowd:
        workspace.add_user(user, user.lower())
    workspace.channels[TEAM_CHANNEL].members.extend(crowd)
    return workspace


class Harness:
    """One bot process at a time on `backend`, killed at the armed points, checked after."""

    def __init__(self, emulator: SlackEmulator, backend: Backend, logs: Path,
                 points: Sequence[str], *, seed: int = 23, timeout: float = 60.0) -> None:
        self.emulator = emulator
        self.backend = backend
        self.logs = logs
        self.points = list(points)
        self.timeout = timeout
        self.figures = Figures()
        self.port = 0
        self.driver = self._driver()
        self.process: subprocess.Popen[bytes] | None = None
        self.armed: str | None = None
        self.lives = 0
        self.answered: dict[tuple[str, str, str], int] = {}
        """(round id, user, item id) -> the score of every acknowledged answer."""
        self.dice = random.Random(seed)
        self.chosen: dict[tuple[str, int], int] = {}
        self.lost: set[str] = set()
        """Every acknowledged answer or save found missing after a kill."""
        self.saved: list[str] = []
        """The texts of every acknowledged commitment save."""

    # -- the process ---------------------------------------------------------------------

    def start(self) -> None:
        """A new life, with the next crash point armed (none once the list ran out)."""
        self.armed = self.points.pop(0) if self.points else None
        self.lives += 1
        env = {
            "SLACK_BOT_TOKEN": self.emulator.token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.emulator.api_url,
            "PORT": "0",  # it picks a free one and names it in its log
            "WI3_TICK_SECONDS": "1",
            "WI3_LEASE_SECONDS": "5",
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(REPO),
            "PATH": os.environ.get("PATH", ""),
            **self.backend.env(),
            **({"WI3_CRASH_AT": self.armed} if self.armed else {}),
        }
        log = self.logs / f"{self.backend.name}-life-{self.lives}.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot"], env=env,
                                            cwd=self.logs, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        self.port = 0
        while not self.port or not self._healthy():
            self.port = reported_port(log) or 0
            if self.process.poll() == -signal.SIGKILL:
                self.recover()  # a crash point met while starting (sending what was due)
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the bot died at start:\n{log.read_text()}")
            if time.monotonic() > deadline:
                raise AssertionError("the bot never became ready")
            time.sleep(0.05)
        self.driver = self._driver()

    def _driver(self) -> SlackDriver:
        return SlackDriver(self.emulator, f"http://127.0.0.1:{self.port}/slack/events",
                           SIGNING_SECRET, timeout=20)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz",
                                        timeout=2) as reply:
                return bool(json.loads(reply.read())["status"] == "ready")
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def recover(self) -> None:
        """The bot died: count the kill, check from the outside, start the next life."""
        assert self.process is not None
        self.process.wait(10)
        assert self.process.returncode == -signal.SIGKILL, \
            f"the bot ended with {self.process.returncode}, not at a crash point"
        self.figures.kills[str(self.armed).split(":")[0]] += 1
        self.check(settled=False)
        self.start()

    # -- checks from the outside ------------------------------------------------------------

    def check(self, *, settled: bool) -> None:
        """Every acknowledged answer and save in the store reopened from disk; no member
        invited twice to a round, no round's results posted twice (and, once `settled`,
        everyone invited once and every closed round's results posted once). Only while
        the bot is down: a TinyDB store has one owner at a time."""
        assert not self.alive()
        workspace_id = self.emulator.workspace.team_id
        with self.backend.reopened() as store:
            rounds = store.list_rounds(workspace_id, TEAM_CHANNEL)
            answers = {(round_.id, user): store.answers_of(round_.id, user)
                       for round_ in rounds for user in ANSWERING}
            texts = Counter(c.text for c in store.commitments_of_team(workspace_id, TEAM_CHANNEL))
        figures = self.figures
        figures.acked_answers = len(self.answered)
        lost = [f"{user}'s acked {score} for {item} in {round_id}: stored "
                f"{answers.get((round_id, user), {}).get(item)}"
                for (round_id, user, item), score in self.answered.items()
                if answers.get((round_id, user), {}).get(item) != score]
        self.lost.update(lost)  # a later click may mend it; the loss was seen
        figures.lost_answers = sum(1 for lost in self.lost if not lost.startswith("the acked"))
        figures.acked_saves = len(self.saved)
        self.lost.update(f"the acked commitment {text!r}" for text in self.saved
                         if text not in texts)
        figures.lost_saves = sum(1 for lost in self.lost if lost.startswith("the acked"))
        figures.saved_twice = sum(n - 1 for n in texts.values() if n > 1)
        invitations, results = self.marks("wi3_invitation"), self.marks("wi3_results")
        figures.duplicate_invitations = sum(n - 1 for n in invitations.values() if n > 1)
        figures.duplicate_results = sum(n - 1 for n in results.values() if n > 1)
        if settled:
            figures.rounds = len(rounds)
            missing = [f"no invitation to {user} in {round_.id}"
                       for round_ in rounds for user in round_.invited
                       if invitations[mark_id(f"invitation/{round_.id}/{user}")] == 0]
            figures.missing_invitations = len(missing)
            figures.what = sorted(self.lost) + missing
            figures.missing_results = sum(
                1 for round_ in rounds if round_.closed_at is not None
                and results[mark_id(f"results/{round_.id}")] == 0)

    def marks(self, event_type: str) -> Counter[str]:
        """How many messages Slack took that carry each delivery mark of `event_type`."""
        found: Counter[str] = Counter()
        for call in self.emulator.calls("chat.postMessage"):
            raw = call.params.get("metadata")
            data = json.loads(raw) if isinstance(raw, str) else raw
            if call.ok and isinstance(data, dict) and data.get("event_type") == event_type:
                found[str((data.get("event_payload") or {}).get("id"))] += 1
        return found

    # -- acting as Slack's people -------------------------------------------------------------

    def until(self, probe: Callable[[], T | None], what: str) -> T:
        """Wait for `probe`, raising `BotDied` the moment the process is gone."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise BotDied(what)
            found = probe()
            if found is not None:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{what} (life {self.lives}, armed {self.armed})")

    def acknowledged(self, request: Callable[[], int]) -> bool:
        """Send a request: True when Slack saw it acknowledged (200); `BotDied` when the
        process died on it. Any other answer is a failure of the test."""
        try:
            status = request()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status = 0
        if status == 200:
            return True
        deadline = time.monotonic() + 5
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.alive():
            raise AssertionError(f"the bot answered {status} and lives on")
        raise BotDied("a request died with the bot")

    def persist(self, step: Callable[[], T]) -> T:
        """Run `step` until it gets through within one life, recovering between tries."""
        while True:
            try:
                return step()
            except BotDied:
                self.recover()

    def command(self, text: str) -> None:
        """The lead's `/wi3 text` in the team channel, again until answered (a command is
        acknowledged first and answered after its work: both within one life)."""
        def answered() -> None:
            before = len(self.emulator.responses())
            self.acknowledged(lambda: self.driver.command(LEAD, TEAM_CHANNEL, text).status)
            self.until(lambda: len(self.emulator.responses()) > before or None,
                       f"/wi3 {text} was never answered")
        self.persist(answered)

    def dm_with(self, user: str, action_id: str, since: int) -> Message | None:
        """The newest DM to `user` after the first `since` of them with that button."""
        for message in reversed(self.emulator.messages_to(user)[since:]):
            if any(button.get("action_id") == action_id for _, button in message.buttons()):
                return message
        return None

    def answer(self, user: str, since: int, count: int) -> None:
        """`user` opens their newest invitation and answers its first `count` statements
        (scores from the harness's dice), each until acknowledged."""
        invitation = self.persist(lambda: self.until(
            lambda: self.dm_with(user, ActionIds.START, since), f"{user} was never invited"))

        def opened() -> Message:
            shown = self.dm_with(user, ActionIds.answer(1), since)
            if shown is None:
                self.acknowledged(lambda: self.driver.click(user, invitation,
                                                            ActionIds.START).status)
            return self.until(lambda: self.dm_with(user, ActionIds.answer(1), since),
                              f"{user}'s first question never showed")

        question = self.persist(opened)
        for n in range(1, count + 1):
            self.persist(partial(self._answer_one, user, question, n))

    def _answer_one(self, user: str, question: Message, n: int) -> None:
        """Click a score on statement `n` (shown, or shown again after a restart) and wait
        for the next one: an acknowledged click counts as an answer given."""
        at = self.until(lambda: self._at(question) if self._at(question) >= n else None,
                        f"statement {n} never showed")
        if at > n:
            return  # answered in an earlier life, and the screen moved on
        shown = self.emulator.message(question.channel, question.ts)
        # a person whose click got no answer clicks the same score again
        score = self.chosen.setdefault((question.ts, n), self.dice.randint(1, 5))
        _, button = shown.find_button(ActionIds.answer(score))
        ref = decode_ref(str(button.get("value")), with_score=True)
        self.acknowledged(lambda: self.driver.click(user, shown,
                                                    ActionIds.answer(score)).status)
        self.answered[(ref.round_id, user, ref.item_id)] = score
        self.until(lambda: self._at(question) > n or None, f"statement {n + 1} never showed")

    def _at(self, question: Message) -> int:
        """The statement the question message shows (a huge number once it shows none)."""
        current = self.emulator.message(question.channel, question.ts)
        found = STATEMENT.search(current.visible_text())
        return int(found.group(1)) if found else 10**6

    def plan(self, text: str, since: int) -> None:
        """The lead plans one commitment from the newest guide, until acknowledged."""
        guide = self.persist(lambda: self.until(
            lambda: self.dm_with(LEAD, ActionIds.PLAN_ACTIONS, since), "no guide came"))

        def submitted() -> bool:
            self.acknowledged(lambda: self.driver.click(LEAD, guide,
                                                        ActionIds.PLAN_ACTIONS).status)
            self.until(lambda: self.emulator.modal(LEAD), "the plan modal never opened")
            return self.acknowledged(lambda: self.driver.submit_view(LEAD, {
                field_block(1, "text"): text, field_block(1, "owner"): ANSWERING[0],
                field_block(1, "due"): "2031-12-01"}).status)

        self.persist(submitted)
        self.saved.append(text)

    def invitees(self) -> int:
        """How many people a round in the team channel invites (its active humans)."""
        users = self.emulator.workspace.users
        return sum(1 for user in self.emulator.workspace.channels[TEAM_CHANNEL].members
                   if user in users and not users[user].is_bot and not users[user].deleted)

    def all_invited(self, before: int) -> None:
        """Wait until the round opened last invited everyone (a lead closes no earlier)."""
        expected = before + self.invitees()
        self.persist(lambda: self.until(
            lambda: len(self.marks("wi3_invitation")) >= expected or None,
            "not everyone was invited"))

    def settle(self, channel_posts: int) -> None:
        """Wait until the bot sent everything it queued (the channel holds
        `channel_posts` results posts), then stop it and check everything."""
        self.persist(lambda: self.until(
            lambda: len(self.marks("wi3_results")) >= channel_posts or None,
            "the results were never posted"))
        time.sleep(1.0)
        self.stop()
        self.check(settled=True)


STATEMENT = re.compile(r"(?:Statement|Stelling|Question|Vraag) (\d+) (?:of|van) (\d+)")


def run_series(harness: Harness, cycles: int, *, answers: int = 2, kills: int = 0,
               most_cycles: int = 40) -> Figures:
    """`cycles` times, and on until `kills` kills (or `most_cycles`): a diagnostic round
    (started, answered in part, closed, a commitment planned), then a pulse (started,
    answered in part, closed). Crash points fire where the harness meets them (a point
    not met in its stage fires in a later one); at the end the bot settles and
    everything is checked."""
    harness.start()
    harness.command("setup")
    posts, cycle = 0, 0
    while cycle < cycles or (harness.figures.total_kills < kills and cycle < most_cycles):
        cycle += 1
        for kind in ("start", "pulse now"):
            seen = {user: len(harness.emulator.messages_to(user)) for user in ANSWERING}
            guide_since = len(harness.emulator.messages_to(LEAD))
            invited = len(harness.marks("wi3_invitation"))
            harness.command(kind)
            for user in ANSWERING:
                harness.answer(user, seen[user], answers)
            harness.all_invited(invited)
            harness.command("close")
            posts += 1
            if kind == "start":
                harness.plan(f"Commitment {cycle}", guide_since)
    harness.settle(posts)
    return harness.figures
