"""Slack's Socket Mode end, for tests: a WebSocket server the real bot connects out to.

`SocketModeServer` joins a `SlackEmulator`: `apps.connections.open`, called with the
app-level token, hands out a one-time `ws://` URL; the bot connects, gets `hello`, and then
receives envelopes (`slash_commands`, `interactive`, `events_api`) that it acknowledges with
their `envelope_id`. An envelope not acknowledged on a connection that closes is delivered
again on the next one, with `retry_attempt` counted up, as Slack does. Like Slack, the
server can ask for a refresh (`disconnect`, `refresh_requested`) and then closes the old
connection once the new one stands.

Every connection runs through a small TCP relay, the proxy or load balancer between Slack
and an app, which makes the two faults they cause real: `drop()` closes the TCP connection
without a WebSocket close frame, and `go_silent()` keeps it open but lets nothing through
(pings go unanswered); `wedge()` does that to every connection from now on, new ones too.

`SocketModeDriver` is the `SlackDriver` over Socket Mode: the same commands, clicks and
events, delivered as envelopes instead of signed HTTP requests.

Tests only: it is built on `websockets`' server (the bot's transport uses its client), and
production never imports it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.emulator.driver import DriverResponse, SlackDriver
from bot.emulator.server import SlackEmulator

DEFAULT_APP_TOKEN = "xapp-emulator-not-a-real-token"
# How long `deliver` waits for an acknowledgement, across reconnects.
ACK_TIMEOUT_SECONDS = 10.0
# After a refresh request, how long the old connection may stay if no new one comes.
REFRESH_GRACE_SECONDS = 10.0
_RELAY_CHUNK = 65536


@dataclass(frozen=True)
class Envelope:
    """One Socket Mode delivery, as Slack frames it."""

    envelope_id: str
    type: str  # "slash_commands" | "interactive" | "events_api"
    payload: dict[str, Any]
    accepts_response_payload: bool = False
    retry_attempt: int = 0
    retry_reason: str = ""

    @classmethod
    def of(cls, type: str, payload: dict[str, Any], *, retry_attempt: int = 0,
           retry_reason: str = "") -> Envelope:
        """A new envelope (fresh id); commands and interactivity accept a response payload."""
        return cls(secrets.token_hex(16), type, payload,
                   accepts_response_payload=type != "events_api",
                   retry_attempt=retry_attempt, retry_reason=retry_reason)

    def retried(self, reason: str = "timeout") -> Envelope:
        """The same envelope, delivered again."""
        return replace(self, retry_attempt=self.retry_attempt + 1, retry_reason=reason)

    def to_json(self) -> str:
        frame: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type == "events_api":
            frame["retry_attempt"] = self.retry_attempt
            frame["retry_reason"] = self.retry_reason
        return json.dumps(frame)


@dataclass(frozen=True)
class Ack:
    """The bot's acknowledgement of an envelope, with the response payload if it sent one."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int


class _Link:
    """One TCP connection through the relay: the bot's side and the server's side, with a
    pump each way. Cutting it closes the bot's side (a FIN, no close frame); silencing it
    swallows everything in both directions while both sides stay open."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.silent = False
        self.upstream_port = int(upstream.getsockname()[1])

    def start(self) -> None:
        for source, target in ((self.client, self.upstream), (self.upstream, self.client)):
            threading.Thread(target=self._pump, args=(source, target),
                             name="socket-mode-relay", daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(_RELAY_CHUNK):
                if not self.silent:
                    target.sendall(data)
        except OSError:
            pass
        finally:
            self.cut()

    def cut(self) -> None:
        for side in (self.client, self.upstream):
            with contextlib.suppress(OSError):  # already shut
                side.shutdown(socket.SHUT_RDWR)


class _Relay:
    """The load balancer: accepts the bot's connections and forwards them upstream."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.links: list[_Link] = []
        self.silent = False
        """New connections let nothing through either (a wedged proxy)."""
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name="socket-mode-relay-accept",
                         daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            link = _Link(client, upstream)
            link.silent = self.silent
            with self._lock:  # known before any byte passes, so the server can find it
                self.links.append(link)
            link.start()

    def link_to(self, upstream_port: int) -> _Link | None:
        with self._lock:
            return next((link for link in self.links if link.upstream_port == upstream_port),
                        None)

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            for link in self.links:
                link.cut()


@dataclass
class _Connection:
    number: int
    websocket: ServerConnection
    link: _Link | None
    open: bool = True
    refresh_requested: bool = False


