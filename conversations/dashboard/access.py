"""Who sees what on the dashboard: one decision, made here, for every page.

The same rules as in Slack. A workspace admin (or owner) sees the organisation: every
team, as `/wi3 status all` does, and each team as its lead does. A lead sees the teams
they lead, as `/wi3 status` and `/wi3 report` show them. A member sees their own teams'
published results: what the channel was shown (the results posts and the team's
commitments), not the leads' material (statement distributions, discussion questions,
the PDF, where the team stands among others). A team's members are the people its rounds
invited (`Store.teams_of_member`): wi3 asked them, and "forget me" ends it. Nobody sees
anything of a workspace they are not signed in to: every team, round and figure is
looked up within the viewer's own workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from model import Lang
from storage import Round, Store, Team


class Role(StrEnum):
    """What a person is to one team."""

    ADMIN = "admin"
    LEAD = "lead"
    MEMBER = "member"


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: their workspace, id, language and whether Slack says they
    administer the workspace (asked through the bot's cache of people, never per view)."""

    workspace_id: str
    user_id: str
    lang: Lang
    is_admin: bool = False


@dataclass(frozen=True)
class Sight:
    """What one person may see of one team."""

    role: Role

    @property
    def leads_material(self) -> bool:
        """Statement distributions, discussion questions, the PDF and the team's standing:
        what leads and admins get in Slack, never the channel."""
        return self.role in (Role.ADMIN, Role.LEAD)

    def sees_round(self, round_: Round) -> bool:
        """Leads see every closed round; members only those whose results were posted."""
        if round_.closed_at is None:
            return False
        return self.leads_material or round_.results_posted_at is not None


class Access:
    """The one place that answers "may this person see this?"."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def sees_organisation(self, viewer: Viewer) -> bool:
        return viewer.is_admin

    def sight(self, viewer: Viewer, team: Team | None) -> Sight | None:
        """What `viewer` may see of `team`; None: nothing (another workspace included)."""
        if team is None or team.workspace_id != viewer.workspace_id:
            return None
        if viewer.is_admin:
            return Sight(Role.ADMIN)
        if viewer.user_id in team.leads:
            return Sight(Role.LEAD)
        if team.channel_id in self.store.teams_of_member(viewer.workspace_id, viewer.user_id):
            return Sight(Role.MEMBER)
        return None

    def own_teams(self, viewer: Viewer) -> list[tuple[Team, Sight]]:
        """The teams the viewer leads or belongs to, in channel order (an admin's whole
        organisation is the organisation page)."""
        led = {team.channel_id: team
               for team in self.store.teams_led_by(viewer.workspace_id, viewer.user_id)}
        found: dict[str, tuple[Team, Sight]] = {
            channel: (team, Sight(Role.ADMIN if viewer.is_admin else Role.LEAD))
            for channel, team in led.items()}
        for channel in self.store.teams_of_member(viewer.workspace_id, viewer.user_id):
            if channel in found:
                continue
            team = self.store.get_team(viewer.workspace_id, channel)
            sight = self.sight(viewer, team)
            if team is not None and sight is not None:
                found[channel] = (team, sight)
        return [found[channel] for channel in sorted(found)]
