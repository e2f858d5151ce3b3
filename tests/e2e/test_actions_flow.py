"""From results to action, end to end: the guide, the modal, commitments and follow-up.

The bot is served over real HTTP against the emulated Slack. Answers are stored directly
(the survey's own clicks are tested elsewhere); every step of this feature is a signed
request: `/wi3 close` and `/wi3 actions`, the "Plan actions" click and its `views.open`,
the `view_submission`s with their errors, the owner's Done, the scheduler's due-date DMs.
Lotte, the lead, reads Slack in Dutch; the team's channel is in English.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.emulator import ModalView, SlackDriver, SlackEmulator, Workspace
from bot.emulator.seed import LEAD, MEMBERS, OTHER_BOT, TEAM_CHANNEL
from bot.emulator.workspace import Message
from bot.services import Services
from conversations.actions.suggestions import suggestion_text
from conversations.refs import ActionIds, ViewIds
from conversations.views.plan import field_block
from model import load_content
from storage import Commitment
from tests.conftest import FakeClock
from tests.conversations.report_helpers import pdf_text, squash
from tests.e2e.helpers import LAGGING_INVESTMENT, alarms, full_disk, guide_to, plan_values
from tests.pg import STORE_VARIABLE

ALEX, SAMI, NOOR, KAI = MEMBERS
OUTSIDER = "U0OUTSIDE9"
WORKSPACE = "T0WI3TEST"
NEXT_WEEK = "2026-12-07"
CONTENT = load_content()


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    workspace.add_user(OUTSIDER, "olga", real_name="Olga Outside", locale="en-GB")
    return workspace


def closed_round(driver: SlackDriver, services: Services, clock: FakeClock) -> str:
    """Set up the team, start a round, three members answer, the lead closes it."""
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "language en")
    assert driver.command(LEAD, TEAM_CHANNEL, "start").status == 200
    round_ = services.store.open_round_for(WORKSPACE, TEAM_CHANNEL)
    assert round_ is not None
    for user in (ALEX, SAMI, NOOR):
        services.store.record_answers(round_.id, user, LAGGING_INVESTMENT)
        services.store.record_checklist(round_.id, user, ["time"], ["distance"])
    clock.advance(days=1)
    assert driver.command(LEAD, TEAM_CHANNEL, "close").status == 200
    return round_.id


def guide(emulator: SlackEmulator) -> Message:
    return guide_to(emulator, LEAD)


def open_plan(driver: SlackDriver, emulator: SlackEmulator) -> ModalView:
    assert driver.click(LEAD, guide(emulator), ActionIds.PLAN_ACTIONS).status == 200
    modal = emulator.modal(LEAD)
    assert modal is not None
    return modal


def last_reply(emulator: SlackEmulator, user: str = LEAD) -> Message:
    return emulator.ephemerals_to(user, TEAM_CHANNEL)[-1]


def commitments(services: Services) -> list[Commitment]:
    return services.store.commitments_of_team(WORKSPACE, TEAM_CHANNEL)


def test_the_lead_gets_a_guide_in_dutch_after_the_english_results_post(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    round_id = closed_round(driver, services, clock)
    post, text = emulator.messages_to(TEAM_CHANNEL)[-2:]  # the results, then their chart
    assert "WI3 results" in post.visible_text() and text.files
    body = guide(emulator).visible_text()
    assert "totaalfase *pionierend* · knelpunt *Investering*" in body
    assert "De tools hebben een vaste eigenaar: 2,0" in body
    assert "Bij wie kloppen we aan als er iets misgaat" in body
    assert "Remt ons het meest (3 mensen antwoordden): Tijd (3)" in body
    _, button = guide(emulator).find_button(ActionIds.PLAN_ACTIONS)
    assert (button["value"], button["style"], button["text"]["text"]) == (
        round_id, "primary", "Acties plannen")
    for member in MEMBERS:
        assert not [m for m in emulator.messages_to(member)
                    if "Gespreksleidraad" in m.visible_text()
                    or "Discussion guide" in m.visible_text()]


def test_plan_actions_opens_the_modal_and_its_errors_stay_in_it(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    round_id = closed_round(driver, services, clock)
    modal: ModalView | None
    modal = open_plan(driver, emulator)
    [opened] = emulator.calls("views.open")
    assert opened.ok and modal.callback_id == ViewIds.PLAN
    assert modal.private_metadata == round_id and "Acties plannen" in modal.visible_text()

    empty = driver.submit_view(LEAD)
    assert empty.status == 200 and empty.json()["response_action"] == "errors"
    modal = emulator.modal(LEAD)
    assert modal is not None and modal.errors == {
        field_block(1, "text"): "Plan minstens één afspraak: kies een suggestie of schrijf er "
                                "een."}

    wrong = driver.submit_view(LEAD, plan_values(
        {"text": "Share three success stories", "owner": OUTSIDER, "due": NEXT_WEEK},
        {"text": "Ask the bot", "owner": OTHER_BOT, "due": "2026-11-01"}))
    assert wrong.json()["response_action"] == "errors"
    modal = emulator.modal(LEAD)
    assert modal is not None and set(modal.errors) == {
        field_block(1, "owner"), field_block(2, "owner"), field_block(2, "due")}
    assert "zit niet in het kanaal" in modal.errors[field_block(1, "owner")]
    assert commitments(services) == []
    assert not [m for m in emulator.messages_to(TEAM_CHANNEL) if "next steps" in m.text]


def test_saved_commitments_go_to_the_channel_each_owner_and_app_home(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    modal = open_plan(driver, emulator)
    tip = modal.inputs()[field_block(1, "tip")]["options"][0]
    saved = driver.submit_view(LEAD, plan_values(
        {"tip": tip["value"], "owner": ALEX, "due": NEXT_WEEK},
        {"text": "Name an owner for our wiki", "owner": NOOR, "due": "2026-12-14"}))
    assert saved.status == 200 and saved.body == ""
    assert emulator.modal(LEAD) is None  # a plain acknowledgement closes it
    first, second = commitments(services)
    assert (first.owner, first.due, second.text) == (ALEX, date(2026, 12, 7),
                                                      "Name an owner for our wiki")
    post = emulator.messages_to(TEAM_CHANNEL)[-1].visible_text()
    assert "Our next steps" in post and f"<@{LEAD}>" in post
    assert f"*1.* {first.text}" in post and f"<@{NOOR}>" in post
    assert "put you down" in emulator.messages_to(ALEX)[-1].visible_text()
    assert "heeft je een afspraak" in emulator.messages_to(NOOR)[-1].visible_text()
    driver.event("app_home_opened", user=ALEX, tab="home")
    home = emulator.home_view(ALEX)
    assert home is not None
    assert "*Your commitments*" in home.visible_text() and first.text in home.visible_text()
    assert "Next steps: 0 of 2 done" in home.visible_text()
    assert "Name an owner for our wiki" in home.visible_text()  # the team's, Noor's


def test_a_tip_taken_on_reads_in_the_owners_language_in_every_dm(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    """The channel reads English, Noor Dutch: one language per message, hers."""
    closed_round(driver, services, clock)
    modal = open_plan(driver, emulator)
    key = modal.inputs()[field_block(1, "tip")]["options"][0]["value"]
    english, dutch = suggestion_text("en", key, CONTENT), suggestion_text("nl", key, CONTENT)
    assert english and dutch
    driver.submit_view(LEAD, plan_values({"tip": key, "owner": NOOR, "due": NEXT_WEEK}))
    post = emulator.messages_to(TEAM_CHANNEL)[-1].visible_text()
    assert "Our next steps" in post and english in post and dutch not in post
    assigned = emulator.messages_to(NOOR)[-1].visible_text()
    assert "heeft je een afspraak" in assigned and dutch in assigned
    assert english not in assigned
    clock.now = clock.now.replace(year=2026, month=12, day=7, hour=8, minute=0)  # 9:00 CET
    services.scheduler.tick(clock())
    due = emulator.messages_to(NOOR)[-1].visible_text()
    assert "moet vandaag klaar zijn" in due and dutch in due and english not in due


def test_on_the_due_date_the_owner_is_asked_once_and_answers(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    open_plan(driver, emulator)
    driver.submit_view(LEAD, plan_values({"text": "Share stories", "owner": ALEX,
                                          "due": NEXT_WEEK}))
    dms_before = len(emulator.messages_to(ALEX))
    clock.now = clock.now.replace(year=2026, month=12, day=7, hour=13, minute=59)
    assert services.scheduler.tick(clock()) == []
    assert len(emulator.messages_to(ALEX)) == dms_before  # 9:00 in New York is 14:00 UTC
    clock.advance(minutes=1)
    assert services.scheduler.tick(clock()) == []
    assert services.scheduler.tick(clock.advance(hours=1)) == []  # once per commitment
    [asked] = emulator.messages_to(ALEX)[dms_before:]
    assert "is due today" in asked.visible_text()
    assert driver.click(ALEX, asked, ActionIds.COMMITMENT_DONE).status == 200
    answered = emulator.message(asked.channel, asked.ts)
    assert "Marked as done" in answered.visible_text() and not answered.buttons()
    [done] = commitments(services)
    assert done.state == "done" and done.reminded_at is not None


def test_wi3_actions_lists_for_the_team_and_lets_leads_edit_and_drop(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    open_plan(driver, emulator)
    driver.submit_view(LEAD, plan_values(
        {"text": "Share stories", "owner": ALEX, "due": NEXT_WEEK},
        {"text": "Tidy the tools", "owner": SAMI, "due": NEXT_WEEK}))
    driver.command(SAMI, TEAM_CHANNEL, "actions")
    listing = last_reply(emulator, SAMI)
    assert "*1.* Share stories" in listing.visible_text() and not listing.buttons()

    driver.command(LEAD, TEAM_CHANNEL, "acties")
    listing = last_reply(emulator)
    assert "Volgende stappen" in listing.visible_text()
    first, second = commitments(services)
    driver.click(LEAD, listing, ActionIds.EDIT_COMMITMENT, value=first.id)
    edit = emulator.modal(LEAD)
    assert edit is not None and edit.callback_id == ViewIds.EDIT
    assert edit.inputs()[field_block(1, "owner")]["initial_user"] == ALEX
    assert driver.submit_view(LEAD, {field_block(1, "text"): "Share five stories",
                                     field_block(1, "due"): "2026-12-21"}).body == ""
    changed = services.store.get_commitment(first.id)
    assert changed is not None and (changed.text, changed.due, changed.owner) == (
        "Share five stories", date(2026, 12, 21), ALEX)
    assert "changed commitment 1" in emulator.messages_to(TEAM_CHANNEL)[-1].visible_text()

    driver.click(LEAD, listing, ActionIds.DROP_COMMITMENT, value=second.id)
    assert "_losgelaten_" in emulator.message(listing.channel, listing.ts).visible_text()
    assert "dropped commitment 2" in emulator.messages_to(TEAM_CHANNEL)[-1].visible_text()
    driver.click(ALEX, listing, ActionIds.DROP_COMMITMENT, value=first.id)
    kept = services.store.get_commitment(first.id)
    assert kept is not None and kept.state == "open"


def test_the_next_round_shows_how_the_commitments_went(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    open_plan(driver, emulator)
    driver.submit_view(LEAD, plan_values(
        {"text": "Share stories", "owner": ALEX, "due": NEXT_WEEK},
        {"text": "Tidy the tools", "owner": SAMI, "due": NEXT_WEEK}))
    first, _ = commitments(services)
    services.store.update_commitment(first.id, state="done")
    clock.advance(days=30)
    driver.command(LEAD, TEAM_CHANNEL, "start")
    round_ = services.store.open_round_for(WORKSPACE, TEAM_CHANNEL)
    assert round_ is not None
    for user in (ALEX, SAMI, NOOR):
        services.store.record_answers(round_.id, user, LAGGING_INVESTMENT)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    post = next(m.visible_text() for m in reversed(emulator.messages_to(TEAM_CHANNEL))
                if "WI3 results" in m.visible_text())
    assert "Since last round: 1 of 2 commitments done" in post
    assert post.index("Since last round") < post.index("What to work on")  # by the trend


def test_round_two_does_not_suggest_again_a_tip_already_under_way(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    first = open_plan(driver, emulator)
    offered = [o["value"] for o in first.inputs()[field_block(1, "tip")]["options"]]
    driver.submit_view(LEAD, plan_values({"tip": offered[0], "owner": ALEX, "due": NEXT_WEEK}))
    taken = suggestion_text("nl", offered[0], CONTENT)  # Lotte reads the modal in Dutch
    assert taken is not None and taken in first.visible_text()
    clock.advance(days=3)
    driver.command(LEAD, TEAM_CHANNEL, "start")
    round_ = services.store.open_round_for(WORKSPACE, TEAM_CHANNEL)
    assert round_ is not None
    for user in (ALEX, SAMI, NOOR):
        services.store.record_answers(round_.id, user, LAGGING_INVESTMENT)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    second_guide = [m for m in emulator.messages_to(LEAD)
                    if m.text.startswith("Je gespreksleidraad")][-1]
    driver.click(LEAD, second_guide, ActionIds.PLAN_ACTIONS)
    second = emulator.modal(LEAD)
    assert second is not None and second.private_metadata == round_.id
    again = [o["value"] for o in second.inputs()[field_block(1, "tip")]["options"]]
    assert taken not in second.visible_text() and offered[0] not in again
    assert set(offered[1:]) <= set(again)  # the rest is still suggested


def test_a_commitment_not_yet_due_gets_no_tick_in_the_next_post(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    open_plan(driver, emulator)
    driver.submit_view(LEAD, plan_values({"text": "Share stories", "owner": ALEX,
                                          "due": "2027-01-15"}))
    clock.advance(days=2)
    driver.command(LEAD, TEAM_CHANNEL, "start")
    round_ = services.store.open_round_for(WORKSPACE, TEAM_CHANNEL)
    assert round_ is not None
    for user in (ALEX, SAMI, NOOR):
        services.store.record_answers(round_.id, user, LAGGING_INVESTMENT)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    post = next(m.visible_text() for m in reversed(emulator.messages_to(TEAM_CHANNEL))
                if "WI3 results" in m.visible_text())
    [since] = [line for line in post.splitlines() if "Since last round" in line]
    assert since == "⏳ Since last round: 0 of 1 commitments done, 1 not yet due"


def test_a_trigger_that_came_too_late_is_said_and_nothing_opens(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed_round(driver, services, clock)
    monkeypatch.setattr("bot.emulator.api.TRIGGER_SECONDS", -1.0)
    driver.click(LEAD, guide(emulator), ActionIds.PLAN_ACTIONS)
    assert emulator.calls("views.open")[-1].error == "expired_trigger_id"
    assert emulator.modal(LEAD) is None
    apology = emulator.responses()[-1]
    assert apology.user == LEAD and apology.outcome == "ephemeral"
    assert "Klik nog eens op de knop" in apology.body["text"]


def test_a_member_clicking_plan_actions_is_told_who_can(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    driver.click(ALEX, guide(emulator), ActionIds.PLAN_ACTIONS)
    assert emulator.calls("views.open") == [] and emulator.modal(ALEX) is None
    assert "Only this team's leads" in str(emulator.responses()[-1].body)


def test_the_door_refuses_a_bent_or_unsigned_submission(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    open_plan(driver, emulator)
    assert driver.submit_view(LEAD, forged=True).status == 401
    modal = emulator.modal(LEAD)
    assert modal is not None
    bent: dict[str, Any] = {"type": "view_submission", "user": {"id": LEAD},
                            "team": {"id": WORKSPACE},
                            "view": {"id": modal.id, "callback_id": ViewIds.PLAN,
                                     "state": {"values": {"b": {"a": {"selected_user": 7}}}}}}
    answer = driver.post(urlencode({"payload": json.dumps(bent)}),
                         "application/x-www-form-urlencoded")
    assert answer.status == 400
    assert commitments(services) == []


@pytest.mark.skipif(os.environ.get(STORE_VARIABLE) == "postgresql",
                    reason="a full disk stops the files backend only")
def test_a_plan_that_cannot_be_saved_stays_in_the_modal_saying_so(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    closed_round(driver, services, clock)
    open_plan(driver, emulator)
    entered = plan_values({"text": "Share stories", "owner": ALEX, "due": NEXT_WEEK})
    with full_disk(monkeypatch), caplog.at_level(logging.INFO):
        refused = driver.submit_view(LEAD, entered)
    assert refused.json()["response_action"] == "errors"
    modal = emulator.modal(LEAD)
    assert modal is not None and modal.errors == {
        field_block(1, "text"): "Ik kon dat nu niet opslaan. Probeer het zo nog eens."}
    assert alarms(caplog.records) == []
    assert commitments(services) == []
    assert driver.submit_view(LEAD, entered).body == ""  # the disk has room again
    assert [c.text for c in commitments(services)] == ["Share stories"]


def test_the_rounds_report_lists_its_commitments_with_owners_by_name(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    closed_round(driver, services, clock)
    open_plan(driver, emulator)
    driver.submit_view(LEAD, plan_values(
        {"text": "Name an owner for our wiki", "owner": NOOR, "due": NEXT_WEEK}))
    [commitment] = commitments(services)
    services.store.update_commitment(commitment.id, state="working", at=clock())
    assert driver.command(LEAD, TEAM_CHANNEL, "report").status == 200
    [pdf] = [u for u in emulator.uploads() if u.filename.endswith(".pdf")]
    text = pdf_text(pdf.content)
    assert squash("Name an owner for our wiki") in text
    assert squash("noor") in text and NOOR not in text  # a name, never a raw user id
    assert squash("still working") in text
