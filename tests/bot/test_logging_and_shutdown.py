"""The real bot process: what it logs (one line per event, never a token, at LOG_LEVEL)
and how it stops on SIGTERM (work in progress finished, data directory released)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pytest

from bot.emulator import SlackDriver, SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from conversations.refs import ActionIds
from storage import check, open_store
from tests.ports import listening_port, wait_for_port

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals")
T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
KNOWN_TOKEN = "xoxb-known-token-value-Zq7Wm3Kp9"
KNOWN_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: \S")


@dataclass
class Bot:
    """A bot process on the port it picked (`PORT=0`), its log (stderr) in a file."""

    process: subprocess.Popen[str]
    port: int
    driver: SlackDriver
    log: Path

    def command(self, user: str, channel: str, text: str) -> None:
        """Type `/wi3 {text}` and wait for wi3's reply: the bot answers Slack at once and
        does the work after, so the next command must wait to see this one's effect."""
        emulator = self.driver.emulator
        before = len(emulator.responses())
        assert self.driver.command(user, channel, text).status == 200
        eventually(lambda: emulator.responses()[before:] or None)

    def stop(self) -> tuple[str, str]:
        """SIGTERM and wait: its stdout and its log."""
        self.process.send_signal(signal.SIGTERM)
        stdout, _ = self.process.communicate(timeout=30)
        return stdout, self.log.read_text(errors="replace")


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(sample_workspace(), token=KNOWN_TOKEN) as running:
        yield running


def start_bot(emulator: SlackEmulator, data_dir: Path, log_level: str) -> Bot:
    env = {
        "SLACK_BOT_TOKEN": KNOWN_TOKEN,
        "SLACK_SIGNING_SECRET": KNOWN_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "PORT": "0",
        "WI3_DATA_DIR": str(data_dir),
        "LOG_LEVEL": log_level,
        "PYTHONPATH": str(REPO),
    }
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}-{time.monotonic_ns()}.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "bot"], env=env,
                                   cwd=data_dir.parent, stdout=subprocess.PIPE,
                                   stderr=stderr, text=True)
    try:
        port = port_of(process, log, log_level)
        wait_until_ready(process, port, log)
    except BaseException:
        process.kill()
        process.communicate(timeout=10)
        raise
    return Bot(process, port, SlackDriver(emulator, f"http://127.0.0.1:{port}/slack/events",
                                          KNOWN_SECRET), log)


def port_of(process: subprocess.Popen[str], log: Path, log_level: str) -> int:
    """The port the bot picked: its start line says so at INFO and DEBUG; quieter, it
    logs nothing then, so the port is read from /proc."""
    if log_level in ("DEBUG", "INFO"):
        return wait_for_port(process, log)
    return eventually(lambda: listening_port(process.pid)
                      if process.poll() is None else _exited(process, log), timeout=30)


def _exited(process: subprocess.Popen[str], log: Path) -> NoReturn:
    raise AssertionError(f"the bot exited ({process.returncode}):\n" + log.read_text())


