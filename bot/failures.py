"""What went wrong, said once: one log line for the operator, one kind line for the person.

Bolt's global error handler (`bot.listeners.errors`) and the sender use these, so every
failure on any path reads the same: a full disk is "could not save, try again" whether it
struck an answer, a setting or the user cache.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from conversations.i18n import Lang, has, t
from conversations.refs import BadRef
from storage import RoundClosedError, StorageError, UnknownRoundError

logger = logging.getLogger(f"wi3.{__name__}")

EXPECTED = (SlackApiError, StorageError, BadRef)
"""Failures the outside world causes (Slack, the disk, a tampered button): one line in
the log. Anything else is a bug and keeps its traceback."""


def slack_error_code(error: SlackApiError) -> str:
    return str(error.response.get("error", "unknown_error")) if error.response else "unknown"


def explain(error: Exception, lang: Lang, channel: str = "") -> str:
    """What to tell the person whose request `error` interrupted."""
    if isinstance(error, SlackApiError):
        code = slack_error_code(error)
        key = f"errors.{code}" if has(f"errors.{code}") else "common.error_generic"
    elif isinstance(error, RoundClosedError):
        key = "question.round_closed"
    elif isinstance(error, UnknownRoundError):
        key = "question.round_unknown"
    elif isinstance(error, StorageError):
        key = "errors.storage"
    elif isinstance(error, BadRef):
        key = "errors.malformed"
    else:
        key = "common.error_generic"
    return t(lang, key, channel=channel)


def log_failure(error: Exception, doing: str) -> None:
    """One line for the operator; a traceback only for what no outside cause explains."""
    if isinstance(error, SlackApiError):
        logger.warning("%s: Slack said %s", doing, slack_error_code(error))
    elif isinstance(error, EXPECTED):
        logger.warning("%s: %s: %s", doing, type(error).__name__, error)
    else:
        logger.error("%s failed", doing, exc_info=error)
