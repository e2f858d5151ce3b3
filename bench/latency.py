"""How long does an answer click take, end to end, on each backend, and does it grow with
what is stored?

    python bench/latency.py           full run: 1k vs 1.1M answers (50,000 people x 22)
    python bench/latency.py --quick   smaller: 1k vs 20k answers, fewer clicks (< 1 minute)
    python bench/latency.py --backends tinydb        without PostgreSQL
    python bench/latency.py --sustained-only         only the sustained load (below)

What the metrics cost: after each round of clicks the first bot is clicked twice more,
once with the counting on and once switched off (`bot.metrics.disabled()`), in turns
which goes first; the median of the pairs' differences is reported as a share of the
median click with counting (target: at most 5%). On a busy machine that difference is
mostly noise, so the counting a click does (its request, its click latency, one Web API
answer) is also timed on its own, 20,000 times, and shown per click.

A click is a real signed `block_actions` POST to the bot's `/slack/events`, served by
waitress, handled by the real app (dedupe claim, flow, answer and position write) and
ending with its `chat.update` to the local Slack emulator. Listeners run inline, so the
HTTP answer comes back only after all of that: the figure is what a user waits for, not
just the acknowledgement. The floor is a Bolt app with one no-op action listener, served
and clicked the same way.

Both backends hold the same data: the stores are filled through the TinyDB store (teams of
ten, every statement answered, rounds closed), and each PostgreSQL database is made from
its directory with `python -m storage copy` (which verifies the copy). PostgreSQL is the
server at --database-url (default: WI3_BENCH_DATABASE_URL, else 127.0.0.1:5432/test); the
run creates its own databases there and drops them. Clicks on all the bots are interleaved
so they share the machine's background noise.

Then the sustained load of issue 21 (`bench/answering.py`): 270 people answering at once
from 24 client threads against the real `python -m bot` on each backend: requests per
second, the ack's p99, the screen's p99 and whether every answer is stored exactly. The
last line is one JSON object with every figure printed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import answering
import psycopg
from psycopg import sql
from slack_bolt import Ack, App
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy.engine import make_url
from timing import Timing, summarise

from bot import metrics
from bot.app import create_app
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.services import Services
from bot.slack_client import make_client, make_sending_client
from conversations.refs import ActionIds
from model import load_content
from storage import Store, Team, open_store
from storage.copy import copy_to_database

SECRET = "bench-signing-secret"
RESPONDENTS_PER_TEAM = 10
SMALL = 1_000
LARGE = {"full": 1_100_000, "quick": 20_000}
CLICKS = {"full": 300, "quick": 60}
TARGETS = {"p99_ms": 50.0, "growth": 1.3, "metrics_cost": 0.05}
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def fill(store: Store, workspace_id: str, answers: int) -> int:
    """Closed rounds of other teams holding about `answers` answers (teams of ten)."""
    items = [item.id for item in load_content().questionnaire.items]
    per_team = RESPONDENTS_PER_TEAM * len(items)
    teams = max(1, round(answers / per_team))
    for n in range(teams):
        channel = f"C0FILL{n:05d}"
        store.save_team(Team(workspace_id=workspace_id, channel_id=channel, leads=("U0FILL",)))
        round_ = store.open_round(workspace_id, channel, item_ids=items,
                                  invited=[f"U0F{n:05d}{r}" for r in range(RESPONDENTS_PER_TEAM)])
        for respondent in round_.invited:
            store.record_answers(round_.id, respondent, dict.fromkeys(items, 3))
        store.close_round(round_.id)
    return teams * per_team


@dataclass
class Place:
    """Where one bot keeps its data: a data directory, or a database made from one."""

    backend: str
    size: str
    data_dir: Path
    database_url: str | None = None

    @property
    def name(self) -> str:
        return f"{self.backend}_{self.size}"

    def key(self) -> bytes:
        return bytes.fromhex((self.data_dir / "secret.key").read_text().strip())

    def open(self) -> Store:
        if self.database_url is None:
            return open_store(self.data_dir, retention_days=100_000)
        return open_store(database_url=self.database_url, pseudonym_key=self.key(),
                          retention_days=100_000)


class Server:
    """The PostgreSQL server's databases of this run, dropped when it ends."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql")
        self.names: list[str] = []

    def reachable(self) -> str | None:
        """None if it answers, else why not."""
        try:
            with psycopg.connect(self._dsn(), connect_timeout=3):
                return None
        except psycopg.Error as err:
            return str(err).strip().splitlines()[0]

    def new_database(self, label: str) -> str:
        name = f"wi3_bench_{os.getpid()}_{label}_{secrets.token_hex(2)}"
        with psycopg.connect(self._dsn(), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.names.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with psycopg.connect(self._dsn(), autocommit=True) as admin:
            for name in self.names:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                              .format(sql.Identifier(name)))

    def _dsn(self) -> str:
        return self.url.render_as_string(hide_password=False)


