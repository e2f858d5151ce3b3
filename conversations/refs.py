"""Action ids and the compact references that buttons carry back to us.

A button value holds ``round_id|item_id`` (and the score for the scale), never state: the state
lives in storage, so an old message can only ever refer to the item it was built for.
"""

from __future__ import annotations

import re
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
    PLAN_ACTIONS = "wi3_plan_actions"
    EDIT_COMMITMENT = "wi3_edit_commitment"
    DROP_COMMITMENT = "wi3_drop_commitment"
    COMMITMENT_DONE = "wi3_commitment_done"
    COMMITMENT_WORKING = "wi3_commitment_working"
    COMMITMENT_DROPPED = "wi3_commitment_dropped"
    ANSWER_PREFIX = "wi3_answer_"

    @classmethod
    def answer(cls, score: int) -> str:
        return f"{cls.ANSWER_PREFIX}{score}"


class ViewIds:
    """The `callback_id`s of wi3's modals: a submission is routed by them."""

    PLAN = "wi3_plan_view"
    EDIT = "wi3_edit_view"


@dataclass(frozen=True)
class ItemRef:
    round_id: str
    item_id: str
    score: int | None = None


class BadRef(ValueError):
    """A button value that we did not make (tampered, truncated or from an old version)."""


_ID = re.compile(r"[A-Za-z0-9_-]{1,80}", re.ASCII)
"""A round's or a commitment's id, as the stores make them."""
_REF = re.compile(r"([A-Za-z0-9_-]+)\|([A-Za-z0-9_-]+)", re.ASCII)
_SCORED_REF = re.compile(r"([A-Za-z0-9_-]+)\|([A-Za-z0-9_-]+)\|([1-5])", re.ASCII)
"""Exactly what `encode_ref` makes: no spaces, signs, leading zeros or other digits."""


def encode_ref(round_id: str, item_id: str) -> str:
    return f"{round_id}|{item_id}"


def decode_ref(value: str, *, with_score: bool = False) -> ItemRef:
    match = (_SCORED_REF if with_score else _REF).fullmatch(value or "")
    if match is None:
        raise BadRef(f"unexpected button value {value!r:.80}")
    score = int(match.group(3)) if with_score else None
    return ItemRef(match.group(1), match.group(2), score)


def decode_id(value: str | None) -> str:
    """A round or commitment id carried by a button or a modal; BadRef for anything else."""
    if value is None or _ID.fullmatch(value) is None:
        raise BadRef(f"unexpected id {value!r:.80}")
    return value
