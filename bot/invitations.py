"""Round invitations go out in the background, throttled, exactly once per member.

Progress is in storage (`mark_invitation_sent` after each DM), so a restart in the middle
carries on with who is left: nobody gets a second invitation, nobody is skipped. When the
bot stops, the throttle is stopped first: no new DM starts, the ones under way finish and
are recorded, and only then does `stop()` return (and the bot release its data directory).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

from bot.people import People
from bot.throttle import Throttle, fan_out
from conversations.rounds import RoundsFlow
from storage import Store

logger = logging.getLogger(__name__)

PostDM = Callable[[str, str, dict[str, Any]], str]


class Invitations:
    def __init__(
        self,
        store: Store,
        rounds: RoundsFlow,
        people: People,
        post_dm: PostDM,
        throttle: Throttle,
        *,
        workers: int = 4,
    ) -> None:
        self.store = store
        self.rounds = rounds
        self.people = people
        self.post_dm = post_dm
        self.throttle = throttle
        self.workers = workers
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="invitations", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the worker after the round in hand (up to `timeout`); once the throttle is
        stopped that round ends as soon as the DMs under way are recorded."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def enqueue(self, round_id: str, user_ids: Iterable[str] = ()) -> None:
        """Invite whoever of the round is not invited yet (`user_ids` is informational)."""
        with self._idle:
            self._pending += 1
        self._queue.put(round_id)
        if self._thread is None:  # not started (a one-shot tool): do it now
            self._drain_one(self._queue.get())

    def resume(self) -> None:
        """At start-up: finish the invitations of every open round."""
        for round_ in self.store.open_rounds():
            if set(round_.invited) - self.store.invitations_sent(round_.id):
                self.enqueue(round_.id)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """For tests and the try-out: block until every queued round is done."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _work(self) -> None:
        while True:
            round_id = self._queue.get()
            if round_id is None:
                return
            self._drain_one(round_id)

    def _drain_one(self, round_id: str | None) -> None:
        try:
            if round_id is not None:
                self.invite_round(round_id)
        except Exception:
            logger.exception("inviting members of a round failed; will retry on restart")
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def invite_round(self, round_id: str) -> int:
        """Send the invitation DM to every invited member who has not had one."""
        round_ = self.store.get_round(round_id)
        if round_ is None or not round_.is_open \
                or round_.workspace_id in self.store.uninstalled_workspaces():
            return 0
        sent = self.store.invitations_sent(round_id)
        pending = [user for user in round_.invited if user not in sent]

        def invite(user_id: str) -> str:
            lang = self.people.lang(round_.workspace_id, user_id)
            message = self.rounds.invitation(round_, lang)
            ts = self.post_dm(round_.workspace_id, user_id, message)
            self.store.mark_invitation_sent(round_id, user_id)
            return ts

        result = fan_out(pending, invite, throttle=self.throttle, workers=self.workers)
        for _user_id, error in result.failed:
            logger.warning("invitation to a member failed: %s", _reason(error))
        if result.not_sent:
            logger.info("stopping: %d invitation(s) left for the next start",
                        len(result.not_sent))
        return len(result.delivered)


def _reason(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        try:
            return str(response.get("error"))
        except Exception:
            return type(error).__name__
    return type(error).__name__
