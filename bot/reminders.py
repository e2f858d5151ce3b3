"""Pulse reminders: halfway through a pulse, one DM to each member who has not finished.

They go through the same throttled, 429-aware fan-out as the invitations
(`Invitations.post_dm` and its `Throttle`, so both share one pace), and each member's
reminder is recorded right after it went out. A restart or a Slack outage in the middle
therefore carries on with who is left: nobody is reminded twice, nobody still to answer
is skipped, and nobody who finished gets one. (As with invitations, a DM Slack took in
the very instant the process died, before it was recorded, goes out once more: at most
one per fan-out worker.) The pulse is marked reminded once everyone had theirs, or after
`MAX_PASSES` passes, so a member Slack keeps refusing does not keep the job busy until
the pulse closes. A stop of the bot stops the fan-out as it stops the invitations: that
pass does not count, and who is left is reminded after the restart.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from bot.invitations import Invitations
from bot.people import People
from bot.throttle import fan_out
from conversations.pulse import PulseFlow
from storage import Round

logger = logging.getLogger(__name__)

MAX_PASSES = 3


class PulseReminders:
    def __init__(self, pulse: PulseFlow, people: People, invitations: Invitations) -> None:
        self.pulse = pulse
        self.people = people
        self.invitations = invitations
        self._passes: Counter[str] = Counter()

    def run(self, now: datetime) -> None:
        """Scheduler job: remind the members of every pulse past its halfway point (not in
        workspaces that removed wi3)."""
        gone = self.pulse.store.uninstalled_workspaces()
        for round_ in self.pulse.reminders_due(now):
            if round_.workspace_id not in gone:
                self.remind(round_)

    def remind(self, round_: Round) -> int:
        """One reminder DM per member still to finish; returns how many went out."""
        pending = self.pulse.reminder_recipients(round_)
        result = fan_out(pending, lambda user_id: self._remind_one(round_, user_id),
                         throttle=self.invitations.throttle, workers=self.invitations.workers)
        for _user_id, error in result.failed:
            logger.warning("a pulse reminder failed (%s); trying again next tick",
                           type(error).__name__)
        reminded = sum(1 for _user_id, sent in result.delivered if sent)
        if result.not_sent:  # the bot is stopping
            return reminded
        self._passes[round_.id] += 1
        if not result.failed or self._passes[round_.id] >= MAX_PASSES:
            self.pulse.reminders_done(round_.id)
        return reminded

    def _remind_one(self, round_: Round, user_id: str) -> bool:
        """Send one reminder unless the member finished (or the pulse closed) meanwhile."""
        if not self.pulse.should_remind(round_.id, user_id):
            return False
        lang = self.people.lang(round_.workspace_id, user_id)
        message = self.pulse.reminder(round_, lang, user_id)
        self.invitations.post_dm(round_.workspace_id, user_id, message)
        self.pulse.mark_reminded(round_.id, user_id)
        return True
