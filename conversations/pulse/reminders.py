"""Pulse reminders: halfway through a pulse, one DM to each member who has not finished.

The scheduler's job (`queue_reminders`) marks the pulse reminded and queues one reminder
per member in the outbox, in one write, so a pulse's reminders are queued once whatever
crashes. Each goes out once (`bot.outbox`), rendered when it goes: a member who finished
or a pulse that closed meanwhile gets none (`should_remind`).
"""

from __future__ import annotations

from datetime import datetime

from conversations import queued
from conversations.i18n import t
from conversations.outbound import Outbound, SendQueued
from conversations.pulse.opening import PulseOpening
from conversations.views.common import Message, context, message, section, slack_date
from conversations.views.diagnostic import actions_start
from model import MIN_RESPONSES_FLOOR
from storage import Round
from storage.protocols import OutboxOf
from storage.records import Outgoing


class PulseReminders(PulseOpening):
    """Reminders for open pulses."""

    def reminders_due(self, now: datetime) -> list[Round]:
        """Open pulses past halfway whose reminder round is not done yet."""
        return [r for r in self.store.open_rounds()
                if r.kind == "pulse" and r.reminder_sent_at is None and r.closes_at is not None
                and now >= r.opened_at + (r.closes_at - r.opened_at) / 2]

    def queue_reminders(self, now: datetime) -> list[Outbound]:
        """Scheduler job: queue the reminders of every pulse past halfway, once each."""
        queued_any = False
        for round_ in self.reminders_due(now):
            reminders = [queued.reminder(round_, user)
                         for user in self.reminder_recipients(round_)]
            queued_any |= self.store.mark_reminder_sent(round_.id, now,
                                                         outbox=_always(reminders))
        return [SendQueued()] if queued_any else []

    def reminder_recipients(self, round_: Round) -> list[str]:
        """Members who had their invitation and have not finished."""
        invited = self.store.invitations_sent(round_.id)
        return [user for user in self.store.unfinished_invitees(round_.id) if user in invited]

    def should_remind(self, round_id: str, user_id: str) -> bool:
        """Right before sending: the pulse is still open and the member still has to finish."""
        round_ = self.store.get_round(round_id)
        return (round_ is not None and round_.is_open
                and not self.store.has_finished(round_id, user_id))

    def reminder(self, round_: Round, lang: str, user_id: str) -> Message:
        """The reminder DM: when it closes, how short it is, and Start (or Resume)."""
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        started = self.store.get_progress(round_.id, user_id) is not None
        text = t(lang, "pulse.reminder.text", channel=round_.channel_id,
                 questions=len(round_.item_ids), deadline=slack_date(self.closes(round_)))
        blocks = [
            section(text),
            context(t(lang, "common.privacy",
                      min_responses=team.min_responses if team else MIN_RESPONSES_FLOOR)),
            actions_start(lang, round_.id, resume=started),
        ]
        return message(t(lang, "pulse.reminder.fallback", channel=round_.channel_id), blocks)


def _always(messages: list[Outgoing]) -> OutboxOf:
    """The messages to queue with a change, whatever the round looks like after it."""
    return lambda _round: messages
