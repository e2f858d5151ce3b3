"""The door of wi3's Bolt app: what cannot be a request from Slack is refused there.

An HTTP request must carry Slack's signature (401 otherwise, one log line without the
body), and every request's body must have the shapes Slack gives it (400 otherwise, see
`bot.listeners.shape`): Bolt reads the payload trusting those shapes even before the
first middleware runs, so a signed but bent body would otherwise end in an exception and
a 500 deep inside it.

Every request is counted here by kind and answer (`bot.metrics`), and its arrival time is
put into Bolt's context (`metrics.RECEIVED_AT`), for the click latency measured at its end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot import metrics
from bot.listeners.shape import problem_with

logger = logging.getLogger(f"wi3.{__name__}")


class GatedApp(App):
    """Bolt's `App`, checking each request's signature and shape before dispatching it.

    `write_problem` says why the app's data cannot be saved right now (None while it can),
    for the health check."""

    def __init__(self, *, signing_secret: str | None,
                 write_problem: Callable[[], str | None] = lambda: None,
                 **settings: Any) -> None:
        super().__init__(signing_secret=signing_secret, request_verification_enabled=False,
                         **settings)
        self.write_problem = write_problem
        # Socket Mode has no signing secret: its requests come over our own connection.
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        req.context[metrics.RECEIVED_AT] = started
        response = self._checked_dispatch(req)
        metrics.request_handled(metrics.request_kind(req.body), response.status, started)
        return response

    def _checked_dispatch(self, req: BoltRequest) -> BoltResponse:
        if req.mode == "http" and not self._is_signed(req):
            logger.info("Refused a request without a valid Slack signature")
            return BoltResponse(status=401, body={"error": "invalid request"})
        problem = problem_with(req.body)
        if problem is not None:
            logger.warning("Refused a signed request that cannot be Slack's: %s", problem)
            return BoltResponse(status=400, body={"ok": False, "error": "bad_request"})
        return super().dispatch(req)

    def _is_signed(self, req: BoltRequest) -> bool:
        if self._verifier is None:
            return False
        timestamp = req.headers.get("x-slack-request-timestamp", [""])[0]
        signature = req.headers.get("x-slack-signature", [""])[0]
        try:
            return bool(self._verifier.is_valid(req.raw_body, timestamp, signature))
        except (ValueError, TypeError):  # headers that cannot be Slack's
            return False
