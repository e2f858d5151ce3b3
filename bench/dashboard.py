"""The web dashboard at organisation scale: do pages answer in time while people click?

    python bench/dashboard.py                 5,000 teams (50,000 people: org_scale.py's)
    python bench/dashboard.py --quick         the same 5,000 teams, fewer requests
    python bench/dashboard.py --teams 500     a smaller organisation (a smoke test)
    python bench/dashboard.py --backends tinydb

The organisation is `bench/org_scale.py`'s, built the same way. The real `python -m bot`
serves it in HTTP mode with Sign in with Slack configured; a workspace admin and a team's
lead sign in through the emulated Slack (`bot.emulator.openid`). Then, over HTTP:

* the organisation page, cold: the first request after a start (every team's summary is
  read; the rows are then reused for `LINES_SECONDS`, see `conversations.dashboard.flow`);
* the organisation page, 50 rows a page: unfiltered, page 50, and with each filter
  (phase of an element, subject, lead, sorted furthest ahead), back to back;
* a team page: the admin's look at different teams, and the lead's own team;
* answer clicks of people already answering, sent back to back from another thread all
  the while, against the same clicks with nothing else going on.

Each page is timed until its last byte arrived. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latency import DEFAULT_SERVER, Server
from org_scale import (
    ADMIN,
    ALONE_CLICKS,
    BUILD_THREADS,
    Bot,
    Org,
    Session,
    WatchedEmulator,
    build,
    emulated_workspace,
    without_fsync,
)
from timing import Timing, summarise

from storage import open_store
from tests.dashboard.visitor import Visitor

CLIENT_ID, CLIENT_SECRET = "bench.dashboard", "bench-dashboard-client-secret"
REQUESTS = {"full": 40, "quick": 15}
"""Requests per kind of page."""
FILTERS = {"unfiltered": {}, "page 50": {"page": "50"},
           "phase of an element": {"element": "impact", "phase": "1"},
           "subject": {"subject": "organisation"}, "sorted ahead": {"sort": "ahead"}}
TARGETS = {"organisation_p99_ms": 300.0, "team_p99_ms": 100.0}
CLICKERS = 60


def timed(visitor: Visitor, url: str) -> float:
    started = time.perf_counter()
    page = visitor.get(url, follow=False)
    if page.status != 200:
        raise RuntimeError(f"{url}: {page.status}")
    return time.perf_counter() - started


class Clicking:
    """Answer clicks back to back on another thread until stopped."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.stop = threading.Event()
        self.times: list[float] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set() and self.session.answering:
            self.times.append(self.session.answer_click())

    def __enter__(self) -> Clicking:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def measure(emulator: WatchedEmulator, env: dict[str, str], org: Org, built: Any,
            requests: int) -> dict[str, Any]:
    bot = Bot(emulator, {**env, "SLACK_CLIENT_ID": CLIENT_ID,
                         "SLACK_CLIENT_SECRET": CLIENT_SECRET})
    bot.start()
    dashboard = f"http://127.0.0.1:{bot.port}/dashboard"
    emulator.openid.register(CLIENT_ID, CLIENT_SECRET, dashboard + "/signin")
    rows: dict[str, Any] = {}
    try:
        session = Session(emulator, bot, org, built)
        for user in org.big_members(1)[:CLICKERS]:
            session.first_click(user)
        for _ in range(10):  # warming up
            session.answer_click()
        alone = [session.answer_click() for _ in range(ALONE_CLICKS)]
        admin, lead = Visitor(), Visitor()
        admin.sign_in(dashboard, ADMIN)
        lead.sign_in(dashboard, org.members(0)[0])
        with Clicking(session) as clicking:
            rows["organisation_cold"] = [timed(admin, dashboard + "/organisation")]
            pages: dict[str, list[float]] = {}
            for _ in range(requests):
                for name, query in FILTERS.items():
                    url = dashboard + "/organisation"
                    if query:
                        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
                    pages.setdefault(name, []).append(timed(admin, url))
            teams = [timed(admin, f"{dashboard}/teams/{org.team_channel(n * 97 % org.teams)}")
                     for n in range(requests * 2)]
            own = [timed(lead, f"{dashboard}/teams/{org.team_channel(0)}")
                   for _ in range(requests)]
        rows.update(alone=alone, during=clicking.times, pages=pages, teams=teams, own=own,
                    peak_mb=bot.peak_memory_mb())
    except Exception:
        print(f"the bot's log ({bot.log}) ends:\n{bot.tail()}", file=sys.stderr)
        raise
    finally:
        bot.stop()
    return rows


