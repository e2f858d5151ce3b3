"""What scoring returns: plain frozen dataclasses a renderer can show as they are.

Every figure a renderer needs (respondent count, answered counts, medians, flags) is a
field, so nothing is recomputed outside the model. `to_dict()` / `from_dict()` give a
JSON-safe form so storage can keep snapshots of closed rounds and renderers can
rebuild them later, even after the content files were edited (themes travel inside).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from model.elements import Element, Phase, Text

SNAPSHOT_VERSION = 1
_R = TypeVar("_R")


class FindingKind(StrEnum):
    """Driver: in place, build on it. Inhibitor: holds the next step back."""

    DRIVER = "driver"
    INHIBITOR = "inhibitor"


@dataclass(frozen=True)
class ElementResult:
    """One element's scores and phase.

    s1/s2/s3 are the means of the item scores tagged P1/P2/P3 (None: none answered).
    `phase` and `index` are None when too few items were answered to decide (see
    `model.scoring`); `unanswered_phases` lists the phase tags without any answer, so a
    renderer can say e.g. "nobody could judge the strategic items". When S3 is missing
    the phase stops at 2 and `index` is a lower bound (S3 counted as 1).
    """

    element: Element
    s1: float | None
    s2: float | None
    s3: float | None
    phase: Phase | None
    index: float | None
    inconsistent: bool
    answered: int
    disagreement: bool
    item_count: int
    unanswered_phases: tuple[Phase, ...]

    @property
    def sufficient(self) -> bool:
        """Enough answers to place the element in a phase."""
        return self.phase is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "element": self.element.value,
            "s1": self.s1, "s2": self.s2, "s3": self.s3,
            "phase": None if self.phase is None else int(self.phase),
            "index": self.index,
            "inconsistent": self.inconsistent,
            "answered": self.answered,
            "disagreement": self.disagreement,
            "item_count": self.item_count,
            "unanswered_phases": [int(p) for p in self.unanswered_phases],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ElementResult:
        """Rebuild from `to_dict` output."""
        return cls(
            element=Element(data["element"]),
            s1=_float(data["s1"]), s2=_float(data["s2"]), s3=_float(data["s3"]),
            phase=None if data["phase"] is None else Phase(data["phase"]),
            index=_float(data["index"]),
            inconsistent=bool(data["inconsistent"]),
            answered=int(data["answered"]),
            disagreement=bool(data["disagreement"]),
            item_count=int(data["item_count"]),
            unanswered_phases=tuple(Phase(p) for p in data["unanswered_phases"]),
        )


@dataclass(frozen=True)
class Finding:
    """An item that drives or inhibits the element's next step.

    `score` is the item's score (the team median); `gap` is 3.5 minus the score, so it is
    positive for inhibitors (how far below the bar) and negative for drivers.
    `confirmed` is True for an inhibitor whose theme the team also ticked as a barrier.
    """

    item_id: str
    element: Element
    theme: Text
    score: float
    kind: FindingKind
    confirmed: bool
    gap: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "item_id": self.item_id, "element": self.element.value,
            "theme": self.theme.to_dict(), "score": self.score, "kind": self.kind.value,
            "confirmed": self.confirmed, "gap": self.gap,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Rebuild from `to_dict` output."""
        return cls(
            item_id=str(data["item_id"]), element=Element(data["element"]),
            theme=Text.from_dict(data["theme"]), score=float(data["score"]),
            kind=FindingKind(data["kind"]), confirmed=bool(data["confirmed"]),
            gap=float(data["gap"]),
        )


