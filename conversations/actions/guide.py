"""The discussion guide goes to every lead of the team when a full round's results are
posted, each in their own language, from the same gated outcome as the channel post."""

from __future__ import annotations

from conversations.actions.base import lang_of
from conversations.outbound import SendDM
from conversations.results.history import History
from conversations.views.guide import guide_message
from model import Content
from storage import ResultSnapshot, Store, Team


def lead_guides(store: Store, history: History, content: Content, snapshot: ResultSnapshot,
                team: Team) -> list[SendDM]:
    """One DM per lead for a diagnostic with a result to discuss; none otherwise (a pulse
    asks too little, and a withheld round has nothing to discuss)."""
    if snapshot.kind != "diagnostic":
        return []
    outcome = history.outcome(snapshot, team)
    guides = []
    for lead in team.leads:
        guide = guide_message(lang_of(store, team.workspace_id, lead, team.language), outcome,
                              content)
        if guide is not None:
            guides.append(SendDM(lead, guide))
    return guides
