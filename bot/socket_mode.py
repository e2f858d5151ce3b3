"""Socket Mode: the bot's connection out to Slack, noticed within seconds when it dies.

The transport is Bolt's `websocket_client` adapter over the `websocket-client` package.
Bolt's default (slack_sdk's built-in client) takes the empty read of a TCP connection closed
without a WebSocket close frame, which is how proxies and load balancers end connections,
for "no data yet": it spins a CPU core and hears nothing for about a minute, until its
staleness check. websocket-client raises on that read, and slack_sdk reconnects at once.

A connection can also go silent without closing (a network partition, a proxy that stops
forwarding). websocket-client pings every `PING_INTERVAL_SECONDS`, but as slack_sdk runs
it nobody looks for the pong, so `PongWatchdog` does: a ping unanswered for
`PONG_TIMEOUT_SECONDS` shuts the socket down, which reads as the drop above and reconnects
the same way. A dead connection is thus noticed within PING_INTERVAL + PONG_TIMEOUT +
WATCH_INTERVAL seconds (7 s), and all of it is waiting on sockets and timers, not polling.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.socket_mode.websocket_client import SocketModeClient

from bot.texts import text

logger = logging.getLogger("wi3.socket_mode")

PING_INTERVAL_SECONDS = 4.0
PONG_TIMEOUT_SECONDS = 2.0
WATCH_INTERVAL_SECONDS = 1.0


class _DropsAreWarnings(logging.Filter):
    """slack_sdk logs a lost connection as an ERROR ("on_error invoked") although it
    reconnects straight away; for an operator that is a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and record.getMessage().startswith("on_error invoked"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logger.addFilter(_DropsAreWarnings())


class SocketModeConnection:
    """The app's Socket Mode connection, reconnected whenever it drops or goes silent."""

    def __init__(self, app: App, app_token: str) -> None:
        self.handler = SocketModeHandler(app, app_token=app_token, logger=logger,
                                         ping_interval=PING_INTERVAL_SECONDS)
        self.watchdog = PongWatchdog(self.handler.client, PONG_TIMEOUT_SECONDS)
        if not logger.isEnabledFor(logging.DEBUG):
            # websocket-client repeats each drop as an ERROR ("... - goodbye"); slack_sdk's
            # line above already says it.
            logging.getLogger("websocket").setLevel(logging.CRITICAL)

    def connect(self) -> None:
        """Open the first connection (raises `SlackApiError` if Slack refuses the token)."""
        self.handler.connect()  # type: ignore[no-untyped-call]
        self.watchdog.start()

    def close(self) -> None:
        """Take no more envelopes; the ones being handled finish (Bolt waits for them)."""
        self.watchdog.stop()
        self.handler.close()  # type: ignore[no-untyped-call]


class PongWatchdog:
    """Shuts down a connection whose last ping has gone unanswered for `timeout` seconds."""

    def __init__(
        self,
        client: SocketModeClient,
        timeout: float,
        *,
        every: float = WATCH_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,  # websocket-client stamps pings with time.time
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.every = every
        self.clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._watch, name="wi3-pong-watchdog",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def check(self) -> bool:
        """One look at the current connection; True if it was shut down for silence."""
        session = self.client.current_session
        connection = session.sock if session is not None else None
        if session is None or connection is None or not connection.connected:
            return False
        awaiting_pong = session.last_ping_tm > session.last_pong_tm
        if not awaiting_pong or self.clock() - session.last_ping_tm < self.timeout:
            return False
        logger.warning(text("run.socket_silent", seconds=round(self.timeout)))
        connection.abort()  # type: ignore[no-untyped-call]  # reads as a drop: reconnects
        return True

    def _watch(self) -> None:
        while not self._stopping.wait(self.every):
            self.check()
