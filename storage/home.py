"""App Home's reading made of the store's own questions, one after another: what a
backend whose questions cost no round trip (TinyDB, in this process) answers
``HomeReads.home_of`` with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.records import Commitment, HomeReading, InvitedRound, Team

if TYPE_CHECKING:
    from storage.protocols import Store


def home_by_parts(store: Store, workspace_id: str, user_id: str) -> HomeReading:
    """``home_of`` from ``rounds_for_user``, ``teams_led_by``, ``last_results`` and the
    commitment lists."""
    rounds = tuple(
        InvitedRound(round_, len(store.answers_of(round_.id, user_id)),
                     store.has_finished(round_.id, user_id))
        for round_ in store.rounds_for_user(workspace_id, user_id))
    led = tuple(store.teams_led_by(workspace_id, user_id))
    lasts = (store.last_results(workspace_id, [team.channel_id for team in led])
             if led else {})
    owned = tuple(store.commitments_owned_by(workspace_id, user_id))
    channels = concerned_channels(rounds, led, owned)
    commitments = {channel: tuple(store.commitments_of_team(workspace_id, channel))
                   for channel in channels}
    return HomeReading(rounds, led, lasts, owned, commitments)


def concerned_channels(rounds: tuple[InvitedRound, ...], led: tuple[Team, ...],
                       owned: tuple[Commitment, ...]) -> list[str]:
    """The teams whose commitments App Home shows, each once, in the order it shows them."""
    found = [invited.round.channel_id for invited in rounds]
    found += [team.channel_id for team in led]
    found += [commitment.channel_id for commitment in owned]
    return list(dict.fromkeys(found))
