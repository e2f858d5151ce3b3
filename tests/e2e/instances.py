"""Several real `python -m bot` processes on one PostgreSQL, behind a round-robin load
balancer on loopback: what the multi-instance tests (and `bench/instances.py`) drive.

`RoundRobin` passes each request to the next instance in turn, and skips one that does not
answer (as nginx's `proxy_next_upstream error` does), so a click after a kill -9 still
lands. `Instance` is one bot process with its log in a file (a pipe would fill up and
block it); `kill()` is a kill -9.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

from bot.emulator import SlackEmulator
from tests.ports import listening_port
from tests.ports import reported_port as reported_port  # crashes.py takes it from here

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "instances-signing-secret-0123456789"
FORWARDED = ("content-type", "x-slack-signature", "x-slack-request-timestamp",
             "x-slack-retry-num", "x-slack-retry-reason")


def eventually(probe: Callable[[], T | None], timeout: float = 30.0,
               what: str = "the bots never did it") -> T:
    """The bots work after acknowledging Slack: wait for the effect to show."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.02)
    raise AssertionError(what)


@dataclass
class Instance:
    """One wi3 process serving HTTP on the port it picked (`PORT=0`), logging to `log`."""

    process: subprocess.Popen[bytes]
    log: Path
    _port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def port(self) -> int:
        """The port it listens on (known once it said so: `ready` waits for that)."""
        if self._port is None:
            self._port = reported_port(self.log) or listening_port(self.pid)
        if self._port is None:
            raise AssertionError("the instance has not said which port it listens on yet")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def healthy(self) -> bool:
        if self._port is None and (reported_port(self.log) or listening_port(self.pid)) is None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz",
                                        timeout=2) as reply:
                return bool(json.loads(reply.read())["status"] == "ready")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def kill(self) -> None:
        """kill -9: no stop, no goodbye."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


def launch(emulator: SlackEmulator, database_url: str, key_hex: str, log: Path, *,
           tick_seconds: int = 1, lease_seconds: int = 5, log_level: str = "DEBUG",
           extra: Mapping[str, str] | None = None) -> Instance:
    """Start one instance (not waiting for it to be ready: see `ready`). It picks its own
    port (`PORT=0`) and names it in its start line; quieter than INFO, its port is read
    from /proc."""
    env = {
        "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "PORT": "0",
        "DATABASE_URL": database_url,
        "WI3_PSEUDONYM_KEY": key_hex,
        "WI3_DATA_DIR": str(log.parent / "unused-data"),
        "WI3_TICK_SECONDS": str(tick_seconds),
        "WI3_LEASE_SECONDS": str(lease_seconds),
        "LOG_LEVEL": log_level,
        "PYTHONPATH": str(REPO),
        "PATH": os.environ.get("PATH", ""),
        **(extra or {}),
    }
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=log.parent,
                                   stdout=out, stderr=subprocess.STDOUT)
    return Instance(process, log)


def ready(instances: Iterable[Instance], timeout: float = 60.0) -> None:
    """Wait until every instance answers /healthz with 200 (they start in parallel)."""
    pending = list(instances)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for instance in list(pending):
            if instance.process.poll() is not None:
                raise AssertionError(f"an instance died at start:\n{instance.log.read_text()}")
            if instance.healthy():
                pending.remove(instance)
        time.sleep(0.05)
    if pending:
        raise AssertionError("an instance never became ready")


@dataclass
class RoundRobin:
    """A load balancer on loopback: each request to the next live instance in turn."""

    targets: list[Instance] = field(default_factory=list)
    served: dict[int, int] = field(default_factory=dict)
    _turns: Iterator[int] = field(default_factory=lambda: itertools.count())
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/slack/events"

    def forward(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes, str]:
        with self._guard:
            start = next(self._turns)
            order = [self.targets[(start + n) % len(self.targets)]
                     for n in range(len(self.targets))]
        for target in order:
            request = urllib.request.Request(target.url, data=body, method="POST",
                                             headers=dict(headers))
            try:
                with urllib.request.urlopen(request, timeout=30) as reply:
                    answer = (reply.status, reply.read(),
                              reply.headers.get("content-type", "text/plain"))
            except urllib.error.HTTPError as error:
                answer = (error.code, error.read(), error.headers.get("content-type", ""))
            except (urllib.error.URLError, ConnectionError):
                continue  # not answering: the next one
            with self._guard:
                self.served[target.pid] = self.served.get(target.pid, 0) + 1
            return answer
        return 502, b"no instance answered", "text/plain"

    @contextmanager
    def serving(self) -> Iterator[RoundRobin]:
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() in FORWARDED}
                status, answer, kind = balancer.forward(body, headers)
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


class Hold:
    """Slack takes the first call `matches` picks, then keeps its answer back until
    `release()`: the moment to kill the instance that made it."""

    def __init__(self, emulator: SlackEmulator, matches: Callable[[str, dict[str, Any]], bool]):
        self.reached = threading.Event()
        self.released = threading.Event()
        self.params: dict[str, Any] = {}
        real = emulator.handle_api
        taken = threading.Lock()

        def held(method: str, token: str | None, params: dict[str, Any],
                 client: tuple[str, str] | None = None) -> Any:
            reply = real(method, token, params, client)
            if matches(method, params) and taken.acquire(blocking=False):
                self.params = params
                self.reached.set()
                self.released.wait(60)
            return reply

        emulator.handle_api = held  # type: ignore[method-assign]

    def release(self) -> None:
        self.released.set()


def metadata_type(params: Mapping[str, Any]) -> str | None:
    """The `event_type` of a `chat.postMessage`'s metadata (sent as JSON text)."""
    raw = params.get("metadata")
    if not raw:
        return None
    data = json.loads(raw) if isinstance(raw, str) else raw
    return str(data.get("event_type")) if isinstance(data, dict) else None


def job_runs(instances: Iterable[Instance], job: str) -> list[tuple[datetime, int]]:
    """When each instance ran a scheduled job (from their DEBUG logs), in time order."""
    runs = []
    for instance in instances:
        for line in instance.lines():
            if line.endswith(f"running scheduled job {job}"):
                runs.append((datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f"),
                             instance.pid))
    return sorted(runs)
