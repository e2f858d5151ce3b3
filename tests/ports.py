"""Ports for tests without a race.

A port found free by binding and closing a probe socket may be taken by another process
(another pytest worker's bot) before it is used. Instead, a bot process is started with
`PORT=0`: it binds a free port itself and names it in its start line, which the test
reads (`reported_port`, `wait_for_port`). A test that needs a port where nothing listens
keeps a socket bound there, not listening, for as long as it runs (`dead_port`): nothing
else can take the port, and a connection to it is refused.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The start line, in HTTP mode and in Socket Mode (whose side port serves /healthz).
LISTENING = re.compile(r"(?:listening for Slack on port|GET /metrics on port) (\d+)")


def port_in(text: str) -> int | None:
    """The port a bot's start line in `text` names, or None before it has said so."""
    found = LISTENING.search(text)
    return int(found.group(1)) if found else None


def reported_port(log: Path) -> int | None:
    """The port a bot started with `PORT=0` bound, as its start line in `log` names it
    (or None while it has not said yet)."""
    if not log.exists():
        return None
    return port_in(log.read_text(errors="replace"))


def wait_for_port(process: subprocess.Popen[str] | subprocess.Popen[bytes], log: Path,
                  timeout: float = 30.0) -> int:
    """Wait for the bot writing `log` to name its port; fail at once if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        port = reported_port(log)
        if port is not None:
            return port
        if process.poll() is not None:
            raise AssertionError(f"the bot exited ({process.returncode}) before listening:\n"
                                 + log.read_text(errors="replace"))
        time.sleep(0.05)
    raise AssertionError("the bot never said which port it listens on")


def listening_port(pid: int) -> int | None:
    """The TCP port process `pid` listens on, read from /proc (Linux): for a bot too quiet
    (LOG_LEVEL=WARNING) to log its start line. None while it listens on none (or is gone)."""
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None  # it has exited
    inodes = set()
    for fd in descriptors:
        try:
            target = fd.readlink().name
        except OSError:
            continue  # closed since it was listed
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    for table in ("tcp", "tcp6"):
        try:
            rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue  # no IPv6, or it has exited
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                return int(fields[1].rsplit(":", 1)[1], 16)
    return None


@contextmanager
def dead_port() -> Iterator[int]:
    """A port on 127.0.0.1 where nothing listens, held (bound, not listening) until the
    block ends, so no other process can start listening there meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield int(holder.getsockname()[1])
