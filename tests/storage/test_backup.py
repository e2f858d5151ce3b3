"""Export and import round-trip everything, through the API and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from storage import (
    Progress,
    PulseSchedule,
    ResultSnapshot,
    StorageError,
    Store,
    Team,
    UserInfo,
    Workspace,
)

from .conftest import FakeClock, open_team_round

REPO = Path(__file__).resolve().parents[2]


def _fill(store: Store, clock: FakeClock) -> str:
    store.save_workspace(Workspace("T1", name="Acme"))
    store.save_team(Team("T1", "C9", leads=("L1",), pulse=PulseSchedule(weekday=4)))
    closed = open_team_round(store, "C1")
    store.record_answers(closed.id, "U1", {"W1": 3, "W2": None})
    store.record_checklist(closed.id, "U1", ["time"], ["distance"])
    store.mark_finished(closed.id, "U1")
    store.close_round(closed.id)
    store.save_snapshot(ResultSnapshot(closed.id, "T1", "C1", "diagnostic", None, clock.now,
                                       invited_count=3, responses=1, result={"overall": 1}))
    open_ = open_team_round(store, "C1")
    store.record_answer(open_.id, "U2", "W1", 5)
    store.save_progress(Progress(open_.id, "U2", position=1, dm_channel="D2"))
    store.mark_invitation_sent(open_.id, "U2")
    store.save_user(UserInfo("T1", "U2", dm_channel="D2", locale="nl-NL"))
    store.claim("Ev1", 3600)
    return open_.id


def _everything(store: Store) -> dict[str, Any]:
    """What a user of the store can see, to compare two stores."""
    seen: dict[str, Any] = {"workspaces": store.list_workspaces(), "teams": store.list_teams()}
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
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    open_id = _fill(store, clock)
    dump = json.loads(json.dumps(store.export_all()))  # through real JSON text
    with Store.open(tmp_path / "restored", clock=clock) as restored:
        assert restored.import_all(dump) == len(dump["files"])
        assert _everything(restored) == _everything(store)
        assert restored.claim("Ev1", 3600) is False
        # pseudonyms still match users after the restore, so forget-me keeps working
        assert restored.forget_user("T1", "U2") == 1
        assert restored.open_round_for("T1", "C1") is not None
        assert restored.answers_of(open_id, "U2") == {}


def test_command_line_export_and_import_round_trip(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    _fill(store, clock)
    expected = _everything(store)
    store.close()
    dump = tmp_path / "dump.json"
    with dump.open("w") as out:
        exported = subprocess.run([sys.executable, "-m", "storage", "export",
                                   str(store.data_dir)], cwd=REPO, stdout=out, text=True,
                                  stderr=subprocess.PIPE, timeout=30)
    assert exported.returncode == 0, exported.stderr
    target = tmp_path / "restored"
    with dump.open() as source:
        imported = subprocess.run([sys.executable, "-m", "storage", "import", str(target)],
                                  cwd=REPO, stdin=source, capture_output=True, text=True,
                                  timeout=30)
    assert imported.returncode == 0, imported.stderr
    with Store.open(target, clock=clock) as restored:
        assert _everything(restored) == expected


def test_export_works_next_to_a_running_bot(store: Store, clock: FakeClock) -> None:
    _fill(store, clock)
    result = subprocess.run([sys.executable, "-m", "storage", "export", str(store.data_dir)],
                            cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["files"].keys() == store.export_all()["files"].keys()


def test_import_refuses_a_directory_that_holds_data(store: Store, clock: FakeClock) -> None:
    _fill(store, clock)
    with pytest.raises(StorageError, match="empty data directory"):
        store.import_all(store.export_all())


@pytest.mark.parametrize("name", ["../outside.json", "/etc/x.json", "notes.json",
                                  "teams/T1/C1/../../../x.json"])
def test_import_refuses_file_names_that_are_not_ours(
    store: Store, clock: FakeClock, tmp_path: Path, name: str
) -> None:
    _fill(store, clock)
    dump = store.export_all()
    dump["files"][name] = dump["files"]["index.json"]
    with Store.open(tmp_path / "restored", clock=clock) as restored:
        with pytest.raises(StorageError, match="unexpected file name"):
            restored.import_all(dump)
        assert not list(restored.data_dir.rglob("*.json"))  # nothing half-imported


def test_import_refuses_damaged_content_before_writing_anything(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    _fill(store, clock)
    dump = store.export_all()
    dump["files"]["index.json"]["teams"]["T1/C9"].pop("leads")
    with Store.open(tmp_path / "restored", clock=clock) as restored:
        with pytest.raises(StorageError, match="lacks leads"):
            restored.import_all(dump)
        assert not list(restored.data_dir.rglob("*.json"))
