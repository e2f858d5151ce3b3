"""Tokens never reach the log output, even when code or a library tries to log them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.logs import RedactSecrets, configure_logging

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", secrets=[SIGNING_SECRET])
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def test_token_shaped_text_is_redacted(log_output: io.StringIO) -> None:
    logging.getLogger("slack_sdk").debug("Authorization: Bearer %s", "xoxb-123-456-abcDEF")
    logging.getLogger("wi3").info("app token xapp-1-A111-222-xyz in a message")
    written = log_output.getvalue()
    assert "xoxb-123-456-abcDEF" not in written and "xapp-1-A111-222-xyz" not in written
    assert written.count("[redacted]") == 2


def test_the_configured_secrets_are_redacted(log_output: io.StringIO) -> None:
    logging.getLogger("wi3").warning("secret is %s", SIGNING_SECRET)
    assert SIGNING_SECRET not in log_output.getvalue()


def test_secrets_in_exception_tracebacks_are_redacted(log_output: io.StringIO) -> None:
    try:
        raise RuntimeError(f"bad token xoxb-999-leak and {SIGNING_SECRET}")
    except RuntimeError:
        logging.getLogger("wi3").exception("request failed")
    written = log_output.getvalue()
    assert "RuntimeError" in written and "request failed" in written
    assert "xoxb-999-leak" not in written and SIGNING_SECRET not in written


def test_ordinary_messages_pass_unchanged() -> None:
    record = logging.LogRecord("wi3", logging.INFO, __file__, 1, "round %s closed", ("R7",), None)
    assert RedactSecrets(["s3cret"]).filter(record)
    assert record.getMessage() == "round R7 closed"


def test_an_error_with_its_traceback_is_one_line(log_output: io.StringIO) -> None:
    try:
        raise ValueError("broken payload")
    except ValueError:
        logging.getLogger("wi3").exception("a click failed")
    lines = log_output.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "a click failed | Traceback" in lines[0] and "ValueError: broken payload" in lines[0]


@pytest.fixture
def json_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", secrets=[SIGNING_SECRET], log_format="json")
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_time_level_logger_message_and_extra_fields(
    json_output: io.StringIO,
) -> None:
    logging.getLogger("wi3.bot.runtime").info("listening on port %s", 3000,
                                              extra={"mode": "http"})
    [line] = lines_of(json_output)
    assert (line["level"], line["logger"], line["message"], line["mode"]) == (
        "INFO", "wi3.bot.runtime", "listening on port 3000", "http")
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    assert "exception" not in line


def test_a_json_error_has_the_exception_as_a_field_and_no_secret(
    json_output: io.StringIO,
) -> None:
    try:
        raise ValueError(f"bad token xoxb-999-leak and {SIGNING_SECRET}")
    except ValueError:
        logging.getLogger("wi3").exception("a click failed for %s", "xapp-1-A1-2-zz")
    [line] = lines_of(json_output)
    assert line["message"] == "a click failed for [redacted]"
    exception = line["exception"]
    assert exception["type"] == "ValueError"
    assert exception["message"] == "bad token [redacted] and [redacted]"
    assert exception["traceback"].startswith("Traceback (most recent call last)")
    assert "test_logs.py" in exception["traceback"]
    written = json_output.getvalue()
    assert "xoxb-999-leak" not in written and SIGNING_SECRET not in written
    assert "xapp-1-A1-2-zz" not in written


def test_the_record_keeps_its_exception_for_other_handlers(log_output: io.StringIO) -> None:
    """An error tracker's handler gets the exception object, not a folded text."""
    seen: list[logging.LogRecord] = []

    class Tracker(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    tracker = Tracker()
    logging.getLogger().addHandler(tracker)
    try:
        try:
            raise KeyError("missing")
        except KeyError:
            logging.getLogger("wi3").exception("lookup failed")
    finally:
        logging.getLogger().removeHandler(tracker)
    [record] = seen
    assert record.exc_info is not None and isinstance(record.exc_info[1], KeyError)
    assert record.getMessage() == "lookup failed"
    assert "lookup failed | Traceback" in log_output.getvalue()
