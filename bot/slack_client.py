"""The Slack Web API clients the bot uses, with retries Slack's rules call for.

slack_sdk retries only connection errors by default; Slack answers HTTP 429 with a
`Retry-After` header when a rate limit is hit. `make_client` waits and retries those too
(for work nobody waits on: the doctor, start-up checks); the listeners' client
(`make_listener_client`) never sleeps in a request thread: each call spends from its
method's budget first and is not made when there is none (`OverBudget`).
Server errors (5xx) are not retried here: a `chat.postMessage` that failed with a 500 may
still have been posted, and a blind retry would send it twice.
"""

from __future__ import annotations

import math
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.web import SlackResponse

from bot.config import Config
from bot.metrics import CountSlackCalls
from bot.throttle import MethodBudget, TooLong, is_turn_taken, retry_after_of

RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 2
TIMEOUT_SECONDS = 30


def retry_handlers(
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
    connection_retries: int = CONNECTION_RETRIES,
) -> list[RetryHandler]:
    """Connection-error retries (with backoff) and, unless 0, 429 retries after Retry-After;
    first of all, every answer is counted by method and outcome (`wi3_slack_api_calls`)."""
    handlers: list[RetryHandler] = [
        CountSlackCalls(), ConnectionErrorRetryHandler(max_retry_count=connection_retries)
    ]
    if rate_limit_retries > 0:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return handlers


def make_client(
    config: Config,
    *,
    token: str | None = None,
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
    connection_retries: int = CONNECTION_RETRIES,
) -> WebClient:
    """A `WebClient` for `token` (default: `config`'s bot token) and the API base URL.

    Pass `rate_limit_retries=0` for a client used under a `bot.throttle.Throttle`, which
    handles 429s for all its workers at once instead of one sleeping thread at a time.
    """
    return WebClient(
        token=token or config.bot_token,
        base_url=config.slack_api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(rate_limit_retries, connection_retries),
    )


class OverBudget(SlackApiError):
    """A call not made: its method's budget has nothing left now (`bot.throttle.MethodBudget`).
    It reads like Slack's own 429 (`ratelimited`, `Retry-After`), so every caller that
    copes with a rate limit copes with it, without the request having been sent."""

    def __init__(self, client: WebClient, method: str, seconds: float) -> None:
        response = SlackResponse(
            client=client, http_verb="POST", api_url=f"{client.base_url}{method}", req_args={},
            data={"ok": False, "error": "ratelimited"},
            headers={"Retry-After": str(max(1, math.ceil(seconds)))}, status_code=429)
        super().__init__(  # type: ignore[no-untyped-call]
            f"{method}: over its rate budget for {seconds:.1f}s", response)
        self.method = method


class BudgetedClient(WebClient):
    """A `WebClient` whose every Web API call spends from its method's budget first."""

    budget: MethodBudget

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        try:
            if not is_turn_taken():
                self.budget.spend(api_method)
        except TooLong as late:
            raise OverBudget(self, api_method, late.seconds) from None
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            retry_after = retry_after_of(error)
            if retry_after is not None:  # Slack counted more than we did: hold back
                self.budget.rate_limited(api_method, retry_after)
            raise


def make_listener_client(config: Config, token: str | None = None,
                         budget: MethodBudget | None = None) -> WebClient:
    """The client listeners (and the sender, in a request) call Slack with: every call
    within its method's budget, and no thread ever asleep on a 429. A call over budget, or
    answered 429, raises at once (`OverBudget` / `SlackApiError`); the caller falls back or
    queues what must still happen (`bot.sender`). Connection errors are still retried."""
    client = BudgetedClient(
        token=token or config.bot_token,
        base_url=config.slack_api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(rate_limit_retries=0),
    )
    client.budget = budget or MethodBudget()
    return client


def make_sending_client(config: Config, token: str | None = None) -> WebClient:
    """The client the outbox sends with: no retries of its own. A 429 goes to the shared
    rate budget; a dropped connection may have reached Slack, so the message comes back
    in doubt and is looked for before it is sent again (`bot.outbox`), never resent blind."""
    return make_client(config, token=token, rate_limit_retries=0, connection_retries=0)


# Bot scopes wi3 calls for (manifest.yml requests exactly these).
REQUIRED_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
    "im:history",
    "channels:history",
    "groups:history",
)


def granted_scopes(headers: dict[str, object]) -> frozenset[str]:
    """The scopes in an `auth.test` response's `x-oauth-scopes` header."""
    for name, value in headers.items():
        if name.lower() == "x-oauth-scopes":
            raw = value[0] if isinstance(value, list) else value
            return frozenset(scope.strip() for scope in str(raw).split(",") if scope.strip())
    return frozenset()
