"""The Dockerfile and compose example refer to things that exist (CI cannot build images).

Each instruction is read the way Docker reads it (continuations joined, comments dropped,
JSON-array or shell form), then checked against the repository and the bot's own CLI.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml

from bot.__main__ import parse_args

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "compose.yaml"
DOCKERIGNORE = REPO / ".dockerignore"
PACKAGES = ("bot", "conversations", "model", "storage")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order."""
    joined: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, "a continuation runs off the end of the Dockerfile"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined]


def args_of(name: str) -> list[str]:
    return [arguments for instruction, arguments in instructions() if instruction == name]


def command_words(arguments: str) -> list[str]:
    """Exec form (JSON array) or shell form, as a list of words."""
    if arguments.startswith("["):
        return list(json.loads(arguments))
    return shlex.split(arguments)


def env_values() -> dict[str, str]:
    values: dict[str, str] = {}
    for arguments in args_of("ENV"):
        for name, value in re.findall(r"(\w+)=(\S+)", arguments):
            values[name] = value
    return values


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context (last match wins)."""
    result = False
    for raw in DOCKERIGNORE.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/").removeprefix("**/")
        parts = path.split("/")
        if any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1)):
            result = not negate
    return result


def test_the_base_image_is_a_slim_python_matching_the_project() -> None:
    base = args_of("FROM")
    assert len(base) == 1
    version = re.fullmatch(r"python:(\d+\.\d+)-slim(-\w+)?", base[0])
    assert version, base[0]
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={version.group(1)}"


def test_everything_copied_exists_and_is_in_the_build_context() -> None:
    copied = [source for arguments in args_of("COPY")
              for source in shlex.split(arguments)[:-1] if not source.startswith("--")]
    assert set(PACKAGES) <= set(copied) and "pyproject.toml" in copied
    readme = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["readme"]
    assert readme in copied  # the package build reads it
    for source in copied:
        assert (REPO / source).exists(), source
        assert not ignored(source), f"{source} is copied but .dockerignore leaves it out"


def test_secrets_and_local_data_stay_out_of_the_image() -> None:
    for path in (".env", ".env.production", "data/index.json", ".venv/bin/python",
                 "bot/__pycache__/app.cpython-311.pyc", "try-out/chart.png"):
        assert ignored(path), path
    assert not ignored(".env.example")


def test_the_entry_point_is_the_bots_cli() -> None:
    entry = command_words(args_of("ENTRYPOINT")[-1])
    default = command_words(args_of("CMD")[-1])
    assert entry == ["python", "-m", "bot"]
    assert (REPO / "bot" / "__main__.py").is_file()
    assert parse_args(default).command == "run"


def test_it_runs_as_an_unprivileged_user_with_data_in_a_volume() -> None:
    user = args_of("USER")[-1]
    assert user not in ("root", "0")
    assert "useradd" in " ".join(args_of("RUN")) and user in " ".join(args_of("RUN"))
    volume = command_words(args_of("VOLUME")[-1])
    assert volume == [env_values()["WI3_DATA_DIR"]]
    assert f"chown {user}:{user} {volume[0]}" in " ".join(args_of("RUN"))


def test_the_health_check_asks_the_bot_for_healthz_on_its_port() -> None:
    healthcheck = args_of("HEALTHCHECK")[-1]
    words = command_words(healthcheck[healthcheck.index("CMD") + 3:].strip())
    assert words[:3] == ["python", "-m", "bot"]
    assert parse_args(words[3:]).command == "healthcheck"
    assert args_of("EXPOSE") == [env_values()["PORT"]]


def test_the_compose_example_builds_this_image_and_keeps_data_in_the_volume() -> None:
    compose = COMPOSE.read_text()
    assert re.search(r"^\s+build: \.$", compose, re.MULTILINE)
    assert re.search(r"^\s+env_file: \.env$", compose, re.MULTILINE)
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()
    data_dir = env_values()["WI3_DATA_DIR"]
    assert re.search(rf"^\s+- wi3-data:{re.escape(data_dir)}$", compose, re.MULTILINE)
    assert re.search(rf"^\s+WI3_DATA_DIR: {re.escape(data_dir)}$", compose, re.MULTILINE)
    port = env_values()["PORT"]
    assert re.search(rf'^\s+- "\$\{{PORT:-{port}\}}:{port}"$', compose, re.MULTILINE)



def test_the_compose_postgresql_variant_waits_for_its_database_and_keeps_the_key_out() -> None:
    compose = COMPOSE.read_text()
    variant = compose[compose.index("  wi3-postgresql:"):compose.index("\nvolumes:")]
    assert "profiles: [postgresql]" in variant
    url = r"DATABASE_URL: postgresql://wi3:\$\{POSTGRES_PASSWORD:-\}@postgresql:5432/wi3"
    assert re.search(url, variant)
    assert "condition: service_healthy" in variant and "pg_isready" in variant
    assert "WI3_PSEUDONYM_KEY" not in variant  # it comes from .env, never from the file
    example = (REPO / ".env.example").read_text()
    for name in ("DATABASE_URL", "WI3_PSEUDONYM_KEY", "POSTGRES_PASSWORD"):
        assert re.search(rf"^{name}=$", example, re.MULTILINE), name


def test_the_postgresql_variant_runs_two_instances_behind_nginx_with_health_checks() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    app, balancer, database = (services[name]
                               for name in ("wi3-postgresql", "nginx", "postgresql"))
    assert all(each["profiles"] == ["postgresql"] for each in (app, balancer, database))
    assert app["build"] == "." and app["deploy"]["replicas"] == 2
    assert "ports" not in app  # nginx is the only way in
    check = app["healthcheck"]["test"]
    assert check[:4] == ["CMD", "python", "-m", "bot"]
    assert parse_args(check[4:]).command == "healthcheck"
    assert app["depends_on"]["postgresql"]["condition"] == "service_healthy"
    assert balancer["depends_on"]["wi3-postgresql"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    source, target, _ = balancer["volumes"][0].split(":")
    conf = (REPO / source).read_text()
    assert target == "/etc/nginx/nginx.conf"
    port = app["environment"]["PORT"]
    assert f"server wi3-postgresql:{port} " in conf
    listen = re.search(r"listen (\d+);", conf)
    assert listen and balancer["ports"] == [f"${{PORT:-3000}}:{listen.group(1)}"]
    assert f"http://127.0.0.1:{listen.group(1)}/healthz" in balancer["healthcheck"]["test"]
    assert "location = /slack/events" in conf and "proxy_pass http://wi3;" in conf
    assert "location = /healthz" in conf and "proxy_next_upstream error" in conf
    assert conf.count("{") == conf.count("}")


def test_the_default_variant_stays_one_instance_on_its_data_directory() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert "profiles" not in services["wi3"] and "deploy" not in services["wi3"]
    assert services["wi3"]["volumes"] == [f"wi3-data:{env_values()['WI3_DATA_DIR']}"]
