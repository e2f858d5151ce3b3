"""From results to action, below Slack: the guide, the modals, commitments, follow-up.

The flows run over a real TinyDB store with rounds closed by `ClosingFlow`, so the guide
and the suggestions come from results that passed the privacy gate, as in production.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conversations.actions.flow import ActionsFlow
from conversations.actions.planning import Refused, StepInput
from conversations.actions.read import CommitmentTally, round_commitments, tally
from conversations.actions.suggestions import suggestion_text, suggestions_for
from conversations.context import Caller
from conversations.diagnostic import Where
from conversations.export import commitments_csv
from conversations.home import HomeFlow
from conversations.outbound import (
    OpenModal,
    PostToChannel,
    Reply,
    SendDM,
    UpdateMessage,
    UploadFile,
)
from conversations.refs import ActionIds, ViewIds
from conversations.results.closing import ClosingFlow
from conversations.results.publication import PublishResults
from conversations.results.reports import ReportsFlow
from conversations.views.plan import STEPS, field_block
from model import Element, Lang, load_content
from storage import Commitment, Store, Team, UserInfo, open_store
from tests.conftest import FakeClock
from tests.model.conftest import per_element

CONTENT = load_content()
ITEMS = [item.id for item in CONTENT.questionnaire.items]
LEAD, ANNA, BERT, CARL, DORA, EVA, BOT = (
    "U0LEAD", "U0ANNA", "U0BERT", "U0CARL", "U0DORA", "U0EVA", "U0BOT")
PEOPLE = (ANNA, BERT, CARL, DORA, EVA, LEAD)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NEXT_MONDAY = "2026-12-07"

# Investment lags (bottleneck, its facilitating statements at 2), Impact splits the team.
STEADY = per_element(waarde=(4, 4, 2), impact=(4, 4, 3), innovatie=(4, 4, 3),
                     investering=(4, 2, 1))
LOW_IMPACT = {**STEADY, **{i: 1 for i in ITEMS if i.startswith("I")}}
HIGH_IMPACT = {**STEADY, **{i: 5 for i in ITEMS if i.startswith("I")}}


@dataclass
class People:
    """The bot's directory, as the planning flow asks it."""

    members: set[str] = field(default_factory=lambda: set(PEOPLE))
    bots: set[str] = field(default_factory=lambda: {BOT})
    zones: dict[str, str] = field(default_factory=lambda: {ANNA: "America/New_York"})

    def is_member(self, channel_id: str, user_id: str) -> bool:
        return channel_id == "C1" and user_id in self.members

    def is_person(self, user_id: str) -> bool:
        return user_id not in self.bots

    def timezone(self, user_id: str) -> str | None:
        return self.zones.get(user_id)


@dataclass
class World:
    store: Store
    clock: FakeClock
    closing: ClosingFlow
    actions: ActionsFlow
    people: People = field(default_factory=People)

    def caller(self, user: str = LEAD, lang: str = "en") -> Caller:
        return Caller("T1", user, lang, channel_id="C1")  # type: ignore[arg-type]

    def team(self) -> Team:
        team = self.store.get_team("T1", "C1")
        assert team is not None
        return team

    def close_round(self, answers: list[dict[str, int | None]],
                    barriers: list[list[str]] | None = None) -> tuple[str, list[Any]]:
        round_ = self.store.open_round("T1", "C1", invited=PEOPLE, item_ids=ITEMS)
        for person, given in zip(PEOPLE, answers, strict=False):
            self.store.record_answers(round_.id, person, given)
        for person, ticked in zip(PEOPLE, barriers or [], strict=False):
            self.store.record_checklist(round_.id, person, ticked, ["distance"])
        self.clock.advance(days=7)
        return round_.id, self.results(round_.id)

    def results(self, round_id: str) -> list[Any]:
        """Close the round; what its close queued, in the order the outbox sends it: the
        results post, then (its receipt queues them) each lead's guide."""
        assert self.closing.close(round_id)
        published = self.closing.publication(round_id)
        guides = [(lead, self.closing.guide(round_id, lead))
                  for lead in self.closing.leads_to_guide(round_id)]
        return [published, *(SendDM(lead, guide) for lead, guide in guides if guide)]

    def plan(self, round_id: str, *steps: StepInput, by: str = LEAD) -> Any:
        return self.actions.submit_plan(self.caller(by), round_id, list(steps), self.people)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = FakeClock(MONDAY)
    with open_store(tmp_path / "data", clock=clock) as store:
        store.save_team(Team("T1", "C1", leads=(LEAD,), language="en",
                             timezone="Europe/Amsterdam"))
        yield World(store, clock, ClosingFlow(store, CONTENT, clock),
                    ActionsFlow(store, CONTENT, clock, default_timezone="Europe/Amsterdam"))


