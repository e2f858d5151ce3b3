"""The bot process and its data directory: one owner, and bad files stop it with one line."""

from __future__ import annotations

from pathlib import Path

from bot.emulator import SlackEmulator
from storage import Team, open_store
from tests.bot.test_main import run_bot, start_bot, wait_until_healthy
from tests.conftest import SIGNING_SECRET


def bot_env(emulator: SlackEmulator, data_dir: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "PORT": "0",
        "WI3_DATA_DIR": str(data_dir),
    }


def test_a_second_bot_on_the_same_data_directory_refuses_with_one_line(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    first = start_bot(bot_env(emulator, data_dir), tmp_path, tmp_path / "first.log")
    try:
        wait_until_healthy(first.port, first.process)
        second = run_bot(env=bot_env(emulator, data_dir), cwd=tmp_path)
        assert second.returncode == 2
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert str(data_dir) in lines[0] and "Traceback" not in second.stderr
    finally:
        first.process.terminate()
        first.process.communicate(timeout=20)


def test_a_corrupt_file_stops_the_bot_naming_the_file_and_keeps_it(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    with open_store(data_dir) as store:
        store.save_team(Team("T0WI3TEST", "C0KENNIS1", leads=("U0LOTTE01",)))
    broken = next(path for path in data_dir.rglob("*.json") if path.stat().st_size > 0)
    broken.write_text(broken.read_text()[:-20])  # a hand edit gone wrong
    before = broken.read_bytes()
    result = run_bot(env=bot_env(emulator, data_dir), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and broken.name in lines[0], result.stderr
    assert broken.read_bytes() == before
