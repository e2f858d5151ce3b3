"""wi3's background paths under Slack's documented rate limits, with real instances.

    python bench/slack_limits_background.py            a pulse to 50,000 people, the same
                                                       with a kill halfway, delivery checks
                                                       after a kill in a 2,000-member
                                                       fan-out, 2,000 App Home opens
    python bench/slack_limits_background.py --quick    the same, small (under a minute)
    python bench/slack_limits_background.py --only home|pulse|kill|checks --members N

Everything runs against the emulated Slack with Slack's limits switched on explicitly:
Tier 2 (users.list) 20 per minute, Tier 3 (conversations.history, chat.update,
conversations.open, conversations.info) 50, Tier 4 (conversations.members, users.info,
views.publish) 100, each a token bucket per workspace, and chat.postMessage 1 per
second per channel plus a workspace-wide limit. Slack documents no number for the
workspace-wide limit; the bench uses the rate wi3 is configured with (20 per second, a
second's burst), so "the floor" is what that rate and the tiers allow. A tier's bucket holds
2 calls (`TIER_BURST`): wi3 paces calls 1/rate apart; the second token absorbs network and
scheduling jitter, not a burst wi3 relies on.

Time runs `--speed` times faster than Slack's clock (default 2.5, quick 5): every limit in
the emulator and every budget in the instances is multiplied by it, so a floor of 1,000
seconds at Slack's rates is 400 seconds here; ratios do not depend on it, only the load on
the machine does (a faster clock needs more requests per second from the same two cores).

The instances are real processes (`python -m bot`'s `main`, HTTP mode, on one fresh
PostgreSQL database, scheduler tick 1 s, claims leased for 5 s) started by this script
with their rates scaled; "killed" is SIGKILL.

(a) pulse: the team channel of N people, its weekly pulse due; the instances' scheduler
    opens it (members and directory read a thousand a page within Tier 4 and Tier 2,
    saved for both instances) and both dispatchers send the invitations from one shared
    budget. Time from "due" to the last invitation in Slack, against the floor:
    (member pages - 1) / Tier 4 + (directory pages - 1) / Tier 2 + (N + 1 - burst) / rate.
    Target: ratio <= 1.1, 0 duplicates, 0 lost (a --quick floor of a few seconds is
    mostly the scheduler's tick and the round's opening: judge the ratio on a full run).
    With --kill: the first instance is killed when half the invitations are in Slack;
    target 0 duplicates, 0 lost (the ratio is shown: the dead instance's claims wait out
    their lease).
(b) checks: the same with a kill in a 2,000-member fan-out; the dead instance's messages
    come back in doubt when their claims run out, and the survivor reads each
    conversation's history once for all its messages in doubt, within the Tier 3 budget.
    The survivor sends the invitations still waiting first (they were queued earlier),
    then the ones in doubt. Time from the first history read to the end of the last
    read's Tier 3 slot, against the earliest the reads can end from then: each no sooner
    than its claim ran out (read from the database at the kill), one per 1/Tier 3. It
    includes how soon the survivor's idle workers look again (every 2 s). Target <= 1.2,
    and no 429.
(c) home: 2,000 people who opened the app before open its Home within one minute (scaled),
    while a team of 40 among them got a new round (their Home changed). views.publish at
    Tier 4. Target: every Home published or served unchanged, the 40 published, no 429
    storm (the 429s are counted).

The last line is one JSON object with every figure.
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
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.append(str(Path(__file__).resolve().parent))

TIER_PER_MINUTE = {
    "users.list": 20.0,
    "conversations.history": 50.0,
    "chat.update": 50.0,
    "conversations.open": 50.0,
    "conversations.info": 50.0,
    "conversations.members": 100.0,
    "users.info": 100.0,
    "views.publish": 100.0,
}
"""Slack's documented tiers (calls per minute, per workspace)."""
TIER_BURST = 2.0
"""Calls a tier lets through back to back: wi3 paces its calls 1/rate apart, and a second
token absorbs the jitter of two that left on time and arrive closer together."""
POSTS_PER_SECOND = 20.0
"""chat.postMessage workspace-wide: the rate wi3 sends at (`bot.services`)."""
PER_CHANNEL_PER_SECOND = 1.0
PAGE = 1000
FULL = {"pulse": 50_000, "checks": 2_000, "home": 2_000}
QUICK = {"pulse": 300, "checks": 300, "home": 200}
FULL_SPEED, QUICK_SPEED = 2.5, 5.0
TEAM = 40
WARM_SPEED = 1000.0
"""(c)'s earlier opens: budgets this many times Slack's, i.e. not in the way."""
CHANNEL = "C0BENCH01"
HOME_TEAM = "C0HOMES01"
LEAD = "U0LEAD0001"
KEY_HEX = "cd" * 32
LEASE_SECONDS = 5
TARGET_PULSE = 1.1
TARGET_CHECKS = 1.2
WAIT_SECONDS = 3600.0


