"""Running the bot for real: check Slack, build the app, serve until told to stop.

HTTP mode serves `/slack/events`, `/healthz` and `/metrics` with waitress; Socket Mode
connects out to Slack (`bot.socket_mode`) and serves `/healthz` and `/metrics` on a side
port (PORT). A start that cannot go on says why in one log line. SIGTERM and SIGINT stop
either cleanly: no new requests are taken, no queued message starts going out (those under
way finish and are recorded), the background jobs stop, listeners that already
acknowledged Slack finish their work (and its writes), and only then is the data
directory released.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.error import URLError

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import interpreter, metrics
from bot.app import create_app
from bot.config import Config
from bot.dashboard.wiring import dashboard_app
from bot.drawing import InAnotherProcess
from bot.health import Health
from bot.http_server import OpsWsgiApp, SlackWsgiApp, WsgiApp, WsgiServer
from bot.logs import configure_logging
from bot.metrics import Exposition
from bot.oauth import open_installations
from bot.services import Services
from bot.slack_client import (
    REQUIRED_SCOPES,
    BudgetedClient,
    granted_scopes,
    make_listener_client,
    make_sending_client,
)
from bot.socket_mode import SocketModeConnection
from bot.texts import text
from bot.throttle import MethodBudget
from storage import StorageError, Store, open_store

logger = logging.getLogger(f"wi3.{__name__}")

EXIT_OK = 0
EXIT_UNREACHABLE = 1
EXIT_CONFIG = 2
# Libraries that log their own account of a failed start-up call; we print one line.
_CHATTY_LOGGERS = ("slack_sdk", "slack_bolt", "wi3.bolt", "wi3.bot.socket_mode", "websocket")
# Threads running listeners after their ack (Bolt's default pool has 5).
LISTENER_THREADS = 8
# How long a stop waits for listeners still at work; container runtimes allow 10 s
# between SIGTERM and SIGKILL by default, and the background jobs need a moment too.
LISTENER_GRACE_SECONDS = 6.0

T = TypeVar("T")


def run(config: Config, *, stop: threading.Event | None = None) -> int:
    """Start the bot with `config` and serve until `stop` is set or a signal arrives.

    Returns the process exit code: 0 after a clean stop, 2 when Slack rejects a token or
    the port is taken, 1 when Slack cannot be reached.
    """
    configure_logging(config.log_level, config.secrets(), config.log_format)
    stop = stop or threading.Event()
    _stop_on_signals(stop)
    if config.mode == "socket":
        return _run_socket_mode(config, stop)
    return _run_http(config, stop)


def _run_http(config: Config, stop: threading.Event) -> int:
    """Listen first (healthz 503), then check Slack and wire the app (healthz 200)."""
    wsgi_app = SlackWsgiApp()
    server = _listen(wsgi_app, config.port)
    if server is None:
        return EXIT_CONFIG
    try:
        client = make_listener_client(config)
        workspace_id = None
        if config.workspaces == "one":  # many: each installation is checked when it is made
            exit_code, workspace_id = _check_slack(client, config)
            if exit_code != EXIT_OK:
                return exit_code
        with _wired_app(config, client, workspace_id, wsgi_app.exposition) as wired:
            if wired is None:
                return EXIT_CONFIG
            wsgi_app.attach(wired.app)
            wsgi_app.dashboard = dashboard_app(config, wired.services)
            try:
                wsgi_app.mark_ready()
                logger.info(text("log.serving_http"), server.port)
                if config.workspaces == "many":
                    logger.info(text("log.serving_installs"))
                stop.wait()
                logger.info(text("log.stopping"))
            finally:
                wsgi_app.mark_not_ready()
                server.stop()  # takes no new request; waitress finishes the ones it has
        logger.info(text("log.stopped"))
        return EXIT_OK
    finally:
        wsgi_app.mark_not_ready()
        server.stop()


def _listen(wsgi_app: WsgiApp, port: int) -> WsgiServer | None:
    """Serve `wsgi_app` on `port` from now on; None (after one line) when it is taken."""
    try:
        server = WsgiServer(wsgi_app, port=port)
    except OSError as error:
        logger.error(text("log.port_unavailable"), port, error.strerror or type(error).__name__)
        return None
    server.serve_in_background()
    return server


@dataclass(frozen=True)
class Wired:
    app: App
    store: Store
    services: Services


@contextmanager
def _wired_app(config: Config, client: WebClient, workspace_id: str | None,
               exposition: Exposition) -> Iterator[Wired | None]:
    """The app and its services over its store (the data directory, or the database with
    its pending migrations applied), with background work running, for as long as the bot serves;
    None (after one log line) when the store is unusable. `exposition` (the metrics
    page) reads the outbox and the store from now on.

    Leaving the block lets acknowledged listeners finish their writes, stops the
    background work, and only then releases the data directory."""
    try:
        store = open_store(config.data_dir, database_url=config.database_url,
                           pseudonym_key=config.pseudonym_key,
                           retention_days=config.retention_days, migrate=True)
    except StorageError as error:
        logger.error(text("log.storage_unusable"), error)
        yield None
        return
    installations = open_installations(config, store) if config.workspaces == "many" else None
    if workspace_id is not None and isinstance(client, BudgetedClient):
        client.budget = MethodBudget.shared_in(store, workspace_id)  # one for all instances
    try:
        services = Services.build(
            store,
            installations.clients if installations else client,
            fanout_client=(installations.fanout_clients if installations
                           else make_sending_client(config)),
            retention_days=config.retention_days,
            default_timezone=config.timezone,
            uninstall_grace_days=config.uninstall_grace_days,
            scheduler_interval=config.tick_seconds,
            lease_seconds=config.lease_seconds,
            drawer=InAnotherProcess(),  # heavy drawings never hold up other people's clicks
        )
        if workspace_id is not None:
            _installed_again(store, workspace_id)
        listeners = ListenerPool()
        app = create_app(config, store, client=client, listener_executor=listeners,
                         services=services, installations=installations)
        exposition.watch(metrics.store_source(store))
        exposition.watch(metrics.outbox_source(store, services.outbox.kinds))
        services.start_background()
        interpreter.settle()
        try:
            yield Wired(app, store, services)
        finally:
            _finish_work(listeners, services)
    finally:
        if installations is not None:
            installations.close()
        store.close()


def _installed_again(store: Store, workspace_id: str) -> None:
    """One bot token: its workspace (Slack accepted the token) has wi3 installed, again
    after a removal if it was marked, so its teams are kept and its work goes on."""
    if store.mark_installed(workspace_id):
        logger.info(text("log.installed_again"), workspace_id)


def _run_socket_mode(config: Config, stop: threading.Event) -> int:
    """Listen on the side port first (healthz 503), then check Slack, wire the app and
    connect (healthz 200 while Slack is heard from and the store takes writes)."""
    health = Health()
    side_port = OpsWsgiApp(health, Exposition())
    server = _listen(side_port, config.port)
    if server is None:
        return EXIT_CONFIG
    try:
        client = make_listener_client(config)
        exit_code, workspace_id = _check_slack(client, config)
        if exit_code != EXIT_OK:
            return exit_code
        with _wired_app(config, client, workspace_id, side_port.exposition) as wired:
            if wired is None:
                return EXIT_CONFIG
            health.add_check(wired.store.write_problem)
            side_port.dashboard = dashboard_app(config, wired.services)
            exit_code = _serve_socket_mode(wired.app, config, stop, health, side_port,
                                           server.port)
        if exit_code == EXIT_OK:
            logger.info(text("log.stopped"))
        return exit_code
    finally:
        health.mark_not_ready()
        server.stop()


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener threads, which a stop can wait for: a listener has acknowledged
    Slack within 3 seconds but may still be writing what the click or command did."""

    def __init__(self, threads: int = LISTENER_THREADS) -> None:
        super().__init__(max_workers=threads, thread_name_prefix="wi3-listener")
        self._in_flight: set[Future[Any]] = set()
        self._guard = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        with self._guard:
            self._in_flight.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Any]) -> None:
        with self._guard:
            self._in_flight.discard(future)

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` for the listeners at work (and any they start); returns
        how many were still running, then takes no more."""
        deadline = time.monotonic() + timeout
        while True:
            with self._guard:
                in_flight = set(self._in_flight)
            remaining = deadline - time.monotonic()
            if not in_flight or remaining <= 0:
                break
            wait(in_flight, remaining)
        self.shutdown(wait=False, cancel_futures=True)
        return len(in_flight)


def _finish_work(listeners: ListenerPool, services: Services) -> None:
    """Stop sending queued messages and the timers (no new send starts; those under way
    finish and are recorded), then let acknowledged listeners finish their writes."""
    services.stop_sending()
    services.stop_background()
    unfinished = listeners.drain(LISTENER_GRACE_SECONDS)
    if unfinished:
        logger.warning(text("log.unfinished_listeners"), unfinished)


def _check_slack(client: WebClient, config: Config) -> tuple[int, str | None]:
    """Ask Slack who we are: the exit code (one clear line if that fails) and the token's
    workspace."""
    try:
        with _one_voice(config):
            response = client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error", "error") if error.response else "error"
        logger.error(text("log.slack_rejected_token"), reason)
        return EXIT_CONFIG, None
    except (URLError, OSError) as error:
        logger.error(text("log.slack_unreachable"), config.slack_api_url, type(error).__name__)
        return EXIT_UNREACHABLE, None
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted_scopes(response.headers)]
    if missing:
        logger.warning(text("log.missing_scopes"), ", ".join(missing))
    workspace_id = response.get("team_id")
    return EXIT_OK, str(workspace_id) if workspace_id else None


def _serve_socket_mode(app: App, config: Config, stop: threading.Event, health: Health,
                       side_port: OpsWsgiApp, port: int) -> int:
    """Connect and serve until `stop`; the start line names the side port as bound
    (`port`), so a `PORT=0` start says which port the OS picked."""
    connection = SocketModeConnection(app, str(config.app_token))
    try:
        with _one_voice(config):
            connection.connect()
    except SlackApiError as error:
        reason = error.response.get("error", "error") if error.response else "error"
        logger.error(text("log.app_token_rejected"), reason)
        return EXIT_CONFIG
    health.add_check(connection.health_problem)
    side_port.exposition.watch(metrics.socket_mode_source(connection.client.is_connected,
                                                          connection.client.seconds_since_heard))
    health.mark_ready()
    logger.info(text("log.serving_socket"), port)
    stop.wait()
    logger.info(text("log.stopping"))
    health.mark_not_ready()
    connection.close()
    return EXIT_OK


@contextmanager
def _one_voice(config: Config) -> Iterator[None]:
    """Silence library logging around a start-up call, so a failure reads as one line
    (at DEBUG level everything stays visible)."""
    if config.log_level == "DEBUG":
        yield
        return
    loggers = [logging.getLogger(name) for name in _CHATTY_LOGGERS]
    saved = [each.level for each in loggers]
    for each in loggers:
        each.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for each, level in zip(loggers, saved, strict=True):
            each.setLevel(level)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM/SIGINT set `stop` (only possible from the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
