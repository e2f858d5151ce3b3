"""What wi3 counts for Prometheus, and the `GET /metrics` page that shows it.

Every instrument is defined here, and the code that does the work reports to it with one
call (`metrics.request_handled(...)`, `metrics.drawing()`, ...), so what is counted and
under which names can be read in one place. Two kinds of figures:

- events counted as they happen (requests, clicks, Web API calls and 429s, delivery
  checks, scheduled jobs, drawings), in this process's own registry;
- states read when Prometheus asks (the outbox's depth and oldest age, the store's failed
  writes, whether the bot is healthy, the Socket Mode connection): an `Exposition` asks
  the sources it watches at each scrape, so nothing has to keep them up to date.

Label values are kinds, outcomes, method and job names: fixed, short lists. Never a user,
channel or workspace id (a label value per person would be a time series per person).

`disabled()` turns the counting into no-ops, for `bench/latency.py` to measure what the
counting costs a click.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from storage import StorageError
from storage.protocols import Outbox, StoreHealth

Source = Callable[[], Iterable[Metric]]
"""Something read at scrape time: yields metric families."""

PROCESS = CollectorRegistry()
"""This process's instruments (and Python's own: CPU, memory, garbage collection)."""
ProcessCollector(registry=PROCESS)
PlatformCollector(registry=PROCESS)
GCCollector(registry=PROCESS)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0)
_DRAWING_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

REQUESTS = Counter(
    "wi3_requests", "Requests from Slack, by kind and by how they were answered "
    "(ok, refused: no valid signature, malformed, unhandled: no listener, error).",
    ["kind", "outcome"], registry=PROCESS)
REQUEST_SECONDS = Histogram(
    "wi3_request_seconds", "From a request's arrival until Slack got its answer "
    "(the acknowledgement), by kind.", ["kind"], buckets=_LATENCY_BUCKETS, registry=PROCESS)
REPEATS = Counter(
    "wi3_repeated_deliveries", "Requests Slack (or a replay) delivered again, "
    "recognised and skipped.", registry=PROCESS)
CLICKS = Histogram(
    "wi3_click_seconds", "From a click's arrival until the update of the clicker's "
    "screen went out to Slack.", buckets=_LATENCY_BUCKETS, registry=PROCESS)
SLACK_CALLS = Counter(
    "wi3_slack_api_calls", "Web API calls (each attempt), by method and outcome "
    "(ok, error: Slack said no, rate_limited: 429, server_error: 5xx, unreachable).",
    ["method", "outcome"], registry=PROCESS)
RATE_LIMITED = Counter(
    "wi3_slack_rate_limited", "429 answers from Slack, each a pause, by Web API method.",
    ["method"], registry=PROCESS)
RATE_LIMIT_PAUSE = Counter(
    "wi3_slack_rate_limit_pause_seconds", "Seconds Slack asked wi3 to wait "
    "(Retry-After of its 429 answers), by Web API method.", ["method"], registry=PROCESS)
DELIVERY_CHECKS = Counter(
    "wi3_delivery_checks", "Messages in doubt looked for in Slack before sending them "
    "again, by outcome (found, not_found, failed: Slack could not say).",
    ["outcome"], registry=PROCESS)
HOMES_SERVED = Counter(
    "wi3_homes_served", "App Home opens by outcome: published (the view changed, or Slack "
    "showed none), unchanged (Slack shows this view already; nothing published) or "
    "deferred (no turn in the views.publish budget soon; the next open publishes it).",
    ["outcome"], registry=PROCESS)
JOB_RUNS = Counter(
    "wi3_scheduler_job_runs", "Scheduled jobs run by this instance, by job and outcome.",
    ["scheduled_job", "outcome"], registry=PROCESS)
JOB_SECONDS = Histogram(
    "wi3_scheduler_job_seconds", "How long one run of a scheduled job took, by job.",
    ["scheduled_job"], buckets=_JOB_BUCKETS, registry=PROCESS)
LEASE_TAKEOVERS = Counter(
    "wi3_scheduler_lease_takeovers", "Times this instance took a scheduled job over "
    "(at its start, or from an instance that stopped renewing the job's lease), by job.",
    ["scheduled_job"], registry=PROCESS)
JOBS_HELD = Gauge(
    "wi3_scheduler_jobs_held", "1 for each shared scheduled job this instance runs now.",
    ["scheduled_job"], registry=PROCESS)
DRAWINGS_WAITING = Gauge(
    "wi3_drawings_waiting", "Drawings (heat maps, reports, charts) asked for and not "
    "finished yet: queued for the drawing worker or being drawn.", registry=PROCESS)
DRAWING_SECONDS = Histogram(
    "wi3_drawing_seconds", "From asking for a drawing until it was there, by outcome "
    "(ok, failed).", ["outcome"], buckets=_DRAWING_BUCKETS, registry=PROCESS)
SOCKET_RECONNECTS = Counter(
    "wi3_socket_mode_reconnects", "Socket Mode connections replaced after one ended "
    "or went silent.", registry=PROCESS)

RECEIVED_AT = "wi3_received_at"
"""Key in Bolt's context: `time.perf_counter()` when the request arrived (`bot.gate`)."""