# -- an instance: this script, run as `python -m bot` with its rates scaled ------------------


def serve_instance(speed: float) -> int:
    """In the child process: wi3's entry point, every rate `speed` times Slack's."""
    from bot.__main__ import main
    from bot.method_budgets import MethodBudgets
    from bot.services import MESSAGES_PER_SECOND, Services

    build = Services.build.__func__  # type: ignore[attr-defined]

    def scaled(cls: type[Services], store: Any, client: Any, **options: Any) -> Services:
        options["messages_per_second"] = MESSAGES_PER_SECOND * speed
        options["budgets"] = MethodBudgets(store, speed=speed)
        return build(cls, store, client, **options)  # type: ignore[no-any-return]

    Services.build = classmethod(scaled)  # type: ignore[method-assign,assignment]
    return main([])


def launch(emulator: Any, database_url: str, log: Path, speed: float) -> Any:
    import subprocess

    from tests.e2e.instances import SIGNING_SECRET, Instance, free_port

    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": emulator.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url, "PORT": str(port), "DATABASE_URL": database_url,
        "WI3_PSEUDONYM_KEY": KEY_HEX, "WI3_DATA_DIR": str(log.parent / "unused-data"),
        "WI3_TICK_SECONDS": "1", "WI3_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOG_LEVEL": os.environ.get("WI3_BENCH_LOG_LEVEL", "WARNING"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "PATH": os.environ.get("PATH", ""),
    }
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, __file__, "--instance", str(speed)],
                                   env=env, cwd=log.parent, stdout=out,
                                   stderr=subprocess.STDOUT)
    return Instance(process, port, log)


# -- Slack's side --------------------------------------------------------------------------


def workspace_of(people: int, channel: str, team: int | None = None) -> tuple[Any, list[str]]:
    """`people` users (one in ten Dutch); `channel` holds them all, or the first `team`."""
    from bot.emulator import Workspace

    workspace = Workspace()
    users = [LEAD, *(f"U{n:09d}" for n in range(1, people))]
    for n, user in enumerate(users):
        workspace.add_user(user, user.lower(), locale="nl-NL" if n % 10 == 1 else "en-US")
    workspace.add_channel(channel, "bench-team", users[:team] if team else users)
    return workspace, users


def slack_limits(emulator: Any, speed: float, *, skip: tuple[str, ...] = ()) -> None:
    for method, per_minute in TIER_PER_MINUTE.items():
        if method not in skip:
            emulator.rate_limit(method, per_minute * speed / 60.0, TIER_BURST)
    posts = POSTS_PER_SECOND * speed
    emulator.rate_limit("chat.postMessage", posts, posts)
    emulator.channel_rate_limit(PER_CHANNEL_PER_SECOND * speed, burst=1.0)


class Invitations:
    """Counts the invitations Slack took, per person, as they arrive."""

    def __init__(self, emulator: Any) -> None:
        self.per_person: Counter[str] = Counter()
        self.last = 0.0
        self.guard = threading.Lock()
        real = emulator.handle_api

        def counting(method: str, token: str | None, params: dict[str, Any],
                     client: Any = None) -> Any:
            reply = real(method, token, params, client)
            if method == "chat.postMessage" and reply.status == 200 \
                    and "wi3_invitation" in str(params.get("metadata")):
                with self.guard:
                    self.per_person[str(params.get("channel"))] += 1
                    self.last = time.monotonic()
            return reply

        emulator.handle_api = counting

    def delivered(self) -> int:
        with self.guard:
            return len(self.per_person)