def split_team() -> list[dict[str, int | None]]:
    return [LOW_IMPACT, LOW_IMPACT, LOW_IMPACT, HIGH_IMPACT, HIGH_IMPACT, HIGH_IMPACT]


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("text", "")]
    for block in message["blocks"]:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [e.get("text", {}).get("text", "") if isinstance(e.get("text"), dict)
                  else e.get("text", "") for e in block.get("elements", [])]
    return "\n".join(parts)


def guide_of(outbounds: list[Any], user: str = LEAD) -> dict[str, Any]:
    [guide] = [o.message for o in outbounds if isinstance(o, SendDM) and o.user_id == user
               and any(word in o.message["text"] for word in ("guide", "leidraad"))]
    return guide


def step(text: str | None = None, owner: str | None = ANNA, due: str | None = NEXT_MONDAY,
         tip: str | None = None) -> StepInput:
    return StepInput(tip=tip, text=text, owner=owner, due=due)


# -- the discussion guide ----------------------------------------------------------------------


def test_each_lead_gets_a_guide_after_the_post_with_phase_bottleneck_and_questions(
    world: World,
) -> None:
    round_id, out = world.close_round(
        [STEADY] * 4, barriers=[["time", "roi"], ["time"], ["time", "skills"], ["budget"]])
    assert isinstance(out[0], PublishResults)  # the post goes first, then the guide
    guide = guide_of(out)
    body = text_of(guide)
    assert "overall *pioneering* · bottleneck *Investment*" in body
    assert "*Investment* · from pioneering to facilitating" in body
    for theme in ("The tools have a named owner: 2.0",
                  "One supported platform, no tool sprawl: 2.0"):
        assert theme in body
    assert "When something in our tools goes wrong or needs changing, who do we turn to?" \
        in body
    assert "Holds us back most (4 people answered): Time (3) · Proving ROI (1) · Budget (1)" \
        in body
    assert "Why we started (4 people answered): Bridging geographic distance (4)" in body
    [plan] = [e for b in guide["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (plan["action_id"], plan["value"], plan["style"]) == (
        ActionIds.PLAN_ACTIONS, round_id, "primary")


def test_a_guide_says_when_too_few_answered_the_next_phase_to_know_what_holds_back(
    world: World,
) -> None:
    """Three people at 5 everywhere, one "don't know" on Value's strategic statement: the
    guide does not claim that nothing scored below the bar, and names no bottleneck."""
    everything: dict[str, int | None] = {item: 5 for item in ITEMS}
    _, out = world.close_round([{**everything, "W5": None}, everything, everything])
    body = text_of(guide_of(out))
    assert ("overall *facilitating or strategic* · no single bottleneck; *Value* is "
            "furthest behind") in body
    assert "Too few people answered the statements of the next phase" in body
    assert "Nothing here scored below the bar" not in body


def test_a_divided_bottleneck_is_named_as_divided_not_as_no_bottleneck(world: World) -> None:
    value = {item for item in ITEMS if item.startswith("W")}
    team: list[dict[str, int | None]] = [
        {item: (v if item in value else 5) for item in ITEMS} for v in (4, 4, 4, 2, 2)]
    _, out = world.close_round(team)
    body = text_of(guide_of(out))
    assert "<#C1> · *divided on Value*\n" in body
    assert "no single bottleneck" not in body
    assert "*Value* · the team is divided" in body


def test_a_divided_element_brings_its_split_statements_and_both_camps_question(
    world: World,
) -> None:
    _, out = world.close_round(split_team())
    body = text_of(guide_of(out))
    assert "*Impact* · the team is divided" in body
    assert "People share knowledge informally: 3.0" in body
    assert "What makes sharing feel risky or like extra work here?" in body
    assert "what do those who agree see that the others do not" in body
    assert "…and 3 more" in body  # six split statements: the first three with questions


def test_each_lead_reads_the_guide_in_their_own_language(world: World) -> None:
    world.store.save_team(Team("T1", "C1", leads=(LEAD, BERT), language="en"))
    world.store.save_user(UserInfo("T1", BERT, locale="nl-NL"))
    _, out = world.close_round([STEADY] * 3)
    assert "Gespreksleidraad" in text_of(guide_of(out, BERT))
    assert "knelpunt *Investering*" in text_of(guide_of(out, BERT))
    assert "Discussion guide" in text_of(guide_of(out, LEAD))


def test_no_guide_for_a_withheld_round_or_a_pulse(world: World) -> None:
    _, withheld = world.close_round([STEADY] * 2)
    assert not [o for o in withheld if isinstance(o, SendDM)]
    pulse = world.store.open_round("T1", "C1", kind="pulse", invited=PEOPLE,
                                   item_ids=["W1", "I1", "N1", "V1"], pulse_number=1)
    for person in PEOPLE[:3]:
        world.store.record_answers(pulse.id, person, dict.fromkeys(["W1", "I1", "N1", "V1"], 4))
    out = world.results(pulse.id)
    assert any(isinstance(o, PublishResults) for o in out)
    assert not [o for o in out if isinstance(o, SendDM)]


def test_tallies_below_the_minimum_stay_out_of_the_guide(world: World) -> None:
    _, out = world.close_round([STEADY] * 4, barriers=[["time"], ["roi"]])
    body = text_of(guide_of(out))
    assert "Holds us back most" not in body and "Time" not in body


# -- the modal ---------------------------------------------------------------------------------


def test_plan_actions_opens_the_modal_for_a_lead_with_the_teams_tips(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    [opened] = world.actions.plan(world.caller(), round_id, "trigger-1")
    assert isinstance(opened, OpenModal) and opened.trigger_id == "trigger-1"
    view = opened.view
    assert (view["callback_id"], view["private_metadata"]) == (ViewIds.PLAN, round_id)
    ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert ids == [field_block(n, f) for n in range(1, STEPS + 1)
                   for f in ("tip", "text", "owner", "due")]
    options = next(b for b in view["blocks"] if b.get("block_id") == field_block(1, "tip"))[
        "element"]["options"]
    first_tip = suggestion_text("en", options[0]["value"], CONTENT)
    assert first_tip is not None and first_tip in text_of(view)  # in full above the menus
    assert all(len(o["text"]["text"]) <= 75 for o in options)
    assert options[0]["value"].startswith("investering.")  # the bottleneck's tips first


def test_a_member_asking_for_the_modal_is_told_who_can(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    [refused] = world.actions.plan(world.caller(ANNA), round_id, "trigger-1")
    assert isinstance(refused, Reply) and f"<@{LEAD}>" in refused.message["text"]


def test_without_a_result_there_are_no_suggestions_but_own_words_work(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 2)
    [opened] = world.actions.plan(world.caller(), round_id, "t")
    assert isinstance(opened, OpenModal)
    assert not [b for b in opened.view["blocks"] if b.get("block_id", "").endswith("_tip")]
    assert isinstance(world.plan(round_id, step("Write our own wiki guide")), list)


# -- a submission ------------------------------------------------------------------------------


def test_an_empty_plan_is_refused_in_the_modal(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    refused = world.plan(round_id, StepInput(), StepInput(text="  "), StepInput())
    assert refused == Refused({field_block(1, "text"):
                               "Plan at least one commitment: pick a suggestion or write one."})


def test_each_missing_or_wrong_input_gets_its_own_error(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    world.people.members.discard(DORA)
    yesterday = (MONDAY.date() + timedelta(days=6)).isoformat()  # the round closed on day 7
    refused = world.plan(round_id, step(owner=None, due=None, text="Name an owner"),
                         step(owner=DORA, due=yesterday, text="Share stories"),
                         step(owner=BOT, text="Tidy the tools"))
    assert isinstance(refused, Refused)
    assert refused.errors == {
        field_block(1, "owner"): "Who takes this on? Pick an owner.",
        field_block(1, "due"): "By when? Pick a due date.",
        field_block(2, "owner"): "This person is not in the team's channel. Pick someone "
                                 "who is.",
        field_block(2, "due"): "Pick today or a later date.",
        field_block(3, "owner"): "Pick a person: bots and deactivated accounts cannot take "
                                 "on a commitment.",
    }
    assert world.store.commitments_of_team("T1", "C1") == []  # nothing half-saved


def test_owner_and_date_without_a_commitment_are_refused_in_dutch(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    refused = world.actions.submit_plan(world.caller(lang="nl"), round_id, [step()],
                                        world.people)
    assert refused == Refused({field_block(1, "text"): "Kies een suggestie of schrijf wat er "
                               "gaat gebeuren, of laat deze afspraak leeg."})


def test_a_saved_plan_goes_to_the_channel_and_each_owner_by_dm(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    world.store.save_user(UserInfo("T1", BERT, locale="nl-NL"))
    [opened] = world.actions.plan(world.caller(), round_id, "t")
    assert isinstance(opened, OpenModal)
    key = next(b for b in opened.view["blocks"] if b.get("block_id") == field_block(1, "tip"))[
        "element"]["options"][0]["value"]
    out = world.plan(round_id, step(tip=key, owner=ANNA),
                     step(tip=key, text="Our own words win", owner=BERT), StepInput())
    assert isinstance(out, list)
    saved = world.store.commitments_of_team("T1", "C1")
    assert [c.text for c in saved] == [suggestion_text("en", key, CONTENT), "Our own words win"]
    assert [c.number for c in saved] == [1, 2] and saved[0].planned_by == LEAD
    post, *dms = out
    assert isinstance(post, PostToChannel) and post.channel_id == "C1"
    assert "Our next steps" in text_of(post.message)
    assert f"*2.* Our own words win\n<@{BERT}> · due <!date^" in text_of(post.message)
    assert [(d.user_id, "klaar op" in text_of(d.message)) for d in dms] == [
        (ANNA, False), (BERT, True)]


def test_a_plan_submitted_again_is_saved_once_and_a_new_step_is_added(world: World) -> None:
    """The lead submits again when Slack never got the first answer (the bot died after
    saving): the team gets each commitment once, and a step added the second time."""
    round_id, _ = world.close_round([STEADY] * 3)
    first = step(text="Weekly demo in the channel", owner=ANNA)
    world.plan(round_id, first)
    out = world.plan(round_id, first)
    assert [c.text for c in world.store.commitments_of_team("T1", "C1")] == [
        "Weekly demo in the channel"]
    assert isinstance(out, list) and isinstance(out[0], PostToChannel)
    assert "Weekly demo in the channel" in text_of(out[0].message)
    world.plan(round_id, first, step(text="A wiki page per project", owner=BERT))
    saved = world.store.commitments_of_team("T1", "C1")
    assert [(c.number, c.text) for c in saved] == [
        (1, "Weekly demo in the channel"), (2, "A wiki page per project")]


def test_a_suggestion_reaches_each_reader_in_their_own_language(world: World) -> None:
    """The team reads English, Bert Dutch: the tip he took on reads in Dutch in every
    message to him, and in English in the channel; words the lead wrote stay as written."""
    round_id, _ = world.close_round([STEADY] * 3)
    world.store.save_user(UserInfo("T1", BERT, locale="nl-NL"))
    [opened] = world.actions.plan(world.caller(), round_id, "t")
    assert isinstance(opened, OpenModal)
    key = next(b for b in opened.view["blocks"] if b.get("block_id") == field_block(1, "tip"))[
        "element"]["options"][0]["value"]
    english, dutch = suggestion_text("en", key, CONTENT), suggestion_text("nl", key, CONTENT)
    assert english and dutch and english != dutch
    post, assigned = world.plan(round_id, step(tip=key, owner=BERT))
    assert english in text_of(post.message) and dutch not in text_of(post.message)
    [commitment] = world.store.commitments_of_team("T1", "C1")
    [(_, [due])] = world.actions.due_follow_ups(commitment.remind_at)
    [answered] = world.actions.answer(world.caller(BERT, "nl"), commitment.id, "working",
                                      Where("D0BERT", "1.0"))
    [edit] = world.actions.edit(world.caller(LEAD, "nl"), commitment.id, "t")
    home = HomeFlow(world.store, CONTENT, ReportsFlow(world.store, CONTENT, world.clock),
                    world.clock).view(world.caller(BERT, "nl"))
    assert isinstance(due, SendDM) and isinstance(answered, UpdateMessage)
    for message, dutch_words in ((assigned.message, "heeft je een afspraak"),
                                 (due.message, "moet vandaag klaar zijn"),
                                 (answered.message, "je bent er nog mee bezig"),
                                 (home, "Jouw afspraken")):
        read = text_of(message)
        assert dutch in read and english not in read and dutch_words in read, read
    initial = next(b for b in edit.view["blocks"]  # type: ignore[union-attr]
                   if b.get("block_id") == field_block(1, "text"))["element"]["initial_value"]
    assert initial == dutch
    assert dutch in commitments_csv([commitment], {}, "nl")
    kept = world.plan(round_id, step("Onze eigen woorden", owner=ANNA))
    assert "Onze eigen woorden" in text_of(kept[1].message)  # as written, to Anna too


def test_the_due_date_dm_is_set_for_nine_in_the_owners_morning(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    world.plan(round_id, step("New York", owner=ANNA), step("Amsterdam", owner=BERT))
    anna, bert = world.store.commitments_of_team("T1", "C1")
    assert anna.due == date(2026, 12, 7)
    assert anna.remind_at == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 9:00 EST
    assert bert.remind_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 9:00 CET


def test_a_member_cannot_submit_a_plan(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    refused = world.plan(round_id, step("Sneaky"), by=ANNA)
    assert isinstance(refused, Refused) and "leads" in refused.errors[field_block(1, "text")]


# -- editing and the follow-up -----------------------------------------------------------------


def planned(world: World, *texts: str, owner: str = ANNA) -> list[Commitment]:
    round_id, _ = world.close_round([STEADY] * 3)
    world.plan(round_id, *(step(text, owner=owner) for text in texts))
    return world.store.commitments_of_team("T1", "C1")


def test_editing_changes_what_and_who_tells_the_team_and_the_new_owner(world: World) -> None:
    [commitment] = planned(world, "Share stories")
    [opened] = world.actions.edit(world.caller(), commitment.id, "t")
    assert isinstance(opened, OpenModal) and opened.view["callback_id"] == ViewIds.EDIT
    assert opened.view["private_metadata"] == commitment.id
    world.clock.advance(days=30)  # the due date has passed: keeping it is fine
    out = world.actions.submit_edit(world.caller(), commitment.id,
                                    step("Share five stories", owner=BERT), world.people)
    assert isinstance(out, list)
    changed = world.store.get_commitment(commitment.id)
    assert changed is not None and (changed.text, changed.owner) == ("Share five stories", BERT)
    post, dm = out
    assert isinstance(post, PostToChannel) and "changed commitment 1" in text_of(post.message)
    assert isinstance(dm, SendDM) and dm.user_id == BERT
    moved = world.actions.submit_edit(world.caller(), commitment.id,
                                      step("Share five stories", owner=BERT, due="2026-12-01"),
                                      world.people)
    assert moved == Refused({field_block(1, "due"): "Pick today or a later date."})


def test_on_the_due_date_the_owner_is_asked_once_how_it_went(world: World) -> None:
    [commitment] = planned(world, "Share stories")
    assert world.actions.due_follow_ups(commitment.remind_at - timedelta(minutes=1)) == []
    [(workspace, [dm])] = world.actions.due_follow_ups(commitment.remind_at)
    assert workspace == "T1" and isinstance(dm, SendDM) and dm.user_id == ANNA
    buttons = [e for b in dm.message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (ActionIds.COMMITMENT_DONE, commitment.id), (ActionIds.COMMITMENT_WORKING, commitment.id),
        (ActionIds.COMMITMENT_DROPPED, commitment.id)]
    assert world.actions.due_follow_ups(commitment.remind_at + timedelta(hours=1)) == []


def test_the_owners_answer_is_recorded_and_replaces_the_buttons(world: World) -> None:
    [commitment] = planned(world, "Share stories")
    where = Where("D0ANNA", "1.0")
    [refused] = world.actions.answer(world.caller(BERT), commitment.id, "done", where)
    assert isinstance(refused, Reply) and "owner" in refused.message["text"]
    [updated] = world.actions.answer(world.caller(ANNA), commitment.id, "working", where)
    assert isinstance(updated, UpdateMessage) and updated.ts == "1.0"
    assert "still working" in updated.message["text"]
    world.actions.answer(world.caller(LEAD), commitment.id, "done", where)
    stored = world.store.get_commitment(commitment.id)
    assert stored is not None and stored.state == "done"


def test_a_forgotten_owner_is_never_asked(world: World) -> None:
    [commitment] = planned(world, "Share stories")
    world.store.forget_user("T1", ANNA)
    assert world.actions.due_follow_ups(commitment.remind_at) == []
    assert world.store.due_commitments(commitment.remind_at) == []


# -- /wi3 actions ------------------------------------------------------------------------------


def test_the_team_sees_its_commitments_and_only_leads_get_edit_drop_and_plan(
    world: World,
) -> None:
    first, second = planned(world, "Share stories", "Name an owner")
    world.store.update_commitment(second.id, state="done")
    [member_view] = world.actions.listing(world.caller(ANNA), world.team())
    assert isinstance(member_view, Reply)
    body = text_of(member_view.message)
    assert "*1.* Share stories" in body and "_open_" in body and "_done_" in body
    assert not [b for b in member_view.message["blocks"] if b["type"] == "actions"]
    [lead_view] = world.actions.listing(world.caller(), world.team())
    assert isinstance(lead_view, Reply)
    clickable = [(e["action_id"], e["value"]) for b in lead_view.message["blocks"]
                 if b["type"] == "actions" for e in b["elements"]]
    assert (ActionIds.EDIT_COMMITMENT, first.id) in clickable
    assert (ActionIds.DROP_COMMITMENT, first.id) in clickable
    assert (ActionIds.EDIT_COMMITMENT, second.id) not in clickable  # done: nothing to change
    assert (ActionIds.PLAN_ACTIONS, first.round_id) in clickable
    [drop] = [e for b in lead_view.message["blocks"] if b["type"] == "actions"
              for e in b["elements"] if e["action_id"] == ActionIds.DROP_COMMITMENT]
    assert drop["confirm"]["title"]["text"] == "Drop this commitment?"  # asked first


def test_a_lead_drops_a_commitment_and_the_team_reads_it(world: World) -> None:
    [commitment] = planned(world, "Share stories")
    refresh, post = world.actions.drop(world.caller(), commitment.id)
    assert isinstance(refresh, Reply) and refresh.replace_original
    assert "_dropped_" in text_of(refresh.message)
    assert isinstance(post, PostToChannel) and "dropped commitment 1" in text_of(post.message)
    [only_refresh] = world.actions.drop(world.caller(), commitment.id)
    assert isinstance(only_refresh, Reply)
    [refused] = world.actions.drop(world.caller(ANNA), commitment.id)
    assert isinstance(refused, Reply) and not refused.replace_original


# -- since last round, the export, App Home ----------------------------------------------------


def test_the_next_rounds_post_says_how_the_commitments_went(world: World) -> None:
    first, second, third = planned(world, "a", "b", "c")
    world.store.update_commitment(first.id, state="done")
    world.store.update_commitment(second.id, state="done")
    world.store.update_commitment(third.id, state="dropped")
    _, out = world.close_round([STEADY] * 3)
    [post] = [o for o in out if isinstance(o, PublishResults)]
    assert "Since last round: 2 of 3 commitments done, 1 dropped" in text_of(post.message)
    reposted = ReportsFlow(world.store, CONTENT, world.clock).repost(
        world.caller(), world.team(), post.round_id)
    assert "2 of 3 commitments done" in text_of(reposted[0].message)  # type: ignore[union-attr]


@pytest.mark.parametrize(("lang", "under_way", "all_done"), [
    ("en", "⏳ Since last round: 0 of 2 commitments done, 1 not yet due",
     "✅ Since last round: 1 of 2 commitments done, 1 dropped"),
    ("nl", "⏳ Sinds de vorige ronde: 0 van de 2 afspraken nagekomen, 1 nog vóór de einddatum",
     "✅ Sinds de vorige ronde: 1 van de 2 afspraken nagekomen, 1 losgelaten"),
])
def test_no_tick_for_commitments_not_done_and_those_not_yet_due_are_said(
    world: World, lang: Lang, under_way: str, all_done: str
) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    world.store.save_team(Team("T1", "C1", leads=(LEAD,), language=lang))
    far = (world.clock.now + timedelta(days=60)).date().isoformat()
    world.plan(round_id, step("Late already"), step("Not due yet", due=far))
    _, out = world.close_round([STEADY] * 3)  # a week on: the first is due, the second not
    [post] = [o for o in out if isinstance(o, PublishResults)]
    line = next(line for line in text_of(post.message).splitlines()
                if under_way.split(" ", 2)[1] in line)
    assert line == under_way
    late, not_due = world.store.commitments_of_team("T1", "C1")
    world.store.update_commitment(late.id, state="dropped")
    world.store.update_commitment(not_due.id, state="done")
    reposted = ReportsFlow(world.store, CONTENT, world.clock).repost(
        world.caller(lang=lang), world.team(), post.round_id)
    assert all_done in text_of(reposted[0].message)  # type: ignore[union-attr]


def test_the_next_pulse_post_says_it_too_and_a_first_round_says_nothing(world: World) -> None:
    round_id, first = world.close_round([STEADY] * 3)
    [post] = [o for o in first if isinstance(o, PublishResults)]
    assert "Since last round" not in text_of(post.message)
    world.plan(round_id, step("Share stories"))
    world.store.save_team(Team("T1", "C1", leads=(LEAD,), language="nl"))
    pulse = world.store.open_round("T1", "C1", kind="pulse", invited=PEOPLE,
                                   item_ids=["W1", "I1", "N1", "V1"], pulse_number=1)
    for person in PEOPLE[:3]:
        world.store.record_answers(pulse.id, person, dict.fromkeys(["W1", "I1", "N1", "V1"], 4))
    [pulse_post] = [o for o in world.results(pulse.id) if isinstance(o, PublishResults)]
    assert "Sinds de vorige ronde: 0 van de 1 afspraken nagekomen" in text_of(pulse_post.message)


def test_the_export_gains_a_csv_of_the_commitments(world: World) -> None:
    [commitment] = planned(world, "=HYPERLINK(evil)")
    reports = ReportsFlow(world.store, CONTENT, world.clock)
    out = reports.export(world.caller(), world.team())
    [steps] = [o for o in out if getattr(o, "filename", "").endswith("-next-steps.csv")]
    assert isinstance(steps, UploadFile) and isinstance(steps.content, bytes)
    rows = list(csv.reader(io.StringIO(steps.content.decode())))
    assert rows[0] == ["number", "planned (UTC)", "round closed (UTC)", "commitment", "owner",
                       "due", "state", "updated (UTC)"]
    assert rows[1][0] == "1" and rows[1][3] == "'=HYPERLINK(evil)" and rows[1][4] == ANNA
    assert rows[1][5:7] == ["2026-12-07", "open"]
    assert "with 1 closed round and one with 1 commitment by DM." in out[-1].message["text"]  # type: ignore[union-attr]
    dutch = commitments_csv([commitment], {}, "nl")
    assert dutch.startswith("nummer,") and ",open," in dutch


def test_app_home_shows_my_commitments_and_my_teams(world: World) -> None:
    first, _ = planned(world, "Share stories", "Name an owner")
    world.store.update_commitment(first.id, state="done")
    home = HomeFlow(world.store, CONTENT, ReportsFlow(world.store, CONTENT, world.clock),
                    world.clock)
    body = text_of(home.view(world.caller(ANNA)))
    assert "*Your commitments*" in body and "Name an owner" in body
    assert "Next steps: 1 of 2 done" in body and "• Name an owner" in body
    assert "Your commitments" not in text_of(home.view(world.caller(EVA)))


def test_suggestions_come_from_the_gated_result_in_the_readers_language(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    result = world.actions.shown_result(world.store.get_round(round_id),  # type: ignore[arg-type]
                                        world.team())
    english = suggestions_for("en", result, CONTENT)
    dutch = suggestions_for("nl", result, CONTENT)
    assert [s.key for s in english] == [s.key for s in dutch]
    assert english[0].text != dutch[0].text
    assert {s.key.split(".")[0] for s in english} == {e.value for e in Element}
    assert suggestion_text("en", "nonsense", CONTENT) is None
    assert suggestion_text("en", "waarde.7.0", CONTENT) is None


def test_a_tip_under_way_is_not_suggested_again_until_it_is_finished(world: World) -> None:
    round_id, _ = world.close_round([STEADY] * 3)
    [opened] = world.actions.plan(world.caller(), round_id, "t")
    assert isinstance(opened, OpenModal)
    key = next(b for b in opened.view["blocks"] if b.get("block_id") == field_block(1, "tip"))[
        "element"]["options"][0]["value"]
    tip = suggestion_text("en", key, CONTENT)
    assert tip is not None and tip in text_of(opened.view)
    world.plan(round_id, step(tip=key))
    second_round, _ = world.close_round([STEADY] * 3)
    [again] = world.actions.plan(world.caller(), second_round, "t")
    assert isinstance(again, OpenModal) and tip not in text_of(again.view)
    [commitment] = world.store.commitments_of_team("T1", "C1")
    world.store.update_commitment(commitment.id, state="done")
    [later] = world.actions.plan(world.caller(), second_round, "t")
    assert isinstance(later, OpenModal) and tip in text_of(later.view)


def test_the_read_api_gives_a_rounds_commitments_for_its_report(world: World) -> None:
    first_round, _ = world.close_round([STEADY] * 3)
    world.plan(first_round, step("After the first round"))
    second_round, _ = world.close_round([STEADY] * 3)
    later = (world.clock.now + timedelta(days=7)).date().isoformat()
    assert isinstance(world.plan(second_round, step("After the second round", due=later),
                                 step("And another", due=later)), list)
    assert [c.text for c in round_commitments(world.store, first_round)] == [
        "After the first round"]
    assert [c.number for c in round_commitments(world.store, second_round)] == [2, 3]
    assert round_commitments(world.store, "no-such-round") == []
    assert tally(round_commitments(world.store, second_round)) == CommitmentTally(0, 2, 0)
