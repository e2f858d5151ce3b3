"""Reading a report as its reader would: the PDF's text, extracted with pypdf."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from pypdf import PdfReader

from conversations.outbound import Drawing
from conversations.results.outcome import RoundOutcome, Withheld
from model import TeamResult

CLOSED = datetime(2026, 3, 20, 12, tzinfo=UTC)


def pdf_pages(pdf: bytes | Drawing) -> list[str]:
    """Each page's text, all whitespace removed: pypdf reads a kerned pair ("Te", "Tw")
    as two words, so words are compared without the spaces between them. A report a flow
    returned is still to be drawn (`conversations.outbound.Drawing`): drawn here."""
    if isinstance(pdf, Drawing):
        pdf = pdf.draw()
    assert pdf.startswith(b"%PDF-")
    return [squash(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes | Drawing) -> str:
    return "".join(pdf_pages(pdf))


def squash(text: str) -> str:
    """Text as `pdf_pages` gives it: without any whitespace."""
    return re.sub(r"\s+", "", text)


def after(text: str, start: str, end: str) -> str:
    """The part of `text` between `start` and the next `end` (what a statement's row says)."""
    begin = text.index(squash(start)) + len(squash(start))
    stop = text.find(squash(end), begin)
    return text[begin:stop if stop >= 0 else None]


def outcome(
    result: TeamResult | None, *, subject: str = "our wiki", closed: datetime = CLOSED,
    previous: TeamResult | None = None, previous_closed: datetime | None = None,
    responses: int = 5, invited: int = 7, round_id: str = "R1",
) -> RoundOutcome:
    return RoundOutcome(
        round_id=round_id, kind="diagnostic", subject=subject, channel_id="C0TEAM",
        closed_at=closed, invited=invited, responses=responses, min_responses=3,
        result=result, withheld=None if result is not None else Withheld.MINIMUM,
        previous=previous, previous_closed_at=previous_closed,
    )
