"""Logging set-up with a last line of defence against leaking tokens.

The code never logs a token on purpose; the redacting filter catches accidents (a library
logging a request, an exception message quoting a header) before they reach the output.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Slack tokens: bot/user/app-level/refresh/config tokens and signing-secret-like values.
_TOKEN_PATTERN = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
_REDACTED = "[redacted]"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces known secret values and anything shaped like a Slack token."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secret for secret in secrets if secret)

    def redact(self, message: str) -> str:
        for secret in self.secrets:
            message = message.replace(secret, _REDACTED)
        return _TOKEN_PATTERN.sub(_REDACTED, message)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            cleaned_exc = self.redact(logging.Formatter().formatException(record.exc_info))
            cleaned = f"{cleaned} | {one_line(cleaned_exc)}"
            record.exc_info = None
            record.exc_text = None
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def one_line(text: str) -> str:
    """A multi-line text (a traceback) as one log line, its lines joined by " | "."""
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Root logging at `level`, every handler redacting `secrets` and token-shaped text."""
    logging.basicConfig(level=level, format=_FORMAT, force=True)
    redactor = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
