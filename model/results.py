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

SNAPSHOT_VERSION = 3
"""Version 3: scoring v3 (continuous positions, ranges, on the edge, minorities, spread).
Version 2 snapshots (scoring v2) are scored again from their item scores
(`model.scoring.stored_result`); version 1 is no longer read."""

SCALE_POINTS = 5
_R = TypeVar("_R")
POSITION_SLACK = 1e-9
"""Floats of exact fractions: the checks below allow for their last bit."""


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
class Minority:
    """Rule 6: a group of at least the team's minimum, and at least a quarter of those who
    answered the element, whose own mean is far from the team's position: 2.0 or below
    while the team reads facilitating or more (`lower`), or 4.0 or above while it reads
    below 1.5. Counts only, never who."""

    count: int
    answered: int
    lower: bool

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "answered": self.answered, "lower": self.lower}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Minority | None:
        if data is None:
            return None
        return cls(int(data["count"]), int(data["answered"]), bool(data["lower"]))


@dataclass(frozen=True)
class ElementResult:
    """One element's sums, position, range and phase (scoring v3, wi3-instrument.md §3.7).

    s1/s2/s3 are the means of the counted item scores tagged P1/P2/P3 (None: none counted).
    `position` (0-4) comes from them, a level without a counted statement at its low end;
    None only when not one statement of the element counted. `phase` is its label,
    floor(position), strategic at most. `low` and `high` are the position with every
    statement lacking answers at 1 and at 5 (rule 2): where their labels differ, the
    element reads "pioneering or facilitating" and claims neither. `short_phases` are the
    levels with a statement lacking answers, `unanswered_phases` those without any counted.

    `divided` (half or more of its counted items polarised) changes the wording only: the
    element keeps its position for bars, charts and ordering and counts in the overall.
    `edge`: the lowest and highest label the position takes when each respondent in turn is
    left out (rule 5), when they differ. `spread`: the leave-one-out standard error of the
    position, for trends (rule 9). `minority`: rule 6. These three need each person's
    answers, so a result scored from item scores alone (an old snapshot, a raised minimum)
    may lack them.
    """

    element: Element
    s1: float | None
    s2: float | None
    s3: float | None
    phase: Phase | None
    position: float | None
    low: float
    high: float
    divided: bool
    counted: int
    polarised: int
    item_count: int
    unanswered_phases: tuple[Phase, ...]
    short_phases: tuple[Phase, ...]
    edge: tuple[Phase, Phase] | None = None
    spread: float | None = None
    minority: Minority | None = None

    def __post_init__(self) -> None:
        if (self.phase is None) != (self.position is None):
            raise ValueError(f"{self.element}: phase and position go together")
        if self.position is not None and _label(self.position) != self.phase:
            raise ValueError(f"{self.element}: position {self.position} is not in phase "
                             f"{self.phase}")
        if not 0.0 <= self.low <= self.high <= 4.0:
            raise ValueError(f"{self.element}: range {self.low}-{self.high} is not within 0-4")
        if self.position is not None and not (
                self.low - POSITION_SLACK <= self.position <= self.high + POSITION_SLACK):
            raise ValueError(f"{self.element}: position {self.position} is outside its range")
        if self.edge is not None and self.edge[0] >= self.edge[1]:
            raise ValueError(f"{self.element}: an edge lies between two different phases")

    @property
    def placed(self) -> bool:
        """The element has a position (at least one of its statements counted)."""
        return self.position is not None

    @property
    def low_phase(self) -> Phase:
        """The label of the lowest position the element may have."""
        return _label(self.low)

    @property
    def high_phase(self) -> Phase:
        """The label of the highest position the element may have."""
        return _label(self.high)

    @property
    def settled(self) -> bool:
        """The answers settle the label: missing answers could not change it."""
        return self.low_phase == self.high_phase

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element.value,
            "s1": self.s1, "s2": self.s2, "s3": self.s3,
            "phase": None if self.phase is None else int(self.phase),
            "position": self.position,
            "low": self.low, "high": self.high,
            "divided": self.divided,
            "counted": self.counted,
            "polarised": self.polarised,
            "item_count": self.item_count,
            "unanswered_phases": [int(p) for p in self.unanswered_phases],
            "short_phases": [int(p) for p in self.short_phases],
            "edge": None if self.edge is None else [int(p) for p in self.edge],
            "spread": self.spread,
            "minority": None if self.minority is None else self.minority.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ElementResult:
        edge = data["edge"]
        return cls(
            element=Element(data["element"]),
            s1=_float(data["s1"]), s2=_float(data["s2"]), s3=_float(data["s3"]),
            phase=None if data["phase"] is None else Phase(data["phase"]),
            position=_float(data["position"]),
            low=float(data["low"]), high=float(data["high"]),
            divided=bool(data["divided"]),
            counted=int(data["counted"]),
            polarised=int(data["polarised"]),
            item_count=int(data["item_count"]),
            unanswered_phases=tuple(Phase(p) for p in data["unanswered_phases"]),
            short_phases=tuple(Phase(p) for p in data["short_phases"]),
            edge=None if edge is None else (Phase(edge[0]), Phase(edge[1])),
            spread=_float(data["spread"]),
            minority=Minority.from_dict(data["minority"]),
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
    """All four elements (questionnaire order) and the headline (scoring v3, rules 3 and 4).

    Every element counts in the headline, divided or short of answers (a growth model: the
    team is where all four elements are). `overall` is the label of the lowest `low` over
    the four elements, `overall_high` that of the lowest `high`: where they differ, missing
    answers leave the overall phase open and the headline names both. `overall_position`
    is that lowest low. `further` counts the elements whose low is in a higher phase.
    `bottleneck` is named only when one element is clearly behind over its whole range:
    its high at least 0.25 below every other element's low. `imbalance`: the elements are
    certainly two phases or more apart (one's low and another's high).
    """

    elements: tuple[ElementResult, ...]
    overall: Phase
    overall_high: Phase
    overall_position: float
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
        """The elements that have a position."""
        return tuple(e for e in self.elements if e.placed)

    @property
    def settled(self) -> bool:
        """The answers settle the overall phase (missing answers could not change it)."""
        return self.overall == self.overall_high

    @property
    def resting_on(self) -> tuple[Element, ...]:
        """The elements the overall phase rests on: those whose low is in it."""
        return tuple(e.element for e in self.elements if e.low_phase == self.overall)

    @property
    def divided_on(self) -> tuple[Element, ...]:
        """Divided elements the overall rests on: then the headline names no phase."""
        return tuple(e.element for e in self.elements
                     if e.divided and e.low_phase == self.overall)

    @property
    def short_on(self) -> tuple[Element, ...]:
        """When the overall phase is open: the elements whose missing answers leave it so."""
        return () if self.settled else self.resting_on

    @property
    def others_phase(self) -> Phase | None:
        """The lowest phase of the elements the team is not divided on (the context of a
        divided headline); None when it is divided on all four."""
        divided = set(self.divided_on)
        return min((e.low_phase for e in self.elements if e.element not in divided),
                   default=None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (`kind` says which class to rebuild)."""
        return {"kind": "profile", "version": SNAPSHOT_VERSION, **self._profile_fields()}

    def _profile_fields(self) -> dict[str, Any]:
        return {
            "elements": [e.to_dict() for e in self.elements],
            "overall": int(self.overall),
            "overall_high": int(self.overall_high),
            "overall_position": self.overall_position,
            "further": self.further,
            "bottleneck": None if self.bottleneck is None else self.bottleneck.value,
            "imbalance": self.imbalance,
        }

    @staticmethod
    def _profile_args(data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "elements": tuple(ElementResult.from_dict(e) for e in data["elements"]),
            "overall": Phase(data["overall"]),
            "overall_high": Phase(data["overall_high"]),
            "overall_position": float(data["overall_position"]),
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


def _label(position: float) -> Phase:
    return Phase(min(math.floor(position), int(Phase.STRATEGIC)))


def snapshot_version(data: Mapping[str, Any], kind: str) -> int:
    """The version of a stored result of `kind`; ValueError when it is not one."""
    if not isinstance(data, Mapping) or data.get("kind") != kind:
        raise ValueError(f"not a wi3 {kind} result snapshot")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"unsupported {kind} snapshot version {version!r}")
    return version


def _check_snapshot(data: Mapping[str, Any], kind: str) -> None:
    if snapshot_version(data, kind) != SNAPSHOT_VERSION:
        raise ValueError(f"unsupported {kind} snapshot version {data.get('version')!r}")


def _rebuild(build: Callable[[], _R]) -> _R:
    """Turn shape errors in stored data into one ValueError."""
    try:
        return build()
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"malformed wi3 result snapshot: {error!r}") from None
