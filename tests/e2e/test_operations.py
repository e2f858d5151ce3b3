"""The bot as an operator runs it: what `/metrics` shows after a round (HTTP mode and
Socket Mode), `/healthz` turning red when the Socket Mode connection is wedged, and
`WI3_LOG_FORMAT=json` logs that a pipeline can read, error included, without a token.

Each test runs the real `python -m bot` process against the emulated Slack. The bot
acknowledges first and works after, so every step waits for its effect to show.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.emulator import SlackDriver, SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.emulator.socket_mode import SocketModeDriver, SocketModeServer
from bot.emulator.workspace import Message
from conversations.refs import ActionIds
from tests.e2e.helpers import current_question, invitation, progress_line
from tests.e2e.instances import eventually
from tests.ports import wait_for_port

REPO = Path(__file__).resolve().parents[2]
TOKEN = "xoxb-ops-known-token-Vq8Lm2Np4Rt6"
SECRET = "ops-signing-secret-5e6f7a8b9c0d1e2f"
RESPONDENTS = MEMBERS[:3]
NEWCOMER = "U0NEW0008"
WEDGE_LIMIT_SECONDS = 15.0
DRAWING_LIMIT_SECONDS = 150.0
ROUND_TEST_TIMEOUT = 300


@dataclass
class RunningBot:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    driver: SlackDriver

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}",
                                        timeout=5) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def metrics(self) -> dict[str, list[tuple[dict[str, str], float]]]:
        """Every sample on `/metrics`, by sample name."""
        status, page = self.get("/metrics")
        assert status == 200
        samples: dict[str, list[tuple[dict[str, str], float]]] = {}
        for family in text_string_to_metric_families(page.decode()):
            for sample in family.samples:
                samples.setdefault(sample.name, []).append((sample.labels, sample.value))
        return samples

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples of `name` whose labels include `labels`."""
        return sum(value for found, value in self.metrics().get(name, [])
                   if all(found.get(key) == wanted for key, wanted in labels.items()))

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        return self.log.read_text()


def start_bot(tmp_path: Path, emulator: SlackEmulator, **settings: str) -> RunningBot:
    log = tmp_path / "bot.log"
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": emulator.api_url, "PORT": "0",
           "WI3_DATA_DIR": str(tmp_path / "data"), "WI3_TICK_SECONDS": "1",
           "LOG_LEVEL": "INFO", "PYTHONPATH": str(REPO), **settings}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=tmp_path,
                                   stdout=sink, stderr=subprocess.STDOUT)
    try:
        port = wait_for_port(process, log)  # in Socket Mode, the side port
    except AssertionError:
        process.kill()
        process.wait(timeout=10)
        raise
    bot = RunningBot(process, port, log,
                     SlackDriver(emulator, f"http://127.0.0.1:{port}/slack/events", SECRET))
    eventually(lambda: (process.poll() is None and bot_ready(bot)) or None,
               what=f"the bot never became healthy: {log.read_text()}")
    return bot


def bot_ready(bot: RunningBot) -> bool:
    try:
        return bot.get("/healthz")[0] == 200
    except OSError:
        return False


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(sample_workspace(), token=TOKEN) as running:
        yield running


@pytest.fixture
def bots() -> Iterator[list[RunningBot]]:
    started: list[RunningBot] = []
    yield started
    for bot in started:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait(timeout=10)


# -- a round, step by step ----------------------------------------------------------------------


def command(driver: SlackDriver, emulator: SlackEmulator, text: str) -> None:
    """`/wi3 text` by the lead, waiting for wi3's reply."""
    before = len(emulator.responses())
    assert driver.command(LEAD, TEAM_CHANNEL, text).status == 200
    eventually(lambda: emulator.responses()[before:] or None, what=f"no reply to {text}")


def answer_everything(driver: SlackDriver, emulator: SlackEmulator, user: str) -> int:
    """Start and answer every statement with 4, each click after the last one's screen
    update arrived; returns the number of clicks."""
    driver.click(user, eventually(lambda: _invitation(emulator, user)), ActionIds.START)
    question: Message | None = eventually(lambda: _question(emulator, user),
                                          what="no first question")
    clicks = 1
    while question is not None:
        seen = progress_line(question)
        assert driver.click(user, question, ActionIds.answer(4)).status == 200
        clicks += 1
        step = eventually(lambda: _next(emulator, user, seen),  # noqa: B023
                          what=f"the question after {seen!r} never came")
        question = step if isinstance(step, Message) else None
    return clicks