# -- the pieces ---------------------------------------------------------------------------


@contextmanager
def cluster(emulator: Any, server: str, speed: float) -> Iterator[tuple[str, list[Any]]]:
    """Two instances on a fresh database, ready."""
    from fanout import own_database

    with own_database(server) as url, instances_on(emulator, url, speed) as instances:
        yield url, instances


@contextmanager
def instances_on(emulator: Any, url: str, speed: float) -> Iterator[list[Any]]:
    """Two instances on `url`, ready; stopped at the end."""
    from tests.e2e.instances import ready

    with ExitStack() as stack:
        scratch = os.environ.get("WI3_BENCH_LOGS") or stack.enter_context(
            tempfile.TemporaryDirectory())
        instances = [launch(emulator, url, Path(scratch) / f"wi3-{n}.log", speed)
                     for n in range(2)]
        for instance in instances:
            stack.callback(instance.stop)
        ready(instances, timeout=120)
        yield instances


def due_pulse(url: str, workspace_id: str) -> None:
    from storage import PulseSchedule, Team, open_store

    slot = (datetime.now(UTC) - timedelta(minutes=1)).replace(second=0, microsecond=0)
    schedule = PulseSchedule("weekly", weekday=slot.weekday(), time=f"{slot:%H:%M}",
                             next_run_at=slot)
    with open_store(database_url=url, pseudonym_key=bytes.fromhex(KEY_HEX)) as store:
        store.save_team(Team(workspace_id, CHANNEL, leads=(LEAD,), pulse=schedule,
                             timezone="UTC"))


