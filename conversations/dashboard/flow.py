"""The dashboard's pages as data: who asks, what they may see, through the gate.

`DashboardFlow` answers each page with a page model (plain values, ready for a template)
or a `Refusal`. Every decision about who sees what is `Access`'s, every figure comes from
the privacy gate's answer (`History.outcome`, `Summaries.last`) and reads as in Slack
(`shown`, the results post and the guide themselves). Nothing here knows HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from markupsafe import Markup

from conversations.actions.read import since_last_round, team_commitments
from conversations.context import Caller
from conversations.dashboard.access import Access, Sight, Viewer
from conversations.dashboard.blockkit import blocks_html
from conversations.dashboard.organisation import (
    Organisation,
    OrgPage,
    OrgQuery,
    TeamLine,
    organisation_of,
    organisation_page,
)
from conversations.dashboard.shown import (
    ShownElement,
    StatementRow,
    day,
    overall_text,
    shown_elements,
    statement_rows,
    withheld_text,
)
from conversations.dashboard.svg import Strip, TrendChart, strip, trend_chart
from conversations.diagnostic import subject_text
from conversations.i18n import normalise_lang, t
from conversations.outbound import Drawing, UploadFile
from conversations.report.flow import ReportFlow
from conversations.report.overview import OverviewRow, overview_rows
from conversations.results.history import History
from conversations.results.outcome import RoundOutcome
from conversations.results.summary import OVERVIEW_KIND, Summaries
from conversations.views.common import Message
from conversations.views.guide import guide_message
from conversations.views.pulse import pulse_post
from conversations.views.results import results_post
from conversations.views.scores import cut, element_name
from conversations.views.status import TeamRow
from model import Content, Element
from storage import Commitment, ResultSnapshot, Round, Store, Team

Clock = Callable[[], datetime]
LINES_SECONDS = 30.0
"""How long the organisation's rows are reused (reading 5,000 teams' summaries takes about
a second; a page from the rows a few milliseconds): a round closed since shows on the
organisation page at most this much later, and at once on its team's page."""
MIN_TEAMS_TO_COMPARE = 5
"""Where a team stands among others is shown only when this many teams have results."""


class Refusal(IntEnum):
    """Why a page is not shown: not this person's to see, or not in their workspace."""

    FORBIDDEN = 403
    NOT_FOUND = 404


@dataclass(frozen=True)
class TeamLink:
    channel_id: str
    role: str
    subject: str
    overall: str
    closed: str


@dataclass(frozen=True)
class HomePage:
    organisation: bool
    teams: tuple[TeamLink, ...]


@dataclass(frozen=True)
class Latest:
    """A team's last closed diagnostic the viewer may see: its profile, or why none."""

    round_id: str
    subject: str
    closed: str
    responses: int
    invited: int
    minimum: int
    overall: str | None
    elements: tuple[ShownElement, ...]
    withheld: str | None


@dataclass(frozen=True)
class RoundLink:
    round_id: str
    kind: str
    subject: str
    closed: str
    shown: bool


@dataclass(frozen=True)
class CommitmentRow:
    number: int
    text: str
    owner: str | None
    due: str
    state: str
    state_label: str


@dataclass(frozen=True)
class TeamPage:
    channel_id: str
    sight: Sight
    leads: tuple[str, ...]
    latest: Latest | None
    statements: tuple[StatementRow, ...]
    trend: TrendChart | None
    trend_rows: tuple[tuple[str, tuple[str, ...]], ...]
    """The trend as a table: (round date, figure per element)."""
    rounds: tuple[RoundLink, ...]
    commitments: tuple[CommitmentRow, ...]
    discussion: Markup | None


@dataclass(frozen=True)
class RoundPage:
    channel_id: str
    sight: Sight
    round_id: str
    kind: str
    subject: str
    closed: str
    post: Markup
    statements: tuple[StatementRow, ...]
    pdf: bool


@dataclass(frozen=True)
class StandingRow:
    name: str
    team: ShownElement
    teams: int
    """Teams with a position for this element."""
    further: int
    behind: int
    strip: Strip | None
    low: str
    median: str
    high: str