_enabled = True


@contextmanager
def disabled() -> Iterator[None]:
    """Count nothing inside the block (for measuring what counting costs)."""
    global _enabled
    _enabled = False
    try:
        yield
    finally:
        _enabled = True


# -- what the code reports ----------------------------------------------------------------------


def request_kind(body: Mapping[str, Any]) -> str:
    """A request's kind as a label: the payload type, "command" or "event"."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return str(kind) if kind in _PAYLOAD_TYPES else "other"


_PAYLOAD_TYPES = frozenset({"block_actions", "view_submission", "view_closed",
                            "block_suggestion", "shortcut", "message_action",
                            "url_verification"})


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status == 401:
        return "refused"
    if status == 400:
        return "malformed"
    if status == 404:
        return "unhandled"
    return "error"


def request_handled(kind: str, status: int, started: float) -> None:
    """A request got its answer (`started`: `time.perf_counter()` at its arrival)."""
    if _enabled:
        REQUESTS.labels(kind, outcome_of(status)).inc()
        REQUEST_SECONDS.labels(kind).observe(time.perf_counter() - started)


def repeat_skipped() -> None:
    if _enabled:
        REPEATS.inc()


def click_answered(started: float) -> None:
    """The update of a clicker's screen went out (`started`: the click's arrival)."""
    if _enabled:
        CLICKS.observe(time.perf_counter() - started)


def delivery_checked(found: bool | None) -> None:
    """A message in doubt was looked for: found, not found, or Slack could not say (None)."""
    if _enabled:
        DELIVERY_CHECKS.labels("failed" if found is None else
                               "found" if found else "not_found").inc()


def home_served(outcome: str) -> None:
    """An App Home was published, or left as Slack shows it ("unchanged")."""
    if _enabled:
        HOMES_SERVED.labels(outcome).inc()


def job_ran(job: str, ok: bool, seconds: float) -> None:
    if _enabled:
        JOB_RUNS.labels(job, "ok" if ok else "failed").inc()
        JOB_SECONDS.labels(job).observe(seconds)


def lease_held(job: str, held: bool, *, taken_over: bool) -> None:
    if _enabled:
        JOBS_HELD.labels(job).set(1 if held else 0)
        if taken_over:
            LEASE_TAKEOVERS.labels(job).inc()


def socket_reconnected() -> None:
    if _enabled:
        SOCKET_RECONNECTS.inc()


@contextmanager
def drawing() -> Iterator[None]:
    """Around asking for a drawing: counted as waiting until it is there, then timed."""
    if not _enabled:
        yield
        return
    DRAWINGS_WAITING.inc()
    started = time.perf_counter()
    outcome = "failed"
    try:
        yield
        outcome = "ok"
    finally:
        DRAWINGS_WAITING.dec()
        DRAWING_SECONDS.labels(outcome).observe(time.perf_counter() - started)


class CountSlackCalls(RetryHandler):
    """Counts every Web API answer by method and outcome, and the 429s with the pause
    Slack asked for. slack_sdk shows each attempt's answer (successful or not) to the
    client's retry handlers in turn; this one comes first and never retries, so the
    handlers after it decide as before."""

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _enabled:
            _count_call(request, response)
        return False


def _count_call(request: HttpRequest, response: HttpResponse | None) -> None:
    method = urlsplit(request.url).path.rsplit("/", 1)[-1] or "unknown"
    if response is None:
        outcome = "unreachable"
    elif response.status_code == 429:
        outcome = "rate_limited"
        RATE_LIMITED.labels(method).inc()
        RATE_LIMIT_PAUSE.labels(method).inc(_retry_after(response))
    elif response.status_code >= 500:
        outcome = "server_error"
    elif response.status_code >= 400 or not (response.body or {}).get("ok", True):
        outcome = "error"
    else:
        outcome = "ok"
    SLACK_CALLS.labels(method, outcome).inc()


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                return 0.0
    return 0.0


# -- what is read at scrape time ----------------------------------------------------------------


def outbox_source(outbox: Outbox, kinds: Iterable[str],
                  clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Source:
    """The outbox's backlog per kind: messages due and waiting (or being sent), messages
    queued for later, and how long the longest-waiting one has been due. Every kind
    in `kinds` has a sample, zero when nothing waits, so a dashboard shows a flat line
    rather than a gap."""
    known = tuple(sorted(set(kinds)))

    def collect() -> Iterable[Metric]:
        now = clock()
        try:
            backlog = {each.kind: each for each in outbox.outbox_backlog(now)}
        except StorageError:
            return  # the store's own figures say what is wrong
        depth = GaugeMetricFamily(
            "wi3_outbox_messages", "Queued messages not sent yet, by kind and state (due: "
            "waiting to go out or being sent; scheduled: not due yet).",
            labels=["kind", "state"])
        oldest = GaugeMetricFamily(
            "wi3_outbox_oldest_seconds", "How long the longest-waiting due message has "
            "been due, by kind (0: none waiting).", labels=["kind"])
        for kind in sorted(set(known) | set(backlog)):
            found = backlog.get(kind)
            depth.add_metric([kind, "due"], found.due if found else 0)
            depth.add_metric([kind, "scheduled"], found.scheduled if found else 0)
            since = found.oldest_due_since if found else None
            oldest.add_metric([kind], max(0.0, (now - since).total_seconds()) if since else 0.0)
        yield depth
        yield oldest

    return collect


def store_source(store: StoreHealth) -> Source:
    """Whether the store is taking writes, and how many writes failed since the start."""

    def collect() -> Iterable[Metric]:
        yield CounterMetricFamily(
            "wi3_store_write_failures", "Writes to the store (files or database) that "
            "failed since this process started.", value=store.write_failures())
        yield GaugeMetricFamily(
            "wi3_store_writable", "1 while the store's writes succeed, 0 after a failed "
            "write until one succeeds again.", value=0 if store.write_problem() else 1)

    return collect


def health_source(problem: Callable[[], str | None]) -> Source:
    """`wi3_healthy`: what `/healthz` says, as a figure Prometheus can alert on."""

    def collect() -> Iterable[Metric]:
        yield GaugeMetricFamily("wi3_healthy", "1 while /healthz answers 200, else 0.",
                                value=0 if problem() else 1)

    return collect


def socket_mode_source(connected: Callable[[], bool], silence: Callable[[], float]) -> Source:
    """The Socket Mode connection: open or not, and how long Slack has been silent."""

    def collect() -> Iterable[Metric]:
        yield GaugeMetricFamily("wi3_socket_mode_connected", "1 while a Socket Mode "
                                "connection to Slack is open.", value=1 if connected() else 0)
        yield GaugeMetricFamily("wi3_socket_mode_silence_seconds", "Seconds since anything "
                                "(an envelope, a pong) came from Slack.", value=silence())

    return collect


class Exposition:
    """The `/metrics` page: this process's instruments plus every watched source, read
    at each scrape. One per served app; sources may be added while it is served."""

    def __init__(self) -> None:
        self._sources: list[Source] = []
        self._guard = threading.Lock()
        self._registry = CollectorRegistry()
        self._registry.register(_Together(self))

    def watch(self, source: Source) -> None:
        with self._guard:
            self._sources.append(source)

    def sources(self) -> list[Source]:
        with self._guard:
            return list(self._sources)

    def render(self) -> tuple[bytes, str]:
        """The page and its content type (Prometheus' text format)."""
        return generate_latest(self._registry), CONTENT_TYPE_LATEST


class _Together(Collector):
    def __init__(self, exposition: Exposition) -> None:
        self.exposition = exposition

    def collect(self) -> Iterable[Metric]:
        yield from PROCESS.collect()
        for source in self.exposition.sources():
            yield from source()
