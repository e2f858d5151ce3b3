"""The Slack emulator, driven by the real `slack_sdk.WebClient` over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.config import Config
from bot.emulator import SlackEmulator, Workspace, sample_workspace
from bot.emulator.seed import (
    CHANNEL_WITHOUT_BOT,
    DEACTIVATED,
    LEAD,
    MEMBERS,
    OTHER_BOT,
    PRIVATE_CHANNEL,
    TEAM_CHANNEL,
)
from bot.slack_client import REQUIRED_SCOPES, granted_scopes, make_client

ALEX = MEMBERS[0]


@pytest.fixture
def client(bot_config: Config) -> WebClient:
    return make_client(bot_config)


@pytest.fixture
def bare_client(emulator: SlackEmulator) -> WebClient:
    """A client without retry handlers: sees every error exactly as Slack sent it."""
    return WebClient(token=emulator.token, base_url=emulator.api_url, retry_handlers=[])


def slack_error(call: object) -> SlackApiError:
    assert callable(call)
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def button(action_id: str, label: str, value: str) -> dict[str, object]:
    return {"type": "button", "action_id": action_id, "value": value,
            "text": {"type": "plain_text", "text": label}}


# ---------------------------------------------------------------- identity and auth


def test_auth_test_names_the_bot_and_its_scopes(client: WebClient, emulator: SlackEmulator) -> None:
    response = client.auth_test()
    assert response["user_id"] == emulator.workspace.bot_user_id
    assert response["team_id"] == emulator.workspace.team_id
    assert "chat:write" in granted_scopes(response.headers)


def test_a_wrong_token_is_invalid_auth(emulator: SlackEmulator) -> None:
    intruder = WebClient(token="xoxb-0000-wrong", base_url=emulator.api_url)
    error = slack_error(intruder.auth_test)
    assert error.response["error"] == "invalid_auth"
    assert emulator.calls("auth.test")[-1].error == "invalid_auth"


def test_a_request_without_token_is_not_authed(emulator: SlackEmulator) -> None:
    anonymous = WebClient(base_url=emulator.api_url)
    assert slack_error(anonymous.auth_test).response["error"] == "not_authed"


def test_a_scope_the_app_lacks_is_missing_scope() -> None:
    with SlackEmulator(Workspace(), scopes=("commands", "users:read")) as limited:
        client = WebClient(token=limited.token, base_url=limited.api_url)
        error = slack_error(lambda: client.chat_postMessage(channel="C1", text="hi"))
    assert error.response["error"] == "missing_scope"
    assert error.response["needed"] == "chat:write"


def test_an_unknown_method_is_reported_like_slack(client: WebClient) -> None:
    error = slack_error(lambda: client.api_call("chat.frobnicate"))
    assert error.response["error"] == "unknown_method"


# ---------------------------------------------------------------- users and conversations


def test_users_info_gives_the_locale_only_when_asked(client: WebClient) -> None:
    plain = client.users_info(user=LEAD)["user"]
    with_locale = client.users_info(user=LEAD, include_locale=True)["user"]
    assert "locale" not in plain
    assert with_locale["locale"] == "nl-NL"
    assert with_locale["tz"] == "Europe/Amsterdam"
    assert with_locale["real_name"] == "Lotte de Vries"
    assert with_locale["is_admin"] is True


def test_users_info_for_a_stranger_is_user_not_found(client: WebClient) -> None:
    error = slack_error(lambda: client.users_info(user="U0NOBODY0"))
    assert error.response["error"] == "user_not_found"


def test_conversations_members_pages_through_everyone_once(
    client: WebClient, emulator: SlackEmulator
) -> None:
    # Iterating a SlackResponse follows next_cursor; each step reuses the same object.
    pages = [
        (list(page["members"]), page["response_metadata"]["next_cursor"])
        for page in client.conversations_members(channel=TEAM_CHANNEL, limit=2)
    ]
    members = [member for page_members, _ in pages for member in page_members]
    expected = emulator.workspace.channels[TEAM_CHANNEL].all_members(
        emulator.workspace.bot_user_id
    )
    assert members == expected
    assert len(pages) == 4  # 8 members, 2 a page
    assert all(cursor for _, cursor in pages[:-1])
    assert pages[-1][1] == ""


@pytest.mark.parametrize(
    ("channel", "cursor", "error"),
    [
        ("C0MISSING", None, "channel_not_found"),
        (CHANNEL_WITHOUT_BOT, None, "not_in_channel"),
        (TEAM_CHANNEL, "bm90LWEtY3Vyc29y", "invalid_cursor"),
        (TEAM_CHANNEL, "%%%", "invalid_cursor"),
    ],
)
def test_conversations_members_errors(
    client: WebClient, channel: str, cursor: str | None, error: str
) -> None:
    failure = slack_error(lambda: client.conversations_members(channel=channel, cursor=cursor))
    assert failure.response["error"] == error


def test_conversations_info_describes_channels_and_dms(client: WebClient) -> None:
    team = client.conversations_info(channel=TEAM_CHANNEL)["channel"]
    assert (team["name"], team["is_member"], team["is_private"]) == ("team-kennis", True, False)
    private = client.conversations_info(channel=PRIVATE_CHANNEL)["channel"]
    assert private["is_private"] is True
    dm = client.conversations_open(users=ALEX)["channel"]["id"]
    error = slack_error(lambda: client.conversations_info(channel=dm))
    assert error.response["error"] == "missing_scope"  # wi3 does not ask for im:read
    with SlackEmulator(sample_workspace(), scopes=(*REQUIRED_SCOPES, "im:read")) as granted:
        reader = WebClient(token=granted.token, base_url=granted.api_url)
        dm = reader.conversations_open(users=ALEX)["channel"]["id"]
        info = reader.conversations_info(channel=dm)["channel"]
    assert info["is_im"] is True and info["user"] == ALEX


def test_a_private_channel_without_the_bot_is_invisible(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.workspace.add_channel("G0SECRET9", "secret", [LEAD], bot_is_member=False,
                                   is_private=True)
    error = slack_error(lambda: client.conversations_info(channel="G0SECRET9"))
    assert error.response["error"] == "channel_not_found"


def test_conversations_open_gives_each_user_one_stable_dm(client: WebClient) -> None:
    first = client.conversations_open(users=ALEX)["channel"]["id"]
    again = client.conversations_open(users=ALEX)["channel"]["id"]
    other = client.conversations_open(users=LEAD)["channel"]["id"]
    assert first == again
    assert first.startswith("D") and other != first


def test_conversations_open_refuses_bots_and_strangers(client: WebClient) -> None:
    assert slack_error(lambda: client.conversations_open(users=OTHER_BOT)).response[
        "error"] == "cannot_dm_bot"
    assert slack_error(lambda: client.conversations_open(users="U0NOBODY0")).response[
        "error"] == "user_not_found"


# ---------------------------------------------------------------- messages


def test_a_message_to_a_user_id_lands_in_their_dm(
    client: WebClient, emulator: SlackEmulator
) -> None:
    posted = client.chat_postMessage(channel=ALEX, text="Welcome to the WI3 diagnostic")
    assert posted["channel"] == emulator.dm_channel(ALEX)
    assert posted["message"]["text"] == "Welcome to the WI3 diagnostic"
    assert [m.text for m in emulator.messages_to(ALEX)] == ["Welcome to the WI3 diagnostic"]
    assert emulator.messages_to(posted["channel"]) == emulator.messages_to(ALEX)


def test_message_timestamps_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel=TEAM_CHANNEL, text=str(n))["ts"] for n in range(5)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 5


def test_blocks_sent_as_json_are_kept_and_buttons_can_be_found(
    client: WebClient, emulator: SlackEmulator
) -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Question 1 of 22*"}},
        {"type": "actions", "block_id": "likert",
         "elements": [button(f"answer_{n}", str(n), f"W1:{n}") for n in range(1, 6)]},
    ]
    client.chat_postMessage(channel=ALEX, text="Question 1", blocks=blocks)
    message = emulator.last_message(ALEX)
    assert message is not None
    assert message.blocks == blocks
    assert "*Question 1 of 22*" in message.visible_text()
    assert message.find_button(text="3") == ("likert", blocks[1]["elements"][2])
    assert message.find_button(action_id="answer_5")[1]["value"] == "W1:5"
    with pytest.raises(LookupError):
        message.find_button(text="6")


def test_a_dm_to_a_deactivated_user_is_account_inactive(client: WebClient) -> None:
    error = slack_error(lambda: client.chat_postMessage(channel=DEACTIVATED, text="hi"))
    assert error.response["error"] == "account_inactive"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C0MISSING", "text": "hi"}, "channel_not_found"),
        ({"channel": CHANNEL_WITHOUT_BOT, "text": "hi"}, "not_in_channel"),
        ({"channel": TEAM_CHANNEL}, "no_text"),
        ({"channel": TEAM_CHANNEL, "text": "x",
          "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"channel": TEAM_CHANNEL, "text": "x", "blocks": [{"text": "no type"}]},
         "invalid_blocks"),
    ],
)
def test_chat_post_message_errors(
    bare_client: WebClient, kwargs: dict[str, object], error: str
) -> None:
    failure = slack_error(lambda: bare_client.chat_postMessage(**kwargs))  # type: ignore[arg-type]
    assert failure.response["error"] == error


def test_form_encoded_blocks_are_decoded(bare_client: WebClient, emulator: SlackEmulator) -> None:
    bare_client.api_call(
        "chat.postMessage",
        params={"channel": TEAM_CHANNEL, "blocks": '[{"type": "divider"}]', "text": "t"},
    )
    call = emulator.calls("chat.postMessage")[-1]
    assert call.params["blocks"] == '[{"type": "divider"}]'  # recorded as sent
    message = emulator.last_message(TEAM_CHANNEL)
    assert message is not None and message.blocks == [{"type": "divider"}]


def test_updates_show_in_the_last_message(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=ALEX, text="Question 1",
                                 blocks=[{"type": "divider"}])["ts"]
    client.chat_postMessage(channel=LEAD, text="not for Alex")
    client.chat_update(channel=emulator.dm_channel(ALEX), ts=ts, text="Thanks, answered")
    message = emulator.last_message(ALEX)
    assert message is not None
    assert (message.ts, message.text, message.edits) == (ts, "Thanks, answered", 1)
    assert message.blocks == [{"type": "divider"}]  # blocks left out of an update are kept
    client.chat_update(channel=emulator.dm_channel(ALEX), ts=ts, text="Done", blocks=[])
    assert emulator.last_message(ALEX).blocks == []  # type: ignore[union-attr]


def test_updating_or_deleting_an_unknown_message_fails(client: WebClient) -> None:
    assert slack_error(lambda: client.chat_update(channel=TEAM_CHANNEL, ts="1.000001",
                                                  text="x")).response["error"] == (
        "message_not_found")
    assert slack_error(lambda: client.chat_delete(channel=TEAM_CHANNEL, ts="1.000001")).response[
        "error"] == "message_not_found"


def test_a_deleted_message_disappears(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=TEAM_CHANNEL, text="results")["ts"]
    client.chat_delete(channel=TEAM_CHANNEL, ts=ts)
    assert emulator.messages_to(TEAM_CHANNEL) == []
    assert [m.ts for m in emulator.messages_to(TEAM_CHANNEL, include_deleted=True)] == [ts]
    assert emulator.last_message(TEAM_CHANNEL) is None


def test_an_ephemeral_message_is_seen_by_one_member_only(
    client: WebClient, emulator: SlackEmulator
) -> None:
    answer = client.chat_postEphemeral(channel=TEAM_CHANNEL, user=LEAD, text="3 of 5 answered")
    assert answer["message_ts"]
    assert emulator.messages_to(TEAM_CHANNEL) == []
    assert [m.text for m in emulator.ephemerals_to(LEAD)] == ["3 of 5 answered"]
    assert emulator.ephemerals_to(ALEX) == []
    outsider = "U0OUTSIDE"
    emulator.workspace.add_user(outsider, "outsider")
    error = slack_error(lambda: client.chat_postEphemeral(channel=TEAM_CHANNEL, user=outsider,
                                                          text="x"))
    assert error.response["error"] == "user_not_in_channel"


# ---------------------------------------------------------------- Home tab and files


def test_views_publish_sets_the_home_tab(client: WebClient, emulator: SlackEmulator) -> None:
    view = {"type": "home", "blocks": [{"type": "section",
                                        "text": {"type": "mrkdwn", "text": "Your teams"}}]}
    published = client.views_publish(user_id=ALEX, view=view)["view"]
    home = emulator.home_view(ALEX)
    assert home is not None and home.view == view and home.visible_text() == "Your teams"
    client.views_publish(user_id=ALEX, view=view, hash=published["hash"])
    stale = slack_error(lambda: client.views_publish(user_id=ALEX, view=view,
                                                     hash=published["hash"]))
    assert stale.response["error"] == "hash_conflict"
    assert emulator.home_view(ALEX).publishes == 2  # type: ignore[union-attr]


def test_views_publish_rejects_a_non_home_view(client: WebClient) -> None:
    error = slack_error(lambda: client.views_publish(user_id=ALEX, view={"type": "modal"}))
    assert error.response["error"] == "invalid_arguments"


def test_files_upload_v2_round_trip(client: WebClient, emulator: SlackEmulator) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = client.files_upload_v2(
        channel=TEAM_CHANNEL, content=png, filename="wi3-radar.png", title="WI3 radar",
        initial_comment="Results of round 1",
    )
    assert response["file"]["name"] == "wi3-radar.png"
    [upload] = emulator.uploads()
    assert upload.content == png
    assert (upload.filename, upload.title, upload.channel) == (
        "wi3-radar.png", "WI3 radar", TEAM_CHANNEL)
    assert upload.initial_comment == "Results of round 1"
    shared = emulator.last_message(TEAM_CHANNEL)
    assert shared is not None and shared.files[0]["id"] == upload.file_id
    assert [call.method for call in emulator.calls()] == [
        "files.getUploadURLExternal", "files.completeUploadExternal"]


def test_completing_an_upload_that_never_arrived_fails(client: WebClient) -> None:
    started = client.files_getUploadURLExternal(filename="x.csv", length=3)
    error = slack_error(lambda: client.files_completeUploadExternal(
        files=[{"id": started["file_id"], "title": "x"}], channel_id=TEAM_CHANNEL))
    assert error.response["error"] == "file_not_found"


# ---------------------------------------------------------------- response_url


def test_response_urls_reply_ephemerally_or_in_channel(emulator: SlackEmulator) -> None:
    url = emulator.mint_response_url(TEAM_CHANNEL, LEAD)
    webhook = WebhookClient(url)
    assert webhook.send(text="Only you can see this").status_code == 200
    assert webhook.send(text="Round closed", response_type="in_channel").status_code == 200
    assert [m.text for m in emulator.ephemerals_to(LEAD, TEAM_CHANNEL)] == [
        "Only you can see this"]
    assert [m.text for m in emulator.messages_to(TEAM_CHANNEL)] == ["Round closed"]
    assert [post.outcome for post in emulator.responses()] == ["ephemeral", "in_channel"]


def test_response_urls_replace_or_delete_the_original(
    client: WebClient, emulator: SlackEmulator
) -> None:
    ts = client.chat_postMessage(channel=ALEX, text="Question 1")["ts"]
    dm = emulator.dm_channel(ALEX)
    webhook = WebhookClient(emulator.mint_response_url(dm, ALEX, ts))
    webhook.send(text="Question 2", replace_original=True)
    message = emulator.last_message(ALEX)
    assert message is not None and (message.ts, message.text) == (ts, "Question 2")
    webhook.send_dict({"delete_original": True})
    assert emulator.messages_to(ALEX) == []


def test_an_unknown_response_url_is_refused(emulator: SlackEmulator) -> None:
    bogus = WebhookClient(f"{emulator.url}/actions/{emulator.workspace.team_id}/nope")
    assert bogus.send(text="x").status_code == 404
    assert emulator.responses() == []


# ---------------------------------------------------------------- limits and faults


def test_a_429_is_retried_after_retry_after_by_make_client(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    posted = client.chat_postMessage(channel=TEAM_CHANNEL, text="results")
    assert posted["ok"]
    refused, accepted = emulator.calls("chat.postMessage")
    assert (refused.status, refused.error, accepted.status) == (429, "ratelimited", 200)
    assert accepted.time - refused.time >= 1.0  # waited as Slack asked
    assert [m.text for m in emulator.messages_to(TEAM_CHANNEL)] == ["results"]


def test_a_method_rate_limit_answers_429_with_retry_after(
    bare_client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.rate_limit("users.info", per_second=2)
    bare_client.users_info(user=LEAD)
    bare_client.users_info(user=LEAD)
    error = slack_error(lambda: bare_client.users_info(user=LEAD))
    assert error.response.status_code == 429
    assert int(error.response.headers["Retry-After"]) >= 1
    assert error.response["error"] == "ratelimited"
    bare_client.conversations_info(channel=TEAM_CHANNEL)  # other methods unaffected


def test_chat_post_message_is_limited_per_channel(
    bare_client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.channel_rate_limit(per_second=1.0)
    bare_client.chat_postMessage(channel=TEAM_CHANNEL, text="one")
    error = slack_error(lambda: bare_client.chat_postMessage(channel=TEAM_CHANNEL, text="two"))
    assert error.response.status_code == 429
    bare_client.chat_postMessage(channel=ALEX, text="another channel is fine")
    assert [m.text for m in emulator.messages_to(TEAM_CHANNEL)] == ["one"]


def test_fail_next_injects_errors_then_recovers(
    bare_client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.fail_next("users.info", status=500, count=2)
    emulator.fail_next("users.info", error="user_not_visible")
    first = slack_error(lambda: bare_client.users_info(user=LEAD))
    second = slack_error(lambda: bare_client.users_info(user=LEAD))
    third = slack_error(lambda: bare_client.users_info(user=LEAD))
    assert (first.response.status_code, first.response["error"]) == (500, "internal_error")
    assert second.response.status_code == 500
    assert (third.response.status_code, third.response["error"]) == (200, "user_not_visible")
    assert bare_client.users_info(user=LEAD)["user"]["id"] == LEAD


def test_every_call_is_recorded_with_its_parameters(
    client: WebClient, emulator: SlackEmulator
) -> None:
    client.users_info(user=LEAD, include_locale=True)  # form-encoded
    client.chat_postMessage(channel=TEAM_CHANNEL, text="hello")  # JSON
    info, post = emulator.calls()
    assert (info.method, info.params["user"], info.params["include_locale"]) == (
        "users.info", LEAD, "1")
    assert (post.method, post.params["channel"], post.params["text"]) == (
        "chat.postMessage", TEAM_CHANNEL, "hello")
    assert info.ok and post.ok and info.time <= post.time
    assert "token" not in info.params
    emulator.reset_calls()
    assert emulator.calls() == []
