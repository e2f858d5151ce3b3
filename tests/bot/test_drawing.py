"""Heavy files are drawn in another process in production, never in the bot's own."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.drawing import HereAndNow, InAnotherProcess, KeptDrawings
from conversations.outbound import Drawing
from conversations.report.overview import OverviewRow
from model import load_content
from tests.conversations.test_report_pdf import report

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 21, 9, tzinfo=UTC)


def process_id() -> bytes:
    """A drawing that says which process made it."""
    return str(os.getpid()).encode()


def test_a_report_and_a_heat_map_are_drawn_in_a_worker_process() -> None:
    drawer = InAnotherProcess()
    try:
        elsewhere = drawer.draw(Drawing(f"{__name__}:process_id", ()))
        assert elsewhere != str(os.getpid()).encode()  # not this process
        pdf = drawer.draw(Drawing("conversations.report.pdf:report_pdf",
                                  (report(), load_content())))
        assert pdf.startswith(b"%PDF-")
        heat_map = drawer.draw(Drawing("conversations.report.heatmap:heatmap_png",
                                       ("nl", [OverviewRow("C0TEAM001")], load_content()),
                                       {"now": NOW}))
        assert heat_map.startswith(b"\x89PNG")
        assert drawer.draw(Drawing(f"{__name__}:process_id", ())) == elsewhere  # one worker
    finally:
        drawer.close()


def niceness() -> bytes:
    """A drawing that says at which CPU priority it was made."""
    return str(os.nice(0)).encode()


def test_the_worker_gives_way_to_the_bot_on_a_busy_machine() -> None:
    drawer = InAnotherProcess()
    try:
        worker = int(drawer.draw(Drawing(f"{__name__}:niceness", ())))
        assert worker > os.nice(0)  # a lower priority than the bot's own
    finally:
        drawer.close()


def test_here_and_now_draws_in_this_process() -> None:
    assert HereAndNow().draw(Drawing(f"{__name__}:process_id", ())) == \
        str(os.getpid()).encode()


def test_the_bot_does_not_import_the_drawing_library_to_start() -> None:
    """Charts and reports import matplotlib when first drawn (about 0.8 s of the start)."""
    code = ("import sys, bot.runtime, bot.services, bot.app; "
            "print('matplotlib' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                           text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_the_same_drawing_asked_again_is_not_drawn_again() -> None:
    """`/wi3 status all` twice with nothing changed: the worker draws the heat map once."""
    drawer = InAnotherProcess()
    try:
        first = drawer.draw(Drawing(f"{__name__}:counted", ("C0TEAM001",)))
        assert drawer.draw(Drawing(f"{__name__}:counted", ("C0TEAM001",))) == first
        other = drawer.draw(Drawing(f"{__name__}:counted", ("C0TEAM002",)))
        assert other != first  # other arguments: drawn
    finally:
        drawer.close()


DRAWN: list[str] = []


def counted(channel: str) -> bytes:
    """A drawing that says how many drawings its process made before it."""
    DRAWN.append(channel)
    return f"{channel}:{len(DRAWN)}".encode()


def test_kept_drawings_stay_within_their_bytes() -> None:
    kept = KeptDrawings(limit_bytes=10)
    kept.put(b"a", b"123456")
    kept.put(b"b", b"7890")
    assert kept.get(b"a") == b"123456"
    kept.put(b"c", b"xyz")  # over ten bytes: the least recently asked ("b") goes
    assert kept.get(b"b") is None
    assert kept.get(b"a") == b"123456" and kept.get(b"c") == b"xyz"
    kept.put(b"d", b"far too many bytes")  # larger than the whole budget: not kept
    assert kept.get(b"d") is None


def test_the_bot_on_files_does_not_import_the_database_library_to_start() -> None:
    """On TinyDB, SQLAlchemy (about 0.15 s of every start) is imported only by the modes
    that use a database."""
    code = ("import sys, bot.__main__, bot.runtime, bot.services, bot.app, bot.oauth; "
            "print('sqlalchemy' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                           text=True, check=True)
    assert shown.stdout.strip() == "False"
