"""Sending what the outbox holds, exactly once, from any number of instances.

Flows queue messages with the change that causes them (`conversations.queued`). Here a few
worker threads per instance each claim one due message at a time (`Store.claim_next`: a
lease, so a crashed instance's claims expire and another takes them over), turn it into a
Slack call through its kind (`Kinds`, `bot/kinds.py`), wait for a turn in the workspace's
shared rate budget (`bot.throttle.Throttles`), send it with a `DeliveryMark` in its
metadata, and record the receipt (with what it means and what it causes next).

Exactly once, also across a kill -9: a message whose claim expired without a receipt, or
whose send ended without Slack's answer (a timeout, a dropped connection, a 5xx), comes
back *in doubt*, and before sending it again the dispatcher asks Slack whether it is there
(`bot.delivery.DeliveryChecks`: one look per conversation for all its messages in doubt,
within the Tier 3 budget); if it is, it is recorded as sent. A message sent while
its receipt cannot be written (a full disk) is left claimed: when the claim expires the
same check finds it, without a restart. What remains is in docs/operations.md.

Stopping stops: no new claim, no new send; the sends under way finish and are recorded;
a message whose turn had not come yet is put back, due at once, for the next instance.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import crash
from bot.clients import Clients, WorkspaceGone
from bot.delivery import DeliveryChecks, outbox_mark
from bot.drawing import Drawer, HereAndNow, drawn
from bot.method_budgets import MethodBudgets
from bot.people import People
from bot.throttle import Stopped, Throttles, TooLong
from conversations import queued
from conversations.outbound import UploadFile
from storage import StorageError, Store
from storage.records import Claim, Outgoing

logger = logging.getLogger(f"wi3.{__name__}")

Clock = Callable[[], datetime]

LEASE_SECONDS = 60.0
"""How long a claim holds a message: longer than a send can take (the Web API client's
30 s timeout, with no retry on a dropped connection), so only a dead sender loses one."""
WORKERS = 4
POLL_SECONDS = 2.0
"""How often idle workers look for messages that came due (a retry, an expired claim)."""
MAX_ATTEMPTS = 6
"""Sends Slack refused before a message is given up (logged); 429s do not count."""
RETRY_SECONDS = 5.0
"""The first retry's delay; it doubles with every attempt, up to `MAX_RETRY_SECONDS`."""
MAX_RETRY_SECONDS = 600.0
CLOCK_SKEW_SECONDS = 120.0
"""How much earlier than its first claim a message is looked for in history (instances'
clocks and Slack's may differ a little)."""
_SLACK_UNSURE = (URLError, OSError, TimeoutError)
"""Failures after which the request may or may not have reached Slack."""


@dataclass(frozen=True)
class Rendered:
    """What a queued message turned into: a message to post or a file to upload, and the
    messages its receipt queues next (the chart after the results post)."""

    message: Mapping[str, Any] | None = None
    upload: UploadFile | None = None
    then: tuple[Outgoing, ...] = ()


Render = Callable[[Outgoing], Rendered | None]
"""A kind's renderer: None when there is nothing to send any more (the round moved on)."""
Kinds = Mapping[str, Render]


