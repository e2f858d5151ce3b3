"""The discussion guide goes to every lead of the team when a full round's results are
posted, each in their own language, from the same gated outcome as the channel post."""

from __future__ import annotations

from conversations.actions.base import lang_of
from conversations.results.history import History
from conversations.views.common import Message
from conversations.views.guide import guide_message
from model import Content
from storage import ResultSnapshot, Store, Team


def lead_guide(store: Store, history: History, content: Content, snapshot: ResultSnapshot,
               team: Team, lead: str) -> Message | None:
    """The lead's DM after a diagnostic with a result to discuss; None otherwise (a pulse
    asks too little, and a withheld round has nothing to discuss)."""
    if snapshot.kind != "diagnostic":
        return None
    outcome = history.outcome(snapshot, team)
    return guide_message(lang_of(store, team.workspace_id, lead, team.language), outcome,
                         content)