@contextmanager
def served(app: App) -> Iterator[BackgroundServer]:
    wsgi_app = SlackWsgiApp(app)
    wsgi_app.mark_ready()
    with BackgroundServer(wsgi_app, threads=4) as server:
        yield server


@dataclass
class WiredBot:
    driver: SlackDriver
    emulator: SlackEmulator
    user: str

    def click_answer(self) -> float:
        """Time one answer click; then step back (untimed) so the question stays the same."""
        message = _question(self.emulator, self.user)
        started = time.perf_counter()
        response = self.driver.click(self.user, message, ActionIds.answer(4))
        elapsed = time.perf_counter() - started
        assert response.status == 200, response.status
        self.driver.click(self.user, _question(self.emulator, self.user), ActionIds.BACK)
        return elapsed


def _question(emulator: SlackEmulator, user: str) -> Any:
    for message in reversed(emulator.messages_to(user)):
        try:
            message.find_button(ActionIds.answer(1))
            return message
        except LookupError:
            continue
    raise RuntimeError("no question message")


@contextmanager
def wi3_bot(emulator: SlackEmulator, place: Place, user: str, channel: str) -> Iterator[WiredBot]:
    config = Config(bot_token=emulator.token, signing_secret=SECRET, app_token=None,
                    slack_api_url=emulator.api_url, data_dir=place.data_dir)
    with place.open() as store:
        services = Services.build(store, make_client(config),
                                  fanout_client=make_sending_client(config),
                                  messages_per_second=1000.0)
        app = create_app(config, store, client=make_client(config),
                         listener_executor=InlineExecutor(), services=services)
        with served(app) as server:
            driver = SlackDriver(emulator, server.events_url, SECRET)
            emulator.workspace.add_channel(channel, channel.lower(), [LEAD, user])
            driver.command(LEAD, channel, "setup")
            driver.command(LEAD, channel, "start")
            for message in emulator.messages_to(user):
                try:
                    message.find_button(ActionIds.START)
                except LookupError:
                    continue
                driver.click(user, message, ActionIds.START)
            driver.click(user, _question(emulator, user), ActionIds.answer(3))  # to question 2
            yield WiredBot(driver, emulator, user)


@contextmanager
def noop_bot(emulator: SlackEmulator, user: str) -> Iterator[WiredBot]:
    config = Config(bot_token=emulator.token, signing_secret=SECRET, app_token=None,
                    slack_api_url=emulator.api_url, data_dir=Path("."))
    app = App(client=make_client(config), signing_secret=SECRET,
              token_verification_enabled=False, listener_executor=InlineExecutor())

    @app.action(ActionIds.answer(4))
    @app.action(ActionIds.BACK)
    def noop(ack: Ack) -> None:
        ack()

    with served(app) as server:
        yield WiredBot(SlackDriver(emulator, server.events_url, SECRET), emulator, user)


