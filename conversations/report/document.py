"""What a round's report is made of: plain values, so a report can be drawn elsewhere (in
another process, `bot.drawing`) without this process importing the drawing library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from conversations.i18n import Lang, t
from conversations.results.outcome import RoundOutcome


@dataclass(frozen=True)
class Commitment:
    """One commitment as the report lists it, in the team's language.

    The hook for the team's commitments (the actions feature): a `CommitmentsFor` callable
    handed to `ReportFlow` returns these for a round; by default there are none and the
    report has no commitments section.
    """

    what: str
    owner: str | None = None
    due: date | None = None
    done: bool = False
    follow_up: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything one report shows. `outcome` has a result; `initiatives` holds the last
    outcome per subject (this round's included), in the order the columns go."""

    lang: Lang
    team: str
    outcome: RoundOutcome
    made_at: datetime
    initiatives: tuple[RoundOutcome, ...] = ()
    commitments: tuple[Commitment, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.outcome.result is None:
            raise ValueError("a report is made of a round with a result to show")



def day(lang: str, moment: datetime | date) -> str:
    return moment.strftime(t(lang, "results.chart.date_format"))
