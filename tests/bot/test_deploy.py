"""What an organisation deploys besides the image: the compose files, nginx, Prometheus'
scrape config and alert rules, the Grafana dashboard, and the lock files every install
uses. There is no Docker engine, nginx or Prometheus here, so each file is read the way
its tool reads it (compose's variable interpolation included) and checked against the bot
itself: its routes, its settings, the metrics it really exposes.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from bot import metrics
from bot.config import load_config
from bot.http_server import EVENTS_PATH, HEALTH_PATH, INSTALL_PATH, METRICS_PATH, REDIRECT_PATH
from bot.metrics import Exposition
from storage import Store

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "compose.yaml"
COMPOSE_POSTGRESQL = REPO / "compose.postgresql.yaml"
NGINX = REPO / "deploy" / "nginx.conf"
ALERTS = REPO / "deploy" / "alerts.yml"
PROMETHEUS = REPO / "deploy" / "prometheus.yml"
DASHBOARD = REPO / "deploy" / "grafana-dashboard.json"
LOCKS = REPO / "requirements"
NASTY_PASSWORD = "p@ss/w:rd%2F#?&"
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1-2-deploy", "SLACK_SIGNING_SECRET": "s3cret",
             "WI3_PSEUDONYM_KEY": "ab" * 32}


# -- compose, read the way compose reads it ------------------------------------------------------


class MissingVariable(Exception):
    """Compose's "required variable ... is missing a value": it refuses to start."""


_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)")


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Compose's interpolation of every string in the file: ${X}, ${X:-default},
    ${X-default}, ${X:?error}, ${X?error}, $X and $$."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2), match.group(3) or ""
        found = env.get(name)
        missing = found is None or (operator is not None and operator.startswith(":")
                                    and found == "")
        if operator in ("?", ":?") and missing:
            raise MissingVariable(f"required variable {name} is missing a value: {argument}")
        if operator in ("-", ":-") and missing:
            return argument
        return found or ""

    return _VARIABLE.sub(one, value)


def compose(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text())
    return dict(interpolate(loaded, env))


def test_the_default_compose_file_starts_without_any_database_setting() -> None:
    services = compose(COMPOSE, {})["services"]
    assert list(services) == ["wi3"]
    wi3 = services["wi3"]
    assert wi3["build"] == "." and wi3["env_file"] == ".env"
    assert wi3["volumes"] == ["wi3-data:/data"] and wi3["environment"]["WI3_DATA_DIR"] == "/data"
    assert wi3["ports"] == ["3000:3000"] and wi3["environment"]["PORT"] == "3000"
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize("unset", [{}, {"POSTGRES_PASSWORD": ""}])
def test_the_postgresql_variant_refuses_to_start_without_a_password(
    unset: dict[str, str],
) -> None:
    with pytest.raises(MissingVariable, match="POSTGRES_PASSWORD"):
        compose(COMPOSE_POSTGRESQL, unset)


def test_any_password_reaches_wi3_url_encoded_and_postgresql_as_it_is() -> None:
    services = compose(COMPOSE_POSTGRESQL, {"POSTGRES_PASSWORD": NASTY_PASSWORD})["services"]
    app, database = services["wi3-postgresql"], services["postgresql"]
    assert database["environment"]["POSTGRES_PASSWORD"] == NASTY_PASSWORD
    assert "WI3_PSEUDONYM_KEY" not in app["environment"]  # from .env, never from the file
    config = load_config({**SLACK_ENV, **app["environment"]}, dotenv_path=None)
    assert config.database_url is not None
    url = make_url(config.database_url)
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "wi3", NASTY_PASSWORD, "postgresql", 5432, database["environment"]["POSTGRES_DB"])
    assert database["environment"]["POSTGRES_USER"] == url.username


