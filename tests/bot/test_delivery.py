"""Asking Slack whether a message already went out (`bot.delivery`), against the
emulator's message metadata and `conversations.history`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Config
from bot.delivery import HISTORY_PAGE_SIZE, DeliveryMark, already_delivered, outbox_mark
from bot.emulator import SlackEmulator, sample_workspace
from bot.emulator.seed import MEMBERS, TEAM_CHANNEL
from bot.slack_client import REQUIRED_SCOPES, make_client

ALEX, SAMI, *_ = MEMBERS
HISTORY = ("im:history", "channels:history", "groups:history")


def invitation_mark(round_id: str, user: str) -> DeliveryMark:
    return outbox_mark("invitation", f"invitation/{round_id}/{user}")


def results_mark(round_id: str) -> DeliveryMark:
    return outbox_mark("results", f"results/{round_id}")


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(sample_workspace()) as running:
        yield running


def client_for(emulator: SlackEmulator) -> WebClient:
    return make_client(Config(bot_token=emulator.token, signing_secret="s", app_token=None,
                              slack_api_url=emulator.api_url))


def fill(emulator: SlackEmulator, channel: str, count: int) -> None:
    """`count` more unmarked messages from the bot in `channel`."""
    for n in range(count):
        emulator.api.call("chat.postMessage", {"channel": channel, "text": f"other {n}"})


def test_a_dm_slack_accepted_but_the_bot_never_recorded_is_found_by_its_mark(
    emulator: SlackEmulator,
) -> None:
    client = client_for(emulator)
    sent = client.chat_postMessage(channel=ALEX, text="You're invited",
                                   metadata=invitation_mark("r1", "resp-alex").metadata)
    # ... and the process was killed before it wrote down that this invitation went out.
    client.chat_postMessage(channel=ALEX, text="Unmarked reminder")
    dm = str(sent["channel"])

    assert already_delivered(client, dm, invitation_mark("r1", "resp-alex")) == sent["ts"]
    assert already_delivered(client, dm, invitation_mark("r2", "resp-alex")) is None
    assert already_delivered(client, dm, invitation_mark("r1", "resp-sami")) is None
    assert already_delivered(client, dm, results_mark("r1")) is None


def test_a_results_post_is_found_in_the_team_channel_and_only_there(
    emulator: SlackEmulator,
) -> None:
    client = client_for(emulator)
    post = client.chat_postMessage(channel=TEAM_CHANNEL, text="WI3 results",
                                   metadata=results_mark("r7").metadata)

    assert already_delivered(client, TEAM_CHANNEL, results_mark("r7")) == post["ts"]
    assert already_delivered(client, emulator.dm_channel(SAMI), results_mark("r7")) is None


def test_history_is_read_page_by_page_and_no_further_back_than_since(
    emulator: SlackEmulator,
) -> None:
    client = client_for(emulator)
    fill(emulator, TEAM_CHANNEL, 5)
    post = client.chat_postMessage(channel=TEAM_CHANNEL, text="WI3 results",
                                   metadata=results_mark("r7").metadata)
    fill(emulator, TEAM_CHANNEL, 2 * HISTORY_PAGE_SIZE + 50)  # the channel moved on
    emulator.reset_calls()

    assert already_delivered(client, TEAM_CHANNEL, results_mark("r7")) == post["ts"]
    assert len(emulator.calls("conversations.history")) == 3

    posted_at = float(post["ts"])
    mark = results_mark("r7")
    assert already_delivered(client, TEAM_CHANNEL, mark, since=posted_at - 1e-6) == post["ts"]
    assert already_delivered(client, TEAM_CHANNEL, mark, since=posted_at) is None


def test_without_a_history_scope_the_check_raises_instead_of_guessing() -> None:
    before_the_outbox = [scope for scope in REQUIRED_SCOPES if scope not in HISTORY]
    with SlackEmulator(sample_workspace(), scopes=before_the_outbox) as emulator:
        client = client_for(emulator)
        client.chat_postMessage(channel=ALEX, text="hi", metadata=results_mark("r1").metadata)
        with pytest.raises(SlackApiError) as refused:
            already_delivered(client, emulator.dm_channel(ALEX), results_mark("r1"))
    assert refused.value.response["error"] == "missing_scope"


def test_the_emulator_keeps_metadata_shows_it_only_when_asked_and_checks_its_shape(
    emulator: SlackEmulator,
) -> None:
    client = client_for(emulator)
    client.chat_postMessage(channel=TEAM_CHANNEL, text="marked",
                            metadata=results_mark("r1").metadata)
    plain = client.conversations_history(channel=TEAM_CHANNEL)["messages"]
    full = client.conversations_history(channel=TEAM_CHANNEL, include_all_metadata=True)
    assert "metadata" not in plain[0]
    assert full["messages"][0]["metadata"] == results_mark("r1").metadata
    assert full["messages"][0]["metadata"]["event_type"] == "wi3_results"

    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=TEAM_CHANNEL, text="bad",
                                metadata={"event_type": "Not Valid", "event_payload": {}})
    assert refused.value.response["error"] == "invalid_metadata_schema"
    assert [m.text for m in emulator.messages_to(TEAM_CHANNEL)] == ["marked"]


def test_an_upload_is_found_by_the_name_of_its_file(emulator: SlackEmulator) -> None:
    client = client_for(emulator)
    mark = outbox_mark("chart", "chart/r7", filename="wi3-r7.png")
    assert already_delivered(client, TEAM_CHANNEL, mark) is None
    client.files_upload_v2(channel=TEAM_CHANNEL, content=b"png", filename="wi3-r7.png",
                           title="chart")
    assert already_delivered(client, TEAM_CHANNEL, mark) is not None
    other = outbox_mark("chart", "chart/r8", filename="wi3-r8.png")
    assert already_delivered(client, TEAM_CHANNEL, other) is None


def test_a_mark_names_its_message_without_naming_the_person() -> None:
    mark = invitation_mark("r1", ALEX)
    assert ALEX not in str(mark.metadata)
    assert mark != invitation_mark("r1", SAMI) and mark == invitation_mark("r1", ALEX)
