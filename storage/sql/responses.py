"""What respondents give, and where they are in a round, under pseudonyms.

Every write first takes a share lock on the round's row, so it lands before a close or is
refused after it. ``answer_and_advance`` moves the respondent only from the position they
clicked at (``UPDATE ... WHERE position = expected``): of two clicks on the same question,
from any two instances, one wins and the other is told where the respondent is now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, func, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert

from storage.errors import RepeatedRequestError, StalePositionError, UnknownRoundError
from storage.protocols import Answers
from storage.pseudonyms import is_forgotten
from storage.records import Checklist, Progress, RequestClaim, check_answers, is_current
from storage.sql.caches import take_claim
from storage.sql.core import SQLCore, utc
from storage.sql.schema import answers, checklists, participation, progress, rounds

_PROGRESS_KEY = [progress.c.round_id, progress.c.respondent]
_NEW_ANSWER = insert(answers)
_UPSERT_ANSWER = _NEW_ANSWER.on_conflict_do_update(
    index_elements=[answers.c.round_id, answers.c.respondent, answers.c.item_id],
    set_={"score": _NEW_ANSWER.excluded.score, "answered_at": _NEW_ANSWER.excluded.answered_at},
    where=answers.c.score.is_distinct_from(_NEW_ANSWER.excluded.score),
).returning(answers.c.item_id)
"""Insert an answer, or change its score; only rows that changed come back. Built once:
the same statement for one answer or twenty-two (sent as one multi-row INSERT)."""
_HAD_FINISHED = exists().where(participation.c.round_id == progress.c.round_id,
                               participation.c.respondent == progress.c.respondent,
                               ).label("finished")
_WRITTEN = (_HAD_FINISHED, progress.c.checklist_done)
"""Returned with a progress write: had the respondent finished before this write, and is
their checklist done (as the row says after it)?"""


@dataclass(frozen=True)
class _Written:
    had_finished: bool
    checklist_done: bool


class ResponsesPart(SQLCore):
    """Answers, checklists, progress and participation of one round."""

    def record_answers(self, round_id: str, user_id: str, answers_: Mapping[str, int | None],
                       at: datetime | None = None) -> int:
        """Store several answers of one respondent in one transaction; how many changed."""
        moment = self._now(at)
        with self._write() as connection:
            row = self._open_round_row(connection, round_id)
            check_answers(round_id, row.item_ids, answers_)
            respondent = self._respondent(row.workspace_id, user_id)
            return self._put_answers(connection, round_id, respondent, answers_, moment)

    @staticmethod
    def _put_answers(connection: Connection, round_id: str, respondent: str,
                     given: Mapping[str, int | None], moment: datetime) -> int:
        if not given:
            return 0
        changed = connection.execute(_UPSERT_ANSWER, [
            {"round_id": round_id, "respondent": respondent, "item_id": item_id,
             "score": score, "answered_at": moment} for item_id, score in given.items()])
        return len(changed.all())

    def answer_and_advance(self, progress_: Progress, item_id: str, score: int | None,
                           at: datetime | None = None, *,
                           expected_position: int | None = None,
                           claim: RequestClaim | None = None) -> Progress:
        """Store an answer, the respondent's next position and the click's claim in one
        transaction (one commit: a click costs one durable write).

        With ``expected_position``, only if the respondent is still at that position and
        ``item_id`` is the question there (else StalePositionError); a ``claim`` taken
        already raises RepeatedRequestError."""
        moment = self._now(at)
        round_id = progress_.round_id
        with self._write() as connection:
            self._refuse_repeat(connection, claim)
            row = self._open_round_row(connection, round_id)
            check_answers(round_id, row.item_ids, {item_id: score})
            respondent = self._respondent(row.workspace_id, progress_.user)
            stored = replace(progress_, updated_at=progress_.updated_at or moment)
            if expected_position is None:
                written = self._put_progress(connection, respondent, stored)
            else:
                moved = (self._move(connection, respondent, stored, expected_position)
                         if is_current(expected_position, expected_position, row.item_ids,
                                       item_id) else None)
                if moved is None:
                    now_at = self._stored(connection, respondent, progress_)
                    raise StalePositionError(now_at or Progress(round_id, progress_.user))
                written = moved
            self._put_answers(connection, round_id, respondent, {item_id: score}, moment)
            return self._participate(connection, respondent, stored, written)

    def _refuse_repeat(self, connection: Connection, claim: RequestClaim | None) -> None:
        """Claim the request in this transaction, or RepeatedRequestError if it is taken
        (the transaction then writes nothing)."""
        if claim is not None and not take_claim(connection, claim.key, claim.ttl_seconds,
                                                self._now()):
            raise RepeatedRequestError(claim.key.split(":")[0])

    @staticmethod
    def _move(connection: Connection, respondent: str, stored: Progress,
              expected: int) -> _Written | None:
        """Write the new position only over the expected one; None if it was not there,
        else what the row says now (had they finished already; is the checklist done).

        No row means position 0: from there the first answer inserts it, and of two such
        inserts the second finds the first's row, no longer at 0."""
        if expected == 0:
            statement = insert(progress).values(_progress_values(respondent, stored))
            moved = connection.execute(statement.on_conflict_do_update(
                index_elements=_PROGRESS_KEY, set_=_progress_changes(statement),
                where=progress.c.position == 0).returning(*_WRITTEN)).first()
        else:
            moved = connection.execute(
                update(progress).where(progress.c.round_id == stored.round_id,
                                       progress.c.respondent == respondent,
                                       progress.c.position == expected)
                .values(position=stored.position, updated_at=stored.updated_at,
                        checklist_done=stored.checklist_done or progress.c.checklist_done)
                .returning(*_WRITTEN)).first()
        return None if moved is None else _Written(bool(moved.finished),
                                                   bool(moved.checklist_done))

    @staticmethod
    def _put_progress(connection: Connection, respondent: str, stored: Progress) -> _Written:
        """Write the position; what the row says now."""
        statement = insert(progress).values(_progress_values(respondent, stored))
        row = connection.execute(statement.on_conflict_do_update(
            index_elements=_PROGRESS_KEY, set_=_progress_changes(statement))
            .returning(*_WRITTEN)).one()
        return _Written(bool(row.finished), bool(row.checklist_done))

    @staticmethod
    def _participate(connection: Connection, respondent: str, stored: Progress,
                     written: _Written) -> Progress:
        """Record participation when ``stored`` finished; finished stays finished, and so
        does a checklist done."""
        if stored.finished and not written.had_finished:
            connection.execute(insert(participation).values(
                round_id=stored.round_id, respondent=respondent, finished_at=stored.updated_at,
            ).on_conflict_do_nothing())
        return replace(stored, finished=stored.finished or written.had_finished,
                       checklist_done=written.checklist_done)

    @staticmethod
    def _stored(connection: Connection, respondent: str, asked: Progress) -> Progress | None:
        """Where the respondent is according to the database; None if they never started."""
        row = connection.execute(select(progress).where(
            progress.c.round_id == asked.round_id, progress.c.respondent == respondent)).first()
        finished = connection.execute(select(exists().where(
            participation.c.round_id == asked.round_id,
            participation.c.respondent == respondent))).scalar_one()
        if row is None:
            return Progress(asked.round_id, asked.user, finished=True) if finished else None
        return Progress(asked.round_id, asked.user, position=row.position,
                        finished=bool(finished), checklist_done=row.checklist_done,
                        updated_at=utc(row.updated_at))

    def answers_of(self, round_id: str, user_id: str) -> Answers:
        with self._read() as connection:
            respondent = self._respondent_in(connection, round_id, user_id)
            rows = connection.execute(select(answers.c.item_id, answers.c.score).where(
                answers.c.round_id == round_id, answers.c.respondent == respondent))
            return {row.item_id: row.score for row in rows}

    def all_answers(self, round_id: str, *, finished_only: bool = False) -> list[Answers]:
        """Every respondent's answers, one dict each, with no way to tell who is who."""
        query = (select(answers.c.respondent, answers.c.item_id, answers.c.score)
                 .where(answers.c.round_id == round_id)
                 .order_by(answers.c.respondent, answers.c.item_id))
        if finished_only:
            query = query.where(exists().where(participation.c.round_id == round_id,
                                               participation.c.respondent == answers.c.respondent))
        by_respondent: dict[str, Answers] = {}
        with self._read() as connection:
            self._workspace_of(connection, round_id)  # UnknownRoundError for a bad id
            for row in connection.execute(query):
                by_respondent.setdefault(row.respondent, {})[row.item_id] = row.score
        return list(by_respondent.values())

    def record_checklist(self, round_id: str, user_id: str, barriers: Sequence[str],
                         reasons: Sequence[str], at: datetime | None = None) -> None:
        """Store a respondent's barrier and start-reason ticks (replacing earlier ones)."""
        moment = self._now(at)
        with self._write() as connection:
            row = self._open_round_row(connection, round_id)
            statement = insert(checklists).values(
                round_id=round_id, respondent=self._respondent(row.workspace_id, user_id),
                barriers=list(barriers), reasons=list(reasons), ticked_at=moment)
            connection.execute(statement.on_conflict_do_update(
                index_elements=[checklists.c.round_id, checklists.c.respondent],
                set_={"barriers": statement.excluded.barriers,
                      "reasons": statement.excluded.reasons,
                      "ticked_at": statement.excluded.ticked_at}))

    def checklist_of(self, round_id: str, user_id: str) -> Checklist | None:
        with self._read() as connection:
            respondent = self._respondent_in(connection, round_id, user_id)
            row = connection.execute(select(checklists).where(
                checklists.c.round_id == round_id, checklists.c.respondent == respondent)).first()
        return Checklist(tuple(row.barriers), tuple(row.reasons)) if row else None

    def all_checklists(self, round_id: str) -> list[Checklist]:
        query = (select(checklists).where(checklists.c.round_id == round_id)
                 .order_by(checklists.c.respondent))
        with self._read() as connection:
            self._workspace_of(connection, round_id)
            return [Checklist(tuple(row.barriers), tuple(row.reasons))
                    for row in connection.execute(query)]

    def get_progress(self, round_id: str, user_id: str) -> Progress | None:
        """Where a respondent is in a round; None if they have not started."""
        with self._read() as connection:
            respondent = self._respondent_in(connection, round_id, user_id)
            return self._stored(connection, respondent, Progress(round_id, user_id))

    def save_progress(self, progress_: Progress, *,
                      expected_position: int | None = None,
                      claim: RequestClaim | None = None) -> Progress:
        """Store a respondent's position (and a click's claim, in the same transaction);
        finished=True also records participation. With ``expected_position``, only over
        that position (else StalePositionError); a taken claim: RepeatedRequestError."""
        stored = replace(progress_, updated_at=self._now(progress_.updated_at))
        with self._write() as connection:
            self._refuse_repeat(connection, claim)
            row = self._open_round_row(connection, stored.round_id)
            respondent = self._respondent(row.workspace_id, stored.user)
            if expected_position is None:
                written = self._put_progress(connection, respondent, stored)
            else:
                moved = self._move(connection, respondent, stored, expected_position)
                if moved is None:
                    now_at = self._stored(connection, respondent, progress_)
                    raise StalePositionError(now_at or Progress(stored.round_id, stored.user))
                written = moved
            return self._participate(connection, respondent, stored, written)

    def mark_finished(self, round_id: str, user_id: str, at: datetime | None = None) -> bool:
        """Record that a respondent finished; True the first time."""
        moment = self._now(at)
        with self._write() as connection:
            row = self._open_round_row(connection, round_id)
            inserted = connection.execute(insert(participation).values(
                round_id=round_id, respondent=self._respondent(row.workspace_id, user_id),
                finished_at=moment,
            ).on_conflict_do_nothing().returning(participation.c.respondent)).first()
        return inserted is not None

    def has_finished(self, round_id: str, user_id: str) -> bool:
        with self._read() as connection:
            respondent = self._respondent_in(connection, round_id, user_id)
            return bool(connection.execute(select(exists().where(
                participation.c.round_id == round_id,
                participation.c.respondent == respondent))).scalar_one())

    def finished_count(self, round_id: str) -> int:
        with self._read() as connection:
            self._workspace_of(connection, round_id)
            return int(connection.execute(select(func.count()).select_from(participation)
                                          .where(participation.c.round_id == round_id))
                       .scalar_one())

    def started_count(self, round_id: str) -> int:
        """Respondents who answered something, have a position, or finished."""
        started = union(*(select(table.c.respondent).where(table.c.round_id == round_id)
                          for table in (answers, progress, participation))).subquery()
        with self._read() as connection:
            self._workspace_of(connection, round_id)
            return int(connection.execute(select(func.count()).select_from(started))
                       .scalar_one())

    def unfinished_invitees(self, round_id: str) -> tuple[str, ...]:
        """Invited users who have not finished (for reminders), in invitation order."""
        with self._read() as connection:
            row = connection.execute(select(rounds.c.workspace_id, rounds.c.invited)
                                     .where(rounds.c.id == round_id)).first()
            if row is None:
                raise UnknownRoundError(round_id)
            finished = set(connection.execute(select(participation.c.respondent)
                                              .where(participation.c.round_id == round_id))
                           .scalars())
        return tuple(user for user in row.invited if not is_forgotten(user)
                     and self._respondent(row.workspace_id, user) not in finished)

def _progress_values(respondent: str, stored: Progress) -> dict[str, Any]:
    return {"round_id": stored.round_id, "respondent": respondent,
            "position": stored.position, "checklist_done": stored.checklist_done,
            "updated_at": stored.updated_at}


def _progress_changes(statement: Any) -> dict[str, Any]:
    """An upsert's changes to a stored position: a checklist done stays done."""
    return {"position": statement.excluded.position,
            "checklist_done": or_(progress.c.checklist_done, statement.excluded.checklist_done),
            "updated_at": statement.excluded.updated_at}
