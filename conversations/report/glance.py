"""What `/wi3 status all` adds for a workspace admin: the organisation at a glance.

Besides the overview's text, the admin gets by DM the heat map (with the counts per
element and phase as its comment) and a CSV of every team, and a line saying both are on
their way. Built from the overview's rows, which passed the privacy gate. Both files are
`Drawing`s: for 5,000 teams each is a few tenths of a second of CPU, made away from the
clicks, and asked with nothing finer than the day in them, so while no team's row changes
the bot sends the files it drew before (`bot.drawing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from conversations.context import Caller
from conversations.i18n import t
from conversations.outbound import Drawing, Reply, UploadFile
from conversations.report.overview import counts_text, overview_rows
from conversations.views.diagnostic import notice
from conversations.views.status import TeamRow
from model import Content


@dataclass(frozen=True)
class Glance:
    notice: Reply
    files: tuple[UploadFile, ...]


def at_a_glance(
    caller: Caller, rows: Sequence[TeamRow], content: Content, now: datetime
) -> Glance | None:
    """The heat map and CSV for the admin's DM; None when there are no teams."""
    if not rows:
        return None
    lang = caller.lang
    plain = overview_rows(rows)
    stem = f"wi3-overview-{caller.workspace_id}-{now:%Y%m%d}"
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)  # the map shows the date
    png = Drawing("conversations.report.heatmap:heatmap_png", (lang, plain, content),
                  {"now": day})
    table = Drawing("conversations.report.overview:overview_csv_bytes", (lang, plain, content))
    return Glance(
        notice=Reply(notice(t(lang, "overview.notice", count=len(rows)))),
        files=(
            UploadFile(None, caller.user_id, f"{stem}.png", png,
                       t(lang, "overview.heatmap_title"),
                       comment=counts_text(lang, plain, content)),
            UploadFile(None, caller.user_id, f"{stem}.csv", table,
                       t(lang, "overview.csv_title")),
        ),
    )
