"""What a team committed to, as every surface reads it: the list, the tally, since when.

The read API for other surfaces (the channel posts, `/wi3 actions`, App Home, the export,
a round's PDF report): plain functions over `storage.CommitmentStore`, no Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from conversations.i18n import normalise_lang
from model import Content
from storage import Commitment, ResultSnapshot, Round, Store, Team


@dataclass(frozen=True)
class CommitmentTally:
    """How a set of commitments went: "2 of 3 done", how many were dropped, and how many
    are still under way with their due date yet to come (not late: not due)."""

    done: int
    total: int
    dropped: int = 0
    not_due: int = 0

    @property
    def all_done(self) -> bool:
        """Every commitment not dropped is done (and there was one to do)."""
        return self.done > 0 and self.done == self.total - self.dropped


def commitment_text(lang: str, commitment: Commitment, content: Content) -> str:
    """What a commitment says, for a reader of `lang`: a picked suggestion is saved as the
    tip's text in the team's language, and every reader gets that tip in their own (one
    language per message); words the lead wrote stay as written."""
    tip = content.tip_with_text(commitment.text)
    return tip.text.get(normalise_lang(lang)) if tip is not None else commitment.text


def tally(commitments: Iterable[Commitment], *, on: date | None = None
          ) -> CommitmentTally | None:
    """The tally of these commitments; None when there are none (nothing to report).
    With `on`, those under way and due after that day count as not yet due."""
    listed = list(commitments)
    if not listed:
        return None
    states = [c.state for c in listed]
    not_due = sum(1 for c in listed if on is not None and c.is_active and c.due > on)
    return CommitmentTally(done=states.count("done"), total=len(states),
                           dropped=states.count("dropped"), not_due=not_due)


def team_commitments(store: Store, team: Team) -> list[Commitment]:
    """The team's commitments in the order planned."""
    return store.commitments_of_team(team.workspace_id, team.channel_id)


def round_commitments(store: Store, round_id: str) -> list[Commitment]:
    """What the team committed to after one round's results (say, for its report)."""
    round_ = store.get_round(round_id)
    if round_ is None:
        return []
    return [c for c in store.commitments_of_team(round_.workspace_id, round_.channel_id)
            if c.round_id == round_id]


def previous_diagnostic(store: Store, team: Team, snapshot: ResultSnapshot) -> Round | None:
    """The team's last full round that closed before this round (a pulse's or a new
    diagnostic's): the one whose commitments "since last round" counts."""
    earlier = [r for r in store.list_rounds(team.workspace_id, team.channel_id)
               if r.kind == "diagnostic" and r.id != snapshot.round_id
               and r.closed_at is not None and r.closed_at <= snapshot.closed_at]
    return max(earlier, key=lambda r: (r.closed_at, r.opened_at)) if earlier else None


def since_last_round(store: Store, team: Team, snapshot: ResultSnapshot) -> CommitmentTally | None:
    """How the commitments planned after the previous full round went, for the post of
    the round `snapshot` closed (as of the day it closed); None when that round led to
    none."""
    last = previous_diagnostic(store, team, snapshot)
    if last is None:
        return None
    return tally((c for c in team_commitments(store, team) if c.round_id == last.id),
                 on=snapshot.closed_at.date())

