"""Socket Mode: the bot's connection out to Slack, replaced within seconds when it dies.

Slack's side of Socket Mode (envelopes, acknowledgements, `disconnect` requests) is
slack_sdk's `BaseSocketModeClient`, and Bolt's own `run_bolt_app`/`send_response` turn an
envelope into a dispatch and its ack. Only the transport is ours, on the `websockets`
package's threading client, because none of slack_sdk's threaded transports notices a
dead connection in time:
- the built-in client (Bolt's default) takes the empty read of a TCP connection closed
  without a close frame, which is how proxies and load balancers end connections, for
  "no data yet": measured, it spun a CPU core for 59 s and heard nothing meanwhile;
- the `websocket-client` one notices that drop, but never a connection gone silent (it
  pings, and nobody looks for the pong), and it closes a connection from one thread while
  reading it in another: a refresh or a stop then waited up to 10 s on a closed socket.

`websockets` reads and writes each connection from its own threads, safely: a closed TCP
connection ends the connection at once, and a ping unanswered for `PONG_TIMEOUT_SECONDS`
ends it too. A dead connection is therefore noticed within PING_INTERVAL + PONG_TIMEOUT +
CLOSE_TIMEOUT seconds (6 s), by waiting on sockets and timers, not by polling. On a
refresh request the new connection is opened before the old one is closed.

Its health (`health_problem`, for the side port's `/healthz`) is whether anything at all,
an envelope or the answer to a ping, came from Slack within `SILENCE_LIMIT_SECONDS`: a
connection that is open but wedged, or reconnections that keep failing, turn it red.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from queue import Queue
from threading import Lock

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.interval_runner import IntervalRunner
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.protocol import Event, State
from websockets.sync.client import ClientConnection, connect

from bot import metrics
from bot.texts import text

logger = logging.getLogger(f"wi3.{__name__}")
_transport_logger = logging.getLogger(f"wi3.{__name__}.websockets")

PING_INTERVAL_SECONDS = 3.0
PONG_TIMEOUT_SECONDS = 2.0
CLOSE_TIMEOUT_SECONDS = 1.0
# Envelopes handled at once (each waits at most 3 s for its listener's ack).
CONCURRENCY = 10
# Waits between failed reconnection attempts, doubling up to the last.
RECONNECT_DELAYS_SECONDS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
SILENCE_LIMIT_SECONDS = 10.0
"""Unhealthy after this long without a word from Slack (a pong comes every few seconds)."""


class _SilenceIsNotAnError(logging.Filter):
    """websockets logs the end of a connection that stopped answering pings as an ERROR
    with a traceback ("keepalive ping failed", timed out while closing); that is the
    detection working, and `_receive` reports it as one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (record.getMessage() == "keepalive ping failed"
                    and isinstance(getattr(error, "__cause__", None), TimeoutError))


_transport_logger.addFilter(_SilenceIsNotAnError())


class SocketModeConnection:
    """The Bolt app's Socket Mode connection: `connect()` once, `close()` at the end."""

    def __init__(self, app: App, app_token: str) -> None:
        self.app = app
        self.client = WebSocketsClient(app_token, app)
        self.client.socket_mode_request_listeners.append(self.handle)

    def connect(self) -> None:
        """Open the first connection. Slack refusing the app token raises `SlackApiError`;
        a WebSocket that fails after that is retried in the background, like a drop."""
        try:
            self.client.connect()
        except (OSError, WebSocketException) as error:
            logger.warning(text("log.socket_reconnect_failed"), type(error).__name__)
            self.client.reconnect_in_background()

    def close(self) -> None:
        """Stop taking envelopes, acknowledge those in hand, close the connection."""
        self.client.close()

    def health_problem(self) -> str | None:
        """None while Slack was heard from lately; else what is wrong (for `/healthz`)."""
        if self.client.closed:
            return text("health.socket_closed")
        silence = self.client.seconds_since_heard()
        if silence > SILENCE_LIMIT_SECONDS:
            return text("health.socket_silent", seconds=round(silence))
        return None

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        """One envelope: dispatch it to the app, then acknowledge it (with Bolt's reply)."""
        started = time.time()
        send_response(client, req, run_bolt_app(self.app, req), started)