def outbox_settled(url: str) -> bool:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        states = dict(connection.execute(
            "SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    return set(states) <= {"sent", "failed", "void"}


def wait_until(done: Callable[[], bool], what: str,
               progress: Callable[[], str] | None = None) -> None:
    """Poll `done`; every 10 s say how far it got (stderr)."""
    deadline = time.monotonic() + WAIT_SECONDS
    said = time.monotonic()
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting: {what}")
        if progress is not None and time.monotonic() - said > 10:
            said = time.monotonic()
            print(f"  ... waiting for {what}: {progress()}", file=sys.stderr, flush=True)
        time.sleep(0.05)


def pulse(members: int, speed: float, server: str, kill: bool) -> dict[str, Any]:
    """(a) and (b): a pulse to `members` people; with `kill`, SIGKILL halfway."""
    from bot.emulator import SlackEmulator

    workspace, people = workspace_of(members, CHANNEL)
    with SlackEmulator(workspace) as emulator:
        slack_limits(emulator, speed)
        counted = Invitations(emulator)
        with cluster(emulator, server, speed) as (url, instances):
            print(f"  ... {members} people, instances ready", file=sys.stderr, flush=True)
            started = time.monotonic()
            due_pulse(url, workspace.team_id)
            killed_at = None
            dues: list[float] = []
            if kill:
                wait_until(lambda: counted.delivered() >= members // 2, "half the pulse")
                instances[0].kill()
                killed_at = time.time()
                dues = dead_claims(url, instances[0].pid)
            wait_until(lambda: counted.delivered() >= members, "every invitation",
                       lambda: f"{counted.delivered()} delivered")
            finished = counted.last
            wait_until(lambda: outbox_settled(url), "the outbox to settle")
        return pulse_figures(emulator, counted, people, speed, started, finished, killed_at,
                             dues)


def dead_claims(url: str, pid: int) -> list[float]:
    """When the killed instance's claims run out (epoch seconds): they come back in doubt."""
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT ready_at FROM outbox WHERE state = 'sending' AND claim LIKE %s",
            (f"%:{pid}:%",)).fetchall()
    return sorted(row[0].timestamp() for row in rows)


def tier_3_finish(dues: list[float], rate: float) -> float:
    """When `len(dues)` history reads end at the earliest: each when its message is due,
    one every 1/rate, the last one's slot included."""
    end = dues[0]
    for due in dues:
        end = max(due, end) + 1.0 / rate
    return end


def pulse_figures(emulator: Any, counted: Invitations, people: list[str], speed: float,
                  started: float, finished: float, killed_at: float | None,
                  dues: list[float]) -> dict[str, Any]:
    calls = emulator.calls()
    pages = {method: sum(1 for c in calls if c.method == method and c.status == 200)
             for method in ("conversations.members", "users.list")}
    rate = POSTS_PER_SECOND * speed
    floor = ((pages["conversations.members"] - 1) * 60 / (TIER_PER_MINUTE[
        "conversations.members"] * speed)
             + (pages["users.list"] - 1) * 60 / (TIER_PER_MINUTE["users.list"] * speed)
             + max(0.0, len(people) + 1 - rate) / rate)
    elapsed = finished - started
    delivered = sum(1 for user in people if counted.per_person[user] > 0)
    history = [c for c in calls if c.method == "conversations.history"
               and (killed_at is None or c.time >= killed_at)]
    tier_3 = TIER_PER_MINUTE["conversations.history"] * speed / 60
    checks_span = checks_floor = 0.0
    if history and dues:  # from the first read to the last read's end
        begun = history[0].time
        checks_span = history[-1].time + 1.0 / tier_3 - begun
        checks_floor = tier_3_finish([max(begun, due) for due in dues[:len(history)]],
                                     tier_3) - begun
    return {
        "members": len(people), "speed": speed, "killed": killed_at is not None,
        "seconds": round(elapsed, 2), "floor_s": round(floor, 2),
        "ratio": round(elapsed / floor, 3) if floor > 0 else None,
        "slack_seconds": round(elapsed * speed, 1),
        "member_pages": pages["conversations.members"], "directory_pages": pages["users.list"],
        "delivered": delivered, "lost": len(people) - delivered,
        "duplicates": sum(n - 1 for n in counted.per_person.values() if n > 1),
        "http_429": Counter(c.method for c in calls if c.status == 429),
        "users_info_calls": sum(1 for c in calls if c.method == "users.info"),
        "history_reads": len(history),
        "conversations_checked": len({c.params.get("channel") for c in history}),
        "messages_in_doubt": len(dues),
        "history_429": sum(1 for c in history if c.status == 429),
        "checks_span_s": round(checks_span, 2), "checks_floor_s": round(checks_floor, 2),
        "checks_ratio": round(checks_span / checks_floor, 3) if checks_floor > 0 else None,
    }


@dataclass
class _NoHome:
    publishes: int = 0


NO_HOME = _NoHome()


def home(people_count: int, speed: float, server: str) -> dict[str, Any]:
    """(c): everyone opens Home once (not timed); a team of 40 gets a new round; then
    everyone opens Home again within a (scaled) minute, views.publish at Tier 4."""
    from fanout import own_database

    from bot.emulator import SlackDriver, SlackEmulator
    from tests.e2e.instances import SIGNING_SECRET, RoundRobin

    workspace, people = workspace_of(people_count, HOME_TEAM, TEAM)
    with SlackEmulator(workspace) as emulator, own_database(server) as url:
        # They opened it before, over days: those first publishes are neither timed nor
        # limited (instances with every budget wide open), then the instances restart.
        with instances_on(emulator, url, WARM_SPEED) as instances, \
                RoundRobin(list(instances)).serving() as balancer:
            driver = SlackDriver(emulator, balancer.url, SIGNING_SECRET)
            warm_up(driver, emulator, people)
            warm = sum(1 for c in emulator.calls("views.publish") if c.status == 200)
            driver.command(LEAD, HOME_TEAM, "setup")
            driver.command(LEAD, HOME_TEAM, "start")
            wait_until(lambda: invitations(emulator) >= TEAM, "the team's round to open")
        slack_limits(emulator, speed)
        emulator.reset_calls()
        with instances_on(emulator, url, speed) as instances, \
                RoundRobin(list(instances)).serving() as balancer:
            driver = SlackDriver(emulator, balancer.url, SIGNING_SECRET)
            window = 60.0 / speed
            acks = timed_opens(driver, emulator, interleaved(people), window)
            opened = time.monotonic()
            wait_until(lambda: time.monotonic() - opened > 2.0, "the last opens' work")
        return home_figures(emulator, people, speed, window, warm, acks)


def warm_up(driver: Any, emulator: Any, people: list[str]) -> None:
    """Everyone opens Home until Slack shows them one (not timed)."""
    for _ in range(20):
        missing = [user for user in people if emulator.home_view(user) is None]
        if not missing:
            return
        print(f"  ... earlier opens: {len(people) - len(missing)} Homes shown",
              file=sys.stderr, flush=True)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda user: open_home(driver, emulator, user), missing))
        time.sleep(3.0)
    raise SystemExit("the earlier opens never showed everyone a Home")


