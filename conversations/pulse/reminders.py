"""What the reminder job (`bot.reminders`) needs to know about open pulses.

Halfway through a pulse, members who were invited and have not finished get one reminder;
who got theirs is kept in storage, so a restart never sends one twice.
"""

from __future__ import annotations

from datetime import datetime

from conversations.i18n import t
from conversations.pulse.opening import PulseOpening
from conversations.views.common import Message, context, message, section, slack_date
from conversations.views.diagnostic import actions_start
from model import MIN_RESPONSES_FLOOR
from storage import Round


class PulseReminders(PulseOpening):
    """Reminders for open pulses."""

    def reminders_due(self, now: datetime) -> list[Round]:
        """Open pulses past halfway whose reminder round is not done yet."""
        return [r for r in self.store.open_rounds()
                if r.kind == "pulse" and r.reminder_sent_at is None and r.closes_at is not None
                and now >= r.opened_at + (r.closes_at - r.opened_at) / 2]

    def reminder_recipients(self, round_: Round) -> list[str]:
        """Members who were invited, have not finished, and have had no reminder yet."""
        invited = self.store.invitations_sent(round_.id)
        return [user for user in self.store.unfinished_invitees(round_.id)
                if user in invited and not self.reminded(round_.id, user)]

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

    def reminded(self, round_id: str, user_id: str) -> bool:
        """Whether this member's reminder is on record (fan-out progress, kept in storage)."""
        return user_id in self.store.reminders_sent(round_id)

    def mark_reminded(self, round_id: str, user_id: str) -> None:
        """After the reminder went out, so a restart never sends it twice."""
        self.store.mark_reminder_sent_to(round_id, user_id, self.clock())

    def reminders_done(self, round_id: str) -> bool:
        """Mark the pulse's reminder round as done; True the first time."""
        return self.store.mark_reminder_sent(round_id, self.clock())
