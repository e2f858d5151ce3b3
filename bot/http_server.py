"""HTTP mode: the WSGI application Slack talks to, served by waitress.

Routes: `POST /slack/events` (commands, interactivity, events; the app checks the
signature and the payload's shape, see `bot.gate`), `/dashboard` and below once the web
dashboard is mounted (`bot.dashboard`), `GET /healthz` (200 once ready; 503
before, and with the reason while the data cannot be saved, see `bot.health`),
`GET /metrics` (Prometheus' text format, see `bot.metrics`), in multi-workspace mode
`GET /slack/install` ("Add to Slack") and `GET /slack/oauth_redirect` (Slack sends the
installer back there; Bolt's OAuth flow, see `bot.oauth`), anything else 404. A
request Bolt cannot even parse gets a 400, never a 500: a malformed request is the
sender's fault, not ours.

`OpsWsgiApp` is Socket Mode's side port: `/healthz` and `/metrics` only.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import create_server, wasyncore

from bot import metrics
from bot.gate import GatedApp
from bot.health import Health
from bot.metrics import Exposition

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
INSTALL_PATHS = (INSTALL_PATH, REDIRECT_PATH)
"""Served only when the app has an OAuth flow (multi-workspace mode, `bot.oauth`)."""
DASHBOARD_PATH = "/dashboard"
"""The web dashboard and everything below it (`bot.dashboard`), once mounted."""
# Largest request accepted: Slack payloads (a view with its state, a message with 50
# blocks) stay far below this.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
# How often the serving loop looks at its stop flag.
_POLL_SECONDS = 0.1

logger = logging.getLogger(f"wi3.{__name__}")

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


class SlackWsgiApp:
    """The bot's WSGI application: Bolt behind `/slack/events`, plus a health check and
    the metrics page (`exposition`; the runtime adds what it reads from the store).

    It can listen before the Bolt app exists (`attach` it later), so `/healthz` says 503
    while the bot is still checking Slack or opening its data, and 200 only after.
    """

    def __init__(self, bolt_app: App | None = None, *,
                 exposition: Exposition | None = None) -> None:
        self.slack_handler: SlackRequestHandler | None = None
        self.health = Health()
        self.exposition = exposition or Exposition()
        self.exposition.watch(metrics.health_source(self.health.problem))
        self.dashboard: WsgiApp | None = None
        if bolt_app is not None:
            self.attach(bolt_app)

    def attach(self, bolt_app: App) -> None:
        """Route `/slack/events` to `bolt_app` from now on."""
        self.slack_handler = SlackRequestHandler(bolt_app, path=EVENTS_PATH)
        if isinstance(bolt_app, GatedApp):
            self.health.add_check(bolt_app.write_problem)

    @property
    def is_ready(self) -> bool:
        return self.health.is_ready

    def mark_ready(self) -> None:
        """Called once the server listens and the app is wired: healthz turns 200."""
        self.health.mark_ready()

    def mark_not_ready(self) -> None:
        """Called when shutting down, so a load balancer stops sending traffic."""
        self.health.mark_not_ready()

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
        if self.dashboard is not None and is_dashboard_path(path):
            return self.dashboard(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _json(start_response, *self.health.answer())
        if path == METRICS_PATH and method in ("GET", "HEAD"):
            return _metrics(start_response, self.exposition)
        if path in INSTALL_PATHS and self._installs():
            if method != "GET":
                return _json(start_response, "405 Method Not Allowed", {"ok": False},
                             [("Allow", "GET")])
            return self._install_request(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    def _slack_request(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        handler = self.slack_handler
        if handler is None:  # Slack retries events it could not deliver
            return _json(start_response, "503 Service Unavailable",
                         {"ok": False, "status": "starting"})
        started = time.perf_counter()
        try:
            return handler(environ, start_response)
        except Exception as error:
            # Bolt parses the body before checking the signature: garbage lands here.
            logger.warning("Rejected a malformed request (%s)", type(error).__name__)
            metrics.request_handled("other", 400, started)
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "bad_request"})


    def _installs(self) -> bool:
        return self.slack_handler is not None and self.slack_handler.app.oauth_flow is not None

    def _install_request(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        assert self.slack_handler is not None
        try:
            return self.slack_handler(environ, start_response)
        except Exception:
            logger.exception("An installation request failed")
            return _json(start_response, "500 Internal Server Error", {"ok": False})


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


def _metrics(start_response: StartResponse, exposition: Exposition) -> Iterable[bytes]:
    page, content_type = exposition.render()
    start_response("200 OK", [("Content-Type", content_type),
                              ("Content-Length", str(len(page)))])
    return [page]


def is_dashboard_path(path: str) -> bool:
    """`/dashboard` and everything below it."""
    return path == DASHBOARD_PATH or path.startswith(DASHBOARD_PATH + "/")


class OpsWsgiApp:
    """Socket Mode's side port: `GET /healthz` (the connection, the store), `GET /metrics`
    and, once mounted, the web dashboard; Slack's requests come over the Socket Mode
    connection instead."""

    def __init__(self, health: Health, exposition: Exposition) -> None:
        self.health = health
        self.exposition = exposition
        self.exposition.watch(metrics.health_source(health.problem))
        self.dashboard: WsgiApp | None = None

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _json(start_response, *self.health.answer())
        if path == METRICS_PATH and method in ("GET", "HEAD"):
            return _metrics(start_response, self.exposition)
        if self.dashboard is not None and is_dashboard_path(path):
            return self.dashboard(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})


class WsgiServer:
    """A waitress server bound at construction, serving until `stop()` from any thread.

    Binding first means a busy port fails fast (`OSError`), before any other start-up work.
    """

    def __init__(
        self, wsgi_app: WsgiApp, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 8
    ) -> None:
        self.app = wsgi_app
        self._server = create_server(
            wsgi_app,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=MAX_REQUEST_BYTES,
            ident="wi3",
        )
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def serve(self) -> None:
        """Serve on the calling thread until `stop()`, then close every connection."""
        socket_map = self._server._map
        self._started.set()
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=_POLL_SECONDS, map=socket_map, count=1, use_poll=True)
        finally:
            for channel in list(socket_map.values()):
                channel.close()
            self._server.task_dispatcher.shutdown()
            self._stopped.set()

    def serve_in_background(self) -> None:
        """Serve from a daemon thread; returns at once."""
        threading.Thread(target=self.serve, name=f"wsgi-{self.port}", daemon=True).start()
        self._started.wait()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait (up to `timeout`) until the port is closed."""
        self._stopping.set()
        if self._started.is_set():
            self._stopped.wait(timeout)
        else:
            self._server.close()


def serve_forever(
    wsgi_app: SlackWsgiApp,
    port: int,
    *,
    host: str = "0.0.0.0",
    threads: int = 8,
    stop: threading.Event | None = None,
) -> None:
    """Serve an already wired `wsgi_app` with waitress until `stop` is set (or forever).

    Marked ready only once the socket listens, so `/healthz` never promises too early.
    """
    server = WsgiServer(wsgi_app, host=host, port=port, threads=threads)
    server.serve_in_background()
    wsgi_app.mark_ready()
    try:
        (stop or threading.Event()).wait()
    finally:
        wsgi_app.mark_not_ready()
        server.stop()


class BackgroundServer(WsgiServer):
    """Serves a WSGI app on 127.0.0.1 (a free port by default) in a daemon thread.

    For tests and the local try-out; a context manager; `.url` is the base URL.
    """

    def __init__(self, wsgi_app: WsgiApp, *, port: int = 0, threads: int = 4) -> None:
        super().__init__(wsgi_app, host="127.0.0.1", port=port, threads=threads)
        self.url = f"http://127.0.0.1:{self.port}"
        self.serve_in_background()

    @property
    def events_url(self) -> str:
        return self.url + EVENTS_PATH

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
