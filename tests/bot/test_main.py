"""`python -m bot` as an operator runs it: in a subprocess, with a real environment."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.socket_mode import SocketModeServer
from tests.conftest import SIGNING_SECRET
from tests.ports import dead_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]


def run_bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PYTHONPATH": str(REPO), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_empty_environment_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    result = run_bot(env={}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0] and ".env.example" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_the_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv-file\nPORT=99999\n")
    result = run_bot("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "PORT" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    assert "SLACK_BOT_TOKEN is not set" not in result.stderr
    assert "xoxb-from-dotenv-file" not in result.stderr + result.stdout


def test_run_or_try_without_slack_explains_the_setup_and_exits_0(tmp_path: Path) -> None:
    result = run_bot("run-or-try", env={}, cwd=tmp_path)
    assert result.returncode == 0
    assert "manifest.yml" in result.stdout and ".env" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_run_or_try_with_a_broken_configuration_still_fails(tmp_path: Path) -> None:
    result = run_bot("run-or-try", env={"SLACK_BOT_TOKEN": "xoxb-123-abc"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_bot("frobnicate", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage" in result.stderr.lower()


def test_a_token_slack_rejects_stops_the_bot_with_one_line(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    wrong_token = "xoxb-9999-not-the-right-one"
    env = {
        "SLACK_BOT_TOKEN": wrong_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "PORT": "0",
    }
    result = run_bot(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid_auth" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert wrong_token not in result.stderr + result.stdout


@dataclass
class RunningBot:
    """A bot process on the port it picked (`PORT=0`), its log (stderr) in a file: a pipe
    nobody reads while it runs could fill up and block it."""

    process: subprocess.Popen[str]
    port: int
    log: Path

    def stop(self, signum: int = signal.SIGTERM) -> tuple[str, str]:
        """Signal it and wait: its stdout and its log."""
        self.process.send_signal(signum)
        stdout, _ = self.process.communicate(timeout=30)
        return stdout, self.log.read_text(errors="replace")


def start_bot(env: dict[str, str], cwd: Path, log: Path) -> RunningBot:
    """Start `python -m bot` on `PORT=0` and wait until it names the port it bound."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"], env={"PYTHONPATH": str(REPO), **env, "PORT": "0"},
            cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
    try:
        return RunningBot(process, wait_for_port(process, log), log)
    except BaseException:
        process.kill()
        process.communicate(timeout=10)
        raise


@pytest.fixture
def running_bot(emulator: SlackEmulator, tmp_path: Path) -> Iterator[RunningBot]:
    env = {
        "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "LOG_LEVEL": "DEBUG",
    }
    bot = start_bot(env, tmp_path, tmp_path / "bot.log")
    try:
        yield bot
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.communicate(timeout=10)


def wait_until_healthy(port: int, process: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                return dict(json.loads(reply.read()))
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("the bot never became healthy")


def test_the_bot_serves_slack_over_http_and_stops_cleanly_on_sigterm(
    running_bot: RunningBot, emulator: SlackEmulator
) -> None:
    process, port = running_bot.process, running_bot.port
    assert wait_until_healthy(port, process)["status"] == "ready"
    driver = SlackDriver(emulator, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)

    assert driver.command("U0LOTTE01", "C0KENNIS1", "help", forged=True).status == 401
    signed = driver.command("U0LOTTE01", "C0KENNIS1", "help", command="/wi3-unrouted")
    assert signed.status == 404  # verified (not 401); no listener claims this command

    stdout, stderr = running_bot.stop(signal.SIGTERM)
    assert process.returncode == 0
    assert "Traceback" not in stderr
    # Even at DEBUG level, neither the token nor the signing secret reaches the output.
    assert emulator.token not in stdout + stderr
    assert SIGNING_SECRET not in stdout + stderr
    assert [call.method for call in emulator.calls()][:1] == ["auth.test"]


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_sigint_also_stops_the_bot(
    running_bot: RunningBot,
) -> None:
    wait_until_healthy(running_bot.port, running_bot.process)
    _, stderr = running_bot.stop(signal.SIGINT)
    assert running_bot.process.returncode == 0
    assert "Traceback" not in stderr


def test_a_rejected_app_token_stops_socket_mode_with_one_line(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    app_token = "xapp-1-revoked-token-for-the-test"
    env = {
        "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_APP_TOKEN": app_token,
        "SLACK_API_URL": emulator.api_url,
        "PORT": "0",  # the side port (/healthz, /metrics): one the OS picks
    }
    result = run_bot(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr and "invalid_auth" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert app_token not in result.stderr + result.stdout
    assert [call.method for call in emulator.calls()] == ["auth.test", "apps.connections.open"]


def test_a_port_in_use_stops_the_bot_with_one_line(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    with socket.socket() as occupant:
        occupant.bind(("0.0.0.0", 0))
        occupant.listen()
        env = {
            "SLACK_BOT_TOKEN": emulator.token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emulator.api_url,
            "PORT": str(occupant.getsockname()[1]),
        }
        result = run_bot(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "PORT" in result.stderr and "not available" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_slack_api_exits_1_with_one_line(tmp_path: Path) -> None:
    with dead_port() as nothing_listens:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-123-abc",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": f"http://127.0.0.1:{nothing_listens}/api/",
            "PORT": "0",
        }
        result = run_bot(env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "could not be reached" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_socket_mode_names_the_side_port_it_picked_and_serves_healthz_there(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    with SocketModeServer(emulator) as server:
        env = {
            "SLACK_BOT_TOKEN": emulator.token,
            "SLACK_APP_TOKEN": server.app_token,
            "SLACK_API_URL": emulator.api_url,
            "WI3_DATA_DIR": str(tmp_path / "data"),
        }
        bot = start_bot(env, tmp_path, tmp_path / "bot.log")  # PORT=0
        try:
            assert bot.port != 0
            assert wait_until_healthy(bot.port, bot.process)["status"] == "ready"
            _, log = bot.stop()
        finally:
            if bot.process.poll() is None:
                bot.process.kill()
                bot.process.communicate(timeout=10)
    assert bot.process.returncode == 0, log
    assert f"GET /healthz and GET /metrics on port {bot.port})" in log
