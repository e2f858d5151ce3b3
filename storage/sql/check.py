"""``python -m storage check postgresql://...`` and the doctor's database lines: is the
database reachable, is its schema current, does the pseudonym key match, what does it hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from storage.errors import StorageError, StoreUnavailableError
from storage.pseudonyms import key_check
from storage.sql.core import KEY_CHECK
from storage.sql.engine import make_engine, shown
from storage.sql.migrate import SchemaState, schema_state
from storage.sql.schema import store_meta
from storage.sql.store import SQLStore


@dataclass
class DatabaseReport:
    """What ``check_database`` found; ``ok`` is False if anything needs an operator."""

    database: str
    schema: SchemaState | None = None
    key: str = "not checked"
    key_matches: bool | None = None
    """False when WI3_PSEUDONYM_KEY is not the key the stored answers were filed with."""
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """About the database itself (unreachable, schema newer than this wi3)."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.key_matches is not False

    def lines(self) -> list[str]:
        out = [f"database: {self.database}"]
        if self.schema is not None:
            out.append(f"schema: {self.schema.current or 'empty'} "
                       f"({'current' if self.schema.is_current else 'not current'}; "
                       f"this wi3 needs {self.schema.head})")
        out.append(f"pseudonym key: {self.key}")
        if self.counts:
            out.append("contents: " + ", ".join(f"{name}={count}"
                                                for name, count in self.counts.items()))
        out.extend(f"note: {note}" for note in self.notes)
        problems = [*self.problems]
        if self.key_matches is False:
            problems.append("WI3_PSEUDONYM_KEY differs from the key the database was used with;"
                            " every instance must use the same key")
        out.extend(f"problem: {problem}" for problem in problems)
        out.append("status: OK" if self.ok else f"status: {len(problems)} PROBLEM(S)")
        return out


def check_database(url: str, pseudonym_key: bytes | None) -> DatabaseReport:
    """Look at a database without changing it and report every problem found."""
    report = DatabaseReport(shown(url))
    engine = make_engine(url)
    try:
        report.schema = schema_state(engine)
        if report.schema.is_newer:
            report.problems.append(f"the schema ({report.schema.current}) is newer than this "
                                   "wi3 understands; upgrade wi3")
            return report
        if not report.schema.is_current:
            report.notes.append(f"{len(report.schema.pending)} migration(s) pending; they are "
                                "applied when wi3 starts, or now with `python -m storage migrate`")
            return report
        _check_key(report, engine, pseudonym_key)
        store = SQLStore(engine, pseudonym_key=b"")
        report.counts = store.counts()
        report.counts.update({f"outbox_{state}": count
                              for state, count in sorted(store.outbox_counts().items())})
    except StorageError as err:
        report.problems.append(str(err))
    finally:
        engine.dispose()
    return report


def _check_key(report: DatabaseReport, engine: Engine, pseudonym_key: bytes | None) -> None:
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(store_meta.c.value).where(
                store_meta.c.name == KEY_CHECK)).scalar_one_or_none()
    except DBAPIError as err:
        raise StoreUnavailableError(err) from err
    if pseudonym_key is None:
        report.key = "not checked (WI3_PSEUDONYM_KEY is not set)"
    elif stored is None:
        report.key = "set; the database has not used a key yet"
    else:
        report.key_matches = stored == key_check(pseudonym_key)
        report.key = ("set, and the one this database's answers were stored with"
                      if report.key_matches else
                      "set, but NOT the one this database's answers were stored with")
