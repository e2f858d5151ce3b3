"""How long is the bot deaf when its Socket Mode connection dies, and what does it cost?

    python bench/socket_mode.py            5 trials of each fault
    python bench/socket_mode.py --quick    1 trial of each

The real bot (`python -m bot`, Socket Mode) runs against the emulator's Socket Mode server,
whose connections pass through a relay standing in for a proxy or load balancer. Each
trial causes one fault and times the window until the bot, on a new connection, has
acknowledged a `/wi3 help`:
- drop: the TCP connection is closed without a WebSocket close frame;
- silent: the connection stays open but nothing passes any more (pings go unanswered);
- refresh: Slack asks for a new connection (`disconnect`, `refresh_requested`).
CPU is the bot process's user + system time in that window (from /proc, so Linux only).

Targets: every window <= 10 s; CPU <= 25 % of the window plus 0.1 s (the reconnection's
own work, and /proc counts in 10 ms ticks). The last line is one JSON object with every
figure printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.emulator import SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD, TEAM_CHANNEL
from bot.emulator.socket_mode import SocketModeDriver, SocketModeServer

TARGET_SECONDS = 10.0
TARGET_CPU_SHARE = 0.25
CPU_ALLOWANCE_SECONDS = 0.1
REPO = Path(__file__).resolve().parents[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def trial(server: SocketModeServer, driver: SocketModeDriver, pid: int,
          fault: Callable[[], None]) -> tuple[float, float]:
    """Seconds until the bot answers again on a new connection, and its CPU seconds."""
    old = max(server.open_connections())
    cpu, started = cpu_seconds(pid), time.monotonic()
    fault()
    if server.wait_for_connection(newer_than=old, timeout=120) is None:
        raise SystemExit("the bot never reconnected")
    if driver.command(LEAD, TEAM_CHANNEL, "help").status != 200:
        raise SystemExit("the bot did not answer on its new connection")
    return time.monotonic() - started, cpu_seconds(pid) - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one trial of each fault")
    trials = 1 if parser.parse_args().quick else 5
    figures: dict[str, list[dict[str, float]]] = {}
    with (SlackEmulator(sample_workspace()) as emulator, SocketModeServer(emulator) as server,
          tempfile.TemporaryDirectory() as data):
        env = {"SLACK_BOT_TOKEN": emulator.token, "SLACK_APP_TOKEN": server.app_token,
               "SLACK_API_URL": emulator.api_url, "WI3_DATA_DIR": data,
               "LOG_LEVEL": "ERROR", "PYTHONPATH": str(REPO)}
        bot = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=data)
        try:
            if server.wait_for_connection(timeout=60) is None:
                raise SystemExit("the bot never connected")
            driver = SocketModeDriver(server)
            if driver.command(LEAD, TEAM_CHANNEL, "help").status != 200:  # fully connected
                raise SystemExit("the bot did not answer")
            faults = {"drop": server.drop, "silent": server.go_silent,
                      "refresh": server.request_refresh}
            for name, fault in faults.items():
                for _ in range(trials):
                    wall, cpu = trial(server, driver, bot.pid, fault)
                    figures.setdefault(name, []).append({"seconds": round(wall, 3),
                                                         "cpu_seconds": round(cpu, 3)})
                    print(f"{name:8} deaf for {wall:6.2f} s, CPU {cpu:5.2f} s "
                          f"({100 * cpu / wall:4.1f} % of one core)")
        finally:
            bot.terminate()
            bot.wait(30)
    runs = [each for trials_of in figures.values() for each in trials_of]
    worst = max(each["seconds"] for each in runs)
    cpu_total = sum(each["cpu_seconds"] for each in runs)
    frugal = all(each["cpu_seconds"] <= TARGET_CPU_SHARE * each["seconds"]
                 + CPU_ALLOWANCE_SECONDS for each in runs)
    ok = worst <= TARGET_SECONDS and frugal
    print(f"worst window {worst:.2f} s (target <= {TARGET_SECONDS:.0f} s); CPU {cpu_total:.2f} s "
          f"in {len(runs)} windows, each within 25 % + 0.1 s: {frugal}: "
          f"{'ok' if ok else 'MISSED'}")
    print(json.dumps({"trials": figures, "worst_seconds": worst, "cpu_seconds": cpu_total,
                      "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
