"""Export: every table as JSON rows (the pseudonym key is never in the database)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from storage.sql.core import SQLCore
from storage.sql.migrate import head_revision
from storage.sql.schema import DATA_TABLES

EXPORT_FORMAT = "wi3-postgresql-export"


def _json_safe(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # datetimes too


class BackupPart(SQLCore):
    """Export and table counts."""

    def counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        with self._read() as connection:
            return {table.name: int(connection.execute(
                select(func.count()).select_from(table)).scalar_one()) for table in DATA_TABLES}

    def export_all(self) -> dict[str, Any]:
        """Everything in the database as one JSON-safe dict, table by table.

        Without the pseudonym key, which lives in WI3_PSEUDONYM_KEY: the answers in an
        export cannot be matched to people without it.
        """
        tables: dict[str, list[dict[str, Any]]] = {}
        with self._read() as connection:
            for table in DATA_TABLES:
                rows = connection.execute(select(table).order_by(*table.primary_key.columns))
                tables[table.name] = [
                    {key: _json_safe(value) for key, value in row._mapping.items()}
                    for row in rows]
        return {
            "format": EXPORT_FORMAT,
            "schema_revision": head_revision(),
            "exported_at": self._now().isoformat(),
            "tables": tables,
        }
