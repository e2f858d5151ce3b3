"""The Dockerfile refers to things that exist and builds the same image twice (CI cannot
build images; the compose files and nginx are in test_deploy.py).

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

from bot.__main__ import parse_args

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
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


def test_the_base_image_is_a_slim_python_matching_the_project_pinned_by_digest() -> None:
    base = args_of("FROM")
    assert len(base) == 1
    version = re.fullmatch(r"python:(\d+\.\d+)(\.\d+)?-slim(-\w+)?@sha256:[0-9a-f]{64}", base[0])
    assert version, base[0]
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={version.group(1)}"


def test_dependencies_come_from_the_lock_in_a_layer_before_the_code() -> None:
    steps = [(name, arguments) for name, arguments in instructions() if name in ("COPY", "RUN")]
    first_code = next(n for n, (name, arguments) in enumerate(steps)
                      if name == "COPY" and shlex.split(arguments)[0] in PACKAGES)
    before = " ".join(arguments for _, arguments in steps[:first_code])
    assert "COPY requirements/runtime.lock" in " ".join(
        f"{name} {arguments}" for name, arguments in steps[:first_code])
    assert "pip install --require-hashes -r requirements/runtime.lock" in before
    after = " ".join(arguments for name, arguments in steps[first_code:] if name == "RUN")
    assert "pip install --no-deps --no-build-isolation ." in after  # nothing unlocked
    assert (REPO / "requirements" / "runtime.lock").is_file()
    assert not ignored("requirements/runtime.lock")


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


def test_it_runs_as_an_unprivileged_user_owning_the_data_directory_without_a_volume() -> None:
    """No VOLUME: it would give every replica of the PostgreSQL variant an anonymous
    volume it never uses; the compose files name the volume where there is data."""
    user = args_of("USER")[-1]
    assert user not in ("root", "0")
    assert "useradd" in " ".join(args_of("RUN")) and user in " ".join(args_of("RUN"))
    assert args_of("VOLUME") == []
    assert f"chown {user}:{user} {env_values()['WI3_DATA_DIR']}" in " ".join(args_of("RUN"))


def test_the_health_check_is_the_standard_library_probe_of_healthz_on_its_port() -> None:
    healthcheck = args_of("HEALTHCHECK")[-1]
    words = command_words(healthcheck[healthcheck.index("CMD") + 3:].strip())
    assert words == ["python", "-m", "bot.probe"]
    assert (REPO / "bot" / "probe.py").is_file()
    assert args_of("EXPOSE") == [env_values()["PORT"]]
