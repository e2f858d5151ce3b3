"""`/metrics` and the container's probe, piece by piece (a whole round is in
tests/e2e/test_operations.py): what is counted, what is read at scrape time, and that
counting can be switched off for measuring its cost."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.config import Config
from bot.emulator import SlackEmulator
from bot.health import Health
from bot.http_server import BackgroundServer, OpsWsgiApp, SlackWsgiApp
from bot.metrics import Exposition
from bot.slack_client import make_client, make_sending_client
from storage import Store
from storage.records import INVITATION, Outgoing
from tests.conftest import FakeClock

REPO = Path(__file__).resolve().parents[2]


def scrape(exposition: Exposition) -> dict[str, list[tuple[dict[str, str], float]]]:
    page, content_type = exposition.render()
    assert content_type.startswith("text/plain; version=")
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(page.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def counted(name: str, **labels: str) -> float:
    value = metrics.PROCESS.get_sample_value(name, labels)
    return value or 0.0


def test_every_web_api_answer_is_counted_by_method_and_outcome(
    bot_config: Config, emulator: SlackEmulator
) -> None:
    client = make_sending_client(bot_config)  # no retries: a 429 reaches the caller
    before = {outcome: counted("wi3_slack_api_calls_total", method="users.info",
                               outcome=outcome) for outcome in ("ok", "error", "rate_limited")}
    paused = counted("wi3_slack_rate_limit_pause_seconds_total", method="users.info")
    client.users_info(user="U0LOTTE01")
    emulator.fail_next("users.info", "user_not_found")
    emulator.fail_next("users.info", status=429, retry_after=7)
    for _ in range(2):
        with contextlib.suppress(SlackApiError):
            client.users_info(user="U0LOTTE01")
    after = {outcome: counted("wi3_slack_api_calls_total", method="users.info",
                              outcome=outcome) for outcome in before}
    assert {outcome: after[outcome] - before[outcome] for outcome in before} == {
        "ok": 1, "error": 1, "rate_limited": 1}
    assert counted("wi3_slack_rate_limit_pause_seconds_total", method="users.info") \
        - paused == 7


def test_a_retried_429_is_counted_once_per_answer(
    bot_config: Config, emulator: SlackEmulator
) -> None:
    client = make_client(bot_config)  # waits out Retry-After and tries again
    limited = counted("wi3_slack_rate_limited_total", method="users.info")
    ok = counted("wi3_slack_api_calls_total", method="users.info", outcome="ok")
    emulator.fail_next("users.info", status=429, retry_after=0)
    client.users_info(user="U0LOTTE01")
    assert counted("wi3_slack_rate_limited_total", method="users.info") - limited == 1
    assert counted("wi3_slack_api_calls_total", method="users.info", outcome="ok") - ok == 1


def test_nothing_is_counted_while_disabled(bot_config: Config) -> None:
    calls = counted("wi3_slack_api_calls_total", method="auth.test", outcome="ok")
    with metrics.disabled():
        make_client(bot_config).auth_test()
        metrics.click_answered(0.0)
    assert counted("wi3_slack_api_calls_total", method="auth.test", outcome="ok") == calls
    make_client(bot_config).auth_test()
    assert counted("wi3_slack_api_calls_total", method="auth.test", outcome="ok") == calls + 1


def test_the_outbox_backlog_is_read_at_each_scrape_with_a_line_for_every_kind(
    store: Store, clock: FakeClock
) -> None:
    exposition = Exposition()
    exposition.watch(metrics.outbox_source(store, ["invitation", "results"], clock=clock))
    exposition.watch(metrics.store_source(store))
    empty = scrape(exposition)
    assert sorted((labels["kind"], labels["state"], value)
                  for labels, value in empty["wi3_outbox_messages"]) == [
        ("invitation", "due", 0), ("invitation", "scheduled", 0),
        ("results", "due", 0), ("results", "scheduled", 0)]
    store.enqueue([Outgoing(f"invitation/R1/U{n}", INVITATION, "T1", user_id=f"U{n}")
                   for n in range(3)])
    clock.advance(minutes=2)
    found = scrape(exposition)
    assert ({"kind": "invitation", "state": "due"}, 3) in found["wi3_outbox_messages"]
    assert ({"kind": "invitation"}, 120.0) in found["wi3_outbox_oldest_seconds"]
    assert found["wi3_store_write_failures_total"] == [({}, 0.0)]
    assert found["wi3_store_writable"] == [({}, 1.0)]


def test_the_side_port_serves_health_and_metrics_and_nothing_else() -> None:
    health = Health()
    problem: list[str | None] = [None]
    health.add_check(lambda: problem[0])
    with BackgroundServer(OpsWsgiApp(health, Exposition())) as server:
        assert get(server.url + "/healthz")[0] == 503  # starting
        health.mark_ready()
        assert get(server.url + "/healthz") == (200, b'{"ok": true, "status": "ready"}')
        problem[0] = "nothing heard from Slack"
        status, body = get(server.url + "/healthz")
        assert status == 503 and b"nothing heard from Slack" in body
        status, page = get(server.url + "/metrics")
        assert status == 200 and b"wi3_healthy 0.0" in page and b"process_cpu" in page
        assert get(server.url + "/slack/events")[0] == 404


def test_http_mode_metrics_say_healthy_once_ready(bot_app: App) -> None:
    wsgi_app = SlackWsgiApp(bot_app)
    with BackgroundServer(wsgi_app) as server:
        assert b"wi3_healthy 0.0" in get(server.url + "/metrics")[1]
        wsgi_app.mark_ready()
        assert b"wi3_healthy 1.0" in get(server.url + "/metrics")[1]


def test_the_probe_imports_only_the_standard_library_and_follows_healthz() -> None:
    third_party = ("slack_sdk", "slack_bolt", "waitress", "dotenv", "prometheus_client",
                   "storage", "conversations", "model", "sqlalchemy", "websockets")
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.probe; print(' '.join(sys.modules))"],
        cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert [name for name in loaded if name.split(".")[0] in third_party] == []
    health = Health()
    with BackgroundServer(OpsWsgiApp(health, Exposition())) as server:
        assert probe(server.port).returncode == 1
        health.mark_ready()
        healthy = probe(server.port)
        assert healthy.returncode == 0 and "answered 200" in healthy.stdout


def probe(port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.probe"], cwd=REPO, capture_output=True,
                          text=True, env={"PORT": str(port)}, timeout=30)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