def prepare(places: list[Place], workspace_id: str, sizes: dict[str, int],
            server: Server | None, figures: dict[str, Any]) -> None:
    """Fill each size's data directory once; make each database from its directory."""
    for size, answers in sizes.items():
        directory = next(p.data_dir for p in places if p.size == size)
        started = time.perf_counter()
        with open_store(directory, retention_days=100_000) as store:
            figures[f"answers_{size}"] = fill(store, workspace_id, answers)
        figures[f"fill_tinydb_{size}_s"] = round(time.perf_counter() - started, 1)
        for place in places:
            if place.size == size and place.backend == "postgresql":
                assert server is not None
                place.database_url = server.new_database(size)
                started = time.perf_counter()
                copy_to_database(directory, place.database_url, place.key())
                figures[f"copy_postgresql_{size}_s"] = round(time.perf_counter() - started, 1)


def measure(emulator: SlackEmulator, places: list[Place], clicks: int) -> dict[str, Timing]:
    """Interleaved clicks on every bot and the no-op floor."""
    times: dict[str, list[float]] = {place.name: [] for place in places}
    times["noop"] = []
    times["metrics_on"], times["metrics_off"] = [], []
    with ExitStack() as stack:
        bots = {place.name: stack.enter_context(
            wi3_bot(emulator, place, f"U0BENCH{n}", f"C0BENCH{n}"))
            for n, place in enumerate(places)}
        # The no-op needs a message with the buttons: it clicks the first bot's question.
        floor = stack.enter_context(noop_bot(emulator, bots[places[0].name].user))
        everyone = {**bots, "noop": floor}
        for bot in everyone.values():  # warm up connections and caches
            for _ in range(5):
                bot.click_answer()
        first = bots[places[0].name]
        for n in range(clicks):
            for name, bot in everyone.items():
                times[name].append(bot.click_answer())
            for counting in ((True, False) if n % 2 else (False, True)):
                with nullcontext() if counting else metrics.disabled():
                    elapsed = first.click_answer()
                times["metrics_on" if counting else "metrics_off"].append(elapsed)
    costs = [on - off for on, off in zip(times["metrics_on"], times["metrics_off"],
                                         strict=True)]
    times["metrics_cost"] = costs
    return {name: summarise(values) for name, values in times.items()}


def counting_per_click_us(repeat: int = 20_000) -> float:
    """What the counting of one click costs by itself: microseconds."""
    handler = metrics.CountSlackCalls()
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.update", headers={},
                          body_params=None, data=None)
    answer = HttpResponse(status_code=200, headers={}, body={"ok": True})
    started = time.perf_counter()
    for _ in range(repeat):
        metrics.request_handled("block_actions", 200, time.perf_counter())
        metrics.click_answered(time.perf_counter())
        handler.can_retry(state=RetryState(), request=request, response=answer)
    return (time.perf_counter() - started) / repeat * 1e6


