"""`ActionsFlow`: the guide's "Plan actions", the modals, follow-up and `/wi3 actions`."""

from __future__ import annotations

from conversations.actions.follow_up import FollowUpFlow
from conversations.actions.listing import ListingFlow
from conversations.actions.planning import PlanningFlow


class ActionsFlow(PlanningFlow, FollowUpFlow, ListingFlow):
    """Everything about a team's commitments the bot asks for."""
