"""What flows queue in the outbox, with the change that causes it.

A flow passes these to the store call that makes the change (``open_round(...,
outbox=...)``, ``close_round``, ``add_invited``, ``mark_reminder_sent``), so the change and
its messages are kept together, and returns ``SendQueued`` so the bot sends them at once.
``bot.outbox`` sends each exactly once, also across a crash, and turns each kind into a
Slack call (``bot/kinds.py``).

Kinds sent as written (``POST``, ``DM``) carry their message; the others are rendered
when they go out, from the round as it is then: an invitation in the member's language,
no reminder for someone who finished meanwhile, the results from the round's snapshot.

Adding a kind: a builder here (a key that names the message once, e.g.
``"commitment/<id>/<user>"``), and a renderer for it in ``bot/kinds.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from conversations.views.common import Message
from storage import Round
from storage.records import INVITATION, REMINDER, RESULTS, Outgoing

CHART = "chart"
"""A closed round's chart, uploaded to its channel after the results post."""
POST = "post"
"""A message to a team channel, sent as written (an announcement)."""
DM = "dm"
"""A message to one person, sent as written (a notice that their round closed)."""
GUIDE = "guide"
"""A lead's discussion guide, once the round's results post went out."""

__all__ = ["CHART", "DM", "GUIDE", "INVITATION", "POST", "REMINDER", "RESULTS", "chart", "dm",
           "guide", "invitation", "invitations", "post", "reminder", "results"]


def invitation(round_: Round, user_id: str) -> Outgoing:
    """A round's invitation DM to one member (rendered in their language when it goes)."""
    return Outgoing(f"{INVITATION}/{round_.id}/{user_id}", INVITATION, round_.workspace_id,
                    round_id=round_.id, user_id=user_id)


def invitations(round_: Round, user_ids: Iterable[str] | None = None) -> list[Outgoing]:
    """Invitations to `user_ids` (default: everyone invited to the round)."""
    return [invitation(round_, user) for user in
            (round_.invited if user_ids is None else user_ids)]


def reminder(round_: Round, user_id: str) -> Outgoing:
    """A pulse's reminder DM to one member (not sent if they finished meanwhile)."""
    return Outgoing(f"{REMINDER}/{round_.id}/{user_id}", REMINDER, round_.workspace_id,
                    round_id=round_.id, user_id=user_id)


def results(round_: Round) -> Outgoing:
    """A closed round's results post (rendered from its snapshot; its chart follows)."""
    return Outgoing(f"{RESULTS}/{round_.id}", RESULTS, round_.workspace_id,
                    round_id=round_.id, channel_id=round_.channel_id)


def chart(round_id: str, workspace_id: str, channel_id: str) -> Outgoing:
    """A closed round's chart, once its results post went out."""
    return Outgoing(f"{CHART}/{round_id}", CHART, workspace_id, round_id=round_id,
                    channel_id=channel_id)


def guide(round_id: str, workspace_id: str, lead: str) -> Outgoing:
    """A lead's discussion guide for a closed round (rendered in their language)."""
    return Outgoing(f"{GUIDE}/{round_id}/{lead}", GUIDE, workspace_id, round_id=round_id,
                    user_id=lead)


def post(round_: Round, name: str, message: Message) -> Outgoing:
    """A message about `round_` to its channel; `name` tells it from the round's others."""
    return Outgoing(f"{POST}/{round_.id}/{name}", POST, round_.workspace_id,
                    round_id=round_.id, channel_id=round_.channel_id, message=message)


def dm(round_: Round, name: str, user_id: str, message: Message) -> Outgoing:
    """A message about `round_` to one person."""
    return Outgoing(f"{DM}/{round_.id}/{name}/{user_id}", DM, round_.workspace_id,
                    round_id=round_.id, user_id=user_id, message=message)
