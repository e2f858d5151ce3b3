"""`python -m bot` in Socket Mode against the Socket Mode fake: a connection that dies is
noticed within 10 seconds, and waiting for that costs no CPU.

The CPU figure is the bot process's own (user + system time from /proc), over the window
from the fault until the bot answers again on its new connection. Before the transport
was replaced, a drop left the process spinning a core for about a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator import SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD, TEAM_CHANNEL
from bot.emulator.socket_mode import SocketModeDriver, SocketModeServer

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads process CPU time from /proc")

REPO = Path(__file__).resolve().parents[2]
DETECTION_LIMIT_SECONDS = 10.0
# Share of one core the bot may use while it waits for a dead connection to be noticed;
# a client that polls a closed socket uses all of it.
CPU_SHARE_LIMIT = 0.25


@dataclass
class SocketBot:
    process: subprocess.Popen[str]
    server: SocketModeServer
    driver: SocketModeDriver

    def cpu_seconds(self) -> float:
        """User plus system CPU time the bot process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> str:
        self.process.terminate()
        _, log = self.process.communicate(timeout=30)
        return log


@pytest.fixture
def socket_bot(tmp_path: Path) -> Iterator[SocketBot]:
    with SlackEmulator(sample_workspace()) as emulator, SocketModeServer(emulator) as server:
        # Connections are killed and replaced within seconds here; Tier 1 (about one
        # `apps.connections.open` a minute) would make each replacement take a minute.
        emulator.unlimited(method="apps.connections.open",
                           reason="connections are dropped and replaced within seconds")
        env = {
            "SLACK_BOT_TOKEN": emulator.token,
            "SLACK_APP_TOKEN": server.app_token,
            "SLACK_API_URL": emulator.api_url,
            "WI3_DATA_DIR": str(tmp_path / "data"),
            "LOG_LEVEL": "INFO",
            "PORT": "0",  # the side port: one the OS picks
            "PYTHONPATH": str(REPO),
        }
        process = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            if server.wait_for_connection(timeout=30) is None:
                process.kill()
                raise AssertionError(process.communicate())
            bot = SocketBot(process, server, SocketModeDriver(server))
            assert bot.driver.command(LEAD, TEAM_CHANNEL, "help").status == 200
            yield bot
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)


def survive(bot: SocketBot, fault: Callable[[], None]) -> tuple[float, float]:
    """Cause `fault`, wait (at most the limit) for the bot to reconnect and answer a
    command; returns the window's wall seconds and the bot's CPU seconds in it."""
    old = max(bot.server.open_connections())
    cpu_before, started = bot.cpu_seconds(), time.monotonic()
    fault()
    new = bot.server.wait_for_connection(newer_than=old, timeout=DETECTION_LIMIT_SECONDS)
    assert new is not None, f"no new connection within {DETECTION_LIMIT_SECONDS} s"
    assert bot.driver.command(LEAD, TEAM_CHANNEL, "help").status == 200
    return time.monotonic() - started, bot.cpu_seconds() - cpu_before


def test_a_connection_closed_without_a_close_frame_is_replaced_at_no_cpu_cost(
    socket_bot: SocketBot,
) -> None:
    wall, cpu = survive(socket_bot, socket_bot.server.drop)
    assert cpu < CPU_SHARE_LIMIT * wall + 0.1, f"{cpu:.2f} s CPU in {wall:.2f} s"
    log = socket_bot.stop()
    assert socket_bot.process.returncode == 0
    assert " ERROR " not in log and "Traceback" not in log


def test_a_connection_gone_silent_is_noticed_by_its_unanswered_ping_at_no_cpu_cost(
    socket_bot: SocketBot,
) -> None:
    survive(socket_bot, socket_bot.server.drop)  # nothing of this one may keep spinning
    wall, cpu = survive(socket_bot, socket_bot.server.go_silent)
    assert cpu < CPU_SHARE_LIMIT * wall + 0.1, f"{cpu:.2f} s CPU in {wall:.2f} s"
    log = socket_bot.stop()
    assert "keepalive ping timeout" in log
    assert " ERROR " not in log and "Traceback" not in log


def test_a_refresh_request_moves_the_bot_to_a_new_connection(socket_bot: SocketBot) -> None:
    survive(socket_bot, socket_bot.server.request_refresh)
    assert len(socket_bot.server.open_connections()) == 1
    socket_bot.stop()
    assert socket_bot.process.returncode == 0