class Dispatcher:
    """The outbox's senders in this instance."""

    def __init__(
        self,
        store: Store,
        clients: Clients,
        people: People,
        throttles: Throttles,
        kinds: Kinds,
        *,
        owner: str,
        clock: Clock,
        workers: int = WORKERS,
        lease_seconds: float = LEASE_SECONDS,
        poll_seconds: float = POLL_SECONDS,
        drawer: Drawer | None = None,
        budgets: MethodBudgets | None = None,
    ) -> None:
        self.store = store
        self.budgets = budgets or MethodBudgets(store)
        self.checks = DeliveryChecks(self.budgets, clock, max_wait=lease_seconds / 3)
        self.clients = clients
        self.drawer = drawer or HereAndNow()
        self.people = people
        self.throttles = throttles
        self.kinds = kinds
        self.owner = owner
        self.clock = clock
        self.workers = workers
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._generation = 0
        self._busy = 0
        self._dry = False
        self._storage_trouble = False
        self.sent_twice = 0
        """Receipts for a message recorded as sent by another claim already (a send that
        outlived its lease): how often a message may have gone out twice (benchmarks)."""

    # -- running ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        self._threads = [threading.Thread(target=self._work, name=f"wi3-outbox-{n}",
                                          daemon=True) for n in range(self.workers)]
        for thread in self._threads:
            thread.start()

    def stop_sending(self) -> None:
        """No new claim and no new send from now on; sends under way finish."""
        self._stopping.set()
        self.throttles.stop()
        self.budgets.stop()
        with self._wake:
            self._wake.notify_all()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop sending and wait (up to `timeout`) for the sends under way to be recorded."""
        self.stop_sending()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def send_later(self, workspace_id: str, message: Mapping[str, Any], *,
                   user_id: str | None = None, channel_id: str | None = None) -> None:
        """Queue a message that could not go out now (over Slack's rate budget): posted to
        `channel_id`, or by DM to `user_id`, once the budget allows, exactly once."""
        kind = queued.POST if channel_id else queued.DM
        self.store.enqueue([Outgoing(f"late/{secrets.token_hex(8)}", kind, workspace_id,
                                     user_id=user_id, channel_id=channel_id,
                                     message=dict(message))])
        self.kick()

    def kick(self) -> None:
        """Messages were queued: send them now. Without workers (a one-shot tool, tests)
        they are sent in the caller's thread before this returns."""
        if not self._threads:
            self.drain()
            return
        with self._wake:
            self._generation += 1
            self._dry = False
            self._wake.notify_all()

    def drain(self) -> int:
        """Send what is due now, in this thread; how many messages were handled. A store
        that cannot be written now ends it (the messages wait for the next look)."""
        handled = 0
        try:
            while not self._stopping.is_set() and self.dispatch_one():
                handled += 1
        except StorageError as error:
            self._storage_failed(error)
        return handled

    def _storage_failed(self, error: StorageError) -> None:
        """Said once while it lasts (a full disk fails every look; `/healthz` says it too)."""
        if not self._storage_trouble:
            logger.warning("the outbox cannot be read or written now (%s); its messages "
                           "wait and go out once it can", error)
        self._storage_trouble = True

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """For tests, the try-out and benchmarks: until the workers found nothing due."""
        if not self._threads:
            self.drain()
            return True
        with self._wake:
            return self._wake.wait_for(lambda: self._dry and self._busy == 0, timeout)

    def _work(self) -> None:
        while not self._stopping.is_set():
            with self._wake:
                self._busy += 1
                seen = self._generation
            handled = False
            try:
                handled = self.dispatch_one()
            except StorageError as error:
                self._storage_failed(error)
            except Exception:
                logger.exception("sending a queued message failed unexpectedly")
            with self._wake:
                self._busy -= 1
                if handled or seen != self._generation:
                    self._dry = False
                    continue
                self._dry = True  # nothing due, and nothing queued since we looked
                self._wake.notify_all()
                self._wake.wait_for(lambda: seen != self._generation  # noqa: B023
                                    or self._stopping.is_set(), self.poll_seconds)

    # -- one message --------------------------------------------------------------------------

    def dispatch_one(self) -> bool:
        """Claim one due message and see it through; False when nothing is due (or the
        dispatcher is stopping)."""
        if self._stopping.is_set():
            return False
        claim = self.store.claim_next(self.owner, self.lease_seconds, self.clock())
        self._storage_trouble = False
        if claim is None:
            return False
        self._see_through(claim)
        return True

    def _see_through(self, claim: Claim) -> None:
        outgoing = claim.outgoing
        render = self.kinds.get(outgoing.kind)
        if render is None:
            logger.error("no way to send an outbox message of kind %r; giving it up",
                         outgoing.kind)
            self.store.record_not_sent(claim, retry_at=None, in_doubt=claim.in_doubt,
                                       problem=f"unknown kind {outgoing.kind}")
            return
        try:
            rendered = render(outgoing)
        except Exception as error:
            logger.warning("could not prepare a queued %s", outgoing.kind, exc_info=True)
            self._failed(claim, error, in_doubt=claim.in_doubt)
            return
        if rendered is None:
            self.store.record_void(claim)
            return
        if claim.in_doubt and self._found(claim, rendered):
            return
        self._send(claim, rendered)

    def _found(self, claim: Claim, rendered: Rendered) -> bool:
        """In doubt: ask Slack whether it went out; recorded if it did. True when there
        is nothing more to do now (found, or Slack could not say: asked again later)."""
        outgoing = claim.outgoing
        mark = self._mark(outgoing, rendered)
        since = claim.first_claimed_at.timestamp() - CLOCK_SKEW_SECONDS
        try:
            channel = self._conversation(outgoing)
            client = self.clients.client_for(outgoing.workspace_id)
            ts = self.checks.delivered(client, outgoing.workspace_id, channel, mark,
                                       since=since, settled_at=claim.came_due_at)
        except WorkspaceGone:
            return False  # nothing to ask; sending gives it up
        except (Stopped, TooLong) as waited:
            later = waited.seconds if isinstance(waited, TooLong) else 0.0
            self.store.record_not_sent(claim, retry_at=self.clock() + timedelta(seconds=later),
                                       in_doubt=True, counts=False)
            return True
        except SlackApiError as error:
            if error.response.get("error") == "missing_scope":
                logger.warning("cannot check whether a queued %s went out (reinstall the app to "
                               "grant the history scopes); sending it", outgoing.kind)
                return False
            logger.info("cannot check yet whether a queued %s went out (%s); asking again later",
                        outgoing.kind, _reason(error))
            self._retry(claim, in_doubt=True, problem=_reason(error), counts=False)
            return True
        except _SLACK_UNSURE as error:
            self._retry(claim, in_doubt=True, problem=_reason(error), counts=False)
            return True
        if ts is None:
            return False
        logger.info("a queued %s had gone out before its sender could record it; recorded now",
                    outgoing.kind)
        self._record(claim, ts, rendered)
        return True

    def _send(self, claim: Claim, rendered: Rendered) -> None:
        outgoing = claim.outgoing
        throttle = self.throttles.of(outgoing.workspace_id)
        try:
            client = self.clients.client_for(outgoing.workspace_id)
        except WorkspaceGone:
            logger.info("a queued %s is not sent: wi3 was removed from its workspace",
                        outgoing.kind)
            self.store.record_not_sent(claim, retry_at=None, in_doubt=claim.in_doubt,
                                       problem="wi3 was removed from the workspace")
            return
        try:
            receipt = throttle.call(lambda: self._call_slack(client, outgoing, rendered),
                                    max_wait=self.lease_seconds / 3)
        except (Stopped, TooLong) as waited:
            later = waited.seconds if isinstance(waited, TooLong) else 0.0
            self.store.record_not_sent(claim, retry_at=self.clock() + timedelta(seconds=later),
                                       in_doubt=False, counts=False)
            return
        except SlackApiError as error:
            unsure = (getattr(error.response, "status_code", 200) or 200) >= 500
            self._failed(claim, error, in_doubt=unsure)
            return
        except _SLACK_UNSURE as error:
            self._failed(claim, error, in_doubt=True)
            return
        crash.point(f"sent.{outgoing.kind}")  # Slack has it; its receipt is not written
        self._record(claim, receipt, rendered)

    def _record(self, claim: Claim, receipt: str | None, rendered: Rendered) -> None:
        try:
            first = self.store.record_sent(claim, receipt, self.clock(), then=rendered.then)
        except StorageError as error:
            logger.warning("a queued %s went out but could not be recorded (%s); its claim expires "
                           "and the delivery check records it", claim.outgoing.kind, error)
            return
        if not first:
            self.sent_twice += 1
            logger.warning("a queued %s was recorded as sent by another claim already: it may "
                           "have gone out twice", claim.outgoing.kind)

    def _failed(self, claim: Claim, error: Exception, *, in_doubt: bool) -> None:
        if claim.attempts + 1 >= MAX_ATTEMPTS and not in_doubt:
            logger.warning("giving up a queued %s after %d attempts (%s)", claim.outgoing.kind,
                           claim.attempts + 1, _reason(error))
            self.store.record_not_sent(claim, retry_at=None, in_doubt=False,
                                       problem=_reason(error))
            return
        logger.info("a queued %s did not go out (%s); trying again later", claim.outgoing.kind,
                    _reason(error))
        self._retry(claim, in_doubt=in_doubt, problem=_reason(error))

    def _retry(self, claim: Claim, *, in_doubt: bool, problem: str,
               counts: bool = True) -> None:
        delay = min(MAX_RETRY_SECONDS, RETRY_SECONDS * 2 ** claim.attempts)
        self.store.record_not_sent(claim, retry_at=self.clock() + timedelta(seconds=delay),
                                   in_doubt=in_doubt, problem=problem, counts=counts)

    # -- Slack --------------------------------------------------------------------------------

    def _call_slack(self, client: WebClient, outgoing: Outgoing,
                    rendered: Rendered) -> str | None:
        """Post or upload; the receipt is the message's ts (or the file's id)."""
        mark = self._mark(outgoing, rendered)
        if rendered.upload is not None:
            upload = rendered.upload
            response = client.files_upload_v2(
                channel=self._conversation(outgoing),
                content=drawn(upload.content, self.drawer),
                filename=upload.filename, title=upload.title,
                initial_comment=upload.comment)
            files = response.get("files") or [{}]
            return str(files[0].get("id") or "") or None
        message = rendered.message or {}
        # Posting to a user id opens the DM without `conversations.open` (tier 3).
        where = outgoing.channel_id or outgoing.user_id or ""
        response = client.chat_postMessage(channel=where, text=message.get("text", ""),
                                                blocks=message.get("blocks"),
                                                metadata=mark.metadata)
        if outgoing.channel_id is None and outgoing.user_id and response.get("channel"):
            self.people.remember_dm_channel(outgoing.workspace_id, outgoing.user_id,
                                            str(response["channel"]))
        return str(response.get("ts"))

    @staticmethod
    def _mark(outgoing: Outgoing, rendered: Rendered) -> Any:
        filename = rendered.upload.filename if rendered.upload is not None else None
        return outbox_mark(outgoing.kind, outgoing.key, filename=filename)

    def _conversation(self, outgoing: Outgoing) -> str:
        """Where the message goes: its channel, or the DM with its person."""
        if outgoing.channel_id is not None:
            return outgoing.channel_id
        if outgoing.user_id is None:
            raise ValueError(f"outbox message {outgoing.kind} has nowhere to go")
        return self.people.dm_channel(outgoing.workspace_id, outgoing.user_id)


def _reason(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        try:
            return str(response.get("error"))
        except Exception:
            return type(error).__name__
    return type(error).__name__
