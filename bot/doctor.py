"""`python -m bot doctor`: is this set-up ready to run? One readable report, exit 0 if so.

It looks at what an operator would otherwise find out one failure at a time: the
configuration, the mode it selects, whether Slack accepts the token and grants the
scopes manifest.yml asks for, whether the data directory is writable and consistent (or,
with DATABASE_URL, whether the database is reachable, its schema current and the
pseudonym key the right one), and which version is installed. Token values never appear
in the report.

`python -m bot healthcheck` is the container's health probe: `GET /healthz` in HTTP
mode (nothing to probe in Socket Mode).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Literal, TextIO
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.config import Config, ConfigError, load_config, load_settings
from bot.http_server import REDIRECT_PATH
from bot.probe import DEFAULT_PORT, probe
from bot.slack_client import REQUIRED_SCOPES, granted_scopes, make_client
from bot.texts import text
from storage import check, is_database_url

Status = Literal["ok", "problem", "note"]
EXIT_OK = 0
EXIT_PROBLEMS = 1
HEALTH_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Finding:
    status: Status
    topic: str
    detail: str


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)

    def add(self, status: Status, topic: str, detail: str) -> None:
        self.findings.append(Finding(status, text(f"doctor.topic_{topic}"), detail))

    @property
    def problems(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.status == "problem"]

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report for the terminal: a title, one line per finding, the verdict."""
        markers = {status: text(f"doctor.{status}") for status in ("ok", "problem", "note")}
        width = max(len(marker) for marker in markers.values())
        out = [text("doctor.title")]
        out += [text("doctor.line", marker=markers[f.status].ljust(width), topic=f.topic,
                     detail=f.detail) for f in self.findings]
        out.append(text("doctor.all_well") if self.ok
                   else text("doctor.problems", count=len(self.problems)))
        return out


def run_doctor(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike[str] | None = ".env",
    out: TextIO | None = None,
) -> int:
    """Print the report; exit code 0 only when nothing needs fixing."""
    report = diagnose(environ, dotenv_path)
    print("\n".join(report.lines()), file=out or sys.stdout)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def diagnose(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike[str] | None = ".env",
) -> DoctorReport:
    """Every check, in the order an operator fixes things."""
    report = DoctorReport()
    report.add("ok", "version", _version())
    settings = load_settings(environ, dotenv_path)
    config = _configuration(report, environ, dotenv_path)
    _mode(report, settings)
    if config is None:
        report.add("note", "token", text("doctor.not_checked",
                                         reason=text("doctor.config_unusable")))
    elif config.workspaces == "many":
        _oauth(report, config)
    else:
        _slack(report, config)
    database_url = config.database_url if config else settings.get("DATABASE_URL")
    if database_url and is_database_url(database_url):
        _database(report, database_url, config.pseudonym_key if config else None)
    else:
        _data_directory(report, config.data_dir if config else
                        Path(settings.get("WI3_DATA_DIR", "data")))
    return report


def _version() -> str:
    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return text("doctor.not_installed")

    return text("doctor.version", wi3=installed("wi3"), python=platform.python_version(),
                bolt=installed("slack-bolt"), sdk=installed("slack-sdk"))


def _configuration(
    report: DoctorReport,
    environ: Mapping[str, str] | None,
    dotenv_path: str | os.PathLike[str] | None,
) -> Config | None:
    try:
        return load_config(environ, dotenv_path)
    except ConfigError as error:
        for problem in error.problems:
            report.add("problem", "config", problem)
        return None


def _mode(report: DoctorReport, settings: Mapping[str, str]) -> None:
    if settings.get("SLACK_APP_TOKEN"):
        report.add("ok", "mode", text("doctor.mode_socket"))
    else:
        report.add("ok", "mode", text("doctor.mode_http", port=settings.get("PORT", "3000")))
    oauth = settings.get("SLACK_CLIENT_ID") or settings.get("SLACK_CLIENT_SECRET")
    if oauth and settings.get("SLACK_BOT_TOKEN"):
        report.add("note", "mode", text("doctor.mode_one_ignores_oauth"))
    elif oauth:
        report.add("ok", "mode", text("doctor.mode_many"))


def _oauth(report: DoctorReport, config: Config) -> None:
    """Multi-workspace mode: Slack accepts the app's credentials (a token exchange with a
    made-up code fails on the code, not on them), and where installers come back to."""
    client = make_client(config, rate_limit_retries=1, connection_retries=0)
    try:
        client.oauth_v2_access(client_id=str(config.client_id),
                               client_secret=str(config.client_secret), code="wi3-doctor")
    except SlackApiError as error:
        if _code(error) in ("invalid_client_id", "bad_client_secret"):
            report.add("problem", "oauth", text("doctor.oauth_rejected", error=_code(error)))
            return
    except (URLError, OSError) as error:
        report.add("problem", "oauth", text("doctor.slack_unreachable", url=config.slack_api_url,
                                            error=type(error).__name__))
        return
    report.add("ok", "oauth", text("doctor.oauth_works", url=config.slack_api_url,
                                   scopes=", ".join(REQUIRED_SCOPES)))
    _redirect(report, config.redirect_uri)
    report.add("ok", "signing", text("doctor.signing_set"))


def _redirect(report: DoctorReport, url: str | None) -> None:
    if url is None:
        report.add("note", "redirect", text("doctor.redirect_unset"))
        return
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1"):
        report.add("problem", "redirect", text("doctor.redirect_not_https", url=url))
    elif parts.path != REDIRECT_PATH:
        report.add("problem", "redirect", text("doctor.redirect_wrong_path", url=url))
    else:
        report.add("ok", "redirect", text("doctor.redirect_ok", url=url))