def report(results: dict[str, Timing], backends: list[str], figures: dict[str, Any]) -> None:
    noop = results["noop"]
    print(f"no-op Bolt listener (floor): median {noop.median_ms} ms, p99 {noop.p99_ms} ms")
    figures.update({"noop_median_ms": noop.median_ms, "noop_p99_ms": noop.p99_ms})
    met = True
    for backend in backends:
        small, large = results[f"{backend}_small"], results[f"{backend}_large"]
        growth = round(large.median_ms / small.median_ms, 2)
        growth_p99 = round(large.p99_ms / small.p99_ms, 2)
        for size, timing in (("small", small), ("large", large)):
            figures[f"{backend}_{size}_median_ms"] = timing.median_ms
            figures[f"{backend}_{size}_p99_ms"] = timing.p99_ms
            figures[f"{backend}_{size}_vs_noop_median"] = round(timing.median_ms
                                                                / noop.median_ms, 2)
            print(f"{backend:<10} {figures['answers_' + size]:>9,} answers: median "
                  f"{timing.median_ms:7.2f} ms, p99 {timing.p99_ms:7.2f} ms, "
                  f"{figures[f'{backend}_{size}_vs_noop_median']:5.2f} x the no-op floor")
        ok = large.p99_ms < TARGETS["p99_ms"] and small.p99_ms < TARGETS["p99_ms"] \
            and growth <= TARGETS["growth"]
        met = met and ok
        figures[f"{backend}_growth_median"] = growth
        figures[f"{backend}_growth_p99"] = growth_p99
        print(f"{backend:<10} growth {figures['answers_large']:,} / {figures['answers_small']:,}:"
              f" median {growth} x, p99 {growth_p99} x  (targets: p99 < "
              f"{TARGETS['p99_ms']:.0f} ms, growth <= {TARGETS['growth']}): "
              f"{'met' if ok else 'NOT met'}")
    counted, uncounted = results["metrics_on"], results["metrics_off"]
    cost = round(results["metrics_cost"].median_ms / counted.median_ms, 3)
    figures.update({"metrics_on_median_ms": counted.median_ms,
                    "metrics_off_median_ms": uncounted.median_ms,
                    "metrics_cost_median_ms": results["metrics_cost"].median_ms,
                    "metrics_cost": cost})
    alone_us = round(counting_per_click_us(), 1)
    figures["metrics_counting_per_click_us"] = alone_us
    print(f"metrics    the counting of one click alone: {alone_us} us = "
          f"{alone_us / 1e3 / counted.median_ms:.2%} of the median click")
    print(f"metrics    {backends[0]}_small median {counted.median_ms:.2f} ms counting, "
          f"{uncounted.median_ms:.2f} ms not; paired difference "
          f"{results['metrics_cost'].median_ms:+.3f} ms = {cost:+.1%} of a click "
          f"(target <= {TARGETS['metrics_cost']:.0%}): "
          f"{'met' if cost <= TARGETS['metrics_cost'] else 'NOT met'}")
    met = met and cost <= TARGETS["metrics_cost"]
    figures["targets_met"] = met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k vs 20k answers, fewer clicks")
    parser.add_argument("--backends", default="tinydb,postgresql",
                        help="comma-separated: tinydb, postgresql (default: both)")
    parser.add_argument("--database-url", default=os.environ.get("WI3_BENCH_DATABASE_URL",
                                                                 DEFAULT_SERVER),
                        help="PostgreSQL server to create the run's databases on")
    parser.add_argument("--sustained-only", action="store_true",
                        help="only the sustained load of many people answering at once")
    answering.add_arguments(parser)
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    backends = [name for name in ("tinydb", "postgresql") if name in args.backends.split(",")]
    figures: dict[str, Any] = {"mode": mode, "clicks_each": CLICKS[mode]}
    server = Server(args.database_url) if "postgresql" in backends else None
    why_not = server.reachable() if server else None
    if server is not None and why_not is not None:
        print(f"PostgreSQL column skipped: no server at {server.url.render_as_string()} "
              f"({why_not})")
        backends.remove("postgresql")
        server = None
    figures["backends"] = backends
    if not args.sustained_only:
        clicks(backends, mode, server, figures)
    print(f"sustained load (load average {os.getloadavg()[0]:.1f}):")
    figures["sustained"] = answering.measure(backends, args, mode, args.database_url)
    figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(figures))
    return 0


def clicks(backends: list[str], mode: str, server: Server | None,
           figures: dict[str, Any]) -> None:
    """One click at a time on each backend, small and large store, and the no-op floor."""
    sizes = {"small": SMALL, "large": LARGE[mode]}
    workspace = sample_workspace()
    for n in range(len(backends) * len(sizes)):
        workspace.add_user(f"U0BENCH{n}", f"bench{n}", locale="en-US")
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator(workspace) as emulator:
        places = [Place(backend, size, Path(tmp) / size) for backend in backends
                  for size in sizes]
        try:
            prepare(places, workspace.team_id, sizes, server, figures)
            results = measure(emulator, places, CLICKS[mode])
        finally:
            if server is not None:
                server.drop_all()
    report(results, backends, figures)


if __name__ == "__main__":
    raise SystemExit(main())
