"""Following commitments up: the due-date DM, and the owner's answer to it.

The scheduler's job asks for the commitments whose DM is due and claims each one in
storage before sending (`mark_commitment_reminded`: true for exactly one caller), so a
repeated tick, a restart or a second instance never sends it twice. A commitment whose
owner was forgotten is claimed and left: there is nobody to ask.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from conversations.actions.base import ActionsBase, lang_of
from conversations.context import Caller
from conversations.diagnostic import Where
from conversations.i18n import t
from conversations.outbound import Outbound, Reply, SendDM, UpdateMessage
from conversations.team import may_manage
from conversations.views.commitments import answered_dm, due_dm
from conversations.views.diagnostic import notice
from storage import CommitmentState

TeamRun = tuple[str, list[Outbound]]
"""What one due commitment asks to send, with the workspace to send it in."""


class FollowUpFlow(ActionsBase):
    """Due-date DMs and their answers."""

    def due_follow_ups(
        self, now: datetime, *, paused: Collection[str] = frozenset()
    ) -> list[TeamRun]:
        """Scheduler job: the owners whose commitments are due get their DM, once each
        (none in the `paused` workspaces, which removed wi3)."""
        runs: list[TeamRun] = []
        for commitment in self.store.due_commitments(now):
            if commitment.workspace_id in paused:
                continue
            if not self.store.mark_commitment_reminded(commitment.id, now):
                continue  # another tick or instance has it
            team = self.store.get_team(commitment.workspace_id, commitment.channel_id)
            if commitment.owner is None or team is None:
                continue
            lang = lang_of(self.store, commitment.workspace_id, commitment.owner,
                           team.language)
            runs.append((commitment.workspace_id,
                         [SendDM(commitment.owner, due_dm(lang, commitment))]))
        return runs

    def answer(self, caller: Caller, commitment_id: str, state: CommitmentState,
               where: Where | None) -> list[Outbound]:
        """Done / Still working / Dropped, from the owner (or a lead): recorded, and the
        DM says so in place of its buttons."""
        found = self.commitment_and_team(caller, commitment_id)
        if found is None:
            return self.unknown(caller)
        commitment, team = found
        if caller.user_id != commitment.owner and not may_manage(team, caller):
            return [Reply(notice(t(caller.lang, "actions.owner.not_yours")))]
        changed = self.store.update_commitment(commitment_id, state=state, at=self.clock())
        answered = answered_dm(caller.lang, changed)
        if where is None:
            return [Reply(answered)]
        return [UpdateMessage(where.channel_id, where.ts, answered)]
