"""Logging set-up: one event per line, as text or JSON, never with a token in it.

`WI3_LOG_FORMAT=text` (the default) writes `time LEVEL logger: message`, an exception's
traceback joined onto its line with " | ". `WI3_LOG_FORMAT=json` writes one JSON object
per line (python-json-logger) for a log pipeline: `time` (UTC, ISO 8601), `level`,
`logger`, `message`, any `extra` fields, and for an error `exception` with its `type`,
`message` and `traceback`.

Redaction happens twice. A filter on the handler redacts the message of every record
before any formatter sees it; the formatters redact everything they write (the
traceback, the exception's message) once more. The record itself keeps its `exc_info`,
so another handler (an error tracker's) still gets the exception object.

The code never logs a token on purpose; this catches accidents (a library logging a
request, an exception message quoting a header) before they reach the output.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

# Slack tokens: bot/user/app-level/refresh/config tokens and signing-secret-like values.
_TOKEN_PATTERN = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
_REDACTED = "[redacted]"
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_JSON_FIELDS = ("asctime", "levelname", "name", "message")
_JSON_NAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


class Redactor:
    """Replaces known secret values and anything shaped like a Slack token."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(secret for secret in secrets if secret)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, _REDACTED)
        return _TOKEN_PATTERN.sub(_REDACTED, text)


class RedactSecrets(logging.Filter):
    """Redacts a record's message (its text with the arguments filled in)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def one_line(text: str) -> str:
    """A multi-line text (a traceback) as one log line, its lines joined by " | "."""
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


class OneLineText(logging.Formatter):
    """`time LEVEL logger: message | traceback`, redacted, on one line. The traceback is
    formatted here and not cached on the record, so other formatters make their own."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(_TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        if record.exc_info:
            line += " | " + one_line(self.formatException(record.exc_info))
        if record.stack_info:
            line += " | " + one_line(self.formatStack(record.stack_info))
        return self.redact(line)


class JsonLines(JsonFormatter):
    """One JSON object per event, every string in it redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(list(_JSON_FIELDS), rename_fields=_JSON_NAMES)
        self.redact = redact

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord,
                   message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        traceback = log_data.pop("exc_info", None)
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            log_data["exception"] = {"type": _qualified_name(type(error)),
                                     "message": str(error), "traceback": traceback}

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        redacted = _redacted(log_data, self.redact)
        assert isinstance(redacted, dict)
        return redacted


def _qualified_name(kind: type[BaseException]) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _redacted(value: Any, redact: Redactor) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item, redact) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, redact) for item in value]
    return value


def configure_logging(level: str = "INFO", secrets: Iterable[str] = (),
                      log_format: LogFormat = "text") -> None:
    """Root logging at `level` to standard error, in `log_format`, redacting `secrets`
    and token-shaped text."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines(redact) if log_format == "json" else OneLineText(redact))
    handler.addFilter(RedactSecrets(redact.secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
