"""The send throttle, in virtual time: its pace, 429 pauses, and one budget shared by
every instance sending to a workspace (through the store, on both backends)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import TypedDict, Unpack

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.throttle import (
    LocalPace,
    MethodBudget,
    SharedPace,
    Stopped,
    Throttle,
    TooLong,
    retry_after_of,
)
from storage import Store


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


class Options(TypedDict, total=False):
    """The throttle settings a test may change."""

    burst: float
    slowdown: float
    recovery: float
    min_rate: float


def throttle_in(time: VirtualTime, rate: float, **options: Unpack[Options]) -> Throttle:
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

    def fifty_turns() -> None:
        for _ in range(50):
            throttle.wait_turn()

    workers = [threading.Thread(target=fifty_turns) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    slots = sorted([1000.0, *wakeups])  # the first slot needed no sleep
    assert len(slots) == 400
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) == pytest.approx(1 / rate)
    assert max(gaps) == pytest.approx(1 / rate)


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


def test_instances_sharing_a_workspace_budget_send_at_its_rate_together(
    any_store: Store,
) -> None:
    """Two instances' throttles on one store: their slots interleave at the one rate."""
    time = VirtualTime()
    first, second = (Throttle(10, clock=time.clock, sleep=time.sleep,
                              pace=SharedPace(any_store, "T1")) for _ in range(2))
    for _ in range(5):
        first.wait_turn()
        second.wait_turn()
    assert time.now - 1000.0 == pytest.approx(9 * 0.1)
    elsewhere = Throttle(10, clock=time.clock, sleep=time.sleep,
                         pace=SharedPace(any_store, "T2"))  # another workspace's budget
    before = time.now
    elsewhere.wait_turn()
    assert time.now == before


def test_a_429_seen_by_one_instance_pauses_the_other() -> None:
    time = VirtualTime()
    shared = LocalPace()
    first, second = (Throttle(100, clock=time.clock, sleep=time.sleep, pace=shared)
                     for _ in range(2))
    first.wait_turn()
    first.rate_limited(3.0)
    second.wait_turn()
    assert time.now >= 1003.0
    assert second.pauses == 1 and second.rate < 100


def test_a_turn_further_than_the_caller_would_wait_is_not_taken() -> None:
    time = VirtualTime()
    throttle = throttle_in(time, rate=10)
    throttle.rate_limited(30.0)
    with pytest.raises(TooLong) as too_long:
        throttle.wait_turn(max_wait=10.0)
    assert too_long.value.seconds == pytest.approx(30.0)
    assert time.now == 1000.0  # nothing waited, nothing reserved
    throttle.wait_turn(max_wait=60.0)
    assert time.now == pytest.approx(1030.0)


def test_a_method_budget_refuses_at_once_what_its_tier_has_no_room_for() -> None:
    time = VirtualTime()
    budget = MethodBudget(clock=time.clock)
    for _ in range(45):  # Tier 3: most of a minute's worth at once...
        budget.spend("chat.update")
    with pytest.raises(TooLong) as late:
        budget.spend("chat.update")  # ...then nothing, and no waiting for it
    assert 0 < late.value.seconds <= 1.25  # one call in 60 / 50 s
    assert time.sleeps == []
    budget.spend("users.info")  # another method, another budget
    for _ in range(500):
        budget.spend("auth.test")  # no tier: not limited here
    time.now += 1.2
    budget.spend("chat.update")  # the tier's steady rate: one more after 1.2 s


def test_method_budgets_in_the_store_are_one_for_every_instance(any_store: Store) -> None:
    first, second = (MethodBudget.shared_in(any_store, "T1") for _ in range(2))
    for n in range(45):  # 90% of Tier 3's minute (the rest absorbs the network's jitter)
        (first if n % 2 else second).spend("chat.update")
    with pytest.raises(TooLong):
        first.spend("chat.update")  # the other instance spent the rest of the minute
    with pytest.raises(TooLong):
        second.spend("chat.update")
    MethodBudget.shared_in(any_store, "T2").spend("chat.update")  # another workspace's
