"""Each team's last result in short: one row per team, keyed by its channel, so an
overview of a workspace is one index range scan."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from storage.ids import require_slack_id
from storage.readonly import json_default
from storage.records import LastResult
from storage.sql.core import SQLCore, moment
from storage.sql.schema import last_results


def _last(row: Row[Any]) -> LastResult:
    return LastResult(workspace_id=row.workspace_id, channel_id=row.channel_id,
                      round_id=row.round_id, closed_at=moment(row.closed_at),
                      summary=row.summary)


class SummariesPart(SQLCore):
    """The last-result summaries."""

    def save_last_result(self, last: LastResult) -> bool:
        """Keep a team's last result unless a later one is kept already (one statement:
        the upsert's condition compares the two)."""
        require_slack_id(last.workspace_id, "workspace id")
        require_slack_id(last.channel_id, "channel id")
        try:
            summary = json.loads(json.dumps(last.summary, default=json_default))
        except (TypeError, ValueError) as err:
            raise ValueError(f"a last result's summary must be JSON-safe: {err}") from err
        statement = insert(last_results).values(
            workspace_id=last.workspace_id, channel_id=last.channel_id,
            round_id=last.round_id, closed_at=last.closed_at, summary=summary)
        kept = tuple_(last_results.c.closed_at, last_results.c.round_id)
        with self._write() as connection:
            row = connection.execute(statement.on_conflict_do_update(
                index_elements=[last_results.c.workspace_id, last_results.c.channel_id],
                set_={name: statement.excluded[name]
                      for name in ("round_id", "closed_at", "summary")},
                where=kept <= tuple_(statement.excluded.closed_at, statement.excluded.round_id),
            ).returning(last_results.c.round_id)).first()
        return row is not None

    def last_results(
        self, workspace_id: str, channel_ids: Iterable[str] | None = None
    ) -> dict[str, LastResult]:
        query = select(last_results).where(last_results.c.workspace_id == workspace_id)
        if channel_ids is not None:
            query = query.where(last_results.c.channel_id.in_(list(channel_ids)))
        with self._read() as connection:
            rows = connection.execute(query.order_by(last_results.c.channel_id)).all()
        return {row.channel_id: _last(row) for row in rows}
