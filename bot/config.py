"""Configuration from the environment and a `.env` file, checked before anything starts.

Every problem is reported at once, in one line that names the variable and says how to
fix it, so an operator never has to read a traceback. Secret values are never echoed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.logs import LOG_FORMATS, LogFormat
from bot.texts import text
from storage import DEFAULT_RETENTION_DAYS, is_database_url
from storage.pseudonyms import parse_key

Mode = Literal["socket", "http"]
Workspaces = Literal["one", "many"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_API_URL = "https://slack.com/api/"
SETTING_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_REDIRECT_URI",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "PORT",
    "SLACK_API_URL",
    "WI3_DATA_DIR",
    "DATABASE_URL",
    "DATABASE_PASSWORD",
    "WI3_PSEUDONYM_KEY",
    "WI3_RETENTION_DAYS",
    "WI3_UNINSTALL_GRACE_DAYS",
    "WI3_TICK_SECONDS",
    "WI3_LEASE_SECONDS",
    "WI3_TIMEZONE",
    "LOG_LEVEL",
    "WI3_LOG_FORMAT",
    "WI3_PUBLIC_URL",
)
_SHOWN_VALUE_MAX = 40
DEFAULT_UNINSTALL_GRACE_DAYS = 30


class ConfigError(Exception):
    """Missing or malformed configuration; `str()` is the one line to show the operator."""

    def __init__(self, problems: list[str], missing: list[str]) -> None:
        self.problems = tuple(problems)
        self.missing = tuple(missing)
        line = text(
            "config.error_line",
            problems="; ".join(problems),
            how_to_fix=text("config.how_to_fix"),
        )
        super().__init__(line)


@dataclass(frozen=True)
class Config:
    """Everything the bot needs to start, already validated."""

    bot_token: str | None
    """Set: one workspace, this token's; unset: many workspaces, each installing wi3 with
    OAuth (client_id and client_secret)."""
    signing_secret: str | None
    app_token: str | None
    port: int = 3000
    slack_api_url: str = DEFAULT_API_URL
    data_dir: Path = Path("data")
    database_url: str | None = None
    """Set: PostgreSQL (several instances may share it); unset: TinyDB in data_dir.
    With DATABASE_PASSWORD set, the password is in it (URL-encoded)."""
    pseudonym_key: bytes | None = None
    """WI3_PSEUDONYM_KEY, required with database_url (with TinyDB: data_dir/secret.key)."""
    retention_days: int = DEFAULT_RETENTION_DAYS
    tick_seconds: int = 30
    """How often the scheduler looks for due work (rounds to close, pulses, reminders)."""
    lease_seconds: int = 60
    """How long an instance's claim on a message or a scheduler job lasts unrenewed: how
    soon another instance takes over from one that died."""
    timezone: str = "Europe/Amsterdam"
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    """WI3_LOG_FORMAT: `text` lines, or one JSON object per line (`bot.logs`)."""
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None
    """SLACK_REDIRECT_URI: where Slack sends an installer back (…/slack/oauth_redirect);
    unset: the first redirect URL configured for the app at Slack."""
    uninstall_grace_days: int = DEFAULT_UNINSTALL_GRACE_DAYS
    sign_in: tuple[str, str] | None = None
    """(client id, client secret) for Sign in with Slack on the dashboard, in either
    mode: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET both set; None: nobody can sign in."""
    public_url: str | None = None
    """WI3_PUBLIC_URL (https://wi3.example.org): where browsers reach wi3, for the
    dashboard's sign-in redirect and Secure cookies; unset: the request's own host."""

    @property
    def mode(self) -> Mode:
        """Socket Mode when an app-level token is configured, else HTTP mode."""
        return "socket" if self.app_token else "http"

    @property
    def workspaces(self) -> Workspaces:
        """One workspace with a bot token; many, installed with OAuth, without one."""
        return "one" if self.bot_token else "many"

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def secrets(self) -> tuple[str, ...]:
        """The values that must never reach a log line."""
        password = urlsplit(self.database_url).password if self.database_url else None
        values = (self.bot_token, self.signing_secret, self.app_token, self.database_url,
                  self.pseudonym_key.hex() if self.pseudonym_key else None, self.client_secret,
                  password, unquote(password) if password else None,
                  self.sign_in[1] if self.sign_in else None)
        return tuple(value for value in values if value)

    def __repr__(self) -> str:
        def shown(secret: str | bytes | None) -> str:
            return "'<set>'" if secret else "None"

        return (
            f"Config(mode={self.mode!r}, workspaces={self.workspaces!r}, "
            f"bot_token={shown(self.bot_token)}, client_id={self.client_id!r}, "
            f"client_secret={shown(self.client_secret)}, redirect_uri={self.redirect_uri!r}, "
            f"signing_secret={shown(self.signing_secret)}, app_token={shown(self.app_token)}, "
            f"port={self.port!r}, slack_api_url={self.slack_api_url!r}, "
            f"data_dir={str(self.data_dir)!r}, database_url={shown(self.database_url)}, "
            f"pseudonym_key={shown(self.pseudonym_key)}, "
            f"retention_days={self.retention_days!r}, "
            f"uninstall_grace_days={self.uninstall_grace_days!r}, "
            f"tick_seconds={self.tick_seconds!r}, lease_seconds={self.lease_seconds!r}, "
            f"timezone={self.timezone!r}, log_level={self.log_level!r}, "
            f"log_format={self.log_format!r}, "
            f"sign_in={shown(self.sign_in[1] if self.sign_in else None)}, "
            f"public_url={self.public_url!r})"
        )

    __str__ = __repr__


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike[str] | None = ".env",
) -> dict[str, str]:
    """The raw settings: `.env` values overlaid by the environment, blanks dropped.

    A blank value counts as unset, so a copied `.env.example` with empty lines behaves
    like a file without them (an empty `SLACK_APP_TOKEN=` means HTTP mode).
    """
    merged: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        for name, value in dotenv_values(dotenv_path).items():
            if value is not None and value.strip():
                merged[name] = value.strip()
    source = os.environ if environ is None else environ
    for name, value in source.items():
        if value is not None and value.strip():
            merged[name] = value.strip()
    return merged


def load_config(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike[str] | None = ".env",
) -> Config:
    """Build a `Config` from the environment (which wins) and a `.env` file.

    Raises `ConfigError` naming every missing or malformed variable.
    """
    settings = load_settings(environ, dotenv_path)
    checker = _Checker(settings)
    bot_token, client_id, client_secret = checker.credentials()
    app_token = checker.app_token()
    if bot_token is None and app_token is not None:
        checker.problems.append(text("config.oauth_needs_http"))
    signing_secret = checker.signing_secret(http_mode=app_token is None)
    redirect_uri = checker.redirect_uri()
    grace = checker.whole_number("WI3_UNINSTALL_GRACE_DAYS", DEFAULT_UNINSTALL_GRACE_DAYS, 0,
                                 None, "config.bad_uninstall_grace")
    port = checker.whole_number("PORT", 3000, 0, 65535, "config.bad_port")
    api_url = checker.api_url()
    retention = checker.whole_number(
        "WI3_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, None, "config.bad_retention"
    )
    tick = checker.whole_number("WI3_TICK_SECONDS", 30, 1, 3600, "config.bad_tick")
    lease = checker.whole_number("WI3_LEASE_SECONDS", 60, 5, 3600, "config.bad_lease")
    database_url, pseudonym_key = checker.database()
    timezone = checker.timezone()
    log_level = checker.log_level()
    log_format = checker.log_format()
    public_url = checker.public_url()
    checker.raise_if_any()
    sign_in_id = settings.get("SLACK_CLIENT_ID")
    sign_in_secret = settings.get("SLACK_CLIENT_SECRET")
    return Config(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        port=port,
        slack_api_url=api_url,
        data_dir=Path(settings.get("WI3_DATA_DIR", "data")),
        database_url=database_url,
        pseudonym_key=pseudonym_key,
        retention_days=retention,
        tick_seconds=tick,
        lease_seconds=lease,
        timezone=timezone,
        log_level=log_level,
        log_format=log_format,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        uninstall_grace_days=grace,
        sign_in=(sign_in_id, sign_in_secret) if sign_in_id and sign_in_secret else None,
        public_url=public_url,
    )


class _Checker:
    """Collects problems while reading settings, so all are reported in one line."""

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.settings = settings
        self.problems: list[str] = []
        self.missing: list[str] = []

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(self.problems, self.missing)

    def _missing(self, name: str, problem: str | None = None) -> None:
        self.missing.append(name)
        self.problems.append(problem or text("config.missing", name=name))

    def credentials(self) -> tuple[str | None, str | None, str | None]:
        """(bot token, client id, client secret): a bot token for one workspace, or the
        app's OAuth credentials for many (DESIGN: both set, bot token unset)."""
        token = self.settings.get("SLACK_BOT_TOKEN")
        client_id = self.settings.get("SLACK_CLIENT_ID")
        client_secret = self.settings.get("SLACK_CLIENT_SECRET")
        if token is not None:
            if not _looks_like(token, "xoxb-"):
                self.problems.append(text("config.bad_bot_token"))
            return token, None, None
        if client_id is None and client_secret is None:
            self._missing("SLACK_BOT_TOKEN", text("config.missing_bot_token"))
            return None, None, None
        for name, value in (("SLACK_CLIENT_ID", client_id),
                            ("SLACK_CLIENT_SECRET", client_secret)):
            if value is None:
                self._missing(name, text("config.missing_oauth", name=name))
        return None, client_id, client_secret

    def redirect_uri(self) -> str | None:
        raw = self.settings.get("SLACK_REDIRECT_URI")
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.problems.append(text("config.bad_redirect_uri", value=_shown(raw)))
            return None
        return raw

    def public_url(self) -> str | None:
        raw = self.settings.get("WI3_PUBLIC_URL")
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            self.problems.append(text("config.bad_public_url", value=_shown(raw)))
            return None
        return f"{parts.scheme}://{parts.netloc}"

    def app_token(self) -> str | None:
        token = self.settings.get("SLACK_APP_TOKEN")
        if token is not None and not _looks_like(token, "xapp-"):
            self.problems.append(text("config.bad_app_token"))
        return token

    def signing_secret(self, *, http_mode: bool) -> str | None:
        secret = self.settings.get("SLACK_SIGNING_SECRET")
        if secret is None and http_mode:
            self._missing("SLACK_SIGNING_SECRET", text("config.missing_signing_secret"))
        return secret

    def whole_number(
        self, name: str, default: int, low: int, high: int | None, problem_key: str
    ) -> int:
        raw = self.settings.get(name)
        if raw is None:
            return default
        try:
            number = int(raw)
        except ValueError:
            number = low - 1
        if number < low or (high is not None and number > high):
            self.problems.append(text(problem_key, value=_shown(raw)))
            return default
        return number

    def database(self) -> tuple[str | None, bytes | None]:
        """DATABASE_URL, and the pseudonym key it requires (never kept in the database)."""
        url = self.settings.get("DATABASE_URL")
        if url is None:
            return None, None
        if not is_database_url(url):
            self.problems.append(text("config.bad_database_url"))
        url = self.with_password(url)
        raw_key = self.settings.get("WI3_PSEUDONYM_KEY")
        if raw_key is None:
            self._missing("WI3_PSEUDONYM_KEY", text("config.missing_pseudonym_key"))
            return url, None
        try:
            return url, parse_key(raw_key)
        except ValueError:
            self.problems.append(text("config.bad_pseudonym_key"))
            return url, None

    def with_password(self, url: str) -> str:
        """DATABASE_PASSWORD, URL-encoded into DATABASE_URL: a password holding `@`, `/`
        or `:` cannot break the URL (compose.postgresql.yaml passes it this way)."""
        password = self.settings.get("DATABASE_PASSWORD")
        if password is None:
            return url
        parts = urlsplit(url)
        if parts.password is not None:
            self.problems.append(text("config.database_password_twice"))
            return url
        if not parts.username:
            self.problems.append(text("config.database_password_without_user"))
            return url
        netloc = f"{parts.username}:{quote(password, safe='')}@{parts.netloc.split('@', 1)[1]}"
        return urlunsplit(parts._replace(netloc=netloc))

    def log_format(self) -> LogFormat:
        raw = self.settings.get("WI3_LOG_FORMAT", "text")
        for known in LOG_FORMATS:
            if raw.lower() == known:
                return known
        self.problems.append(text("config.bad_log_format", value=_shown(raw)))
        return "text"

    def api_url(self) -> str:
        raw = self.settings.get("SLACK_API_URL", DEFAULT_API_URL)
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.problems.append(text("config.bad_api_url", value=_shown(raw)))
            return DEFAULT_API_URL
        return raw if raw.endswith("/") else raw + "/"

    def timezone(self) -> str:
        name = self.settings.get("WI3_TIMEZONE", "Europe/Amsterdam")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.problems.append(text("config.bad_timezone", value=_shown(name)))
        return name

    def log_level(self) -> str:
        raw = self.settings.get("LOG_LEVEL", "INFO")
        level = raw.upper()
        if level not in LOG_LEVELS:
            self.problems.append(text("config.bad_log_level", value=_shown(raw)))
            return "INFO"
        return level


def _looks_like(token: str, prefix: str) -> bool:
    return token.startswith(prefix) and len(token) > len(prefix) and not any(
        character.isspace() for character in token
    )


def _shown(value: str) -> str:
    """A value safe to echo: quoted, shortened, and hidden if it looks like a secret."""
    if value.startswith(("xox", "xapp-")):
        return "a token-like value, not shown"
    if len(value) > _SHOWN_VALUE_MAX:
        value = value[:_SHOWN_VALUE_MAX] + "..."
    return repr(value)
