"""A damaged or too-new data directory is refused, the file named and left as is.

What serving needs from the start (``index.json``, each team's ``rounds.json``) is checked
at the start, which then stops; every other file is checked when it is first used, which
then fails with the same one line (and ``python -m storage check`` reports it at any time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage import CorruptFileError, SchemaVersionError, StorageError
from storage.tinydb import TinyDBStore, check, layout
from storage.tinydb.layout import FileSpec

from .conftest import FakeClock, open_team_round

pytestmark = pytest.mark.backends("tinydb")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def filled(store: TinyDBStore, clock: FakeClock) -> Path:
    """A directory with a team, a round with answers, and a closed store."""
    round_ = open_team_round(store)
    store.record_answers(round_.id, "U1", {"W1": 3, "W2": 4})
    store.claim("Ev1", 600)
    store.close()
    return store.data_dir


def _round_file(data_dir: Path) -> Path:
    [path] = data_dir.glob("teams/T1/C1/round-*.json")
    return path


def _expect_refusal(data_dir: Path, path: Path, error: type[Exception], reason: str) -> None:
    before = path.read_bytes()
    with pytest.raises(error) as raised:
        TinyDBStore.open(data_dir)
    assert str(path) in str(raised.value) and reason in str(raised.value)
    assert "\n" not in str(raised.value)
    assert path.read_bytes() == before  # never overwritten or dropped
    with pytest.raises(error):  # and the next start refuses again: nothing was "repaired"
        TinyDBStore.open(data_dir)


def _expect_refusal_on_first_use(data_dir: Path, path: Path, error: type[Exception],
                                 reason: str) -> None:
    """The start goes ahead; the first use of the damaged round refuses, every time."""
    before = path.read_bytes()
    with TinyDBStore.open(data_dir) as store:
        [round_] = store.list_rounds("T1", "C1")
        for _ in range(2):  # a later use refuses again: nothing was "repaired" or cached
            with pytest.raises(error) as raised:
                store.answers_of(round_.id, "U1")
            assert str(path) in str(raised.value) and reason in str(raised.value)
            assert "\n" not in str(raised.value)
    assert path.read_bytes() == before  # never overwritten or dropped
    assert any(str(path) in problem for problem in check(data_dir).problems)


def test_a_truncated_round_file_is_refused_when_first_used_and_is_named(filled: Path) -> None:
    path = _round_file(filled)
    path.write_bytes(path.read_bytes()[:40])
    _expect_refusal_on_first_use(filled, path, CorruptFileError, "not valid JSON")


def test_a_truncated_rounds_file_stops_the_start_and_is_named(filled: Path) -> None:
    path = filled / "teams/T1/C1/rounds.json"
    path.write_bytes(path.read_bytes()[:40])
    _expect_refusal(filled, path, CorruptFileError, "not valid JSON")


def test_an_empty_file_stops_the_start(filled: Path) -> None:
    path = filled / "index.json"
    path.write_bytes(b"")
    _expect_refusal(filled, path, CorruptFileError, "empty")


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: d.pop("_meta"), "no _meta table"),
        (lambda d: d["answers"].update({"x": "five"}), "not a JSON object"),
        (lambda d: next(iter(d["answers"].values())).pop("score"), "lacks score"),
        (lambda d: d.update(notes={}), "unexpected table 'notes'"),
        (lambda d: d["_meta"]["schema"].update(kind="index"), "expected 'round'"),
        (lambda d: next(iter(d["answers"].values())).update(score=7), "score must be 1 to 5"),
        (lambda d: next(iter(d["answers"].values())).update(at="soon"), "Invalid isoformat"),
    ],
)
def test_a_hand_edited_file_with_the_wrong_shape_is_refused_when_first_used(
    filled: Path, edit: Callable[[dict[str, Any]], object], reason: str
) -> None:
    path = _round_file(filled)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    _expect_refusal_on_first_use(filled, path, CorruptFileError, reason)


def test_a_team_edited_below_the_privacy_minimum_stops_the_start(filled: Path) -> None:
    path = filled / "index.json"
    data = json.loads(path.read_text())
    data["teams"]["T1/C1"]["min_responses"] = 1
    path.write_text(json.dumps(data))
    _expect_refusal(filled, path, CorruptFileError, "min_responses must be at least 3")


def test_a_data_directory_that_is_not_a_directory_is_refused(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("oops")
    with pytest.raises(StorageError, match="cannot use"):
        TinyDBStore.open(not_a_dir)


def test_a_file_from_a_newer_wi3_is_refused_clearly(filled: Path) -> None:
    path = filled / "index.json"
    data = json.loads(path.read_text())
    data["_meta"]["schema"]["schema_version"] = layout.SCHEMA_VERSION + 1
    path.write_text(json.dumps(data))
    _expect_refusal(filled, path, SchemaVersionError, "upgrade wi3")


def test_older_files_are_migrated_at_startup_and_written_back(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migration step, exercised with a made-up version 2 that renames a field."""

    def rename_locale(spec: FileSpec, data: dict[str, Any]) -> dict[str, Any]:
        if spec.kind == "index":
            for team in data.get("teams", {}).values():
                team["language"] = team.pop("lang", team.get("language"))
        return data

    path = filled / "index.json"
    data = json.loads(path.read_text())
    for team in data["teams"].values():
        team["lang"] = team.pop("language")
    # this "version 1" index says "lang"; the made-up version 2 says "language"
    path.write_text(json.dumps(data))
    monkeypatch.setattr(layout, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(layout.MIGRATIONS, 1, rename_locale)
    with TinyDBStore.open(filled) as store:
        team = store.get_team("T1", "C1")
        assert team is not None and team.language == "en"
    migrated = json.loads(path.read_text())
    assert migrated["_meta"]["schema"]["schema_version"] == 2
    assert all("lang" not in t for t in migrated["teams"].values())


def test_check_reports_every_problem_without_changing_anything(filled: Path) -> None:
    round_file = _round_file(filled)
    round_file.write_text("{")
    [claims] = (filled / "claims").glob("*.log")
    claims.write_text(claims.read_text() + "not a claim\n")
    before = {p: p.read_bytes() for p in filled.rglob("*") if p.is_file()}
    report = check(filled)
    assert not report.ok
    assert len(report.problems) == 2
    assert any(str(round_file) in p for p in report.problems)
    assert any(str(claims) in p and "line(s) 2" in p for p in report.problems)
    assert {p: p.read_bytes() for p in filled.rglob("*") if p.is_file()} == before


def test_check_command_prints_the_state_and_exits_by_health(filled: Path) -> None:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "storage", "check", str(filled)],
                              cwd=REPO, capture_output=True, text=True, timeout=30)

    healthy = run()
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "answers=2" in healthy.stdout and "status: OK" in healthy.stdout
    assert "in use by a running wi3: no" in healthy.stdout
    (filled / "index.json").write_text("not json")
    broken = run()
    assert broken.returncode == 1
    assert "index.json" in broken.stdout and "PROBLEM" in broken.stdout


def test_check_tells_whether_a_bot_is_running(filled: Path) -> None:
    with TinyDBStore.open(filled):
        report = check(filled)
    assert report.in_use is True and report.ok
