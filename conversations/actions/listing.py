"""`/wi3 actions`: the team's commitments and how they stand; a lead may drop one.

Anyone in the team's channel may list them (team content, visible to the team); leads see
Edit and Drop on each commitment under way, and "Plan actions" for the last results.
"""

from __future__ import annotations

from conversations.actions.base import ActionsBase
from conversations.actions.read import team_commitments
from conversations.context import Caller
from conversations.outbound import Message, Outbound, PostToChannel, Reply
from conversations.team import may_manage, refusal
from conversations.views.commitments import commitments_list, dropped_post
from storage import Team


class ListingFlow(ActionsBase):
    """Listing commitments, and dropping one."""

    def listing(self, caller: Caller, team: Team) -> list[Outbound]:
        """`/wi3 actions` in the team's channel."""
        return [Reply(self._list(caller, team))]

    def drop(self, caller: Caller, commitment_id: str) -> list[Outbound]:
        """A lead's "Drop": the list shows it dropped, the team reads who dropped what."""
        found = self.commitment_and_team(caller, commitment_id)
        if found is None:
            return self.unknown(caller)
        commitment, team = found
        if not may_manage(team, caller):
            return refusal(team, caller)
        out: list[Outbound] = []
        if commitment.state != "dropped":
            dropped = self.store.update_commitment(commitment_id, state="dropped",
                                                   at=self.clock())
            out.append(PostToChannel(team.channel_id, dropped_post(
                team.language, dropped, lead=caller.user_id)))
        return [Reply(self._list(caller, team), replace_original=True), *out]

    def _list(self, caller: Caller, team: Team) -> Message:
        is_lead = may_manage(team, caller)
        return commitments_list(caller.lang, team.channel_id, team_commitments(self.store, team),
                                is_lead=is_lead,
                                plan_round=self.last_result_round(team) if is_lead else None)
