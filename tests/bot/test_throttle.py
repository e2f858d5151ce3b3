"""The fan-out throttle, in virtual time (and once against the emulator's rate limit)."""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.config import Config
from bot.emulator import SlackEmulator, Workspace
from bot.slack_client import make_client
from bot.throttle import Stopped, Throttle, fan_out, retry_after_of


class VirtualTime:
    """A clock that only moves when someone sleeps; sleeps are recorded."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.hooks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds
        while self.hooks:
            self.hooks.pop(0)()


def throttle_in(time: VirtualTime, rate: float, **options: float) -> Throttle:
    return Throttle(rate, clock=time.clock, sleep=time.sleep, **options)


def rate_limited_error(retry_after: str | None = "2") -> SlackApiError:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    response = SlackResponse(client=None, http_verb="POST", api_url="http://x/api/chat.postMessage",
                             req_args={}, data={"ok": False, "error": "ratelimited"},
                             headers=headers, status_code=429)
    return SlackApiError("ratelimited", response)


def test_sends_are_spaced_at_the_rate() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=5)
    for _ in range(10):
        throttle.wait_turn()
    assert time.now - 1000.0 == pytest.approx(9 * 0.2)


def test_a_burst_goes_out_at_once_then_the_rate_applies() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=10, burst=4)
    for _ in range(4):
        throttle.wait_turn()
    assert time.now == 1000.0
    for _ in range(3):
        throttle.wait_turn()
    assert time.now == pytest.approx(1000.3)


def test_quiet_time_does_not_bank_more_than_the_burst() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=10, burst=2)
    time.now += 60  # a quiet minute
    for _ in range(5):
        throttle.wait_turn()
    assert time.now - 1060.0 == pytest.approx(3 * 0.1)


def test_a_429_pauses_every_worker_for_retry_after() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=100)
    throttle.wait_turn()
    throttle.rate_limited(3.0)  # worker A got the 429
    throttle.wait_turn()  # worker B, who never saw it, waits too
    assert time.now >= 1003.0
    first_after_pause = time.now
    throttle.wait_turn()  # and the pause does not become a burst afterwards
    assert time.now > first_after_pause


def test_a_worker_already_waiting_for_its_slot_also_honours_a_new_pause() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=5)
    throttle.wait_turn()  # slot at 1000.0; the next one is at 1000.2
    time.hooks.append(lambda: throttle.rate_limited(2.0))  # 429 seen while we sleep
    throttle.wait_turn()
    assert time.now >= 1000.2 + 2.0


def test_a_429_slows_the_rate_once_per_episode_and_it_recovers() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=50, slowdown=0.5, recovery=0.1)
    throttle.rate_limited(1.0)
    throttle.rate_limited(1.0)  # another worker's 429 from the same burst
    assert throttle.rate == pytest.approx(25.0)
    assert throttle.pauses == 1
    time.now += 1.0 + 2.0  # the pause, then two quiet seconds: 2 x 10% of 50, halved
    assert throttle.rate == pytest.approx(30.0)  # (one 429 so far: recover half as fast)
    time.now += 60.0
    assert throttle.rate == 50.0  # never above the configured ceiling


def test_the_rate_never_drops_below_the_minimum() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=10, slowdown=0.5, min_rate=4)
    for _ in range(5):
        throttle.rate_limited(1.0)
        time.now += 1.0
    assert throttle.rate >= 4.0


def test_call_retries_a_429_after_the_pause() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=10)
    answers: list[object] = [rate_limited_error("2"), "sent"]

    def send() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert throttle.call(send) == "sent"
    assert time.now >= 1002.0
    assert throttle.pauses == 1


def test_call_does_not_retry_other_errors() -> None:
    throttle = throttle_in(VirtualTime(), rate=10)
    attempts = []

    def send() -> None:
        attempts.append(1)
        raise ValueError("account_inactive")

    with pytest.raises(ValueError):
        throttle.call(send)
    assert len(attempts) == 1


def test_call_gives_up_after_its_attempts() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=10)

    def send() -> None:
        raise rate_limited_error("1")

    with pytest.raises(SlackApiError):
        throttle.call(send, attempts=3)
    assert throttle.pauses == 2  # the third 429 is raised, not waited out


def test_retry_after_is_read_from_a_429_only() -> None:
    assert retry_after_of(rate_limited_error("7")) == 7.0
    assert retry_after_of(rate_limited_error(None)) == 1.0
    ok_error = SlackApiError("x", SlackResponse(
        client=None, http_verb="POST", api_url="u", req_args={},
        data={"ok": False, "error": "channel_not_found"}, headers={}, status_code=200))
    assert retry_after_of(ok_error) is None


def test_concurrent_workers_never_share_a_slot() -> None:
    """Frozen time: every reservation is visible in the sleep it asks for."""
    time = VirtualTime()
    wakeups: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            wakeups.append(time.now + seconds)

    def no_wait_clock() -> float:
        return time.now

    rate = 100.0
    throttle = Throttle(rate, clock=no_wait_clock, sleep=sleep)
    workers = [threading.Thread(target=lambda: [throttle.wait_turn() for _ in range(50)])
               for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    slots = sorted([1000.0, *wakeups])  # the first slot needed no sleep
    assert len(slots) == 400
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) == pytest.approx(1 / rate)
    assert max(gaps) == pytest.approx(1 / rate)


def test_fan_out_delivers_each_item_once_and_reports_failures() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=1000)
    sent: collections.Counter[int] = collections.Counter()
    refused_once: set[int] = set()
    lock = threading.Lock()

    def send(item: int) -> str:
        with lock:
            if item % 10 == 3 and item not in refused_once:
                refused_once.add(item)
                raise rate_limited_error("1")
            if item % 25 == 0:
                raise RuntimeError(f"account_inactive {item}")
            sent[item] += 1
        return f"ts-{item}"

    result = fan_out(range(100), send, throttle=throttle, workers=6)
    assert sorted(item for item, _ in result.delivered) == [i for i in range(100) if i % 25]
    assert sorted(item for item, _ in result.failed) == [0, 25, 50, 75]
    assert max(sent.values()) == 1  # no duplicates
    assert dict(result.delivered)[13] == "ts-13"
    assert throttle.pauses >= 1


def test_fan_out_against_a_rate_limited_slack_loses_and_repeats_nothing() -> None:
    """Real HTTP and real time (about two seconds): the throttle is set above the limit."""
    workspace = Workspace()
    people = [f"U{n:08d}" for n in range(30)]
    for person in people:
        workspace.add_user(person, person.lower())
    with SlackEmulator(workspace) as emulator:
        emulator.rate_limit("chat.postMessage", per_second=20, burst=10)
        config = Config(bot_token=emulator.token, signing_secret="s", app_token=None,
                        slack_api_url=emulator.api_url)
        client = make_client(config, rate_limit_retries=0)
        throttle = Throttle(40, burst=5)
        result = fan_out(
            people, lambda person: client.chat_postMessage(channel=person, text="Pulse")["ts"],
            throttle=throttle, workers=6,
        )
        assert result.failed == []
        assert all(len(emulator.messages_to(person)) == 1 for person in people)
        assert any(call.status == 429 for call in emulator.calls("chat.postMessage"))
        assert throttle.pauses >= 1
        assert throttle.rate < 40


def test_a_stopped_throttle_wakes_a_worker_waiting_out_a_pause_and_sends_nothing() -> None:
    throttle = Throttle(10)  # real time: waits are on the throttle's stop event
    throttle.rate_limited(3600)  # Slack asked for an hour's pause
    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            throttle.call(lambda: outcome.append(AssertionError("sent")))
        except Stopped as stopped:
            outcome.append(stopped)

    waiting = threading.Thread(target=worker)
    waiting.start()
    throttle.stop()
    waiting.join(30)
    assert not waiting.is_alive()
    assert [type(each) for each in outcome] == [Stopped]


def test_fan_out_stops_starting_sends_once_stopped_and_reports_who_is_left() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=100)
    sent: list[int] = []

    def send(item: int) -> int:
        sent.append(item)
        if len(sent) == 10:
            throttle.stop()  # a SIGTERM while the tenth DM is under way
        return item

    result = fan_out(range(50), send, throttle=throttle, workers=1)
    assert [item for item, _ in result.delivered] == sent == list(range(10))
    assert sorted(result.not_sent) == list(range(10, 50))
    assert result.failed == []