def wait_until_ready(process: subprocess.Popen[str], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _exited(process, log)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if json.loads(reply.read())["status"] == "ready":
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    raise AssertionError("the bot never became healthy")


@pytest.fixture
def bots() -> Iterator[list[Bot]]:
    started: list[Bot] = []
    yield started
    for bot in started:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.communicate(timeout=10)


def eventually(probe: Callable[[], T | None], timeout: float = 10.0) -> T:
    """The bot works after acknowledging Slack: wait for the effect to show."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.02)
    raise AssertionError("the bot never did it")


def slow_down(emulator: SlackEmulator, method: str, seconds: float) -> None:
    """Make one Web API method take `seconds`, so a request is surely in progress."""
    answer = emulator.api.methods[method]

    def slowly(params: dict[str, Any]) -> dict[str, Any]:
        time.sleep(seconds)
        return answer(params)

    emulator.api.methods[method] = slowly


def test_a_known_token_and_secret_never_reach_the_output_even_at_debug(
    emulator: SlackEmulator, tmp_path: Path, bots: list[Bot]
) -> None:
    bot = start_bot(emulator, tmp_path / "data", "DEBUG")
    bots.append(bot)
    bot.command(LEAD, TEAM_CHANNEL, "setup")
    bot.command(LEAD, TEAM_CHANNEL, "start our wiki")
    invitation = eventually(lambda: next(
        (m for m in emulator.messages_to(MEMBERS[0]) if m.buttons()), None))
    assert bot.driver.click(MEMBERS[0], invitation, ActionIds.START).status == 200
    assert bot.driver.command(LEAD, TEAM_CHANNEL, "help", forged=True).status == 401

    stdout, stderr = bot.stop()

    assert bot.process.returncode == 0
    output = stdout + stderr
    assert KNOWN_TOKEN not in output and KNOWN_SECRET not in output
    assert KNOWN_TOKEN.split("-")[-1] not in output  # not even the token's tail
    lines = stderr.splitlines()
    assert any(" DEBUG slack_sdk" in line and "chat.postMessage" in line for line in lines)
    assert [line for line in lines if not LOG_LINE.match(line)] == []


def test_log_level_decides_what_is_logged(
    emulator: SlackEmulator, tmp_path: Path, bots: list[Bot]
) -> None:
    quiet = start_bot(emulator, tmp_path / "quiet", "WARNING")
    bots.append(quiet)
    quiet.command(LEAD, TEAM_CHANNEL, "setup")
    _, quiet_log = quiet.stop()
    normal = start_bot(emulator, tmp_path / "normal", "INFO")
    bots.append(normal)
    normal.command(LEAD, TEAM_CHANNEL, "help")
    _, normal_log = normal.stop()

    assert (quiet.process.returncode, normal.process.returncode) == (0, 0)
    assert quiet_log.strip() == ""
    normal_lines = normal_log.splitlines()
    assert any(" INFO wi3.bot.runtime: wi3 is listening for Slack on port" in line
               for line in normal_lines)
    assert any(" INFO wi3.bot.runtime: wi3 stopped" in line for line in normal_lines)
    assert not any(" DEBUG " in line for line in normal_lines)
    assert all(LOG_LINE.match(line) for line in normal_lines)


def test_sigterm_finishes_the_request_in_progress_and_releases_the_data_directory(
    emulator: SlackEmulator, tmp_path: Path, bots: list[Bot]
) -> None:
    data_dir = tmp_path / "data"
    first = start_bot(emulator, data_dir, "INFO")
    bots.append(first)
    first.command(LEAD, TEAM_CHANNEL, "setup")
    slow_down(emulator, "conversations.members", 1.5)
    # Acknowledged at once; the listener is still asking Slack who is in the channel,
    # and has yet to open the round and queue the announcement and invitations. Sending
    # them is stopped by the stop: they go out after the restart, once each.
    assert first.driver.command(LEAD, TEAM_CHANNEL, "start our wiki").status == 200

    _, log = first.stop()

    assert first.process.returncode == 0, log
    assert "Traceback" not in log and " ERROR " not in log
    report = check(data_dir)
    assert report.ok and report.in_use is False, report.lines()
    assert report.counts["rounds_open"] == 1

    second = start_bot(emulator, data_dir, "INFO")  # it can take the directory over
    bots.append(second)
    everyone = [LEAD, *MEMBERS]
    eventually(lambda: set(invitations_to(emulator, everyone).values()) == {1} or None)
    (announcement,) = [m.visible_text() for m in emulator.messages_to(TEAM_CHANNEL)]
    assert "our wiki" in announcement
    second.command(LEAD, TEAM_CHANNEL, "status")
    _, second_log = second.stop()
    assert second.process.returncode == 0, second_log
    with open_store(data_dir) as store:
        round_ = store.open_round_for(emulator.workspace.team_id, TEAM_CHANNEL)
        assert round_ is not None and round_.subject == "our wiki"
        assert store.invitations_sent(round_.id) == set(round_.invited)


CROWD = [f"U7{n:07d}" for n in range(150)]


def released_at(log: str) -> float:
    """When the bot said it released the data directory (epoch seconds; the log's time is
    local and cut to the millisecond, so one millisecond is added)."""
    line = next(line for line in log.splitlines() if "the data directory is released" in line)
    stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
    return stamp.timestamp() + 0.001


def invitations_to(emulator: SlackEmulator, users: list[str]) -> Counter[str]:
    return Counter({user: sum(1 for message in emulator.messages_to(user) if message.buttons())
                    for user in users})


def test_sigterm_during_a_large_fan_out_stops_sending_before_the_data_directory_is_released(
    tmp_path: Path, bots: list[Bot]
) -> None:
    workspace = sample_workspace()
    for user in CROWD:
        workspace.add_user(user, user.lower())
    workspace.channels[TEAM_CHANNEL].members.extend(CROWD)
    everyone = [LEAD, *MEMBERS, *CROWD]
    with SlackEmulator(workspace, token=KNOWN_TOKEN) as emulator:
        emulator.rate_limit("chat.postMessage", per_second=10, burst=10)  # slower than the bot
        first = start_bot(emulator, tmp_path / "data", "INFO")
        bots.append(first)
        first.command(LEAD, TEAM_CHANNEL, "setup")
        first.command(LEAD, TEAM_CHANNEL, "start")
        eventually(lambda: sum(invitations_to(emulator, everyone).values()) >= 20 or None)

        _, log = first.stop()

        assert first.process.returncode == 0, log
        assert log.splitlines()[-1].endswith("the data directory is released")  # nothing after
        released = released_at(log)
        posts = emulator.calls("chat.postMessage")
        assert [call.time for call in posts if call.time > released] == []
        assert sum(invitations_to(emulator, everyone).values()) < len(everyone)  # stopped early

        emulator.documented_limits()  # back to Slack's own pace
        second = start_bot(emulator, tmp_path / "data", "INFO")  # carries on with who is left
        bots.append(second)
        eventually(lambda: sum(invitations_to(emulator, everyone).values()) >= len(everyone)
                   or None, timeout=60)
        second.stop()
        assert set(invitations_to(emulator, everyone).values()) == {1}
