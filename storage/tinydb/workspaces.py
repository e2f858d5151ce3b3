"""Workspaces and teams (the settings behind each team channel), kept in index.json."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Unpack

from storage.records import PulseSchedule, Team, TeamSettings, Workspace, with_settings
from storage.tinydb import codec
from storage.tinydb.core import StoreCore
from storage.tinydb.layout import require_id


def _team_doc_key(workspace_id: str, channel_id: str) -> str:
    return f"{workspace_id}/{channel_id}"


class WorkspacesMixin(StoreCore):
    """Workspaces and team settings, in index.json."""

    def save_workspace(self, workspace: Workspace) -> Workspace:
        """Insert or replace a workspace; installed_at defaults to now."""
        require_id(workspace.id, "workspace id")
        if workspace.installed_at is None:
            workspace = replace(workspace, installed_at=self._now())
        index = self._index()
        with index.lock:
            index.table("workspaces").put(workspace.id, codec.workspace_to_doc(workspace))
        return workspace

    def get_workspace(self, workspace_id: str) -> Workspace | None:
        index = self._index()
        with index.lock:
            doc = index.table("workspaces").doc(workspace_id)
        return codec.workspace_from_doc(doc) if doc else None

    def list_workspaces(self) -> list[Workspace]:
        index = self._index()
        with index.lock:
            docs = index.table("workspaces").docs()
        return sorted((codec.workspace_from_doc(d) for d in docs.values()), key=lambda w: w.id)

    def save_team(self, team: Team) -> Team:
        """Insert or replace a team's settings; keeps the first created_at."""
        require_id(team.workspace_id, "workspace id")
        require_id(team.channel_id, "channel id")
        key = _team_doc_key(team.workspace_id, team.channel_id)
        index = self._index()
        with index.lock:
            teams = index.table("teams")
            existing = teams.doc(key)
            created = codec.time_from_text(existing.get("created_at")) if existing else None
            team = replace(team, created_at=created or team.created_at or self._now())
            teams.put(key, codec.team_to_doc(team))
        return team

    def get_team(self, workspace_id: str, channel_id: str) -> Team | None:
        index = self._index()
        with index.lock:
            doc = index.table("teams").doc(_team_doc_key(workspace_id, channel_id))
        return codec.team_from_doc(doc) if doc else None

    def list_teams(self, workspace_id: str | None = None) -> list[Team]:
        index = self._index()
        with index.lock:
            docs = index.table("teams").docs()
        teams = (codec.team_from_doc(d) for d in docs.values())
        chosen = [t for t in teams if workspace_id is None or t.workspace_id == workspace_id]
        return sorted(chosen, key=lambda t: (t.workspace_id, t.channel_id))

    def teams_led_by(self, workspace_id: str, user_id: str) -> list[Team]:
        return [t for t in self.list_teams(workspace_id) if user_id in t.leads]

    def update_team(self, workspace_id: str, channel_id: str,
                    **settings: Unpack[TeamSettings]) -> Team | None:
        """Read, change and write the team under index.json's lock: nothing read earlier
        is written back."""
        return self._change_team(workspace_id, channel_id,
                                 lambda team: with_settings(team, settings))

    def add_lead(self, workspace_id: str, channel_id: str, user_id: str) -> bool:
        added = [False]

        def add(team: Team) -> Team:
            added[0] = user_id not in team.leads
            return replace(team, leads=(*team.leads, user_id))

        self._change_team(workspace_id, channel_id, add)
        return added[0]

    def remove_lead(self, workspace_id: str, channel_id: str, user_id: str) -> bool:
        removed = [False]

        def remove(team: Team) -> Team:
            others = tuple(lead for lead in team.leads if lead != user_id)
            removed[0] = bool(others) and others != team.leads
            return replace(team, leads=others) if removed[0] else team

        self._change_team(workspace_id, channel_id, remove)
        return removed[0]

    def update_pulse(self, workspace_id: str, channel_id: str,
                     schedule: PulseSchedule | None, *, expected: PulseSchedule | None) -> bool:
        done = [False]

        def swap(team: Team) -> Team:
            done[0] = team.pulse == expected
            return replace(team, pulse=schedule) if done[0] else team

        self._change_team(workspace_id, channel_id, swap)
        return done[0]

    def _change_team(self, workspace_id: str, channel_id: str,
                     change: Callable[[Team], Team]) -> Team | None:
        """Apply ``change`` to the stored team under the index's lock (one write, none if
        nothing changed); the team as stored, or None if there is none."""
        index = self._index()
        key = _team_doc_key(workspace_id, channel_id)
        with index.lock:
            teams = index.table("teams")
            doc = teams.doc(key)
            if doc is None:
                return None
            current = codec.team_from_doc(doc)
            changed = change(current)
            if changed != current:
                teams.put(key, codec.team_to_doc(changed))
        return changed