def _slack(report: DoctorReport, config: Config) -> None:
    """The token (auth.test), the scopes it was granted, and the mode's own credential."""
    client = make_client(config, rate_limit_retries=1, connection_retries=0)
    try:
        response = client.auth_test()
    except SlackApiError as error:
        report.add("problem", "token", text("doctor.token_rejected", error=_code(error)))
        return
    except (URLError, OSError) as error:
        report.add("problem", "token", text("doctor.slack_unreachable", url=config.slack_api_url,
                                            error=type(error).__name__))
        return
    report.add("ok", "token", text(
        "doctor.token_works", team=response.get("team"), team_id=response.get("team_id"),
        user=response.get("user"), url=config.slack_api_url))
    _scopes(report, response)
    if config.app_token:
        _app_token(report, config)
    else:
        report.add("ok", "signing", text("doctor.signing_set"))


def _scopes(report: DoctorReport, response: SlackResponse) -> None:
    granted = granted_scopes(dict(response.headers))
    if not granted:
        report.add("note", "scopes", text("doctor.scopes_unknown"))
        return
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
    if missing:
        report.add("problem", "scopes", text("doctor.scopes_missing", scopes=", ".join(missing)))
    else:
        report.add("ok", "scopes", text("doctor.scopes_ok", count=len(REQUIRED_SCOPES)))


def _app_token(report: DoctorReport, config: Config) -> None:
    """Slack hands out a Socket Mode URL only for a valid app-level token; the URL is
    never connected to, so asking is harmless."""
    client = WebClient(token=config.app_token, base_url=config.slack_api_url, timeout=10)
    try:
        client.apps_connections_open(app_token=str(config.app_token))
    except SlackApiError as error:
        report.add("problem", "app_token", text("doctor.app_token_rejected", error=_code(error)))
        return
    except (URLError, OSError) as error:
        report.add("problem", "app_token", text(
            "doctor.slack_unreachable", url=config.slack_api_url, error=type(error).__name__))
        return
    report.add("ok", "app_token", text("doctor.app_token_works"))


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error", "error")) if error.response else "error"


def _data_directory(report: DoctorReport, data_dir: Path) -> None:
    """Writable (or creatable), and consistent as `python -m storage check` sees it."""
    path = data_dir.absolute()
    if not path.exists():
        _creatable(report, path)
        return
    if not path.is_dir():
        report.add("problem", "data", text("doctor.data_not_a_directory", path=path))
        return
    reason = _unwritable_reason(path)
    if reason is not None:
        report.add("problem", "data", text("doctor.data_not_writable", path=path, reason=reason))
    found = check(path)
    for problem in found.problems:
        report.add("problem", "data", text("doctor.data_problem", problem=problem))
    for note in found.notes:
        report.add("note", "data", text("doctor.data_note", note=note))
    if found.in_use:
        owner = f" (process {found.owner})" if found.owner else ""
        report.add("note", "data", text("doctor.data_in_use", path=path, owner=owner))
    if found.ok and reason is None:
        contents = ", ".join(f"{key}={value}" for key, value in sorted(found.counts.items()))
        report.add("ok", "data", text("doctor.data_ok", path=path,
                                      contents=contents or text("doctor.contents_empty")))


def _database(report: DoctorReport, url: str, pseudonym_key: bytes | None) -> None:
    """Reachable, schema current (or migrations pending), the key set and the one the
    database's answers were stored with."""
    from storage.sql.check import check_database  # SQLAlchemy only when it is used

    found = check_database(url, pseudonym_key)
    for problem in found.problems:
        report.add("problem", "database", text("doctor.database_problem", problem=problem))
    for note in found.notes:
        report.add("note", "database", text("doctor.database_note", note=note))
    if found.schema is not None and found.schema.is_current and not found.problems:
        contents = ", ".join(f"{name}={count}" for name, count in found.counts.items() if count)
        report.add("ok", "database", text("doctor.database_ok", database=found.database,
                                          revision=found.schema.head,
                                          contents=contents or text("doctor.contents_empty")))
    if pseudonym_key is not None and found.schema is not None and found.schema.is_current:
        status: Status = "problem" if found.key_matches is False else "ok"
        report.add(status, "pseudonym_key", text("doctor.pseudonym_key", state=found.key))


def _creatable(report: DoctorReport, path: Path) -> None:
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
        report.add("ok", "data", text("doctor.data_will_create", path=path))
        return
    reason = f"{parent} is not writable" if parent is not None else "no parent directory"
    report.add("problem", "data", text("doctor.data_cannot_create", path=path, reason=reason))


def _unwritable_reason(path: Path) -> str | None:
    """Why a file cannot be created in `path` (None: it can). Tried, not guessed from
    permission bits, so read-only mounts and ACLs count too."""
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-", suffix=".probe"):
            return None
    except OSError as error:
        return error.strerror or type(error).__name__


def healthcheck(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike[str] | None = ".env",
    timeout: float = HEALTH_TIMEOUT_SECONDS,
) -> int:
    """Exit 0 when the bot on this machine answers `GET /healthz` with 200 (on PORT: HTTP
    mode's port or Socket Mode's side port), reading PORT from `.env` too."""
    settings = load_settings(environ, dotenv_path)
    healthy, line = probe(settings.get("PORT", DEFAULT_PORT), timeout)
    print(line)
    return EXIT_OK if healthy else EXIT_PROBLEMS
