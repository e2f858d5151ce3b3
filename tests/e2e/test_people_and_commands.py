"""Commands and personal data, end to end: help, typos, roles, language, me, forget, home."""

from __future__ import annotations

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import (
    CHANNEL_WITHOUT_BOT,
    DEACTIVATED,
    LEAD,
    MEMBERS,
    OTHER_BOT,
    TEAM_CHANNEL,
)
from bot.services import Services
from conversations.refs import ActionIds
from tests.e2e.helpers import answer_all, current_question, invitation

ALEX, SAMI, NOOR, KAI = MEMBERS


def last_reply(emulator: SlackEmulator) -> str:
    return str(emulator.responses()[-1].body)


def test_help_lists_commands_and_tailors_to_leads(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(ALEX, TEAM_CHANNEL, "")
    member_help = last_reply(emulator)
    assert "/wi3 me" in member_help and "/wi3 forget me" in member_help
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "help")
    lead_help = last_reply(emulator)
    assert "/wi3 close" in lead_help and "Voor teamleiders" in lead_help


def test_about_explains_the_model_to_anyone_anywhere(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    assert driver.command(ALEX, TEAM_CHANNEL, "about").status == 200  # no team needed
    about = emulator.responses()[-1]
    assert about.outcome == "ephemeral"
    text = str(about.body)
    for word in ("Value", "Impact", "Innovation", "Investment", "Pioneering",
                 "Facilitating", "Strategic", "Martijn de Koning", "Marketingfacts (2009)",
                 "not validated research"):
        assert word in text, word
    authors, ours = text.split("not the authors'")
    assert "Getting started" not in authors and "0. *Getting started*" in ours
    driver.command(LEAD, TEAM_CHANNEL, "over")  # Lotte reads Slack in Dutch
    assert "Het WI3-groeimodel" in last_reply(emulator)
    assert "niet wetenschappelijk gevalideerd" in last_reply(emulator)
    authors, ours = last_reply(emulator).split("niet van de auteurs")
    assert "Op weg naar pionierend" not in authors and "0. *Op weg naar pionierend*" in ours
    assert 'De stap vóór de eerste fase ("op weg naar pionierend")' in ours


def test_an_unknown_subcommand_gets_did_you_mean(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(ALEX, TEAM_CHANNEL, "stauts")
    assert "Did you mean `/wi3 status`?" in last_reply(emulator)


def test_setup_in_a_channel_without_the_bot_says_how_to_invite_it(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(ALEX, CHANNEL_WITHOUT_BOT, "setup")
    assert "/invite @WI3" in last_reply(emulator)
    assert services.store.get_team(emulator.workspace.team_id, CHANNEL_WITHOUT_BOT) is None


def test_commands_that_need_a_team_explain_setup(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "start")
    assert "/wi3 setup" in last_reply(emulator)


def test_leads_can_add_and_remove_leads_but_not_the_last(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(ALEX, TEAM_CHANNEL, "setup")
    driver.command(ALEX, TEAM_CHANNEL, f"lead add <@{SAMI}|sami>")
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (ALEX, SAMI)
    driver.command(SAMI, TEAM_CHANNEL, f"lead remove <@{ALEX}|alex>")
    driver.command(SAMI, TEAM_CHANNEL, f"lead remove <@{SAMI}|sami>")
    assert "at least one lead" in last_reply(emulator)
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (SAMI,)


def test_a_workspace_admin_may_manage_a_team_they_do_not_lead(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(ALEX, TEAM_CHANNEL, "setup")
    driver.command(KAI, TEAM_CHANNEL, "minimum 4")  # Kai owns the workspace
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.min_responses == 4


def test_the_minimum_never_goes_below_three(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(ALEX, TEAM_CHANNEL, "setup")
    driver.command(ALEX, TEAM_CHANNEL, "minimum 2")
    assert "at least 3" in last_reply(emulator)
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.min_responses == 3


def test_dutch_team_gets_its_results_in_dutch(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "language nl")
    driver.command(LEAD, TEAM_CHANNEL, "start ons wiki")
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 2)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    post = "\n".join(m.visible_text() for m in emulator.messages_to(TEAM_CHANNEL))
    assert "Waarde" in post and "Investering" in post
    assert "ons wiki" in post


def test_me_shows_only_my_own_answers(driver: SlackDriver, emulator: SlackEmulator) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    driver.click(ALEX, current_question(emulator, ALEX), ActionIds.answer(4))
    driver.click(ALEX, current_question(emulator, ALEX), ActionIds.DONT_KNOW)
    driver.command(ALEX, ALEX, "me")
    mine = last_reply(emulator)
    assert "4 · Agree" in mine and "Don't know" in mine
    driver.command(SAMI, SAMI, "me")
    assert "haven't answered anything" in last_reply(emulator)


def test_forget_me_asks_first_then_deletes_my_answers(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    driver.click(ALEX, current_question(emulator, ALEX), ActionIds.answer(4))
    round_ = services.store.open_rounds()[0]
    driver.command(ALEX, ALEX, "forget me")
    assert services.store.answers_of(round_.id, ALEX) == {"W1": 4}
    prompt = emulator.responses()[-1]
    assert ActionIds.FORGET_CONFIRM in str(prompt.body)
    message = emulator.ephemerals_to(ALEX)[-1] if emulator.ephemerals_to(ALEX) else None
    assert message is not None
    driver.click(ALEX, message, ActionIds.FORGET_CONFIRM)
    assert services.store.answers_of(round_.id, ALEX) == {}
    assert "Done: your 1 answer was deleted." in last_reply(emulator)


def test_someone_joining_during_a_round_is_invited(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    emulator.workspace.add_user("U0NEW0008", "newbie", locale="en-US")
    driver.event("member_joined_channel", user="U0NEW0008", channel=TEAM_CHANNEL,
                 channel_type="C", team=emulator.workspace.team_id)
    assert "U0NEW0008" in services.store.open_rounds()[0].invited
    assert invitation(emulator, "U0NEW0008")


def test_someone_joining_a_shared_channel_from_another_workspace_is_invited(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    emulator.workspace.add_user("U0GUEST01", "guest", locale="en-GB")
    # Slack Connect: `event.team` is the joiner's own workspace; the installation that
    # receives the event is in `authorizations` (the driver fills it with ours).
    driver.event("member_joined_channel", user="U0GUEST01", channel=TEAM_CHANNEL,
                 channel_type="C", team="T0PARTNER")
    assert "U0GUEST01" in services.store.open_rounds()[0].invited
    assert invitation(emulator, "U0GUEST01")


def test_app_home_lists_my_open_round_and_resumes_it(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.event("app_home_opened", user=ALEX, tab="home")
    home = emulator.home_view(ALEX)
    assert home is not None and "0 of 23 answered" in home.visible_text()
    driver.click_home(ALEX, ActionIds.START)
    assert current_question(emulator, ALEX)
    driver.event("app_home_opened", user=LEAD, tab="home")
    lead_home = emulator.home_view(LEAD)
    assert lead_home is not None and "jij bent teamleider" in lead_home.visible_text()


def test_bots_and_deactivated_accounts_cannot_become_leads(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(ALEX, TEAM_CHANNEL, "setup")
    for other in (OTHER_BOT, DEACTIVATED):
        driver.command(ALEX, TEAM_CHANNEL, f"lead add <@{other}>")
        assert "can't lead a team" in last_reply(emulator)
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (ALEX,)


def test_someone_outside_the_channel_cannot_become_a_lead(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    emulator.workspace.add_user("U0CONNECT", "partner", locale="en-GB")  # a Slack Connect user
    driver.command(ALEX, TEAM_CHANNEL, "setup")
    driver.command(ALEX, TEAM_CHANNEL, "lead add <@U0CONNECT>")
    assert "isn't a member of <#C0KENNIS1>" in last_reply(emulator)
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (ALEX,)
    driver.command(ALEX, TEAM_CHANNEL, f"lead add <@{NOOR}>")
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (ALEX, NOOR)


def test_an_unknown_user_cannot_become_a_lead(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    driver.command(ALEX, TEAM_CHANNEL, "setup")
    driver.command(ALEX, TEAM_CHANNEL, "lead add <@U0NOBODY9>")
    assert "can't lead a team" in last_reply(emulator)
    team = services.store.get_team(emulator.workspace.team_id, TEAM_CHANNEL)
    assert team is not None and team.leads == (ALEX,)
