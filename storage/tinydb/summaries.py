"""Each team's last result in short, in 256 files per workspace (by channel id).

The overview's hundred teams are in about eighty small files (some twenty summaries each
at 5,000 teams) instead of a hundred snapshots files, and closing a round rewrites one of
them.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.records import LastResult
from storage.tinydb import codec
from storage.tinydb.core import StoreCore
from storage.tinydb.layout import (
    all_summaries_specs,
    is_valid_id,
    require_id,
    summaries_spec,
)


class SummariesMixin(StoreCore):
    """The last-result summaries."""

    def save_last_result(self, last: LastResult) -> bool:
        """Keep a team's last result unless a later one is kept already."""
        require_id(last.workspace_id, "workspace id")
        require_id(last.channel_id, "channel id")
        doc = codec.last_result_to_doc(last)
        part = self._part(summaries_spec(last.workspace_id, last.channel_id))
        with part.lock:
            table = part.table("summaries")
            kept = table.doc(last.channel_id)
            if kept is not None and codec.last_result_from_doc(kept).order > last.order:
                return False
            if kept != doc:
                table.put(last.channel_id, doc)
        return True

    def last_results(
        self, workspace_id: str, channel_ids: Iterable[str] | None = None
    ) -> dict[str, LastResult]:
        """By channel id, from the files that hold these channels (all of them for a whole
        workspace)."""
        if not is_valid_id(workspace_id):
            return {}
        wanted = None if channel_ids is None else set(channel_ids)
        if wanted is None:
            specs = all_summaries_specs(workspace_id)
        else:
            specs = list({summaries_spec(workspace_id, channel).relpath:
                          summaries_spec(workspace_id, channel)
                          for channel in wanted if is_valid_id(channel)}.values())
        found: dict[str, LastResult] = {}
        for spec in specs:
            part = self._part(spec)
            with part.lock:
                docs = part.table("summaries").docs()
            found.update((channel, codec.last_result_from_doc(doc))
                         for channel, doc in docs.items() if wanted is None or channel in wanted)
        return dict(sorted(found.items()))
