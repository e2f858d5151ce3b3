"""What each kind of queued message (`conversations.queued`) becomes when it goes out.

A renderer looks at the round as it is now and returns what to send, or None when there is
nothing to send any more: an invitation to a round that closed (or never opened: a change
whose write failed after its messages were queued), a reminder for someone who finished, a
results post for a round that is still open. The dispatcher then forgets the message.

Adding a kind: a builder in `conversations/queued.py` and one entry in `kinds()` here.
"""

from __future__ import annotations

from bot.outbox import Kinds, Rendered
from bot.people import People
from conversations import queued
from conversations.pulse import PulseFlow
from conversations.results.closing import ClosingFlow
from conversations.rounds import RoundsFlow
from storage import Round, Store
from storage.records import Outgoing


def kinds(store: Store, people: People, rounds: RoundsFlow, pulse: PulseFlow,
          closing: ClosingFlow) -> Kinds:
    """wi3's kinds of queued messages and how each is rendered."""

    def open_round_with(outgoing: Outgoing) -> Round | None:
        """The round a DM invites to or reminds of, if it is open and they are invited."""
        round_ = store.get_round(outgoing.round_id) if outgoing.round_id else None
        if round_ is None or not round_.is_open or outgoing.user_id not in round_.invited:
            return None
        return round_

    def invitation(outgoing: Outgoing) -> Rendered | None:
        round_ = open_round_with(outgoing)
        if round_ is None or outgoing.user_id is None:
            return None
        lang = people.lang(outgoing.workspace_id, outgoing.user_id)
        return Rendered(message=rounds.invitation(round_, lang))

    def reminder(outgoing: Outgoing) -> Rendered | None:
        round_ = open_round_with(outgoing)
        user = outgoing.user_id
        if round_ is None or user is None or not pulse.should_remind(round_.id, user):
            return None
        lang = people.lang(outgoing.workspace_id, user)
        return Rendered(message=pulse.reminder(round_, lang, user))

    def results(outgoing: Outgoing) -> Rendered | None:
        published = closing.publication(outgoing.round_id) if outgoing.round_id else None
        if published is None:
            return None
        chart = () if published.chart is None else (
            queued.chart(published.round_id, outgoing.workspace_id, published.channel_id),)
        guides = tuple(queued.guide(published.round_id, outgoing.workspace_id, lead)
                       for lead in closing.leads_to_guide(published.round_id))
        return Rendered(message=published.message, then=(*chart, *guides))

    def chart(outgoing: Outgoing) -> Rendered | None:
        published = closing.publication(outgoing.round_id) if outgoing.round_id else None
        if published is None or published.chart is None:
            return None
        return Rendered(upload=published.chart)

    def guide(outgoing: Outgoing) -> Rendered | None:
        if outgoing.round_id is None or outgoing.user_id is None:
            return None
        message = closing.guide(outgoing.round_id, outgoing.user_id)
        return None if message is None else Rendered(message=message)

    def as_written(outgoing: Outgoing) -> Rendered | None:
        if outgoing.round_id is not None and store.get_round(outgoing.round_id) is None:
            return None  # queued with a change that never happened
        return Rendered(message=outgoing.message)

    return {queued.INVITATION: invitation, queued.REMINDER: reminder,
            queued.RESULTS: results, queued.CHART: chart, queued.GUIDE: guide,
            queued.POST: as_written, queued.DM: as_written}
