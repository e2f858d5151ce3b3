"""Action ids and the compact references that buttons carry back to us.

A button value holds ``round_id|item_id`` (and the score for the scale), never state: the state
lives in storage, so an old message can only ever refer to the item it was built for.
"""

from __future__ import annotations

from dataclasses import dataclass


class ActionIds:
    START = "wi3_start"
    BACK = "wi3_back"
    DONT_KNOW = "wi3_dont_know"
    LATER = "wi3_later"
    BARRIERS = "wi3_barriers"
    REASONS = "wi3_reasons"
    CHECKLIST_DONE = "wi3_checklist_done"
    CHECKLIST_SKIP = "wi3_checklist_skip"
    FORGET_CONFIRM = "wi3_forget_confirm"
    FORGET_CANCEL = "wi3_forget_cancel"
    REPOST_RESULTS = "wi3_repost_results"
    ANSWER_PREFIX = "wi3_answer_"

    @classmethod
    def answer(cls, score: int) -> str:
        return f"{cls.ANSWER_PREFIX}{score}"


@dataclass(frozen=True)
class ItemRef:
    round_id: str
    item_id: str
    score: int | None = None


class BadRef(ValueError):
    """A button value that we did not make (tampered, truncated or from an old version)."""


def encode_ref(round_id: str, item_id: str) -> str:
    return f"{round_id}|{item_id}"


def decode_ref(value: str, *, with_score: bool = False) -> ItemRef:
    parts = (value or "").split("|")
    expected = 3 if with_score else 2
    if len(parts) != expected or not all(parts):
        raise BadRef(f"unexpected button value {value!r}")
    score = None
    if with_score:
        try:
            score = int(parts[2])
        except ValueError:
            raise BadRef(f"unexpected score in {value!r}") from None
        if not 1 <= score <= 5:
            raise BadRef(f"score out of range in {value!r}")
    return ItemRef(parts[0], parts[1], score)
