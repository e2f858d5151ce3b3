"""How long does an answer click take, end to end, and does it grow with what is stored?

    python bench/latency.py           full run: store with 1k vs 100k answers
    python bench/latency.py --quick   smaller: 1k vs 20k answers, fewer clicks

A click is a real signed `block_actions` POST to the bot's `/slack/events`, served by
waitress, handled by the real app (dedupe claim, flow, answer write, progress write) and
ending with its `chat.update` to the local Slack emulator. Listeners run inline, so the
HTTP answer comes back only after all of that: the figure is what a user waits for, not
just the acknowledgement. The floor is a Bolt app with one no-op action listener, served
and clicked the same way. Clicks on the three apps are interleaved so they share the
machine's background noise. The last line is one JSON object with every figure printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import Ack, App
from timing import summarise

from bot.app import create_app
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator, sample_workspace
from bot.emulator.seed import LEAD, MEMBERS
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.services import Services
from bot.slack_client import make_client
from conversations.refs import ActionIds
from model import load_content
from storage import Store, Team, open_store

SECRET = "bench-signing-secret"
RESPONDENTS_PER_TEAM = 10
TARGETS = {"p99_ms_large": 100.0, "ours_vs_noop_median": 3.0, "large_vs_small_median": 1.3}


def fill(store: Store, workspace_id: str, answers: int) -> int:
    """Other teams' rounds holding about `answers` answers (teams of ten, all statements)."""
    items = [item.id for item in load_content().questionnaire.items]
    per_team = RESPONDENTS_PER_TEAM * len(items)
    teams = max(1, round(answers / per_team))
    for n in range(teams):
        channel = f"CFILL{n:05d}"
        store.save_team(Team(workspace_id=workspace_id, channel_id=channel, leads=("UFILL",)))
        round_ = store.open_round(workspace_id, channel, item_ids=items,
                                  invited=[f"UF{n:05d}{r}" for r in range(RESPONDENTS_PER_TEAM)])
        for respondent in round_.invited:
            store.record_answers(round_.id, respondent, dict.fromkeys(items, 3))
    return teams * per_team


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
def wi3_bot(emulator: SlackEmulator, data_dir: Path, answers: int, user: str) -> Iterator[
        tuple[WiredBot, int]]:
    config = Config(bot_token=emulator.token, signing_secret=SECRET, app_token=None,
                    slack_api_url=emulator.api_url, data_dir=data_dir)
    with open_store(data_dir) as store:
        stored = fill(store, emulator.workspace.team_id, answers)
        services = Services.build(store, make_client(config),
                                  fanout_client=make_client(config, rate_limit_retries=0),
                                  invitations_per_second=1000.0)
        app = create_app(config, store, client=services.people.client,
                         listener_executor=InlineExecutor(), services=services)
        with served(app) as server:
            driver = SlackDriver(emulator, server.events_url, SECRET)
            channel = f"CBENCH{data_dir.name[-4:]}"
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
            yield WiredBot(driver, emulator, user), stored


@contextmanager
def noop_bot(emulator: SlackEmulator) -> Iterator[WiredBot]:
    config = Config(bot_token=emulator.token, signing_secret=SECRET, app_token=None,
                    slack_api_url=emulator.api_url, data_dir=Path("."))
    app = App(client=make_client(config), signing_secret=SECRET,
              token_verification_enabled=False, listener_executor=InlineExecutor())

    @app.action(ActionIds.answer(4))
    @app.action(ActionIds.BACK)
    def noop(ack: Ack) -> None:
        ack()

    with served(app) as server:
        yield WiredBot(SlackDriver(emulator, server.events_url, SECRET), emulator, MEMBERS[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k vs 20k answers, fewer clicks")
    args = parser.parse_args()
    small, large = 1_000, (20_000 if args.quick else 100_000)
    clicks = 60 if args.quick else 300
    workspace = sample_workspace()
    for n, user in enumerate(("U0BENCHS1", "U0BENCHL1")):
        workspace.add_user(user, f"bench{n}", locale="en-US")
    with SlackEmulator(workspace) as emulator, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with wi3_bot(emulator, Path(tmp) / "small", small, "U0BENCHS1") as (small_bot, n_small), \
                wi3_bot(emulator, Path(tmp) / "large", large, "U0BENCHL1") as (large_bot,
                                                                              n_large), \
                noop_bot(emulator) as floor_bot:
            fill_seconds = time.perf_counter() - started
            # The no-op needs a message with the buttons: reuse the small bot's question.
            floor_bot.user = small_bot.user
            for bot in (small_bot, large_bot, floor_bot):  # warm up connections and caches
                for _ in range(5):
                    bot.click_answer()
            times: dict[str, list[float]] = {"small": [], "large": [], "noop": []}
            for _ in range(clicks):
                times["small"].append(small_bot.click_answer())
                times["large"].append(large_bot.click_answer())
                times["noop"].append(floor_bot.click_answer())
    results = {name: summarise(values) for name, values in times.items()}
    figures = {
        "answers_small": n_small,
        "answers_large": n_large,
        "clicks_each": clicks,
        "fill_seconds": round(fill_seconds, 1),
        **{f"{name}_median_ms": t.median_ms for name, t in results.items()},
        **{f"{name}_p99_ms": t.p99_ms for name, t in results.items()},
        "ours_vs_noop_median": round(results["small"].median_ms / results["noop"].median_ms, 2),
        "large_vs_noop_median": round(results["large"].median_ms / results["noop"].median_ms, 2),
        "large_vs_small_median": round(results["large"].median_ms / results["small"].median_ms,
                                       2),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(f"answer click, store with {n_small:,} answers: median {results['small'].median_ms} ms,"
          f" p99 {results['small'].p99_ms} ms")
    print(f"answer click, store with {n_large:,} answers: median {results['large'].median_ms} ms,"
          f" p99 {results['large'].p99_ms} ms (target p99 < {TARGETS['p99_ms_large']:.0f} ms)")
    print(f"no-op Bolt listener (floor): median {results['noop'].median_ms} ms, "
          f"p99 {results['noop'].p99_ms} ms")
    print(f"ours / no-op (median): {figures['ours_vs_noop_median']} at {n_small:,}, "
          f"{figures['large_vs_noop_median']} at {n_large:,} (target <= 3)")
    print(f"{n_large:,} / {n_small:,} (median): {figures['large_vs_small_median']} "
          f"(target <= 1.3)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
