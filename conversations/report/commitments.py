"""What the team committed to after the reported round, as its PDF report lists it."""

from __future__ import annotations

from collections.abc import Callable

from conversations.actions.read import commitment_text, round_commitments
from conversations.i18n import t
from conversations.report.document import Commitment
from conversations.report.flow import CommitmentsFor
from conversations.results.outcome import RoundOutcome
from model import load_content
from storage import Store, Team

NameOf = Callable[[str, str], str | None]
"""A person's shown name from (workspace id, user id), or None when unknown."""


def for_reports(store: Store, name_of: NameOf) -> CommitmentsFor:
    """The report's hook: the text, the owner by name (a PDF cannot show a mention), the
    due date and how it went, for the commitments planned after the reported round."""

    def commitments(team: Team, outcome: RoundOutcome) -> list[Commitment]:
        lang = team.language
        return [
            Commitment(
                what=commitment_text(lang, c, load_content()),
                owner=(name_of(team.workspace_id, c.owner) or c.owner) if c.owner else None,
                due=c.due,
                done=c.state == "done",
                follow_up=(t(lang, f"actions.state.{c.state}"),)
                if c.state in ("working", "dropped") else (),
            )
            for c in round_commitments(store, outcome.round_id)
        ]

    return commitments
