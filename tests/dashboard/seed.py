"""An organisation to look at: two workspaces, teams with closed and published rounds.

Built through the store and the closing flow (as a round closing in Slack writes it), so
every page reads what production reads: snapshots, last-result summaries, commitments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from bot.emulator import Workspace
from conversations.results.closing import ClosingFlow
from model import load_content
from storage import CommitmentPlan, Store, Team

CONTENT = load_content()
ITEMS = [item.id for item in CONTENT.questionnaire.items]
WS, OTHER_WS = "T0WI3TEST", "T0OTHER01"
ADMIN, LEAD, OUTSIDER, OTHER_ADMIN = "U0ADMIN01", "U0LEAD001", "U0OUTSID1", "U0OTHADM1"
MEMBERS = ("U0MEMB001", "U0MEMB002", "U0MEMB003", "U0MEMB004", "U0MEMB005")
LED = ("C0TEAM001", "C0TEAM002")
TEAMS = (*LED, "C0TEAM003", "C0TEAM004", "C0TEAM005", "C0TEAM006")
WITHHELD, NO_ROUND = "C0THIN007", "C0NEW0008"
SUBJECT = "our wiki"

Clock = Callable[[], datetime]


def people(workspace: Workspace) -> Workspace:
    """The people of the main workspace: an admin, a lead (Dutch), members, an outsider."""
    workspace.add_user(ADMIN, "ada", real_name="Ada Admin", is_admin=True)
    workspace.add_user(LEAD, "lea", real_name="Lea Leider", locale="nl-NL")
    for n, member in enumerate(MEMBERS, 1):
        workspace.add_user(member, f"member{n}", real_name=f"Member {n}")
    workspace.add_user(OUTSIDER, "otto", real_name="Otto Outside")
    return workspace


def other_workspace() -> Workspace:
    """Another workspace that uses wi3 too, with a team on a channel id that repeats."""
    workspace = Workspace(team_id=OTHER_WS, team_name="Other Org", domain="other",
                          bot_user_id="U0OTHBOT1")
    workspace.add_user(OTHER_ADMIN, "oscar", real_name="Oscar Other", is_admin=True)
    return workspace


def answers(seed: int, level: int = 3) -> dict[str, int | None]:
    """Around `level` (1..5), one up or down by statement and person; every seventh
    statement "don't know"."""
    return {item: None if (seed + n) % 7 == 6 else min(max(level + (seed + n) % 3 - 1, 1), 5)
            for n, item in enumerate(ITEMS)}


def scorer(n: int, turn: int) -> Callable[[int], dict[str, int | None]]:
    """Team `n`'s answers in round `turn`, by person."""
    return lambda k: answers(k + n, 2 + (n + turn) % 4)


def close_round(store: Store, closing: ClosingFlow, clock: Callable[..., datetime],
                workspace_id: str, channel: str, users: Sequence[str],
                score: Callable[[int], dict[str, int | None]], *, posted: bool = True,
                advance: Callable[[], object], subject: str = SUBJECT) -> str:
    round_ = store.open_round(workspace_id, channel, invited=list(users), item_ids=ITEMS,
                              subject=subject, at=clock())
    for n, user in enumerate(users):
        store.record_answers(round_.id, user, score(n))
        store.mark_finished(round_.id, user)
    advance()
    assert closing.close(round_.id)
    if posted:
        store.mark_results_posted(round_.id)
    return round_.id


def organisation(store: Store, clock: Clock, advance: Callable[[], object]) -> dict[str, str]:
    """Seed both workspaces; returns the ids of rounds a test names."""
    closing = ClosingFlow(store, CONTENT, clock)
    rounds: dict[str, str] = {}
    for n, channel in enumerate(TEAMS):
        leads = (LEAD,) if channel in LED else (f"U0LEADX{n:02d}",)
        store.save_team(Team(WS, channel, leads=leads, min_responses=3, subject=SUBJECT))
        users = MEMBERS if channel == LED[0] else [f"U0P{n}{k:05d}" for k in range(5)]
        for turn in range(2):
            rounds[f"{channel}-{turn}"] = close_round(
                store, closing, clock, WS, channel, users,
                scorer(n, turn),
                advance=advance)
    rounds["unposted"] = close_round(store, closing, clock, WS, LED[0], MEMBERS,
                                     lambda k: answers(k + 1), posted=False, advance=advance)
    store.save_team(Team(WS, WITHHELD, leads=("U0LEADX98",), min_responses=3))
    rounds["withheld"] = close_round(store, closing, clock, WS, WITHHELD, ["U0T1", "U0T2"],
                                     lambda k: answers(k), advance=advance)
    store.save_team(Team(WS, NO_ROUND, leads=("U0LEADX99",)))
    store.save_team(Team(OTHER_WS, LED[0], leads=(OTHER_ADMIN,), subject="other secrets"))
    rounds["other"] = close_round(store, closing, clock, OTHER_WS, LED[0],
                                  [OTHER_ADMIN, "U0Q1", "U0Q2", "U0Q3"],
                                  lambda k: answers(k + 2), advance=advance,
                                  subject="other secrets")
    store.add_commitments(WS, LED[0], rounds[f"{LED[0]}-1"], [
        CommitmentPlan("Demo the wiki <b>every</b> Friday", MEMBERS[0],
                       date(2027, 1, 8), clock() + timedelta(days=5))], planned_by=LEAD)
    return rounds
