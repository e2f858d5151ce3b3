"""HTTP mode: the WSGI application Slack talks to, served by waitress.

Routes: `POST /slack/events` (commands, interactivity, events; Bolt verifies the
signature), `GET /healthz` (200 once ready, 503 before), anything else 404. A request
Bolt cannot even parse gets a 400, never a 500: a malformed request is the sender's
fault, not ours.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import create_server, wasyncore

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Largest request accepted: Slack payloads (a view with its state, a message with 50
# blocks) stay far below this.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
# How often the serving loop looks at its stop flag.
_POLL_SECONDS = 0.1

logger = logging.getLogger(__name__)

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


class SlackWsgiApp:
    """The bot's WSGI application: Bolt behind `/slack/events`, plus a health check."""

    def __init__(self, bolt_app: App) -> None:
        self.slack_handler = SlackRequestHandler(bolt_app, path=EVENTS_PATH)
        self._ready = threading.Event()

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    def mark_ready(self) -> None:
        """Called once the server listens and the app is wired: healthz turns 200."""
        self._ready.set()

    def mark_not_ready(self) -> None:
        """Called when shutting down, so a load balancer stops sending traffic."""
        self._ready.clear()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == EVENTS_PATH:
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"ok": False},
                             [("Allow", "POST")])
            return self._slack_request(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if self.is_ready:
                return _json(start_response, "200 OK", {"ok": True, "status": "ready"})
            return _json(start_response, "503 Service Unavailable",
                         {"ok": False, "status": "starting"})
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    def _slack_request(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        try:
            return self.slack_handler(environ, start_response)
        except Exception as error:
            # Bolt parses the body before checking the signature: garbage lands here.
            logger.warning("Rejected a malformed request (%s)", type(error).__name__)
            logger.debug("Malformed request details", exc_info=True)
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "bad_request"})


def _json(
    start_response: StartResponse,
    status: str,
    body: dict[str, Any],
    extra_headers: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    payload = json.dumps(body).encode("utf-8")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    start_response(status, headers + (extra_headers or []))
    return [payload]


class _ServerLoop:
    """A waitress server whose loop can be stopped from another thread."""

    def __init__(self, wsgi_app: WsgiApp, host: str, port: int, threads: int) -> None:
        self.server = create_server(
            wsgi_app,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=MAX_REQUEST_BYTES,
            ident="wi3",
        )
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def run(self) -> None:
        """Serve until `stopping` is set, then close every connection and worker."""
        socket_map = self.server._map
        try:
            while not self.stopping.is_set():
                wasyncore.loop(timeout=_POLL_SECONDS, map=socket_map, count=1, use_poll=True)
        finally:
            for channel in list(socket_map.values()):
                channel.close()
            self.server.task_dispatcher.shutdown()


def serve_forever(
    wsgi_app: SlackWsgiApp,
    port: int,
    *,
    host: str = "0.0.0.0",
    threads: int = 8,
    stop: threading.Event | None = None,
    on_listening: Callable[[int], None] | None = None,
) -> None:
    """Serve `wsgi_app` with waitress until `stop` is set (or forever).

    The app is marked ready only once the socket listens, so `/healthz` never claims
    readiness the server cannot honour.
    """
    loop = _ServerLoop(wsgi_app, host, port, threads)
    if stop is not None:
        loop.stopping = stop
    wsgi_app.mark_ready()
    if on_listening is not None:
        on_listening(loop.port)
    try:
        loop.run()
    finally:
        wsgi_app.mark_not_ready()


class BackgroundServer:
    """Serves a WSGI app on 127.0.0.1 in a daemon thread (tests, the local try-out).

    Usable as a context manager; `.url` is the base URL, `.stop()` closes everything.
    """

    def __init__(self, wsgi_app: WsgiApp, *, port: int = 0, threads: int = 4) -> None:
        self.app = wsgi_app
        self._loop = _ServerLoop(wsgi_app, "127.0.0.1", port, threads)
        self.port = self._loop.port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._loop.run, name=f"wsgi-{self.port}", daemon=True
        )
        self._thread.start()

    @property
    def events_url(self) -> str:
        return self.url + EVENTS_PATH

    def stop(self) -> None:
        self._loop.stopping.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
