"""How big and how slow are the organisation heat map and the report PDF?

    python bench/reports.py              heat map at 5 and 5,000 teams, report PDF, 5 runs each
    python bench/reports.py --quick      one run each
    python bench/reports.py --teams 5 50000 --runs 3

What is timed is what `/wi3 status all` and `/wi3 report` do after the data is read:
`heatmap_png` (grouping, sorting, cutting and drawing), `overview_csv` and `counts_text`
on plain overview rows, and `report_pdf` for one round with a previous round, a second
initiative and a commitment. The rows are made up (a fixed seed): 5% of the teams without
a closed round, 7% below their minimum, the rest placed around a random level with the odd
divided element (placed, scoring v3), element short of answers (a range) or unanswered
one. Reading the teams' results (the overview's data access) is not part of it.

Targets: the heat map's pixel height stays bounded whatever the number of teams, under 1
MB and under 2 s at 5,000 teams; the CSV has every team. The last line is one JSON object
with every figure printed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import struct
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conversations.report.heatmap import heatmap_png
from conversations.report.overview import (
    ElementCell,
    OverviewRow,
    counts_text,
    grouped,
    overview_csv,
)
from conversations.report.pdf import Commitment, Report, report_pdf
from conversations.results.outcome import RoundOutcome
from model import Element, Phase, load_content, score_team

CONTENT = load_content()
NOW = datetime(2026, 3, 21, 9, tzinfo=UTC)
SUBJECTS = ("our use of social tools at work", "our wiki", "the intranet", "Yammer")


def made_up_rows(teams: int, seed: int = 16) -> list[OverviewRow]:
    rng = random.Random(seed)
    rows = []
    for number in range(teams):
        channel = f"C{number:08d}"
        kind = rng.random()
        if kind < 0.05:
            rows.append(OverviewRow(channel))
            continue
        closed = NOW - timedelta(days=rng.randint(1, 400))
        subject = rng.choice(SUBJECTS)
        if kind < 0.12:
            rows.append(OverviewRow(channel, subject, closed, 2, rng.randint(4, 12), 3))
            continue
        level = rng.uniform(0.2, 3.6)
        cells = []
        for element in Element:
            draw = rng.random()
            position = min(max(level + rng.uniform(-0.8, 0.8), 0.0), 3.99)
            phase = Phase(int(position))
            if draw < 0.03:
                cells.append(ElementCell(element, None, None, False, 0.0, 4.0))
            elif draw < 0.08:  # divided: keeps its position (scoring v3)
                cells.append(ElementCell(element, phase, position, True, position, position))
            elif draw < 0.12:  # some statements short of answers: a range
                cells.append(ElementCell(element, phase, position, False,
                                         max(position - 0.6, 0.0), min(position + 0.6, 4.0)))
            else:
                cells.append(ElementCell(element, phase, position, False, position, position))
        lows = [cell.low for cell in cells if cell.low is not None]
        rows.append(OverviewRow(channel, subject, closed, rng.randint(3, 12), 12, 3,
                                Phase(min(int(min(lows)), 3)), tuple(cells)))
    return rows


def timed(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Median seconds over `runs`, and the last result."""
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def heat_map_figures(teams: int, runs: int) -> dict[str, Any]:
    rows = made_up_rows(teams)
    seconds, png = timed(runs, lambda: heatmap_png("en", rows, CONTENT, now=NOW))
    csv_seconds, csv_text = timed(runs, lambda: overview_csv("en", rows, CONTENT))
    counts_seconds, _ = timed(runs, lambda: counts_text("en", rows, CONTENT))
    width, height = png_size(png)
    groups = grouped(rows)
    return {
        "teams": teams,
        "heatmap_seconds": round(seconds, 3),
        "png_bytes": len(png),
        "png_pixels": f"{width}x{height}",
        "rows_drawn": sum(len(g.rows) for g in groups),
        "rows_cut": sum(g.hidden for g in groups),
        "csv_seconds": round(csv_seconds, 3),
        "csv_bytes": len(csv_text.encode()),
        "csv_lines": csv_text.count("\r\n"),
        "counts_seconds": round(counts_seconds, 4),
    }


def report_figures(runs: int) -> dict[str, Any]:
    def team(p1: int, p2: int, p3: int) -> Any:
        answers = {item.id: {Phase.PIONEERING: p1, Phase.FACILITATING: p2,
                             Phase.STRATEGIC: p3}[item.phase]
                   for item in CONTENT.questionnaire.items}
        return score_team([answers, {**answers, "W1": 1}, {**answers, "W1": 5}, answers],
                          barriers=[["time"], ["time", "budget"], ["roi"]])

    def outcome(result: Any, subject: str, day: int, previous: Any = None) -> RoundOutcome:
        return RoundOutcome(
            round_id=f"R{day}", kind="diagnostic", subject=subject, channel_id="C0BENCH",
            closed_at=datetime(2026, 3, day, tzinfo=UTC), invited=6, responses=4,
            min_responses=3, result=result, previous=previous,
            previous_closed_at=datetime(2025, 11, 3, tzinfo=UTC) if previous else None)

    this = outcome(team(4, 4, 2), SUBJECTS[0], 20, previous=team(4, 3, 2))
    report = Report(lang="en", team="#bench", outcome=this, made_at=NOW,
                    initiatives=(this, outcome(team(3, 2, 1), SUBJECTS[1], 12)),
                    commitments=(Commitment("Share one lesson a week", "Alex",
                                            date(2026, 4, 1)),))
    report_pdf(report, CONTENT)  # fonts loaded once, as in a running bot
    seconds, pdf = timed(runs, lambda: report_pdf(report, CONTENT))
    return {"report_seconds": round(seconds, 3), "report_bytes": len(pdf),
            "report_pages": pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--teams", type=int, nargs="+", default=[5, 5000])
    options = parser.parse_args()
    runs = 1 if options.quick else options.runs
    heatmap_png("en", made_up_rows(5), CONTENT, now=NOW)  # warm up fonts and caches
    figures: dict[str, Any] = {"runs": runs, "heat_maps": []}
    for teams in options.teams:
        found = heat_map_figures(teams, runs)
        figures["heat_maps"].append(found)
        print(f"{teams:>6} teams: heat map {found['heatmap_seconds']:.3f} s, "
              f"{found['png_bytes']:,} bytes, {found['png_pixels']} px, "
              f"{found['rows_drawn']} rows drawn, {found['rows_cut']} cut; "
              f"CSV {found['csv_seconds']:.3f} s, {found['csv_lines']:,} lines, "
              f"{found['csv_bytes']:,} bytes")
    figures.update(report_figures(runs))
    print(f"report PDF: {figures['report_seconds']:.3f} s, {figures['report_bytes']:,} bytes")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
