"""What the store knows without opening a file: the round directory, and who leads what.

Built once at start from the teams' ``rounds.json`` files and kept up to date by every
write of a round (this process is the data directory's only writer), it answers the
questions asked on every click and every scheduler tick from memory:

* which team a round belongs to, and when it was opened (for the retention purge);
* each team's open round, the whole record (overviews, deadlines, reminders);
* the open rounds a person is invited to (App Home, ``/wi3 me``): an index by person;
* the teams whose rounds, open or closed, ever invited a person (the dashboard's "your
  teams"): a hint by person, which the store checks against the team's rounds;
* the closed rounds whose results were not posted yet.

``LeadIndex`` is the same for teams: which teams a person leads, built from index.json on
first use and kept up to date by every write of a team's settings.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.records import Round

TeamKey = tuple[str, str]
Person = tuple[str, str]
"""(workspace id, user id)."""


@dataclass(frozen=True)
class Known:
    """A round as the directory remembers it once closed: whose, and since when."""

    team: TeamKey
    opened_at: datetime


class TwoOpenRoundsError(Exception):
    """A team's file holds two open rounds (a hand edit): the caller names the file."""

    def __init__(self, team: TeamKey, first: str, second: str) -> None:
        super().__init__(f"two open rounds ({first}, {second})")
        self.team = team


class RoundDirectory:
    """Thread-safe maps from rounds to teams, teams to open rounds, people to open rounds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, Known] = {}
        self._open: dict[TeamKey, Round] = {}
        self._invited: defaultdict[Person, set[str]] = defaultdict(set)
        self._asked: defaultdict[Person, set[str]] = defaultdict(set)
        self._unposted: set[str] = set()

    def rebuild(self, rounds: Iterable[Round]) -> None:
        """Start over from every stored round; TwoOpenRoundsError for a team with two."""
        fresh = RoundDirectory()
        for round_ in rounds:
            current = fresh._open.get(_team(round_))
            if round_.is_open and current is not None:
                raise TwoOpenRoundsError(_team(round_), current.id, round_.id)
            fresh._put(round_)
        with self._lock:
            self._known, self._open = fresh._known, fresh._open
            self._invited, self._unposted = fresh._invited, fresh._unposted
            self._asked = fresh._asked

    def record(self, round_: Round) -> None:
        """A round was written: remember it as it is now."""
        with self._lock:
            self._put(round_)

    def _put(self, round_: Round) -> None:
        key = _team(round_)
        self._known[round_.id] = Known(key, round_.opened_at)
        previous = self._open.get(key)
        if previous is not None and previous.id == round_.id:
            self._uninvite(previous)
            del self._open[key]
        if round_.is_open:
            self._open[key] = round_
            for user in round_.invited:
                self._invited[(round_.workspace_id, user)].add(round_.id)
        for user in round_.invited:
            self._asked[(round_.workspace_id, user)].add(round_.channel_id)
        if round_.is_open or round_.results_posted_at is not None:
            self._unposted.discard(round_.id)
        else:
            self._unposted.add(round_.id)

    def forget_workspace(self, workspace_id: str) -> None:
        """A purged workspace's rounds are gone."""
        with self._lock:
            gone = [rid for rid, known in self._known.items() if known.team[0] == workspace_id]
            for round_id in gone:
                del self._known[round_id]
                self._unposted.discard(round_id)
            for key in [key for key in self._open if key[0] == workspace_id]:
                self._uninvite(self._open.pop(key))
            for person in [person for person in self._asked if person[0] == workspace_id]:
                del self._asked[person]

    def _uninvite(self, round_: Round) -> None:
        for user in round_.invited:
            person = (round_.workspace_id, user)
            self._invited[person].discard(round_.id)
            if not self._invited[person]:
                del self._invited[person]

    def team_of(self, round_id: str) -> TeamKey | None:
        with self._lock:
            known = self._known.get(round_id)
        return known.team if known else None

    def knows(self, round_id: str) -> bool:
        with self._lock:
            return round_id in self._known

    def open_round(self, team: TeamKey) -> Round | None:
        with self._lock:
            return self._open.get(team)

    def is_open(self, round_id: str, team: TeamKey) -> bool:
        with self._lock:
            current = self._open.get(team)
        return current is not None and current.id == round_id

    def open_rounds(self) -> list[Round]:
        with self._lock:
            return list(self._open.values())

    def open_rounds_of(self, workspace_id: str, user_id: str) -> list[Round]:
        """The open rounds to which this person is invited (the index by person)."""
        with self._lock:
            ids = self._invited.get((workspace_id, user_id), set())
            return [self._open[self._known[round_id].team] for round_id in ids]

    def asked_in(self, workspace_id: str, user_id: str) -> list[str]:
        """Channels whose rounds invited this person at some time (a hint: a person
        forgotten since still shows here until the next start)."""
        with self._lock:
            return sorted(self._asked.get((workspace_id, user_id), ()))

    def unposted(self) -> list[tuple[TeamKey, str]]:
        with self._lock:
            return [(self._known[round_id].team, round_id) for round_id in self._unposted]

    def opened_before(self, cutoff: datetime) -> list[tuple[TeamKey, str]]:
        with self._lock:
            return [(known.team, round_id) for round_id, known in self._known.items()
                    if known.opened_at < cutoff]

    def teams(self, workspace_id: str | None = None) -> list[TeamKey]:
        """Teams that have rounds (of one workspace when given), in order."""
        with self._lock:
            found = {known.team for known in self._known.values()}
        return sorted(key for key in found if workspace_id is None or key[0] == workspace_id)

    def round_ids(self, workspace_id: str) -> list[str]:
        with self._lock:
            return [round_id for round_id, known in self._known.items()
                    if known.team[0] == workspace_id]


class LeadIndex:
    """The teams each person leads: (workspace id, user id) -> channel ids."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built = False
        self._channels: defaultdict[Person, set[str]] = defaultdict(set)

    def build_once(self, teams: Mapping[str, Mapping[str, Any]]) -> None:
        with self._lock:
            if self._built:
                return
            for doc in teams.values():
                self._add(doc)
            self._built = True

    def reset(self) -> None:
        with self._lock:
            self._built = False
            self._channels.clear()

    def replace(self, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
        """A team document was written (its leads may have changed)."""
        with self._lock:
            if not self._built:
                return
            if before is not None:
                for lead in before["leads"]:
                    person = (before["workspace_id"], lead)
                    self._channels[person].discard(before["channel_id"])
                    if not self._channels[person]:
                        del self._channels[person]
            self._add(after)

    def channels(self, workspace_id: str, user_id: str) -> list[str]:
        with self._lock:
            return sorted(self._channels.get((workspace_id, user_id), ()))

    def _add(self, doc: Mapping[str, Any]) -> None:
        for lead in doc["leads"]:
            self._channels[(doc["workspace_id"], lead)].add(doc["channel_id"])


def _team(round_: Round) -> TeamKey:
    return (round_.workspace_id, round_.channel_id)