@dataclass(frozen=True)
class StandingPage:
    channel_id: str
    compared: int
    """Teams with results (at least `MIN_TEAMS_TO_COMPARE` for any figure)."""
    rows: tuple[StandingRow, ...]


class DashboardFlow:
    def __init__(self, store: Store, content: Content, clock: Clock, *,
                 lines_seconds: float = LINES_SECONDS,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.access = Access(store)
        self.history = History(store, content)
        self.summaries = Summaries(store, self.history)
        self.report_flow = ReportFlow(store, content, clock)
        self.lines_seconds = lines_seconds
        self.timer = timer
        self._lines: dict[str, tuple[float, Organisation]] = {}
        self._reading: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # -- pages ----------------------------------------------------------------------------

    def home(self, viewer: Viewer) -> HomePage:
        """Where a person starts: the organisation (admins) and their own teams."""
        own = self.access.own_teams(viewer)
        lasts = self.summaries.last(viewer.workspace_id, [team for team, _ in own])
        links = []
        for (team, sight), last in zip(own, lasts, strict=True):
            shown = last is not None and last.withheld is None and (
                sight.leads_material or self._posted(last.round_id))
            links.append(TeamLink(
                team.channel_id, sight.role.value,
                last.subject if last is not None and shown else "",
                overall_text(viewer.lang, last.headline, self.content)
                if last is not None and shown else "",
                day(last.closed_at) if last is not None and shown else ""))
        return HomePage(self.access.sees_organisation(viewer), tuple(links))

    def organisation(self, viewer: Viewer, params: Mapping[str, str]) -> OrgPage | Refusal:
        """Every team of the viewer's workspace (admins only)."""
        if not self.access.sees_organisation(viewer):
            return Refusal.FORBIDDEN
        return organisation_page(viewer.lang, self.organisation_of(viewer.workspace_id),
                                 OrgQuery.parse(params), self.content)

    def organisation_of(self, workspace_id: str) -> Organisation:
        """Every team's overview row (through the gate, from its summary) and leads, in the
        overview's order, read at most every `lines_seconds` per workspace (one reader at a
        time: others wait for its answer rather than read the same again)."""
        with self._guard:
            reading = self._reading.setdefault(workspace_id, threading.Lock())
        with reading:
            kept = self._lines.get(workspace_id)
            if kept is not None and self.timer() - kept[0] < self.lines_seconds:
                return kept[1]
            organisation = organisation_of(self._read_lines(workspace_id))
            self._lines[workspace_id] = (self.timer(), organisation)
            return organisation

    def _read_lines(self, workspace_id: str) -> list[TeamLine]:
        teams = self.store.list_teams(workspace_id)
        lasts = self.summaries.last(workspace_id, teams)
        rows = overview_rows([TeamRow(team.channel_id, last)
                              for team, last in zip(teams, lasts, strict=True)])
        return [TeamLine(row, team.leads) for row, team in zip(rows, teams, strict=True)]

    def team(self, viewer: Viewer, channel_id: str) -> TeamPage | Refusal:
        team = self.store.get_team(viewer.workspace_id, channel_id)
        if team is None:
            return Refusal.NOT_FOUND
        sight = self.access.sight(viewer, team)
        if sight is None:
            return Refusal.FORBIDDEN
        lang = viewer.lang
        seen = self._seen_snapshots(team, sight)
        diagnostics = [s for s in seen if s.kind == OVERVIEW_KIND]
        outcome = self.history.outcome(diagnostics[-1], team) if diagnostics else None
        latest = self._latest(lang, outcome) if outcome is not None else None
        trend, trend_rows = self._trend(lang, team, diagnostics)
        statements: tuple[StatementRow, ...] = ()
        discussion = None
        if sight.leads_material and outcome is not None and outcome.result is not None:
            statements = statement_rows(lang, outcome.result.items, self.content)
            guide = guide_message(lang, outcome, self.content)
            discussion = blocks_html(guide["blocks"][1:], heading_level=3) if guide else None
        return TeamPage(
            channel_id=team.channel_id, sight=sight, leads=team.leads, latest=latest,
            statements=statements, trend=trend, trend_rows=trend_rows,
            rounds=tuple(self._round_link(lang, team, s) for s in reversed(seen)),
            commitments=tuple(self._commitment(lang, c)
                              for c in team_commitments(self.store, team)),
            discussion=discussion)

    def round(self, viewer: Viewer, round_id: str) -> RoundPage | Refusal:
        found = self._round(viewer, round_id)
        if isinstance(found, Refusal):
            return found
        team, sight, snapshot = found
        lang = viewer.lang
        outcome = self.history.outcome(snapshot, team)
        post = self._post(lang, team, snapshot, outcome)
        statements: tuple[StatementRow, ...] = ()
        if sight.leads_material and outcome.result is not None:
            statements = statement_rows(lang, outcome.result.items, self.content)
        return RoundPage(
            channel_id=team.channel_id, sight=sight, round_id=snapshot.round_id,
            kind=snapshot.kind, subject=outcome.subject, closed=day(snapshot.closed_at),
            post=blocks_html(post["blocks"]), statements=statements,
            pdf=sight.leads_material and snapshot.kind == OVERVIEW_KIND
            and outcome.result is not None)

    def report(self, viewer: Viewer, round_id: str) -> tuple[str, Drawing] | Refusal:
        """The round's PDF report (leads and admins), made exactly as `/wi3 report`."""
        found = self._round(viewer, round_id)
        if isinstance(found, Refusal):
            return found
        team, sight, snapshot = found
        if not sight.leads_material:
            return Refusal.FORBIDDEN
        caller = Caller(viewer.workspace_id, viewer.user_id, viewer.lang,
                        team.channel_id, is_admin=viewer.is_admin)
        for out in self.report_flow.report(caller, team, snapshot.round_id):
            if isinstance(out, UploadFile) and isinstance(out.content, Drawing):
                return out.filename, out.content
        return Refusal.NOT_FOUND

    def standing(self, viewer: Viewer, channel_id: str) -> StandingPage | Refusal:
        """Where the team stands among the organisation's teams, per element (leads and
        admins; figures only when `MIN_TEAMS_TO_COMPARE` teams have results)."""
        team = self.store.get_team(viewer.workspace_id, channel_id)
        if team is None:
            return Refusal.NOT_FOUND
        sight = self.access.sight(viewer, team)
        if sight is None or not sight.leads_material:
            return Refusal.FORBIDDEN
        rows = [line.row for line in self.organisation_of(viewer.workspace_id).lines]
        compared = [row for row in rows if row.cells]
        if len(compared) < MIN_TEAMS_TO_COMPARE:
            return StandingPage(team.channel_id, len(compared), ())
        own = next((row for row in rows if row.channel_id == team.channel_id), None)
        mine = shown_elements(viewer.lang, own.cells if own else (), self.content)
        return StandingPage(team.channel_id, len(compared), tuple(
            self._standing_row(viewer.lang, element, compared, mine[n])
            for n, element in enumerate(Element)))

    # -- parts ------------------------------------------------------------------------------

    def _round(self, viewer: Viewer, round_id: str
               ) -> tuple[Team, Sight, ResultSnapshot] | Refusal:
        """A closed round of the viewer's workspace they may see, with its snapshot."""
        round_ = self.store.get_round(round_id)
        if round_ is None or round_.workspace_id != viewer.workspace_id:
            return Refusal.NOT_FOUND
        team = self.store.get_team(viewer.workspace_id, round_.channel_id)
        snapshot = self.store.get_snapshot(round_id)
        if team is None or snapshot is None:
            return Refusal.NOT_FOUND
        sight = self.access.sight(viewer, team)
        if sight is None or not sight.sees_round(round_):
            return Refusal.FORBIDDEN
        return team, sight, snapshot

    def _posted(self, round_id: str) -> bool:
        round_ = self.store.get_round(round_id)
        return round_ is not None and round_.results_posted_at is not None

    def _seen_snapshots(self, team: Team, sight: Sight) -> list[ResultSnapshot]:
        """The team's closed rounds this person may see, oldest first."""
        rounds: dict[str, Round] = {r.id: r for r in self.store.list_rounds(
            team.workspace_id, team.channel_id)}
        return [s for s in self.history.snapshots(team)
                if (r := rounds.get(s.round_id)) is not None and sight.sees_round(r)]

    def _latest(self, lang: str, outcome: RoundOutcome) -> Latest:
        result = outcome.result
        return Latest(
            round_id=outcome.round_id, subject=outcome.subject, closed=day(outcome.closed_at),
            responses=outcome.responses, invited=outcome.invited,
            minimum=outcome.min_responses,
            overall=overall_text(lang, result, self.content) if result else None,
            elements=shown_elements(lang, result.elements, self.content) if result else (),
            withheld=None if result else withheld_text(
                lang, outcome.withheld, outcome.responses, outcome.invited,
                outcome.min_responses))

    def _trend(self, lang: str, team: Team, diagnostics: list[ResultSnapshot]
               ) -> tuple[TrendChart | None, tuple[tuple[str, tuple[str, ...]], ...]]:
        """The seen diagnostics about the last one's subject, each through the gate."""
        if not diagnostics:
            return None, ()
        subject = diagnostics[-1].subject
        points = [(s, result) for s in diagnostics
                  if (s.subject or "").strip().casefold() == (subject or "").strip().casefold()
                  and (result := self.history.shown(s, team)) is not None]
        if len(points) < 2:
            return None, ()
        dates = [day(s.closed_at) for s, _ in points]
        positions = [{e.element: e.position for e in result.elements} for _, result in points]
        figures: dict[Element, list[str]] = {element: [] for element in Element}
        for round_positions in positions:
            for element in Element:
                value = round_positions.get(element)
                figures[element].append(cut(lang, value) if value is not None else "")
        names = {e: element_name(lang, e, self.content) for e in Element}
        chart = trend_chart(dates, positions, names, figures)
        rows = tuple((date, tuple(figures[e][n] or t(lang, "results.element.na")
                                  for e in Element)) for n, date in enumerate(dates))
        return chart, rows

    def _round_link(self, lang: str, team: Team, snapshot: ResultSnapshot) -> RoundLink:
        return RoundLink(snapshot.round_id, snapshot.kind,
                         subject_text(normalise_lang(lang), snapshot.subject),
                         day(snapshot.closed_at),
                         self.history.shown(snapshot, team) is not None)

    def _commitment(self, lang: str, commitment: Commitment) -> CommitmentRow:
        """A commitment as the team's channel was told it ("Our next steps")."""
        return CommitmentRow(commitment.number, commitment.text, commitment.owner,
                             f"{commitment.due:%Y-%m-%d}", commitment.state,
                             t(lang, f"actions.state.{commitment.state}"))

    def _post(self, lang: str, team: Team, snapshot: ResultSnapshot,
              outcome: RoundOutcome) -> Message:
        """The round's channel post, in the viewer's language (as the channel got it)."""
        since = since_last_round(self.store, team, snapshot) if outcome.result else None
        if snapshot.kind == "pulse":
            last = self.history.latest(team, subject=snapshot.subject,
                                       before=snapshot.closed_at, exclude=snapshot.round_id,
                                       kind="diagnostic", at_least=outcome.min_responses)
            return pulse_post(lang, outcome, self.content, basis=snapshot.result.get("basis"),
                              last_diagnostic=last[1] if last else None, since=since)
        return results_post(lang, outcome, self.content, since=since)

    def _standing_row(self, lang: str, element: Element, compared: list[OverviewRow],
                      mine: ShownElement) -> StandingRow:
        positions = [cell.position for row in compared for cell in row.cells
                     if cell.element == element and cell.position is not None]
        name = element_name(lang, element, self.content)
        if len(positions) < MIN_TEAMS_TO_COMPARE:
            return StandingRow(name, mine, len(positions), 0, 0, None, "", "", "")
        further = behind = 0
        if mine.position is not None:
            further = sum(1 for p in positions if p > mine.position)
            behind = sum(1 for p in positions if p < mine.position)
        spread = strip(positions, mine.position)
        ordered = sorted(positions)
        return StandingRow(name, mine, len(positions), further, behind, spread,
                           cut(lang, ordered[0]), cut(lang, ordered[len(ordered) // 2]),
                           cut(lang, ordered[-1]))

