"""The bot and its doctor with DATABASE_URL: the key is required, pending migrations are
applied at start, and the doctor looks at the database instead of a data directory."""

from __future__ import annotations

import io
import signal
from pathlib import Path

from bot.doctor import run_doctor
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, TEAM_CHANNEL
from storage import open_store
from storage.sql.migrate import head_revision
from tests.bot.test_main import run_bot, start_bot, wait_until_healthy
from tests.conftest import SIGNING_SECRET
from tests.pg import TEST_PSEUDONYM_KEY, TEST_PSEUDONYM_KEY_HEX, TestDatabase


def database_env(emulator: SlackEmulator, url: str, **overrides: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "PORT": "0",
        "DATABASE_URL": url,
        "WI3_PSEUDONYM_KEY": TEST_PSEUDONYM_KEY_HEX,
        **overrides,
    }


def doctor(env: dict[str, str]) -> tuple[int, str]:
    out = io.StringIO()
    return run_doctor(env, dotenv_path=None, out=out), out.getvalue()


def test_a_database_without_the_pseudonym_key_stops_the_start_with_one_line(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = database_env(emulator, "postgresql://wi3:pa55word@127.0.0.1:9/wi3")
    del env["WI3_PSEUDONYM_KEY"]
    result = run_bot(env=env, cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "WI3_PSEUDONYM_KEY is not set" in line and "pa55word" not in line


def test_the_bot_migrates_an_empty_database_at_start_and_stores_there(
    emulator: SlackEmulator, new_pg_database: TestDatabase, tmp_path: Path
) -> None:
    env = database_env(emulator, new_pg_database.url)
    bot = start_bot(env, tmp_path, tmp_path / "bot.log")
    try:
        wait_until_healthy(bot.port, bot.process)
        driver = SlackDriver(emulator, f"http://127.0.0.1:{bot.port}/slack/events",
                             SIGNING_SECRET)
        assert driver.command(LEAD, TEAM_CHANNEL, "setup").status == 200
    finally:
        _, stderr = bot.stop(signal.SIGTERM)
    assert bot.process.returncode == 0, stderr
    assert "database schema migrated to" in stderr
    assert new_pg_database.sql("SELECT version_num FROM alembic_version") == [(head_revision(),)]
    with open_store(database_url=new_pg_database.url, pseudonym_key=TEST_PSEUDONYM_KEY) as db:
        team = db.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (LEAD,)
    assert not (tmp_path / "data").exists()  # nothing went to a data directory


def test_the_doctor_checks_the_database_and_the_key(
    emulator: SlackEmulator, pg_url: str
) -> None:
    code, report = doctor(database_env(emulator, pg_url))
    assert code == 0, report
    assert "database: " in report and f"schema ({head_revision()}) is current" in report
    assert "[ok]      pseudonym key: WI3_PSEUDONYM_KEY is set" in report
    assert "data directory" not in report

    with open_store(database_url=pg_url, pseudonym_key=TEST_PSEUDONYM_KEY):
        pass  # an instance started: the database now holds the key's check value
    code, report = doctor(database_env(emulator, pg_url, WI3_PSEUDONYM_KEY="ab" * 32))
    assert code == 1 and "[PROBLEM] pseudonym key" in report and "NOT the one" in report


def test_the_doctor_reports_an_unreachable_database_and_pending_migrations(
    emulator: SlackEmulator, new_pg_database: TestDatabase
) -> None:
    code, report = doctor(database_env(emulator, "postgresql://wi3@127.0.0.1:9/wi3"))
    assert code == 1 and "[PROBLEM] database: the database cannot be used" in report
    code, report = doctor(database_env(emulator, new_pg_database.url))
    assert code == 0, report
    assert "[note]" in report and "migration(s) pending" in report