def _invitation(emulator: SlackEmulator, user: str) -> Message | None:
    try:
        return invitation(emulator, user)
    except AssertionError:
        return None


def _question(emulator: SlackEmulator, user: str) -> Message | None:
    try:
        return current_question(emulator, user)
    except AssertionError:
        return None


def _next(emulator: SlackEmulator, user: str, seen: str) -> Message | str | None:
    """The next question, "done" after the last, None while the screen still shows `seen`."""
    question = _question(emulator, user)
    if question is None:
        return "done"
    return question if progress_line(question) != seen else None


def run_round(driver: SlackDriver, emulator: SlackEmulator) -> int:
    """Set up the team, start a round, three people answer it all, the lead closes it (the
    results are posted with their chart) and asks for the report (a PDF, drawn by the
    drawing worker); returns the clicks made."""
    for text in ("setup", "language en", "start"):
        command(driver, emulator, text)
    clicks = sum(answer_everything(driver, emulator, user) for user in RESPONDENTS)
    command(driver, emulator, "close")
    eventually(lambda: emulator.uploads() or None, what="no chart was posted")
    assert driver.command(LEAD, TEAM_CHANNEL, "report").status == 200
    # The drawing worker starts on first use, at a lower CPU priority than the bot: on a
    # loaded machine the first PDF takes a while (seconds on a quiet one).
    eventually(lambda: [u for u in emulator.uploads() if u.filename.endswith(".pdf")] or None,
               timeout=DRAWING_LIMIT_SECONDS, what="no report came")
    return clicks


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.timeout(ROUND_TEST_TIMEOUT)
def test_after_a_round_in_http_mode_metrics_show_every_part_of_the_bot_at_work(
    tmp_path: Path, emulator: SlackEmulator, bots: list[RunningBot]
) -> None:
    bot = start_bot(tmp_path, emulator)
    bots.append(bot)
    # Slack takes the first message but its answer is lost: it comes back in doubt, and
    # the delivery check finds it in Slack instead of sending it twice.
    emulator.fail_next("chat.postMessage", status=500, applied=True)
    # One 429 on the way: counted with the pause Slack asked for.
    emulator.fail_next("users.info", status=429, retry_after=1)
    clicks = run_round(bot.driver, emulator)
    assert bot.driver.command(LEAD, TEAM_CHANNEL, "help", forged=True).status == 401
    eventually(lambda: bot.value("wi3_delivery_checks_total", outcome="found") or None,
               what="the message in doubt was never looked for")
    eventually(lambda: bot.value("wi3_outbox_messages", state="due") == 0 or None)

    assert bot.value("wi3_requests_total", kind="command", outcome="ok") >= 4
    assert bot.value("wi3_requests_total", kind="block_actions", outcome="ok") >= clicks
    assert bot.value("wi3_requests_total", outcome="refused") == 1
    assert bot.value("wi3_request_seconds_count", kind="block_actions") >= clicks
    assert_plausible_clicks(bot, clicks)
    assert bot.value("wi3_outbox_oldest_seconds") == 0
    assert {labels["kind"] for labels, _ in bot.metrics()["wi3_outbox_messages"]} >= {
        "invitation", "results", "chart"}
    assert bot.value("wi3_slack_api_calls_total", method="chat.postMessage",
                     outcome="ok") >= len(MEMBERS)
    assert bot.value("wi3_slack_api_calls_total", method="chat.postMessage",
                     outcome="server_error") == 1
    assert bot.value("wi3_slack_rate_limited_total", method="users.info") == 1
    assert bot.value("wi3_slack_rate_limit_pause_seconds_total", method="users.info") == 1
    assert bot.value("wi3_scheduler_job_runs_total", scheduled_job="close-due-rounds",
                     outcome="ok") >= 1
    assert bot.value("wi3_scheduler_lease_takeovers_total", scheduled_job="close-due-rounds") == 1
    assert bot.value("wi3_scheduler_jobs_held", scheduled_job="close-due-rounds") == 1
    assert 0 < bot.value("wi3_scheduler_job_seconds_sum") < 60
    assert bot.value("wi3_drawing_seconds_count", outcome="ok") >= 1
    assert bot.value("wi3_drawings_waiting") == 0
    assert bot.value("wi3_store_write_failures_total") == 0
    assert bot.value("wi3_store_writable") == bot.value("wi3_healthy") == 1
    assert bot.value("process_cpu_seconds_total") > 0
    assert_no_ids_in_labels(bot, emulator)
    assert bot.stop().count("Traceback") == 0