def test_the_postgresql_variant_runs_two_probed_instances_behind_nginx() -> None:
    services = compose(COMPOSE_POSTGRESQL, {"POSTGRES_PASSWORD": "x"})["services"]
    app, balancer, database = (services[name]
                               for name in ("wi3-postgresql", "nginx", "postgresql"))
    assert app["build"] == "." and app["deploy"]["replicas"] == 2
    assert "ports" not in app  # nginx is the only way in
    assert app["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.probe"]
    assert app["depends_on"]["postgresql"]["condition"] == "service_healthy"
    assert balancer["depends_on"]["wi3-postgresql"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    source, target, _ = balancer["volumes"][0].split(":")
    assert (REPO / source).resolve() == NGINX and target == "/etc/nginx/nginx.conf"
    conf = NGINX.read_text()
    assert f"server wi3-postgresql:{app['environment']['PORT']} " in conf
    listen = re.search(r"listen (\d+);", conf)
    assert listen and balancer["ports"] == [f"3000:{listen.group(1)}"]
    assert f"http://127.0.0.1:{listen.group(1)}{HEALTH_PATH}" in balancer["healthcheck"]["test"]


@pytest.mark.parametrize("path", [COMPOSE, COMPOSE_POSTGRESQL])
def test_every_volume_is_named_or_a_file_of_the_repository(path: Path) -> None:
    """No anonymous volume (the image declares no VOLUME either)."""
    loaded = compose(path, {"POSTGRES_PASSWORD": "x"})
    declared = set(loaded.get("volumes") or {})
    for name, service in loaded["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (REPO / source).exists(), f"{name}: {volume}"
            else:
                assert source in declared, f"{name}: {volume} is not a named volume"


# -- nginx ---------------------------------------------------------------------------------------


def locations() -> dict[str, str]:
    """`location = /path { ... }` blocks of nginx.conf, by path."""
    conf = NGINX.read_text()
    assert conf.count("{") == conf.count("}")
    return {path: body for path, body in
            re.findall(r"location = (\S+) \{(.*?)\n\s*\}", conf, re.DOTALL)}


def test_nginx_passes_slack_events_and_the_install_pages_to_the_instances() -> None:
    found = locations()
    for path in (EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH):
        assert "proxy_pass http://wi3;" in found[path], path
    for path in (INSTALL_PATH, REDIRECT_PATH):  # a one-time code is never sent twice
        retried_on = re.search(r"proxy_next_upstream ([^;]+);", found[path])
        assert retried_on and "timeout" not in retried_on.group(1).split()
    assert re.search(r"location / \{\s*return 404;", NGINX.read_text())
    assert METRICS_PATH not in found  # Prometheus asks each instance itself


def test_nginx_healthz_asks_the_replicas_instead_of_answering_itself() -> None:
    health = locations()[HEALTH_PATH]
    assert "proxy_pass http://wi3;" in health and "return" not in health
    assert "http_503" in health  # an unhealthy instance is passed over for a healthy one


# -- Prometheus and Grafana ----------------------------------------------------------------------


@pytest.fixture
def exposed(store: Store) -> set[str]:
    """Every metric name wi3 exposes, its samples' suffixes included."""
    exposition = Exposition()
    exposition.watch(metrics.outbox_source(store, ["invitation"]))
    exposition.watch(metrics.store_source(store))
    exposition.watch(metrics.health_source(lambda: None))
    exposition.watch(metrics.socket_mode_source(lambda: True, lambda: 1.0))
    names: set[str] = set()
    for family in text_string_to_metric_families(exposition.render()[0].decode()):
        names |= {family.name, *(family.name + suffix for suffix in
                                 ("_total", "_bucket", "_sum", "_count", "_created"))}
    return names


def referenced(expression: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', '""', expression)
    return set(re.findall(r"\b(wi3_\w+|process_\w+|up)\b", without_strings))


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_prometheus_scrapes_every_instance_and_loads_the_alert_rules() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    assert [(PROMETHEUS.parent / name).resolve() for name in config["rule_files"]] == [ALERTS]
    [job] = config["scrape_configs"]
    assert job["job_name"] == "wi3" and job["metrics_path"] == METRICS_PATH
    [discovery] = job["dns_sd_configs"]
    app = compose(COMPOSE_POSTGRESQL, {"POSTGRES_PASSWORD": "x"})["services"]["wi3-postgresql"]
    assert discovery["names"] == ["wi3-postgresql"]
    assert discovery["port"] == int(app["environment"]["PORT"])


def test_the_alert_rules_cover_outbox_age_429s_and_health_on_metrics_wi3_exposes(
    exposed: set[str],
) -> None:
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    guide = (REPO / "docs" / "operations.md").read_text()
    for rule in rules:
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in ("page", "warn")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert referenced(rule["expr"]) - {"up"} <= exposed, rule["alert"]
        assert rule["alert"] in guide, f"docs/operations.md says nothing of {rule['alert']}"
    expressions = " ".join(rule["expr"] for rule in rules)
    assert "wi3_outbox_oldest_seconds" in expressions
    assert "rate(wi3_slack_rate_limited_total[" in expressions
    assert "wi3_healthy == 0" in expressions


def test_the_grafana_dashboard_shows_only_metrics_wi3_exposes(exposed: set[str]) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    variables = {each["name"] for each in dashboard["templating"]["list"]}
    assert {"datasource", "instance"} <= variables
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    shown: set[str] = set()
    for panel in (each for each in panels if each["type"] != "row"):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert referenced(target["expr"]) - {"up"} <= exposed, panel["title"]
            shown |= referenced(target["expr"])
    wanted = {"wi3_requests_total", "wi3_click_seconds_bucket", "wi3_outbox_messages",
              "wi3_outbox_oldest_seconds", "wi3_slack_api_calls_total",
              "wi3_slack_rate_limited_total", "wi3_delivery_checks_total",
              "wi3_scheduler_job_runs_total", "wi3_scheduler_lease_takeovers_total",
              "wi3_drawings_waiting", "wi3_drawing_seconds_bucket",
              "wi3_store_write_failures_total", "wi3_healthy"}
    assert wanted <= shown, wanted - shown


# -- the lock files ------------------------------------------------------------------------------


def pins(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a pip-compile lock with hashes."""
    found: dict[str, tuple[str, int]] = {}
    for entry in re.split(r"\n(?=\S)", lock.read_text()):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", entry)
        if match:
            found[canonicalize_name(match.group(1))] = (match.group(2),
                                                        entry.count("--hash=sha256:"))
    return found


def test_every_dependency_is_locked_with_hashes_at_a_version_pyproject_allows() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    runtime, dev = pins(LOCKS / "runtime.lock"), pins(LOCKS / "dev.lock")
    build = project["build-system"]["requires"]
    for lock, wanted in ((runtime, project["project"]["dependencies"] + build),
                         (dev, project["project"]["dependencies"]
                          + project["project"]["optional-dependencies"]["dev"] + build)):
        for line in wanted:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in lock, f"{name} is not locked: run `make lock`"
            version, _ = lock[name]
            assert requirement.specifier.contains(version, prereleases=True), (name, version)
    assert all(hashes > 0 for _, hashes in [*runtime.values(), *dev.values()])
    assert {name: dev[name] for name in runtime} == runtime  # one version of each


def test_make_ci_and_the_image_install_from_the_locks() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements/dev.lock" in makefile
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in makefile
    assert re.search(r"^lock:", makefile, re.MULTILINE) and "--generate-hashes" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert "-r requirements/runtime.lock" in (REPO / "Dockerfile").read_text()
