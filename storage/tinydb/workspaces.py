"""Workspaces and teams (the settings behind each team channel), kept in index.json.

Two questions are asked far more often than settings change, so they are answered from
memory: which teams a person leads (App Home, `/wi3 me`: an index by lead, built from
index.json on first use and kept up to date by every write of it), and which pulses are
due (every scheduler tick: the stored documents are scanned, and only the due teams
decoded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Unpack

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
            self._leads.build_once(teams.docs())
            existing = teams.doc(key)
            created = codec.time_from_text(existing.get("created_at")) if existing else None
            team = replace(team, created_at=created or team.created_at or self._now())
            doc = codec.team_to_doc(team)
            teams.put(key, doc)
            self._leads.replace(existing, doc)
        return team

    def get_team(self, workspace_id: str, channel_id: str) -> Team | None:
        index = self._index()
        with index.lock:
            doc = index.table("teams").doc(_team_doc_key(workspace_id, channel_id))
        return codec.team_from_doc(doc) if doc else None

    def list_teams(self, workspace_id: str | None = None, *,
                   limit: int | None = None) -> list[Team]:
        """Teams in order; with ``limit``, only the first ones are decoded."""
        index = self._index()
        with index.lock:
            docs = index.table("teams").docs()
        chosen = sorted((doc for doc in docs.values()
                         if workspace_id is None or doc["workspace_id"] == workspace_id),
                        key=lambda doc: (doc["workspace_id"], doc["channel_id"]))
        return [codec.team_from_doc(doc) for doc in chosen[:limit]]

    def count_teams(self, workspace_id: str) -> int:
        index = self._index()
        with index.lock:
            docs = index.table("teams").docs()
        return sum(1 for doc in docs.values() if doc["workspace_id"] == workspace_id)

    def teams_led_by(self, workspace_id: str, user_id: str) -> list[Team]:
        """The teams this person leads, from the index by lead (only they are decoded)."""
        index = self._index()
        with index.lock:
            teams = index.table("teams")
            self._leads.build_once(teams.docs())
            docs = [teams.doc(_team_doc_key(workspace_id, channel))
                    for channel in self._leads.channels(workspace_id, user_id)]
        return [codec.team_from_doc(doc) for doc in docs if doc is not None]

    def teams_with_pulse_due(self, now: datetime | None = None) -> list[Team]:
        """Teams whose pulse is on and whose next run has come (or is not planned yet)."""
        moment = self._now(now)
        index = self._index()
        with index.lock:
            docs = index.table("teams").docs()
        due = []
        for doc in docs.values():
            pulse = doc.get("pulse")
            if pulse and pulse["enabled"]:
                next_run = codec.time_from_text(pulse.get("next_run_at"))
                if next_run is None or next_run <= moment:
                    due.append(codec.team_from_doc(doc))
        return sorted(due, key=lambda t: (t.workspace_id, t.channel_id))

    def _drop_lead(self, workspace_id: str, user_id: str) -> None:
        """Forget-me: the person leads no team any more."""
        index = self._index()
        with index.lock:
            teams = index.table("teams")
            self._leads.build_once(teams.docs())
            changed: dict[str, dict[str, Any]] = {}
            for channel in self._leads.channels(workspace_id, user_id):
                doc_key = _team_doc_key(workspace_id, channel)
                before = teams.doc(doc_key)
                if before is not None:
                    team = codec.team_from_doc(before)
                    leads = tuple(lead for lead in team.leads if lead != user_id)
                    changed[doc_key] = codec.team_to_doc(replace(team, leads=leads))
            if changed:
                previous = {key: teams.doc(key) for key in changed}
                teams.put_many(changed)
                for key, doc in changed.items():
                    self._leads.replace(previous[key], doc)

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
            self._leads.build_once(teams.docs())
            current = codec.team_from_doc(doc)
            changed = change(current)
            if changed != current:
                new_doc = codec.team_to_doc(changed)
                teams.put(key, new_doc)
                self._leads.replace(doc, new_doc)
        return changed