def invitations(emulator: Any) -> int:
    return sum(1 for c in emulator.calls("chat.postMessage")
               if c.status == 200 and "wi3_invitation" in str(c.params.get("metadata")))


def interleaved(people: list[str]) -> list[str]:
    """The team (the first `TEAM`) spread evenly among the others."""
    team, others = people[:TEAM], people[TEAM:]
    step = max(1, len(others) // TEAM)
    order: list[str] = []
    for n, user in enumerate(team):
        order += [user, *others[n * step:(n + 1) * step]]
    return order + others[TEAM * step:]


def open_home(driver: Any, emulator: Any, user: str) -> int:
    """An App Home open; the event carries the view Slack shows, once it shows one."""
    shown = emulator.home_view(user)
    fields: dict[str, Any] = {"user": user, "tab": "home"}
    if shown is not None:
        fields["view"] = {**shown.view, "id": shown.id, "hash": shown.hash}
    event_id = f"Ev{secrets.token_hex(6).upper()}"  # each open its own, across drivers
    return int(driver.event("app_home_opened", event_id=event_id, **fields).status)


def timed_opens(driver: Any, emulator: Any, people: list[str], window: float) -> Counter[int]:
    """Everyone opens Home once, evenly spread over `window` seconds; the acks' statuses."""
    start = time.monotonic() + 0.5
    gap = window / len(people)
    acks: Counter[int] = Counter()
    guard = threading.Lock()

    def at_time(item: tuple[int, str]) -> None:
        index, user = item
        delay = start + index * gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        status = open_home(driver, emulator, user)
        with guard:
            acks[status] += 1

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(at_time, enumerate(people)))
    return acks


def home_figures(emulator: Any, people: list[str], speed: float, window: float, warm: int,
                 acks: Counter[int]) -> dict[str, Any]:
    publishes = emulator.calls("views.publish")
    published = {str(c.params.get("user_id")) for c in publishes if c.status == 200}
    team = set(people[:TEAM])
    changed_shown = sum(1 for user in team
                        if (emulator.home_view(user) or NO_HOME).publishes >= 2)
    unchanged = [user for user in people if user not in published]
    return {
        "people": len(people), "speed": speed, "window_s": round(window, 2),
        "warm_publishes": warm, "opens_acked": acks.get(200, 0),
        "published": len(published), "served_unchanged": len(unchanged),
        "team_changed": len(team), "team_published": len(team & published),
        "team_homes_updated": changed_shown,
        "publish_failed": sum(1 for c in publishes if c.status != 200 and c.status != 429),
        "http_429": dict(Counter(c.method for c in emulator.calls() if c.status == 429)),
        "views_publish_429": sum(1 for c in publishes if c.status == 429),
    }


# -- the report ---------------------------------------------------------------------------


