"""Planning commitments: the "Plan actions" and edit modals, and what a submission does.

A submission is checked as a whole before anything is saved. What is wrong stays in the
modal as errors under the inputs (`Refused`, answered with `response_action: errors`);
what is right is saved in one write, posted to the channel ("Our next steps") and sent to
each owner by DM. A picked suggestion is saved in the team's language, like everything the
channel reads. A commitment's due-date DM goes out at nine in the morning of the due date
where its owner lives (their Slack timezone, else the team's, else the default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from conversations.actions.base import ActionsBase, lang_of
from conversations.actions.read import team_commitments
from conversations.actions.suggestions import suggestion_text, suggestions_for
from conversations.context import Caller
from conversations.diagnostic import subject_text
from conversations.i18n import t
from conversations.outbound import OpenModal, Outbound, PostToChannel, Reply, SendDM
from conversations.schedule import zone
from conversations.team import may_manage, refusal
from conversations.views.commitments import assigned_dm, changed_post, next_steps_post
from conversations.views.diagnostic import notice
from conversations.views.plan import DUE, OWNER, TEXT, edit_modal, field_block, plan_modal
from storage import MAX_COMMITMENT_TEXT, Commitment, CommitmentPlan, Team

REMINDER_TIME = time(9, 0)
"""When, on the due date, the owner is asked how it went (their local time)."""


@dataclass(frozen=True)
class StepInput:
    """What a lead filled in for one commitment, as the modal sent it (None: empty)."""

    tip: str | None = None
    text: str | None = None
    owner: str | None = None
    due: str | None = None
    """The date picker's "YYYY-MM-DD"."""

    @property
    def empty(self) -> bool:
        return not (self.tip or (self.text or "").strip() or self.owner or self.due)


@dataclass(frozen=True)
class Refused:
    """The modal stays open showing these errors under its inputs (block id -> text)."""

    errors: Mapping[str, str]


class Directory(Protocol):
    """What the bot can tell about the people of the caller's workspace."""

    def is_member(self, channel_id: str, user_id: str) -> bool: ...

    def is_person(self, user_id: str) -> bool:
        """A human with an active account (no bot, nobody deactivated)."""
        ...

    def timezone(self, user_id: str) -> str | None: ...


Submitted = Refused | list[Outbound]


