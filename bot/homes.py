"""Publishing App Home only when what it shows changed.

`views.publish` is limited per workspace (Tier 4, 100+ per minute), and a team opening
the app together would spend that on views Slack already shows. The store keeps a
fingerprint of the view last published to each person (`HomeViews`), so whichever
instance serves the next open publishes only a view that differs. When Slack shows no
Home yet (the `app_home_opened` event carries no `view`), it is published whatever the
store remembers. A publish takes its turn from the workspace's shared Tier 4 budget; when
the next turn is more than a few seconds away (a storm of changed Homes), the Home is left
as Slack shows it and the next open publishes it, rather than a request thread waiting.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from bot import metrics
from bot.clients import Clients
from bot.method_budgets import MethodBudgets
from bot.throttle import Stopped, TooLong
from storage import StorageError, Store

VIEWS_PUBLISH = "views.publish"
TURN_WAIT_SECONDS = 3.0
"""The longest a Home open waits for a turn in the Tier 4 budget."""

logger = logging.getLogger(f"wi3.{__name__}")


def fingerprint(view: dict[str, Any]) -> str:
    """A short digest of a view: equal views, equal fingerprints, whatever the key order."""
    canonical = json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Homes:
    """Publishes a person's Home unless Slack already shows that very view."""

    def __init__(self, clients: Clients, store: Store,
                 budgets: MethodBudgets | None = None) -> None:
        self.clients = clients
        self.store = store
        self.budgets = budgets or MethodBudgets(store)

    def publish(self, workspace_id: str, user_id: str, view: dict[str, Any], *,
                slack_shows_one: bool = True) -> bool:
        """True when published, False when Slack shows this view already (or the budget
        has no turn soon). Raises what the Web API client raises (`SlackApiError`, ...),
        as any other send."""
        digest = fingerprint(view)
        if slack_shows_one and self._published(workspace_id, user_id) == digest:
            metrics.home_served("unchanged")
            return False
        client = self.clients.client_for(workspace_id)
        try:
            self.budgets.of(workspace_id, VIEWS_PUBLISH).call(
                lambda: client.views_publish(user_id=user_id, view=view),
                attempts=1, max_wait=TURN_WAIT_SECONDS)
        except (TooLong, Stopped):
            logger.info("App Home not published now: the workspace's views.publish budget "
                        "has no turn soon; the next open publishes it")
            metrics.home_served("deferred")
            return False
        metrics.home_served("published")
        try:
            self.store.remember_home(workspace_id, user_id, digest)
        except StorageError as error:  # the next open publishes again: no harm done
            logger.warning("could not remember a published Home (%s)", error)
        return True

    def _published(self, workspace_id: str, user_id: str) -> str | None:
        try:
            return self.store.published_home(workspace_id, user_id)
        except StorageError as error:
            logger.warning("cannot tell which Home was published last (%s); publishing", error)
            return None
