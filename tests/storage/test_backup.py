"""TinyDB export and import round-trip everything, through the API and the command line;
the pseudonym key goes along only when asked for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from storage import (
    LastResult,
    Progress,
    PulseSchedule,
    ResultSnapshot,
    StorageError,
    Team,
    UserInfo,
    Workspace,
)
from storage.tinydb import TinyDBStore

from .conftest import FakeClock, open_team_round

pytestmark = pytest.mark.backends("tinydb")

REPO = Path(__file__).resolve().parents[2]


def _fill(store: TinyDBStore, clock: FakeClock) -> str:
    store.save_workspace(Workspace("T1", name="Acme"))
    store.save_team(Team("T1", "C9", leads=("L1",), pulse=PulseSchedule(weekday=4)))
    closed = open_team_round(store, "C1")
    store.record_answers(closed.id, "U1", {"W1": 3, "W2": None})
    store.record_checklist(closed.id, "U1", ["time"], ["distance"])
    store.mark_finished(closed.id, "U1")
    store.close_round(closed.id)
    store.save_snapshot(ResultSnapshot(closed.id, "T1", "C1", "diagnostic", None, clock.now,
                                       invited_count=3, responses=1, result={"overall": 1}))
    store.save_last_result(LastResult("T1", "C1", closed.id, clock.now, {"overall": 1}))
    open_ = open_team_round(store, "C1")
    store.record_answers(open_.id, "U2", {"W1": 5})
    store.save_progress(Progress(open_.id, "U2", position=1))
    store.mark_invitation_sent(open_.id, "U2")
    store.save_user(UserInfo("T1", "U2", dm_channel="D2", locale="nl-NL"))
    store.claim("Ev1", 3600)
    return open_.id


def _everything(store: TinyDBStore) -> dict[str, Any]:
    """What a user of the store can see, to compare two stores."""
    seen: dict[str, Any] = {"workspaces": store.list_workspaces(), "teams": store.list_teams(),
                            "last": store.last_results("T1")}
    for team in store.list_teams():
        for round_ in store.list_rounds("T1", team.channel_id):
            seen[round_.id] = (
                round_, store.all_answers(round_.id), store.all_checklists(round_.id),
                store.answers_of(round_.id, "U1"), store.get_progress(round_.id, "U2"),
                store.finished_count(round_.id), store.invitations_sent(round_.id),
            )
        seen[f"snapshots {team.channel_id}"] = store.list_snapshots("T1", team.channel_id)
    seen["user"] = store.get_user("T1", "U2")
    return seen


def test_export_then_import_restores_everything(
    store: TinyDBStore, clock: FakeClock, tmp_path: Path
) -> None:
    open_id = _fill(store, clock)
    dump = json.loads(json.dumps(store.export_all(include_key=True)))  # through real JSON
    with TinyDBStore.open(tmp_path / "restored", clock=clock) as restored:
        assert restored.import_all(dump) == len(dump["files"])
        assert _everything(restored) == _everything(store)
        assert restored.claim("Ev1", 3600) is False
        # pseudonyms still match users after the restore, so forget-me keeps working
        assert restored.forget_user("T1", "U2") == 1
        assert restored.open_round_for("T1", "C1") is not None
        assert restored.answers_of(open_id, "U2") == {}


def _export(data_dir: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    with out.open("w") as sink:
        return subprocess.run([sys.executable, "-m", "storage", "export", str(data_dir),
                               *options], cwd=REPO, stdout=sink, stderr=subprocess.PIPE,
                              text=True, timeout=30)


def _import(target: Path, dump: Path) -> subprocess.CompletedProcess[str]:
    with dump.open() as source:
        return subprocess.run([sys.executable, "-m", "storage", "import", str(target)],
                              cwd=REPO, stdin=source, capture_output=True, text=True,
                              timeout=30)


def test_command_line_full_backup_with_the_key_round_trips_and_warns(
    store: TinyDBStore, clock: FakeClock, tmp_path: Path
) -> None:
    _fill(store, clock)
    expected = _everything(store)
    store.close()
    dump = tmp_path / "dump.json"
    exported = _export(store.data_dir, dump, "--include-key")
    assert exported.returncode == 0, exported.stderr
    assert "warning" in exported.stderr and "secret.key" in exported.stderr
    assert len(exported.stderr.strip().splitlines()) == 1
    imported = _import(tmp_path / "restored", dump)
    assert imported.returncode == 0, imported.stderr
    with TinyDBStore.open(tmp_path / "restored", clock=clock) as restored:
        assert _everything(restored) == expected


def test_an_export_leaves_the_key_out_and_its_restore_waits_for_the_old_key(
    store: TinyDBStore, clock: FakeClock, tmp_path: Path
) -> None:
    _fill(store, clock)
    expected = _everything(store)
    store.close()
    secret = (store.data_dir / "secret.key").read_text().strip()
    dump = tmp_path / "dump.json"
    assert _export(store.data_dir, dump).returncode == 0
    assert secret not in dump.read_text()
    assert json.loads(dump.read_text())["secret"] is None
    target = tmp_path / "restored"
    imported = _import(target, dump)
    assert imported.returncode == 0, imported.stderr
    assert "secret.key" in imported.stdout
    assert not (target / "secret.key").exists()
    with pytest.raises(StorageError, match=r"secret\.key is missing"):
        TinyDBStore.open(target, clock=clock)  # no new key that would orphan the answers
    (target / "secret.key").write_text(secret + "\n")
    with TinyDBStore.open(target, clock=clock) as restored:
        assert _everything(restored) == expected


def test_export_works_next_to_a_running_bot(store: TinyDBStore, clock: FakeClock) -> None:
    _fill(store, clock)
    result = subprocess.run([sys.executable, "-m", "storage", "export", str(store.data_dir)],
                            cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["files"].keys() == store.export_all()["files"].keys()
    assert result.stderr == ""


def test_import_refuses_a_directory_that_holds_data(store: TinyDBStore, clock: FakeClock) -> None:
    _fill(store, clock)
    with pytest.raises(StorageError, match="empty data directory"):
        store.import_all(store.export_all())


@pytest.mark.parametrize("name", ["../outside.json", "/etc/x.json", "notes.json",
                                  "teams/T1/C1/../../../x.json"])
def test_import_refuses_file_names_that_are_not_ours(
    store: TinyDBStore, clock: FakeClock, tmp_path: Path, name: str
) -> None:
    _fill(store, clock)
    dump = store.export_all()
    dump["files"][name] = dump["files"]["index.json"]
    with TinyDBStore.open(tmp_path / "restored", clock=clock) as restored:
        with pytest.raises(StorageError, match="unexpected file name"):
            restored.import_all(dump)
        assert not list(restored.data_dir.rglob("*.json"))  # nothing half-imported


def test_import_refuses_damaged_content_before_writing_anything(
    store: TinyDBStore, clock: FakeClock, tmp_path: Path
) -> None:
    _fill(store, clock)
    dump = store.export_all()
    dump["files"]["index.json"]["teams"]["T1/C9"].pop("leads")
    with TinyDBStore.open(tmp_path / "restored", clock=clock) as restored:
        with pytest.raises(StorageError, match="lacks leads"):
            restored.import_all(dump)
        assert not list(restored.data_dir.rglob("*.json"))