@dataclass(frozen=True)
class ProfileResult:
    """Phases of all four elements (questionnaire order) and the overall picture.

    `overall`, `overall_index` and `bottleneck` use only elements with a phase; they are
    None when no element has one. `imbalance`: element phases differ by 2 or more.
    """

    elements: tuple[ElementResult, ...]
    overall: Phase | None
    overall_index: float | None
    bottleneck: Element | None
    imbalance: bool

    def element(self, element: Element) -> ElementResult:
        """The result for one element."""
        for result in self.elements:
            if result.element == element:
                return result
        raise KeyError(f"no result for element {element!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (`kind` says which class to rebuild)."""
        return {
            "kind": "profile",
            "version": SNAPSHOT_VERSION,
            **self._profile_fields(),
        }

    def _profile_fields(self) -> dict[str, Any]:
        return {
            "elements": [e.to_dict() for e in self.elements],
            "overall": None if self.overall is None else int(self.overall),
            "overall_index": self.overall_index,
            "bottleneck": None if self.bottleneck is None else self.bottleneck.value,
            "imbalance": self.imbalance,
        }

    @staticmethod
    def _profile_args(data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "elements": tuple(ElementResult.from_dict(e) for e in data["elements"]),
            "overall": None if data["overall"] is None else Phase(data["overall"]),
            "overall_index": _float(data["overall_index"]),
            "bottleneck": None if data["bottleneck"] is None else Element(data["bottleneck"]),
            "imbalance": bool(data["imbalance"]),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProfileResult:
        """Rebuild from `to_dict` output; ValueError if `data` is not such a snapshot."""
        _check_snapshot(data, "profile")
        return _rebuild(lambda: cls(**cls._profile_args(data)))


@dataclass(frozen=True)
class TeamResult(ProfileResult):
    """A team's aggregate: the profile of the item medians plus what a lead needs to act.

    Per item (all items, questionnaire order): `item_medians` (None: nobody answered),
    `item_answer_counts` (respondents who gave a 1..5), `item_iqrs` (None: fewer than 3
    answers). `disagreement_items`: items with IQR >= 2. `drivers` strongest first,
    `inhibitors` largest gap first. Tallies count ticks per option id (every option
    listed, zeros included, in content order).
    """

    respondent_count: int
    item_medians: Mapping[str, float | None]
    item_answer_counts: Mapping[str, int]
    item_iqrs: Mapping[str, float | None]
    disagreement_items: tuple[str, ...]
    drivers: tuple[Finding, ...]
    inhibitors: tuple[Finding, ...]
    barrier_tally: Mapping[str, int]
    start_reason_tally: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (`kind` says which class to rebuild)."""
        return {
            "kind": "team",
            "version": SNAPSHOT_VERSION,
            **self._profile_fields(),
            "respondent_count": self.respondent_count,
            "item_medians": dict(self.item_medians),
            "item_answer_counts": dict(self.item_answer_counts),
            "item_iqrs": dict(self.item_iqrs),
            "disagreement_items": list(self.disagreement_items),
            "drivers": [f.to_dict() for f in self.drivers],
            "inhibitors": [f.to_dict() for f in self.inhibitors],
            "barrier_tally": dict(self.barrier_tally),
            "start_reason_tally": dict(self.start_reason_tally),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TeamResult:
        """Rebuild from `to_dict` output; ValueError if `data` is not such a snapshot."""
        _check_snapshot(data, "team")
        return _rebuild(lambda: cls(
            **cls._profile_args(data),
            respondent_count=int(data["respondent_count"]),
            item_medians={k: _float(v) for k, v in data["item_medians"].items()},
            item_answer_counts={k: int(v) for k, v in data["item_answer_counts"].items()},
            item_iqrs={k: _float(v) for k, v in data["item_iqrs"].items()},
            disagreement_items=tuple(str(i) for i in data["disagreement_items"]),
            drivers=tuple(Finding.from_dict(f) for f in data["drivers"]),
            inhibitors=tuple(Finding.from_dict(f) for f in data["inhibitors"]),
            barrier_tally={k: int(v) for k, v in data["barrier_tally"].items()},
            start_reason_tally={k: int(v) for k, v in data["start_reason_tally"].items()},
        ))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _check_snapshot(data: Mapping[str, Any], kind: str) -> None:
    if not isinstance(data, Mapping) or data.get("kind") != kind:
        raise ValueError(f"not a wi3 {kind} result snapshot")
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"unsupported {kind} snapshot version {data.get('version')!r}")


def _rebuild(build: Callable[[], _R]) -> _R:
    """Turn shape errors in stored data into one ValueError."""
    try:
        return build()
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"malformed wi3 result snapshot: {error!r}") from None