@pytest.mark.timeout(ROUND_TEST_TIMEOUT)
def test_after_a_round_in_socket_mode_the_side_port_has_the_metrics_and_a_wedge_turns_it_red(
    tmp_path: Path, emulator: SlackEmulator, bots: list[RunningBot]
) -> None:
    with SocketModeServer(emulator) as server:
        bot = start_bot(tmp_path, emulator, SLACK_APP_TOKEN=server.app_token)
        bots.append(bot)
        assert bot.get("/slack/events")[0] == 404  # the side port is not Slack's way in
        driver = SocketModeDriver(server)
        clicks = run_round(driver, emulator)
        assert bot.value("wi3_requests_total", kind="command", outcome="ok") >= 4
        assert bot.value("wi3_requests_total", kind="block_actions", outcome="ok") >= clicks
        assert_plausible_clicks(bot, clicks)
        assert bot.value("wi3_socket_mode_connected") == 1
        assert bot.value("wi3_socket_mode_silence_seconds") < 10
        assert bot.value("wi3_slack_api_calls_total", method="apps.connections.open") == 1
        assert bot.value("wi3_drawing_seconds_count", outcome="ok") >= 1
        assert bot.value("wi3_scheduler_job_runs_total") > 0
        assert {labels["kind"] for labels, _ in bot.metrics()["wi3_outbox_messages"]} >= {
            "invitation", "results"}
        assert bot.value("wi3_healthy") == 1 and bot.get("/healthz")[0] == 200
        assert_no_ids_in_labels(bot, emulator)

        server.wedge()  # open, but nothing passes; new connections get stuck too
        wedged = time.monotonic()
        eventually(lambda: bot.get("/healthz")[0] == 503 or None,
                   timeout=WEDGE_LIMIT_SECONDS, what="/healthz stayed green")
        assert time.monotonic() - wedged <= WEDGE_LIMIT_SECONDS
        status, body = bot.get("/healthz")
        assert status == 503 and "nothing heard from Slack" in json.loads(body)["reason"]
        assert bot.value("wi3_healthy") == 0
        log = bot.stop()
    assert bot.process.returncode == 0 and "Traceback" not in log


def test_json_logs_are_one_object_per_line_with_the_exception_and_no_token(
    tmp_path: Path, emulator: SlackEmulator, bots: list[RunningBot]
) -> None:
    bot = start_bot(tmp_path, emulator, WI3_LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    bots.append(bot)
    command(bot.driver, emulator, "setup")
    emulator.workspace.add_user(NEWCOMER, "newbie")  # not in the bot's memory: asked for
    answer = emulator.api.methods["users.info"]
    emulator.api.methods["users.info"] = lambda params: {"profile": "not a user"}  # a bug's input
    assert bot.driver.command(NEWCOMER, TEAM_CHANNEL, f"help {TOKEN}").status == 200
    eventually(lambda: '"exception"' in bot.log.read_text() or None, what="no error was logged")
    emulator.api.methods["users.info"] = answer
    log = bot.stop()

    assert bot.process.returncode == 0
    lines = [json.loads(line) for line in log.splitlines()]  # every line is JSON
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    [failed] = [line for line in lines if "exception" in line]
    assert failed["level"] == "ERROR" and failed["logger"].startswith("wi3.")
    assert failed["exception"]["type"] == "AttributeError"  # no "user" in the answer
    assert "Traceback (most recent call last)" in failed["exception"]["traceback"]
    assert "bot/people.py" in failed["exception"]["traceback"]
    assert TOKEN not in log and SECRET not in log and TOKEN.split("-")[-1] not in log
    assert any(line["logger"].startswith("slack_sdk") for line in lines)  # DEBUG: all of it
    assert {line["logger"] for line in lines if line["logger"].startswith("wi3")} >= {
        "wi3.bot.runtime"}


def assert_plausible_clicks(bot: RunningBot, clicks: int) -> None:
    """Every click measured, none in less than nothing, the average well under Slack's 3 s."""
    counted = bot.value("wi3_click_seconds_count")
    assert counted >= clicks
    assert 0 < bot.value("wi3_click_seconds_sum") / counted < 3.0
    assert bot.value("wi3_click_seconds_bucket", le="+Inf") == counted


def assert_no_ids_in_labels(bot: RunningBot, emulator: SlackEmulator) -> None:
    ids = {LEAD, *MEMBERS, TEAM_CHANNEL, emulator.workspace.team_id}
    values: set[Any] = {value for samples in bot.metrics().values()
                        for labels, _ in samples for value in labels.values()}
    assert not values & ids