def report(results: dict[str, dict[str, Any]]) -> bool:
    met = True
    print("wi3 background paths under Slack's documented limits (Tier 2 20/min, Tier 3 "
          "50/min, Tier 4 100/min, chat.postMessage 1/s per channel and "
          f"{POSTS_PER_SECOND:.0f}/s workspace-wide), time {next(iter(results.values()))['speed']}"
          "x Slack's clock")
    for name in ("pulse", "kill", "checks"):
        if name not in results:
            continue
        r = results[name]
        exact = r["lost"] == 0 and r["duplicates"] == 0
        print(f"\n({'a' if name != 'checks' else 'b'}) pulse to {r['members']} people, two "
              f"instances on PostgreSQL{', the first SIGKILLed halfway' if r['killed'] else ''}")
        print(f"  {'time / floor / ratio':<38} {r['seconds']:.1f} s / {r['floor_s']:.1f} s / "
              f"{r['ratio']}  ({r['slack_seconds']:.0f} s of Slack's time)")
        print(f"  {'member pages / directory pages':<38} {r['member_pages']} / "
              f"{r['directory_pages']}  (users.info calls: {r['users_info_calls']})")
        print(f"  {'delivered / duplicates / lost':<38} {r['delivered']} / {r['duplicates']} / "
              f"{r['lost']}")
        print(f"  {'HTTP 429 by method':<38} {dict(r['http_429']) or 0}")
        if r["killed"]:
            print(f"  {'in doubt / history reads / conversations':<38} "
                  f"{r['messages_in_doubt']} / {r['history_reads']} / "
                  f"{r['conversations_checked']}  (429: {r['history_429']})")
            print(f"  {'checks span / Tier 3 floor / ratio':<38} {r['checks_span_s']} s / "
                  f"{r['checks_floor_s']} s / {r['checks_ratio']}")
        if name == "pulse":
            ok = exact and r["ratio"] is not None and r["ratio"] <= TARGET_PULSE
            print(f"  target ratio <= {TARGET_PULSE}, 0 duplicates, 0 lost: "
                  f"{'met' if ok else 'NOT met'}")
        elif name == "kill":
            ok = exact
            print(f"  target 0 duplicates, 0 lost: {'met' if ok else 'NOT met'}")
        else:
            ratio = r["checks_ratio"]
            ok = exact and r["history_429"] == 0 and (ratio is None or ratio <= TARGET_CHECKS)
            print(f"  target checks ratio <= {TARGET_CHECKS}, no 429, 0 duplicates, 0 lost: "
                  f"{'met' if ok else 'NOT met'}"
                  + (" (a single read: no span to judge)" if ratio is None else ""))
        met = met and ok
    if "home" in results:
        r = results["home"]
        print(f"\n(c) {r['people']} people open App Home within {r['window_s']} s "
              f"(a minute of Slack's time); a team of {r['team_changed']} got a new round")
        print(f"  {'published / served unchanged':<38} {r['published']} / "
              f"{r['served_unchanged']}  (acked {r['opens_acked']})")
        print(f"  {'the team: published / Home updated':<38} {r['team_published']} / "
              f"{r['team_homes_updated']}")
        print(f"  {'views.publish 429 / all 429 / failed':<38} {r['views_publish_429']} / "
              f"{r['http_429']} / {r['publish_failed']}")
        ok = (r["opens_acked"] == r["people"] and r["published"] + r["served_unchanged"]
              == r["people"] and r["team_published"] == r["team_changed"]
              and r["views_publish_429"] == 0 and r["publish_failed"] == 0)
        print(f"  target every Home published or unchanged, the team's published, no 429: "
              f"{'met' if ok else 'NOT met'}")
        met = met and ok
    print(json.dumps({"results": results, "targets_met": met}, default=dict))
    return met


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--instance":
        sys.exit(serve_instance(float(sys.argv[2])))
    from fanout import DEFAULT_SERVER

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--speed", type=float, default=None,
                        help=f"times Slack's clock (default {FULL_SPEED}, quick {QUICK_SPEED})")
    parser.add_argument("--only", choices=("pulse", "kill", "checks", "home"), action="append")
    parser.add_argument("--members", type=int, default=None, help="people in --only's part")
    parser.add_argument("--database-url", default=None,
                        help=f"PostgreSQL server (default WI3_BENCH_DATABASE_URL or "
                             f"{DEFAULT_SERVER})")
    args = parser.parse_args()
    sizes = dict(QUICK if args.quick else FULL)
    speed = args.speed or (QUICK_SPEED if args.quick else FULL_SPEED)
    server = args.database_url or os.environ.get("WI3_BENCH_DATABASE_URL") or DEFAULT_SERVER
    parts = args.only or ["pulse", "kill", "checks", "home"]
    if args.quick and not args.only:
        parts = ["pulse", "checks", "home"]  # quick: the kill run is (b)'s
    results: dict[str, dict[str, Any]] = {}
    for part in parts:
        size = args.members or sizes["pulse" if part == "kill" else part]
        if part == "home":
            results[part] = home(size, speed, server)
        else:
            results[part] = pulse(size, speed, server, kill=part != "pulse")
        print(json.dumps({part: results[part]}, default=dict), file=sys.stderr, flush=True)
    report(results)  # figures, not a gate: the targets are judged in the output


if __name__ == "__main__":
    main()
