"""Delivery checks within Slack's Tier 3 budget: after a crash, one read of a channel's
history answers for every message in doubt there (`bot.delivery.DeliveryChecks`)."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient

from bot.config import Config
from bot.delivery import HISTORY_PAGE_SIZE, DeliveryChecks, outbox_mark
from bot.emulator import SlackEmulator
from bot.emulator.seed import TEAM_CHANNEL
from bot.method_budgets import PER_MINUTE, MethodBudgets
from bot.services import Services
from bot.slack_client import make_client
from storage import Store
from storage.records import Outgoing
from tests.conftest import FakeClock

WORKSPACE = "T0WI3TEST"
TIER_3 = PER_MINUTE["conversations.history"] / 60.0
IN_DOUBT = 6


def posts(count: int) -> list[Outgoing]:
    return [Outgoing(f"post/doubt-{n}", "post", WORKSPACE, channel_id=TEAM_CHANNEL,
                     message={"text": f"news {n}"}) for n in range(count)]


def in_doubt_in_the_team_channel(emulator: SlackEmulator, services: Services) -> None:
    """Slack takes `IN_DOUBT` posts, and every answer is lost on the way back."""
    # A second token absorbs jitter: two reads that left 1/rate apart may arrive closer.
    emulator.rate_limit("conversations.history", TIER_3, 2.0)
    emulator.fail_next("chat.postMessage", status=502, count=IN_DOUBT, applied=True)
    services.store.enqueue(posts(IN_DOUBT))
    services.outbox.kick()
    assert services.store.outbox_counts() == {"pending": IN_DOUBT}
    assert len(emulator.messages_to(TEAM_CHANNEL)) == IN_DOUBT


def test_every_message_in_doubt_in_one_channel_is_answered_by_one_history_read(
    emulator: SlackEmulator, services: Services, clock: FakeClock,
) -> None:
    in_doubt_in_the_team_channel(emulator, services)
    services.scheduler.tick(clock.advance(minutes=1))
    assert len(emulator.calls("conversations.history")) == 1
    assert [call.status for call in emulator.calls("conversations.history")] == [200]
    assert services.store.outbox_counts() == {"sent": IN_DOUBT}
    assert len(emulator.messages_to(TEAM_CHANNEL)) == IN_DOUBT  # none sent twice


def test_a_long_history_is_read_once_page_by_page(
    emulator: SlackEmulator, services: Services, clock: FakeClock,
) -> None:
    in_doubt_in_the_team_channel(emulator, services)
    for n in range(HISTORY_PAGE_SIZE + 50):  # the channel moved on meanwhile
        emulator.api.call("chat.postMessage", {"channel": TEAM_CHANNEL, "text": f"chat {n}"})
    services.scheduler.tick(clock.advance(minutes=1))
    assert len(emulator.calls("conversations.history")) == 2  # two pages, one read
    assert services.store.outbox_counts() == {"sent": IN_DOUBT}
    assert len(emulator.messages_to(TEAM_CHANNEL)) == IN_DOUBT + HISTORY_PAGE_SIZE + 50


def test_a_message_that_may_have_been_sent_after_a_read_began_is_read_for_again(
    emulator: SlackEmulator, bot_config: Config, store: Store, clock: FakeClock,
) -> None:
    client: WebClient = make_client(bot_config)
    checks = DeliveryChecks(MethodBudgets(store), clock)
    first, late = outbox_mark("post", "post/first"), outbox_mark("post", "post/late")
    since = clock().timestamp() - 60
    client.chat_postMessage(channel=TEAM_CHANNEL, text="first", metadata=first.metadata)
    assert checks.delivered(client, WORKSPACE, TEAM_CHANNEL, first, since=since,
                            settled_at=clock()) is not None
    # A slow sender (its claim ran out later) got its post through after that read.
    posted = client.chat_postMessage(channel=TEAM_CHANNEL, text="late", metadata=late.metadata)
    settled = clock.advance(seconds=30)
    assert checks.delivered(client, WORKSPACE, TEAM_CHANNEL, late, since=since,
                            settled_at=settled) == posted["ts"]
    assert len(emulator.calls("conversations.history")) == 2
    # Another message whose sender had finished before that second read: no third read.
    nothing = outbox_mark("post", "post/never")
    assert checks.delivered(client, WORKSPACE, TEAM_CHANNEL, nothing, since=since,
                            settled_at=settled - timedelta(seconds=1)) is None
    assert len(emulator.calls("conversations.history")) == 2
