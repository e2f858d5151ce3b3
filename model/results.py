"""What scoring returns: plain frozen dataclasses a renderer can show as they are.

Every figure a renderer needs (positions, phases, item scores and distributions, flags,
findings, tallies) is a field, so nothing is recomputed outside the model. `to_dict()` /
`from_dict()` give a JSON-safe form so storage can keep snapshots of closed rounds and
renderers can rebuild them later, even after the content files were edited (themes travel
inside the findings).

Privacy is part of the types: an `ItemScore` below the team's minimum carries no score and
no distribution at all, and a `Tally` exists only when enough people ticked something, so
whatever renders a `TeamResult` cannot show an aggregate of fewer people by mistake.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from model.elements import Element, Phase, Text

SNAPSHOT_VERSION = 2
"""Version 2: scoring v2 (item means under a per-item minimum, positions 0-4)."""

SCALE_POINTS = 5
_R = TypeVar("_R")


class FindingKind(StrEnum):
    """Driver: in place, build on it. Inhibitor: stands between the team and its next phase."""

    DRIVER = "driver"
    INHIBITOR = "inhibitor"


@dataclass(frozen=True)
class ItemScore:
    """One statement's team score: the mean of its 1..5 answers, and how they fell.

    Only when at least the team's minimum number of people answered it 1..5 (`counted`);
    otherwise the statement reads "not enough answers" and nothing about it is kept, not
    even how many answered. `counts` holds the number of answers 1..5 in order,
    `dont_know` the number of "don't know"s. `polarised`: at least 40% of the answers are
    1-2 and at least 40% are 4-5 (the team is split on it).
    """

    item_id: str
    counts: tuple[int, ...] | None = None
    dont_know: int | None = None
    score: float | None = None
    polarised: bool = False

    def __post_init__(self) -> None:
        hidden = (self.counts, self.dont_know, self.score)
        if all(value is None for value in hidden):
            if self.polarised:
                raise ValueError(f"{self.item_id}: an item without a score cannot be polarised")
            return
        if any(value is None for value in hidden):
            raise ValueError(f"{self.item_id}: counts, dont_know and score go together")
        counts = self.counts or ()
        if len(counts) != SCALE_POINTS or min(counts) < 0 or not sum(counts):
            raise ValueError(f"{self.item_id}: counts must be five numbers, not {counts!r}")

    @property
    def counted(self) -> bool:
        """Enough people answered for the statement to have a team score."""
        return self.score is not None

    @property
    def answered(self) -> int:
        """People who answered 1..5 (0 for a statement without a team score)."""
        return sum(self.counts) if self.counts else 0

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id,
                "counts": None if self.counts is None else list(self.counts),
                "dont_know": self.dont_know, "score": self.score, "polarised": self.polarised}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemScore:
        counts = data["counts"]
        return cls(
            item_id=str(data["item_id"]),
            counts=None if counts is None else tuple(int(c) for c in counts),
            dont_know=None if data["dont_know"] is None else int(data["dont_know"]),
            score=_float(data["score"]),
            polarised=bool(data["polarised"]),
        )


@dataclass(frozen=True)
class ElementResult:
    """One element's sums, phase and position.

    s1/s2/s3 are the means of the counted item scores tagged P1/P2/P3 (None: none counted).
    `phase` and `position` are None when the element has no phase: too few counted items
    to decide, or `divided` (half or more of its counted items polarised: the team is
    split, and a phase would describe nobody). Otherwise `position` runs from 0.0 to
    just under 4.0 and its whole part is the phase. `unanswered_phases` lists the phase
    tags without a counted item, so a renderer can say e.g. "nobody could judge the
    strategic statements" (then the phase is at most 2).
    """

    element: Element
    s1: float | None
    s2: float | None
    s3: float | None
    phase: Phase | None
    position: float | None
    divided: bool
    counted: int
    polarised: int
    item_count: int
    unanswered_phases: tuple[Phase, ...]

    def __post_init__(self) -> None:
        if (self.phase is None) != (self.position is None):
            raise ValueError(f"{self.element}: phase and position go together")
        if self.position is not None and math.floor(self.position) != self.phase:
            raise ValueError(f"{self.element}: position {self.position} is not in phase "
                             f"{self.phase}")
        if self.divided and self.phase is not None:
            raise ValueError(f"{self.element}: a divided element has no phase")

    @property
    def placed(self) -> bool:
        """The element has a phase (and a position)."""
        return self.phase is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element.value,
            "s1": self.s1, "s2": self.s2, "s3": self.s3,
            "phase": None if self.phase is None else int(self.phase),
            "position": self.position,
            "divided": self.divided,
            "counted": self.counted,
            "polarised": self.polarised,
            "item_count": self.item_count,
            "unanswered_phases": [int(p) for p in self.unanswered_phases],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ElementResult:
        return cls(
            element=Element(data["element"]),
            s1=_float(data["s1"]), s2=_float(data["s2"]), s3=_float(data["s3"]),
            phase=None if data["phase"] is None else Phase(data["phase"]),
            position=_float(data["position"]),
            divided=bool(data["divided"]),
            counted=int(data["counted"]),
            polarised=int(data["polarised"]),
            item_count=int(data["item_count"]),
            unanswered_phases=tuple(Phase(p) for p in data["unanswered_phases"]),
        )


@dataclass(frozen=True)
class Finding:
    """A statement that drives or inhibits the element's next step, with its team score.

    `gap` is the bar minus the score (the bar is 3.5, or 2.5 for an element that has not
    started yet), so it is positive for inhibitors (how far below) and negative for
    drivers. `confirmed`: an inhibitor whose theme the team also ticked as a barrier.
    """

    item_id: str
    element: Element
    theme: Text
    score: float
    kind: FindingKind
    confirmed: bool
    gap: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id, "element": self.element.value,
            "theme": self.theme.to_dict(), "score": self.score, "kind": self.kind.value,
            "confirmed": self.confirmed, "gap": self.gap,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            item_id=str(data["item_id"]), element=Element(data["element"]),
            theme=Text.from_dict(data["theme"]), score=float(data["score"]),
            kind=FindingKind(data["kind"]), confirmed=bool(data["confirmed"]),
            gap=float(data["gap"]),
        )


@dataclass(frozen=True)
class Tally:
    """Ticks per option of a checklist (every option listed, zeros included, content order).

    Exists only when at least the team's minimum number of people (`contributors`) ticked
    something in the checklist; below that a result carries no tally at all.
    """

    contributors: int
    counts: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"contributors": self.contributors, "counts": dict(self.counts)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Tally | None:
        if data is None:
            return None
        return cls(int(data["contributors"]),
                   {str(k): int(v) for k, v in data["counts"].items()})


@dataclass(frozen=True)
class ProfileResult:
    """Phases of all four elements (questionnaire order) and the overall picture.

    `overall` is the lowest phase among the elements that have one (a growth model: the
    team is where all four elements are), None when none has; `further` counts the
    elements already past it. `bottleneck` is named only when one element's position is
    clearly (0.25 or more) below every other placed element's. `imbalance`: element phases
    differ by 2 or more.
    """

    elements: tuple[ElementResult, ...]
    overall: Phase | None
    further: int
    bottleneck: Element | None
    imbalance: bool

    def element(self, element: Element) -> ElementResult:
        """The result for one element."""
        for result in self.elements:
            if result.element == element:
                return result
        raise KeyError(f"no result for element {element!r}")

    @property
    def placed(self) -> tuple[ElementResult, ...]:
        """The elements that have a phase."""
        return tuple(e for e in self.elements if e.placed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (`kind` says which class to rebuild)."""
        return {"kind": "profile", "version": SNAPSHOT_VERSION, **self._profile_fields()}

    def _profile_fields(self) -> dict[str, Any]:
        return {
            "elements": [e.to_dict() for e in self.elements],
            "overall": None if self.overall is None else int(self.overall),
            "further": self.further,
            "bottleneck": None if self.bottleneck is None else self.bottleneck.value,
            "imbalance": self.imbalance,
        }

    @staticmethod
    def _profile_args(data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "elements": tuple(ElementResult.from_dict(e) for e in data["elements"]),
            "overall": None if data["overall"] is None else Phase(data["overall"]),
            "further": int(data["further"]),
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
    """A team's aggregate: the profile of its item scores plus what a lead needs to act.

    `minimum`: the team's minimum the result was scored under. `respondent_count`: people
    who answered at least one statement (don't know included). `items`: every statement
    in questionnaire order. `fresh_items`: the statements scored from this round's own
    answers (all counted ones for a diagnostic; a pulse carries the others forward).
    `drivers` strongest first, `inhibitors` largest gap first. `barriers` and
    `start_reasons`: the checklists' tallies, None below the minimum.
    """

    minimum: int
    respondent_count: int
    items: tuple[ItemScore, ...]
    fresh_items: tuple[str, ...]
    drivers: tuple[Finding, ...]
    inhibitors: tuple[Finding, ...]
    barriers: Tally | None
    start_reasons: Tally | None

    def item(self, item_id: str) -> ItemScore:
        """The score of one statement; KeyError for an id the result does not know."""
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(f"no score for item {item_id!r}")

    def inhibitors_for(self, element: Element) -> tuple[Finding, ...]:
        return tuple(f for f in self.inhibitors if f.element == element)

    def drivers_for(self, element: Element) -> tuple[Finding, ...]:
        return tuple(f for f in self.drivers if f.element == element)

    @property
    def polarised_items(self) -> tuple[str, ...]:
        """Statements the team is split on, in questionnaire order."""
        return tuple(i.item_id for i in self.items if i.polarised)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (`kind` says which class to rebuild)."""
        return {
            "kind": "team",
            "version": SNAPSHOT_VERSION,
            **self._profile_fields(),
            "minimum": self.minimum,
            "respondent_count": self.respondent_count,
            "items": [i.to_dict() for i in self.items],
            "fresh_items": list(self.fresh_items),
            "drivers": [f.to_dict() for f in self.drivers],
            "inhibitors": [f.to_dict() for f in self.inhibitors],
            "barriers": None if self.barriers is None else self.barriers.to_dict(),
            "start_reasons": None if self.start_reasons is None else self.start_reasons.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TeamResult:
        """Rebuild from `to_dict` output; ValueError if `data` is not such a snapshot."""
        _check_snapshot(data, "team")
        return _rebuild(lambda: cls(
            **cls._profile_args(data),
            minimum=int(data["minimum"]),
            respondent_count=int(data["respondent_count"]),
            items=tuple(ItemScore.from_dict(i) for i in data["items"]),
            fresh_items=tuple(str(i) for i in data["fresh_items"]),
            drivers=tuple(Finding.from_dict(f) for f in data["drivers"]),
            inhibitors=tuple(Finding.from_dict(f) for f in data["inhibitors"]),
            barriers=Tally.from_dict(data["barriers"]),
            start_reasons=Tally.from_dict(data["start_reasons"]),
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
