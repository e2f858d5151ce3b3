"""Publishing App Home only when what it shows changed.

`views.publish` is limited per workspace (Tier 4, 100+ per minute), and a team opening
the app together would spend that on views Slack already shows. The store keeps a
fingerprint of the view last published to each person (`HomeViews`), so whichever
instance serves the next open publishes only a view that differs. When Slack shows no
Home yet (the `app_home_opened` event carries no `view`), it is published whatever the
store remembers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from bot import metrics
from bot.clients import Clients
from storage import StorageError, Store

logger = logging.getLogger(f"wi3.{__name__}")


def fingerprint(view: dict[str, Any]) -> str:
    """A short digest of a view: equal views, equal fingerprints, whatever the key order."""
    canonical = json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Homes:
    """Publishes a person's Home unless Slack already shows that very view."""

    def __init__(self, clients: Clients, store: Store) -> None:
        self.clients = clients
        self.store = store

    def publish(self, workspace_id: str, user_id: str, view: dict[str, Any], *,
                slack_shows_one: bool = True) -> bool:
        """True when published, False when Slack shows this view already. Raises what the
        Web API client raises (`SlackApiError`, ...), as any other send."""
        digest = fingerprint(view)
        if slack_shows_one and self._published(workspace_id, user_id) == digest:
            metrics.home_served("unchanged")
            return False
        self.clients.client_for(workspace_id).views_publish(user_id=user_id, view=view)
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
