"""`python -m bot doctor` and `python -m bot healthcheck`, against the Slack emulator."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot.doctor import healthcheck, run_doctor
from bot.emulator import SlackEmulator, sample_workspace
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.slack_client import REQUIRED_SCOPES
from storage import open_store
from tests.conftest import SIGNING_SECRET
from tests.ports import dead_port

REPO = Path(__file__).resolve().parents[2]


def environment(emulator: SlackEmulator, data_dir: Path, **overrides: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "WI3_DATA_DIR": str(data_dir),
        **overrides,
    }


def doctor(env: dict[str, str]) -> tuple[int, str]:
    out = io.StringIO()
    code = run_doctor(env, dotenv_path=None, out=out)
    return code, out.getvalue()


def line_about(report: str, topic: str) -> str:
    lines = [line for line in report.splitlines() if f" {topic}: " in line]
    assert lines, report
    return "\n".join(lines)


def test_a_good_set_up_reports_every_check_and_exits_0(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    code, report = doctor(environment(emulator, tmp_path / "data"))

    assert code == 0, report
    assert report.rstrip().endswith("All is well.")
    assert "HTTP mode" in line_about(report, "mode")
    assert "works: workspace WI3 Test (T0WI3TEST), bot user @wi3" in line_about(report,
                                                                                "bot token")
    assert f"all {len(REQUIRED_SCOPES)} bot scopes" in line_about(report, "scopes")
    assert "creates it at the first start" in line_about(report, "data directory")
    assert "wi3 0.1.0" in line_about(report, "version")
    assert "[PROBLEM]" not in report
    assert emulator.token not in report and SIGNING_SECRET not in report


def test_a_token_slack_rejects_is_a_problem_and_never_shown(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    wrong = "xoxb-1111-2222-not-the-right-one"
    code, report = doctor(environment(emulator, tmp_path, SLACK_BOT_TOKEN=wrong))

    assert code == 1
    assert "[PROBLEM] bot token: Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in report
    assert wrong not in report
    assert "1 problem found; fix it" in report


def test_missing_scopes_are_named(tmp_path: Path) -> None:
    granted = [s for s in REQUIRED_SCOPES if s not in ("users:read", "files:write")]
    with SlackEmulator(sample_workspace(), scopes=granted) as emulator:
        code, report = doctor(environment(emulator, tmp_path))

    assert code == 1
    scopes = line_about(report, "scopes")
    assert "[PROBLEM]" in scopes and "missing users:read, files:write" in scopes
    assert "manifest.yml" in scopes
    assert "[ok]" in line_about(report, "bot token")


def test_socket_mode_is_named_and_its_app_token_checked(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    app_token = "xapp-1-revoked-app-token"
    env = environment(emulator, tmp_path, SLACK_APP_TOKEN=app_token)
    del env["SLACK_SIGNING_SECRET"]

    code, report = doctor(env)

    assert code == 1
    assert "Socket Mode" in line_about(report, "mode")
    assert "Slack rejected SLACK_APP_TOKEN (invalid_auth)" in line_about(report, "app token")
    assert app_token not in report
    assert [call.method for call in emulator.calls()] == ["auth.test", "apps.connections.open"]


def test_missing_configuration_is_listed_and_slack_is_not_asked(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    code, report = doctor({"WI3_DATA_DIR": str(tmp_path)})

    assert code == 1
    config = line_about(report, "configuration")
    assert "SLACK_BOT_TOKEN is not set" in config and "SLACK_SIGNING_SECRET" in config
    assert "not checked" in line_about(report, "bot token")
    assert "HTTP mode" in line_about(report, "mode")
    assert emulator.calls() == []


def test_an_unreachable_slack_is_a_problem(tmp_path: Path) -> None:
    with dead_port() as nothing_listens:
        env = {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": f"http://127.0.0.1:{nothing_listens}/api/",
               "WI3_DATA_DIR": str(tmp_path)}

        code, report = doctor(env)

    assert code == 1
    assert "could not be reached" in line_about(report, "bot token")


def test_a_data_directory_that_is_a_file_is_a_problem(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("oops")

    code, report = doctor(environment(emulator, not_a_dir))

    assert code == 1
    assert "is not a directory" in line_about(report, "data directory")


def test_an_inconsistent_data_directory_is_reported_file_by_file(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    with open_store(tmp_path / "data"):
        pass
    (tmp_path / "data" / "index.json").write_text("{not json")

    code, report = doctor(environment(emulator, tmp_path / "data"))

    assert code == 1
    data = line_about(report, "data directory")
    assert "[PROBLEM]" in data and "index.json" in data


def test_a_data_directory_used_by_the_running_bot_is_fine(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    with open_store(tmp_path / "data"):
        code, report = doctor(environment(emulator, tmp_path / "data"))

    assert code == 0, report
    data = line_about(report, "data directory")
    assert "in use by a running wi3" in data and "writable and consistent" in data


def test_python_m_bot_doctor_prints_the_report(emulator: SlackEmulator, tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(REPO), **environment(emulator, tmp_path / "data")}
    result = subprocess.run([sys.executable, "-m", "bot", "doctor"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "All is well." in result.stdout
    assert emulator.token not in result.stdout + result.stderr


# ---------------------------------------------------------------------- healthcheck


def test_healthcheck_follows_healthz(capsys: pytest.CaptureFixture[str]) -> None:
    wsgi_app = SlackWsgiApp()
    with BackgroundServer(wsgi_app) as server:
        env = {"PORT": str(server.port)}
        assert healthcheck(env, dotenv_path=None) == 1  # listening, not ready yet: 503
        wsgi_app.mark_ready()
        assert healthcheck(env, dotenv_path=None) == 0
    assert "unhealthy" in capsys.readouterr().out.splitlines()[0]


def test_healthcheck_fails_when_nothing_listens() -> None:
    with dead_port() as nothing_listens:
        assert healthcheck({"PORT": str(nothing_listens)}, dotenv_path=None, timeout=1) == 1


def test_healthcheck_in_socket_mode_asks_the_side_port() -> None:
    with dead_port() as nothing_listens:
        assert healthcheck({"SLACK_APP_TOKEN": "xapp-1-A-1-x", "PORT": str(nothing_listens)},
                           dotenv_path=None, timeout=1) == 1  # nothing listens there


def _many(emulator: SlackEmulator, data_dir: Path, **overrides: str) -> dict[str, str]:
    env = environment(emulator, data_dir, **{"SLACK_CLIENT_ID": "1234.5678",
                                             "SLACK_CLIENT_SECRET": "emulated-client-secret",
                                             **overrides})
    del env["SLACK_BOT_TOKEN"]
    return env


def test_the_doctor_checks_the_oauth_set_up_of_many_workspaces(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    emulator.register_app("1234.5678", "emulated-client-secret",
                          "https://wi3.example.org/slack/oauth_redirect")
    code, report = doctor(_many(
        emulator, tmp_path / "data",
        SLACK_REDIRECT_URI="https://wi3.example.org/slack/oauth_redirect"))
    assert code == 0, report
    assert "many workspaces" in line_about(report, "mode")
    assert "Slack accepts SLACK_CLIENT_ID" in line_about(report, "installing (OAuth)")
    assert "https://wi3.example.org/slack/oauth_redirect" in line_about(report, "redirect URL")
    assert "emulated-client-secret" not in report

    code, report = doctor(_many(emulator, tmp_path / "data",
                                SLACK_CLIENT_SECRET="not-the-secret",
                                SLACK_REDIRECT_URI="http://wi3.example.org/slack/oauth_redirect"))
    assert code == 1
    assert "bad_client_secret" in line_about(report, "installing (OAuth)")
    assert "not-the-secret" not in report


def test_the_doctor_says_an_http_redirect_url_will_not_do(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    emulator.register_app("1234.5678", "emulated-client-secret",
                          "http://wi3.example.org/slack/oauth_redirect")
    code, report = doctor(_many(emulator, tmp_path / "data",
                                SLACK_REDIRECT_URI="http://wi3.example.org/slack/oauth_redirect"))
    assert code == 1
    assert "only https://" in line_about(report, "redirect URL")