class HeardConnection(ClientConnection):
    """A WebSocket connection that notes when anything last came in (a message, a pong):
    the sign of life the health check asks for."""

    last_heard = float("-inf")

    def process_event(self, event: Event) -> None:
        self.last_heard = time.monotonic()
        super().process_event(event)


class WebSocketsClient(BaseSocketModeClient):
    """slack_sdk's Socket Mode client over `websockets`, one connection at a time, which
    is replaced whenever it closes or stops answering pings."""

    def __init__(self, app_token: str, app: App) -> None:
        self.app_token = app_token
        self.web_client = app.client
        self.logger = logger
        self.wss_uri = ""  # set by `connect_to_new_endpoint`, used up by `connect`
        self.message_queue = Queue()
        self.message_listeners = []
        self.socket_mode_request_listeners = []
        self.message_workers = ThreadPoolExecutor(max_workers=CONCURRENCY,
                                                  thread_name_prefix="wi3-socket-mode")
        self.closed = False
        self.connect_operation_lock = Lock()
        self._connection: HeardConnection | None = None
        self._created = time.monotonic()
        self._stopping = threading.Event()
        self.message_processor = IntervalRunner(self.process_messages, 0.001).start()

    def is_connected(self) -> bool:
        current = self._connection
        return current is not None and current.state is State.OPEN

    def seconds_since_heard(self) -> float:
        """Since anything came from Slack on the current connection (or since this client
        was made, before the first)."""
        current = self._connection
        heard = current.last_heard if current is not None else self._created
        return time.monotonic() - max(heard, self._created)

    def connect(self) -> None:
        """Open a new connection, then let go of the old one (a refresh loses nothing)."""
        url, self.wss_uri = self.wss_uri or self.issue_new_wss_url(), ""  # each URL once
        fresh = connect(url, ping_interval=PING_INTERVAL_SECONDS,
                        ping_timeout=PONG_TIMEOUT_SECONDS, close_timeout=CLOSE_TIMEOUT_SECONDS,
                        compression=None, max_size=None, logger=_transport_logger,
                        create_connection=HeardConnection,
                        legacy=True)  # a connection that outlives this call, by design
        if self.closed:  # the bot stopped while this connection was being opened
            fresh.close()
            return
        assert isinstance(fresh, HeardConnection)
        previous, self._connection = self._connection, fresh
        threading.Thread(target=self._receive, args=(fresh,), name="wi3-socket-mode-receive",
                         daemon=True).start()
        if previous is not None:
            previous.close()

    def disconnect(self) -> None:
        current = self._connection
        if current is not None:
            current.close()

    def send_message(self, message: str) -> None:
        current = self._connection
        if current is None:
            raise ConnectionError("no Socket Mode connection")
        current.send(message)

    def close(self) -> None:
        """Take no more envelopes, let those being handled finish and be acknowledged,
        then close the connection."""
        self.closed = True
        self._stopping.set()
        self.message_queue.put(None)  # wakes the processor, which then sees `closed`
        self.message_processor.shutdown()  # type: ignore[no-untyped-call]
        self.message_workers.shutdown(wait=True)
        self.disconnect()

    def reconnect_in_background(self) -> None:
        threading.Thread(target=self._reconnect, name="wi3-socket-mode-reconnect",
                         daemon=True).start()

    def _receive(self, connection: ClientConnection) -> None:
        try:
            while True:
                self.enqueue_message(str(connection.recv()))
        except ConnectionClosed as ended:
            if connection is self._connection and not self.closed:
                logger.warning(text("log.socket_lost"), ended)
                metrics.socket_reconnected()
                self._reconnect()

    def _reconnect(self) -> None:
        """Connect again, waiting longer after each failure, until connected or closed."""
        for attempt in itertools.count():
            try:
                self.connect_to_new_endpoint()
            except Exception as error:
                logger.warning(text("log.socket_reconnect_failed"), type(error).__name__)
            if self.is_connected() or self.closed:
                return
            delay = RECONNECT_DELAYS_SECONDS[min(attempt, len(RECONNECT_DELAYS_SECONDS) - 1)]
            if self._stopping.wait(delay):
                return
