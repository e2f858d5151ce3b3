"""What the parts of the actions flow share: their state, and finding what a click names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from conversations.context import Caller
from conversations.i18n import Lang, normalise_lang, t
from conversations.outbound import Outbound, Reply
from conversations.pulse.opening import DEFAULT_TIMEZONE
from conversations.results.history import History
from conversations.views.diagnostic import notice
from model import Content, TeamResult
from storage import Commitment, Round, Store, Team

Clock = Callable[[], datetime]


def lang_of(store: Store, workspace_id: str, user_id: str, fallback: Lang) -> Lang:
    """A person's language as last seen from Slack (cached), else `fallback`: for DMs to
    someone other than the person asking (a lead's guide, an owner's reminder)."""
    info = store.get_user(workspace_id, user_id)
    return normalise_lang(info.locale) if info is not None and info.locale else fallback


class ActionsBase:
    """State shared by the actions flow's parts."""

    def __init__(self, store: Store, content: Content, clock: Clock, *,
                 default_timezone: str = DEFAULT_TIMEZONE) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.default_timezone = default_timezone
        self.history = History(store, content)

    def round_and_team(self, caller: Caller, round_id: str) -> tuple[Round, Team] | None:
        """The round a button or modal names and its team, if both are in the caller's
        workspace."""
        round_ = self.store.get_round(round_id)
        if round_ is None or round_.workspace_id != caller.workspace_id:
            return None
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        return (round_, team) if team is not None else None

    def commitment_and_team(self, caller: Caller,
                            commitment_id: str) -> tuple[Commitment, Team] | None:
        """The commitment a button or modal names and its team, in the caller's workspace."""
        commitment = self.store.get_commitment(commitment_id)
        if commitment is None or commitment.workspace_id != caller.workspace_id:
            return None
        team = self.store.get_team(commitment.workspace_id, commitment.channel_id)
        return (commitment, team) if team is not None else None

    def shown_result(self, round_: Round, team: Team) -> TeamResult | None:
        """The round's result as the team may see it (the privacy gate), if any."""
        snapshot = self.store.get_snapshot(round_.id)
        return self.history.outcome(snapshot, team).result if snapshot is not None else None

    def last_result_round(self, team: Team) -> str | None:
        """The team's last full round with a result to act on (for "Plan actions")."""
        last = self.history.last_outcome(team)
        return last.round_id if last is not None and last.result is not None else None

    @staticmethod
    def unknown(caller: Caller) -> list[Outbound]:
        return [Reply(notice(t(caller.lang, "actions.owner.unknown")))]