class SocketModeServer:
    """Slack's Socket Mode endpoint for one app, on 127.0.0.1 while started."""

    def __init__(self, emulator: SlackEmulator, *, app_token: str = DEFAULT_APP_TOKEN) -> None:
        self.emulator = emulator
        self.app_token = app_token
        self._tickets: set[str] = set()
        self._refusals = 0
        self._connections: list[_Connection] = []
        self._acks: dict[str, Ack] = {}
        self._changed = threading.Condition()
        self._numbers = itertools.count(1)
        self._server: Server | None = None
        self._relay: _Relay | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SocketModeServer:
        # No server-side keepalive: noticing a dead connection is the bot's job.
        self._server = serve(self._serve_connection, "127.0.0.1", 0,
                             process_request=self._check_ticket, ping_interval=None,
                             compression=None)
        threading.Thread(target=self._server.serve_forever, name="socket-mode-server",
                         daemon=True).start()
        self._relay = _Relay(int(self._server.socket.getsockname()[1]))
        self.emulator.serve_app_level("apps.connections.open", self.app_token,
                                      self.open_connection)
        return self

    def stop(self) -> None:
        if self._relay is not None:
            self._relay.close()
            self._relay = None
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def __enter__(self) -> SocketModeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ Web API side

    def open_connection(self, params: dict[str, Any]) -> dict[str, Any]:
        """`apps.connections.open`: a one-time URL to connect to."""
        if self._relay is None:
            raise RuntimeError("the Socket Mode server is not started")
        ticket = secrets.token_urlsafe(12)
        with self._changed:
            self._tickets.add(ticket)
        app_id = self.emulator.workspace.app_id
        return {"url": f"ws://127.0.0.1:{self._relay.port}/link/?ticket={ticket}&app_id={app_id}"}

    # ------------------------------------------------------------------ queries

    @property
    def connections_opened(self) -> int:
        """How many connections were greeted with `hello` so far."""
        with self._changed:
            return len(self._connections)

    def open_connections(self) -> list[int]:
        """Numbers of the connections open now (1 is the first ever opened)."""
        with self._changed:
            return [each.number for each in self._connections if each.open]

    def wait_for_connection(self, newer_than: int = 0, timeout: float = 10.0) -> int | None:
        """The number of an open connection opened after connection `newer_than`, once
        there is one (None if none came within `timeout`)."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: self._newest(lambda each: each.number > newer_than), timeout)
            return found.number if found is not None else None

    # ------------------------------------------------------------------ deliveries

    def deliver(self, envelope: Envelope, *, timeout: float = ACK_TIMEOUT_SECONDS) -> Ack | None:
        """Send `envelope` on the newest open connection and wait for its acknowledgement.

        If that connection closes first, the envelope goes again (retried) on the next
        connection, as Slack redelivers. None when no acknowledgement came in `timeout`."""
        deadline = time.monotonic() + timeout
        attempt = envelope
        while (remaining := deadline - time.monotonic()) > 0:
            with self._changed:
                target = self._changed.wait_for(self._deliverable, remaining)
            if target is None:
                return None
            ack = self._send_and_wait(target, attempt, deadline)
            if ack is not None:
                return ack
            attempt = attempt.retried()
        return None

    def _send_and_wait(self, target: _Connection, envelope: Envelope,
                       deadline: float) -> Ack | None:
        """The ack of `envelope` sent on `target`; None if `target` closed or time ran out."""
        try:
            target.websocket.send(envelope.to_json())
        except ConnectionClosed:
            self._closed(target)
            return None
        with self._changed:
            self._changed.wait_for(
                lambda: envelope.envelope_id in self._acks or not target.open,
                max(0.0, deadline - time.monotonic()))
            return self._acks.get(envelope.envelope_id)

    def request_refresh(self, grace: float = REFRESH_GRACE_SECONDS) -> None:
        """Ask the bot to reconnect (`disconnect`, `refresh_requested`); the old connection
        closes once a newer one stands, or after `grace` seconds."""
        with self._changed:
            current = [each for each in self._connections if each.open]
        message = json.dumps({"type": "disconnect", "reason": "refresh_requested",
                              "debug_info": {"host": "emulator"}})
        for connection in current:
            connection.refresh_requested = True
            try:
                connection.websocket.send(message)
            except ConnectionClosed:
                continue
            threading.Thread(target=self._retire, args=(connection, grace),
                             name="socket-mode-refresh", daemon=True).start()

    def refuse_handshakes(self, count: int = 1) -> None:
        """Answer the next `count` connection attempts with HTTP 503, as an overloaded
        edge of Slack's might."""
        with self._changed:
            self._refusals += count

    def drop(self) -> None:
        """Close every open connection at the TCP level, without a WebSocket close frame."""
        for link in self._open_links():
            link.cut()

    def go_silent(self) -> None:
        """Keep every open connection up but let nothing through, either way."""
        for link in self._open_links():
            link.silent = True

    def wedge(self) -> None:
        """Like `go_silent`, and every connection opened from now on is silent too: the
        bot cannot get through again, however it reconnects."""
        if self._relay is not None:
            self._relay.silent = True
        self.go_silent()

    # ------------------------------------------------------------------ connection handling

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        query = parse_qs(urlsplit(request.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self._changed:
            known = ticket in self._tickets
            self._tickets.discard(ticket)
            if known and self._refusals:
                self._refusals -= 1
                return _plain_response(503, "Service Unavailable", b"try again later\n")
        if known:
            return None
        return _plain_response(401, "Unauthorized", b"invalid or used ticket\n")

    def _serve_connection(self, websocket: ServerConnection) -> None:
        link = self._relay.link_to(int(websocket.remote_address[1])) if self._relay else None
        with self._changed:
            connection = _Connection(next(self._numbers), websocket, link)
        websocket.send(json.dumps({
            "type": "hello",
            "num_connections": len(self.open_connections()) + 1,
            "debug_info": {"host": "emulator", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.emulator.workspace.app_id},
        }))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            for message in websocket:
                self._acknowledged(connection, message)
        except ConnectionClosed:
            pass
        finally:
            self._closed(connection)

    def _acknowledged(self, connection: _Connection, message: str | bytes) -> None:
        try:
            frame = json.loads(message)
        except ValueError:
            return
        if not isinstance(frame, dict) or not frame.get("envelope_id"):
            return
        payload = frame.get("payload")
        ack = Ack(str(frame["envelope_id"]), payload if isinstance(payload, dict) else None,
                  connection.number)
        with self._changed:
            self._acks.setdefault(ack.envelope_id, ack)
            self._changed.notify_all()

    def _closed(self, connection: _Connection) -> None:
        with self._changed:
            connection.open = False
            self._changed.notify_all()
        if connection.link is not None:
            connection.link.cut()

    def _retire(self, connection: _Connection, grace: float) -> None:
        with self._changed:
            self._changed.wait_for(
                lambda: self._newest(lambda each: each.number > connection.number) is not None,
                grace)
        connection.websocket.close(1001, "refresh")

    def _newest(self, wanted: Callable[[_Connection], bool]) -> _Connection | None:
        """The newest open connection for which `wanted` holds (caller holds the lock)."""
        return next((each for each in reversed(self._connections)
                     if each.open and wanted(each)), None)

    def _deliverable(self) -> _Connection | None:
        return self._newest(lambda each: not each.refresh_requested)

    def _open_links(self) -> list[_Link]:
        with self._changed:
            return [each.link for each in self._connections if each.open and each.link]


def _plain_response(status: int, reason: str, body: bytes) -> Response:
    headers = Headers([("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return Response(status, reason, headers, body)


class SocketModeDriver(SlackDriver):
    """Slack's side over Socket Mode: what `SlackDriver` sends, as envelopes.

    A response is 200 with the acknowledgement's payload as body, or 504 when the bot did
    not acknowledge in time. There are no signatures in Socket Mode: `forged` and `stale`
    requests cannot be sent this way."""

    def __init__(self, server: SocketModeServer, *, timeout: float = ACK_TIMEOUT_SECONDS) -> None:
        super().__init__(server.emulator, "", "", timeout=timeout)
        self.server = server
        self.envelopes: list[Envelope] = []

    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        forged: bool = False,
        stale: bool = False,
        headers: dict[str, str] | None = None,
    ) -> DriverResponse:
        if forged or stale:
            raise ValueError("Socket Mode has no signatures to forge or let go stale")
        envelope = envelope_for(body, content_type, headers or {})
        self.envelopes.append(envelope)
        return self.send(envelope)

    def send(self, envelope: Envelope) -> DriverResponse:
        """Deliver `envelope` (a new one, or one of `envelopes` again) and report the ack."""
        ack = self.server.deliver(envelope, timeout=self.timeout)
        if ack is None:
            return DriverResponse(504, "")
        return DriverResponse(200, json.dumps(ack.payload) if ack.payload else "")


def envelope_for(body: str | bytes, content_type: str, headers: dict[str, str]) -> Envelope:
    """The envelope Slack sends over Socket Mode for what it would POST in HTTP mode."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if content_type.startswith("application/json"):
        retry = {name.lower(): value for name, value in headers.items()}
        return Envelope.of("events_api", json.loads(text),
                           retry_attempt=int(retry.get("x-slack-retry-num", 0)),
                           retry_reason=retry.get("x-slack-retry-reason", ""))
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        return Envelope.of("interactive", json.loads(fields["payload"]))
    return Envelope.of("slash_commands", fields)