def run_backend(backend: str, org: Org, requests: int, server: Server | None,
                tmp: Path) -> dict[str, Any]:
    emulator = WatchedEmulator(emulated_workspace(org, 0))
    with emulator:
        if backend == "tinydb":
            data_dir = tmp / "data"
            with without_fsync(), open_store(data_dir, retention_days=100_000) as store:
                built = build(store, org, emulator, 0, BUILD_THREADS[backend])
            env = {"WI3_DATA_DIR": str(data_dir), "WI3_RETENTION_DAYS": "100000"}
        else:
            assert server is not None
            url = server.new_database("dash")
            key = secrets.token_hex(32)
            with open_store(database_url=url, pseudonym_key=bytes.fromhex(key),
                            retention_days=100_000, migrate=True) as store:
                built = build(store, org, emulator, 0, BUILD_THREADS[backend])
            env = {"DATABASE_URL": url, "WI3_PSEUDONYM_KEY": key,
                   "WI3_DATA_DIR": str(tmp / "unused"), "WI3_RETENTION_DAYS": "100000"}
        emulator.log.clear()
        print(f"[{backend}] built in {built.seconds} s")
        return measure(emulator, env, org, built, requests)


def ms(timing: Timing) -> str:
    return f"median {timing.median_ms:.1f} ms, p99 {timing.p99_ms:.1f} ms ({timing.samples})"


def report(backend: str, rows: dict[str, Any], figures: dict[str, Any]) -> bool:
    every_page = [t for times in rows["pages"].values() for t in times]
    organisation, team = summarise(every_page), summarise(rows["teams"] + rows["own"])
    alone, during = summarise(rows["alone"]), summarise(rows["during"])
    cold = rows["organisation_cold"][0] * 1e3
    print(f"\n[{backend}]")
    print(f"  organisation page, cold (every team read): {cold:.0f} ms")
    for name, times in rows["pages"].items():
        print(f"  organisation page, {name}: {ms(summarise(times))}")
    print(f"  organisation page, all of these: {ms(organisation)}  target p99 < 300 ms")
    print(f"  team page (admin, other teams): {ms(summarise(rows['teams']))}")
    print(f"  team page (lead, own team): {ms(summarise(rows['own']))}  target p99 < 100 ms")
    print(f"  answer clicks alone: {ms(alone)}")
    print(f"  answer clicks while pages load: {ms(during)}")
    print(f"  peak memory of the bot: {rows['peak_mb']} MB")
    figures[backend] = {
        "organisation_cold_ms": round(cold, 1),
        "organisation_median_ms": organisation.median_ms,
        "organisation_p99_ms": organisation.p99_ms,
        "organisation_by_filter_p99_ms": {name: summarise(times).p99_ms
                                          for name, times in rows["pages"].items()},
        "team_median_ms": team.median_ms, "team_p99_ms": team.p99_ms,
        "clicks_alone_median_ms": alone.median_ms, "clicks_alone_p99_ms": alone.p99_ms,
        "clicks_during_median_ms": during.median_ms, "clicks_during_p99_ms": during.p99_ms,
        "clicks_during": during.samples, "peak_mb": rows["peak_mb"],
    }
    return organisation.p99_ms < TARGETS["organisation_p99_ms"] and \
        team.p99_ms < TARGETS["team_p99_ms"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests per page")
    parser.add_argument("--teams", type=int, default=5_000, help="teams of ten (5,000)")
    parser.add_argument("--backends", default="tinydb,postgresql")
    parser.add_argument("--database-url", default=os.environ.get("WI3_BENCH_DATABASE_URL",
                                                                 DEFAULT_SERVER))
    args = parser.parse_args()
    started = time.perf_counter()
    org = Org(args.teams * 10)
    requests = REQUESTS["quick" if args.quick else "full"]
    backends = [name for name in ("tinydb", "postgresql") if name in args.backends.split(",")]
    server = Server(args.database_url) if "postgresql" in backends else None
    why_not = server.reachable() if server else None
    if server is not None and why_not is not None:
        print(f"PostgreSQL skipped: no server at {server.url.render_as_string()} ({why_not})")
        backends.remove("postgresql")
        server = None
    figures: dict[str, Any] = {"teams": org.teams, "people": org.people, "backends": backends,
                               "load_average": os.getloadavg()[0]}
    print(f"{org.teams:,} teams ({org.people:,} people); backends: {', '.join(backends)}; "
          f"load average {os.getloadavg()[0]:.1f}")
    met = True
    try:
        for backend in backends:
            with tempfile.TemporaryDirectory() as tmp:
                rows = run_backend(backend, org, requests, server, Path(tmp))
            met = report(backend, rows, figures) and met
    finally:
        if server is not None:
            server.drop_all()
    figures["targets_met"] = met
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"\nwhole run: {figures['seconds']} s")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
