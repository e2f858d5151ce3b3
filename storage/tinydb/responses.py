"""What respondents give: answers, checklists, their place in the conversation, and
whether they finished. All of it lives in the round's own file, under pseudonymous keys,
together with the claims of the clicks that wrote it: a click's request claim is saved in
the same write of that file as its answer (one fsync'd write per click), and checked
there when the same request comes again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from storage.errors import RepeatedRequestError, StalePositionError
from storage.pseudonyms import is_forgotten, request_digest
from storage.records import Checklist, Progress, RequestClaim, check_answers, is_current
from storage.tinydb import codec
from storage.tinydb.core import Answers, StoreCore, TeamKey
from storage.tinydb.jsonfile import Partition

PRUNE_CLAIMS_EVERY = 64
"""A round's file lets go of its expired claims when a claim brings their number to a
multiple of this: a scan now and then, not on every click."""


class ResponsesMixin(StoreCore):
    """Answers, checklists, progress and participation of one round."""

    def record_answers(self, round_id: str, user_id: str, answers: Mapping[str, int | None],
                       at: datetime | None = None) -> int:
        """Store several answers of one respondent in one write; returns how many changed."""
        moment = self._now(at)
        part, key = self._round_part(round_id)
        self._check_items(key, round_id, answers)
        respondent = self._respondent(key[0], user_id)
        with part.lock:
            self._require_open(round_id, key)
            return self._put_answers(part, respondent, answers, moment)

    def answer_and_advance(self, progress: Progress, item_id: str, score: int | None,
                           at: datetime | None = None, *,
                           expected_position: int | None = None,
                           claim: RequestClaim | None = None) -> Progress:
        """Store an answer, the respondent's next position and the click's claim together:
        one write of the round's file, so a click costs one fsync and a crash keeps all of
        them or none.

        With ``expected_position``, only if the respondent is still at that position and
        ``item_id`` is the question there (else StalePositionError); a ``claim`` taken
        already raises RepeatedRequestError before anything else is looked at."""
        moment = self._now(at)
        part, key = self._round_part(progress.round_id)
        item_ids = self._check_items(key, progress.round_id, {item_id: score})
        respondent = self._respondent(key[0], progress.user)
        with part.batch():
            self._require_open(progress.round_id, key)
            self._refuse_repeat(part, claim)
            if expected_position is not None:
                current = self._stored_progress(part, respondent, progress)
                if not is_current(current.position, expected_position, item_ids, item_id):
                    raise StalePositionError(current)
            self._put_claim(part, claim)
            self._put_answers(part, respondent, {item_id: score}, moment)
            return self._put_progress(part, respondent, progress, moment)

    def _refuse_repeat(self, part: Partition, claim: RequestClaim | None) -> None:
        """RepeatedRequestError if the round's file holds this request's claim, live."""
        if claim is None:
            return
        taken = part.table("claims").doc(request_digest(claim.key))
        if taken is not None and taken["expires"] > self._now().timestamp():
            raise RepeatedRequestError(claim.key.split(":")[0])

    def _put_claim(self, part: Partition, claim: RequestClaim | None) -> None:
        """Note the request as handled in the write under way; now and then, forget the
        claims that expired."""
        if claim is None:
            return
        now = self._now().timestamp()
        claims = part.table("claims")
        claims.put(request_digest(claim.key), {"expires": round(now + claim.ttl_seconds, 3)})
        taken = claims.docs()
        if len(taken) % PRUNE_CLAIMS_EVERY == 0:
            claims.drop({digest for digest, doc in taken.items() if doc["expires"] <= now})

    @staticmethod
    def _stored_progress(part: Partition, respondent: str, asked: Progress) -> Progress:
        doc = part.table("progress").doc(respondent)
        finished = part.table("participation").doc(respondent) is not None
        return codec.progress_from_doc(asked.round_id, asked.user, doc, finished)

    @staticmethod
    def _put_answers(part: Partition, respondent: str, answers: Mapping[str, int | None],
                     moment: datetime) -> int:
        table = part.table("answers")
        stamp = codec.time_to_text(moment)
        changed = {}
        for item_id, score in answers.items():
            doc_key = f"{respondent}:{item_id}"
            stored = table.doc(doc_key)
            if stored is None or stored["score"] != score:
                changed[doc_key] = {"respondent": respondent, "item": item_id,
                                    "score": score, "at": stamp}
        if changed:
            table.put_many(changed)
        return len(changed)

    @staticmethod
    def _put_progress(part: Partition, respondent: str, progress: Progress,
                      moment: datetime) -> Progress:
        """Write the position; a checklist done (or a finish) stays done."""
        before = part.table("progress").doc(respondent)
        stored = replace(progress, updated_at=progress.updated_at or moment,
                         checklist_done=progress.checklist_done
                         or bool(before and before.get("checklist_done")))
        part.table("progress").put(respondent, codec.progress_to_doc(stored))
        participation = part.table("participation")
        finished = participation.doc(respondent) is not None
        if stored.finished and not finished:
            participation.put(respondent, {"at": codec.time_to_text(stored.updated_at)})
        return replace(stored, finished=stored.finished or finished)

    def _check_items(self, key: TeamKey, round_id: str,
                     answers: Mapping[str, int | None]) -> tuple[str, ...]:
        """The round's items, after refusing answers that cannot be stored in it."""
        item_ids = self._load_round(key, round_id).item_ids
        check_answers(round_id, item_ids, answers)
        return item_ids

    def answers_of(self, round_id: str, user_id: str) -> Answers:
        """One respondent's answers in a round: item id -> 1..5 or None (don't know)."""
        part, key = self._round_part(round_id)
        respondent = self._respondent(key[0], user_id)
        item_ids = self._load_round(key, round_id).item_ids
        with part.lock:
            answers = part.table("answers")
            found = {item: answers.doc(f"{respondent}:{item}") for item in item_ids}
        return {item: doc["score"] for item, doc in found.items() if doc is not None}

    def all_answers(self, round_id: str, *, finished_only: bool = False) -> list[Answers]:
        """Every respondent's answers, one dict each, with no way to tell who is who."""
        part, _ = self._round_part(round_id)
        with part.lock:
            docs = part.table("answers").docs()
            finished = part.table("participation").keys()
        by_respondent: dict[str, Answers] = defaultdict(dict)
        for doc in docs.values():
            if not finished_only or doc["respondent"] in finished:
                by_respondent[doc["respondent"]][doc["item"]] = doc["score"]
        return [by_respondent[r] for r in sorted(by_respondent)]

    def record_checklist(self, round_id: str, user_id: str, barriers: Sequence[str],
                         reasons: Sequence[str], at: datetime | None = None) -> None:
        """Store a respondent's barrier and start-reason ticks (replacing earlier ones)."""
        moment = codec.time_to_text(self._now(at))
        part, key = self._round_part(round_id)
        respondent = self._respondent(key[0], user_id)
        with part.lock:
            self._require_open(round_id, key)
            part.table("checklists").put(respondent, {
                "barriers": list(barriers), "reasons": list(reasons), "at": moment})

    def checklist_of(self, round_id: str, user_id: str) -> Checklist | None:
        part, key = self._round_part(round_id)
        respondent = self._respondent(key[0], user_id)
        with part.lock:
            doc = part.table("checklists").doc(respondent)
        return Checklist(tuple(doc["barriers"]), tuple(doc["reasons"])) if doc else None

    def all_checklists(self, round_id: str) -> list[Checklist]:
        part, _ = self._round_part(round_id)
        with part.lock:
            docs = part.table("checklists").docs()
        return [Checklist(tuple(docs[k]["barriers"]), tuple(docs[k]["reasons"]))
                for k in sorted(docs)]

    def get_progress(self, round_id: str, user_id: str) -> Progress | None:
        """Where a respondent is in a round; None if they have not started."""
        part, key = self._round_part(round_id)
        respondent = self._respondent(key[0], user_id)
        with part.lock:
            doc = part.table("progress").doc(respondent)
            finished = part.table("participation").doc(respondent) is not None
        if doc is None and not finished:
            return None
        return codec.progress_from_doc(round_id, user_id, doc, finished)

    def save_progress(self, progress: Progress, *,
                      expected_position: int | None = None,
                      claim: RequestClaim | None = None) -> Progress:
        """Store a respondent's position (and a click's claim, in the same write);
        finished=True also records participation. With ``expected_position``, only over
        that position (else StalePositionError); a taken claim: RepeatedRequestError."""
        moment = self._now(progress.updated_at)
        part, key = self._round_part(progress.round_id)
        respondent = self._respondent(key[0], progress.user)
        with part.batch():
            self._require_open(progress.round_id, key)
            self._refuse_repeat(part, claim)
            if expected_position is not None:
                stored = self._stored_progress(part, respondent, progress)
                if stored.position != expected_position:
                    raise StalePositionError(stored)
            self._put_claim(part, claim)
            return self._put_progress(part, respondent, replace(progress, updated_at=moment),
                                      moment)

    def mark_finished(self, round_id: str, user_id: str, at: datetime | None = None) -> bool:
        """Record that a respondent finished; True the first time."""
        moment = self._now(at)
        part, key = self._round_part(round_id)
        respondent = self._respondent(key[0], user_id)
        with part.lock:
            self._require_open(round_id, key)
            participation = part.table("participation")
            if participation.doc(respondent) is not None:
                return False
            participation.put(respondent, {"at": codec.time_to_text(moment)})
        return True

    def has_finished(self, round_id: str, user_id: str) -> bool:
        part, key = self._round_part(round_id)
        respondent = self._respondent(key[0], user_id)
        with part.lock:
            return part.table("participation").doc(respondent) is not None

    def finished_count(self, round_id: str) -> int:
        part, _ = self._round_part(round_id)
        with part.lock:
            return len(part.table("participation").keys())

    def started_count(self, round_id: str) -> int:
        """Respondents who answered something, have a position, or finished."""
        part, _ = self._round_part(round_id)
        with part.lock:
            answered = {d["respondent"] for d in part.table("answers").docs().values()}
            return len(answered | part.table("progress").keys()
                       | part.table("participation").keys())

    def unfinished_invitees(self, round_id: str) -> tuple[str, ...]:
        """Invited users who have not finished (for reminders), in invitation order."""
        part, key = self._round_part(round_id)
        with part.lock:
            finished = part.table("participation").keys()
            invited = self._load_round(key, round_id).invited
        return tuple(u for u in invited
                     if not is_forgotten(u) and self._respondent(key[0], u) not in finished)