class PlanningFlow(ActionsBase):
    """The modals, and saving what a lead submits in them."""

    def plan(self, caller: Caller, round_id: str, trigger_id: str) -> list[Outbound]:
        """"Plan actions" (in the guide or `/wi3 actions`): the modal, for a lead."""
        found = self.round_and_team(caller, round_id)
        if found is None:
            return [Reply(notice(t(caller.lang, "question.round_unknown")))]
        round_, team = found
        if not may_manage(team, caller):
            return refusal(team, caller)
        under_way = [c.text for c in team_commitments(self.store, team) if c.is_active]
        suggestions = suggestions_for(caller.lang, self.shown_result(round_, team), self.content,
                                      under_way)
        view = plan_modal(caller.lang, round_id=round_.id, channel_id=team.channel_id,
                          subject=subject_text(caller.lang, round_.subject),
                          suggestions=suggestions)
        return [OpenModal(trigger_id, view)]

    def edit(self, caller: Caller, commitment_id: str, trigger_id: str) -> list[Outbound]:
        """"Edit" in `/wi3 actions`: the commitment's modal, for a lead."""
        found = self.commitment_and_team(caller, commitment_id)
        if found is None:
            return self.unknown(caller)
        commitment, team = found
        if not may_manage(team, caller):
            return refusal(team, caller)
        return [OpenModal(trigger_id, edit_modal(caller.lang, commitment))]

    def submit_plan(self, caller: Caller, round_id: str, steps: Sequence[StepInput],
                    people: Directory) -> Submitted:
        """Save the commitments of a "Plan actions" modal, or say what to fix in it."""
        first = field_block(1, TEXT)
        found = self.round_and_team(caller, round_id)
        if found is None:
            return Refused({first: t(caller.lang, "question.round_unknown")})
        round_, team = found
        if not may_manage(team, caller):
            return Refused({first: t(caller.lang, "actions.plan.error_not_lead")})
        plans: list[CommitmentPlan] = []
        errors: dict[str, str] = {}
        for step, given in enumerate(steps, 1):
            if given.empty:
                continue
            plan = self._read(caller, step, given, team, people, errors)
            if plan is not None:
                plans.append(plan)
        if not plans and not errors:
            errors[first] = t(caller.lang, "actions.plan.error_nothing")
        if errors:
            return Refused(errors)
        saved = self._save_once(team, round_.id, plans, caller)
        post = next_steps_post(team.language, saved, lead=caller.user_id,
                               channel_id=team.channel_id,
                               subject=subject_text(team.language, round_.subject))
        return [PostToChannel(team.channel_id, post),
                *self._tell_owners(saved, team, caller)]

    def _save_once(self, team: Team, round_id: str, plans: Sequence[CommitmentPlan],
                   caller: Caller) -> list[Commitment]:
        """Save the plans, except those this lead already saved for this round: a modal
        submitted again because its first answer never reached Slack (the bot died after
        saving, or took too long) must not give the team every commitment twice."""
        earlier = {_plan_key(c.text, c.owner, c.due): c
                   for c in self.store.commitments_of_team(team.workspace_id, team.channel_id)
                   if c.round_id == round_id and c.planned_by == caller.user_id}
        known = [earlier[key] for key in (_plan_key(p.text, p.owner, p.due) for p in plans)
                 if key in earlier]
        new = [p for p in plans if _plan_key(p.text, p.owner, p.due) not in earlier]
        if not new:
            return known
        return [*known, *self.store.add_commitments(team.workspace_id, team.channel_id,
                                                    round_id, new, planned_by=caller.user_id,
                                                    at=self.clock())]

    def submit_edit(self, caller: Caller, commitment_id: str, given: StepInput,
                    people: Directory) -> Submitted:
        """Save an edited commitment, or say what to fix in the modal."""
        first = field_block(1, TEXT)
        found = self.commitment_and_team(caller, commitment_id)
        if found is None:
            return Refused({first: t(caller.lang, "actions.plan.error_gone")})
        current, team = found
        if not may_manage(team, caller):
            return Refused({first: t(caller.lang, "actions.plan.error_not_lead")})
        errors: dict[str, str] = {}
        plan = self._read(caller, 1, given, team, people, errors, kept_due=current.due)
        if plan is None:
            return Refused(errors)
        rearm = plan.due != current.due or plan.owner != current.owner
        changed = self.store.update_commitment(
            commitment_id, text=plan.text, owner=plan.owner, due=plan.due,
            remind_at=plan.remind_at if rearm else None, at=self.clock())
        out: list[Outbound] = [PostToChannel(team.channel_id, changed_post(
            team.language, changed, lead=caller.user_id))]
        if changed.owner != current.owner:
            out += self._tell_owners([changed], team, caller)
        return out

    # -- reading one commitment ---------------------------------------------------------------

    def _read(self, caller: Caller, step: int, given: StepInput, team: Team,
              people: Directory, errors: dict[str, str], *,
              kept_due: date | None = None) -> CommitmentPlan | None:
        """The plan in one step's inputs; what is wrong goes into `errors` (None then)."""
        lang = caller.lang
        found: dict[str, str] = {}
        text = (given.text or "").strip() or (
            suggestion_text(team.language, given.tip, self.content) if given.tip else None)
        if not text:
            found[field_block(step, TEXT)] = t(lang, "actions.plan.error_no_text")
        elif len(" ".join(text.split())) > MAX_COMMITMENT_TEXT:
            found[field_block(step, TEXT)] = t(lang, "actions.plan.error_too_long",
                                               max=MAX_COMMITMENT_TEXT)
        owner_problem = self._owner_problem(given.owner, team, people)
        if owner_problem:
            found[field_block(step, OWNER)] = t(lang, f"actions.plan.{owner_problem}")
        due = _date(given.due)
        tz = zone(people.timezone(given.owner) if given.owner else None,
                  team.timezone or self.default_timezone)
        if due is None:
            found[field_block(step, DUE)] = t(lang, "actions.plan.error_no_due")
        elif due < self.clock().astimezone(tz).date() and due != kept_due:
            found[field_block(step, DUE)] = t(lang, "actions.plan.error_past")
        if found or text is None or given.owner is None or due is None:
            errors.update(found)
            return None
        return CommitmentPlan(text, given.owner, due,
                              datetime.combine(due, REMINDER_TIME, tzinfo=tz))

    @staticmethod
    def _owner_problem(owner: str | None, team: Team, people: Directory) -> str | None:
        if owner is None:
            return "error_no_owner"
        if not people.is_person(owner):
            return "error_not_person"
        if not people.is_member(team.channel_id, owner):
            return "error_not_member"
        return None

    def _tell_owners(self, commitments: Sequence[Commitment], team: Team,
                     caller: Caller) -> list[Outbound]:
        """Each owner hears what they took on, in their own language."""
        return [SendDM(c.owner, assigned_dm(
                    lang_of(self.store, team.workspace_id, c.owner, team.language), c,
                    lead=caller.user_id))
                for c in commitments if c.owner is not None]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _plan_key(text: str, owner: str | None, due: date) -> tuple[str, str | None, date]:
    return text.strip().casefold(), owner, due
