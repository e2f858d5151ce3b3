"""The vocabulary of the WI3 model: its four elements, its phases and bilingual text.

These types carry no wording of their own; names and descriptions live in the content
files so a consultant can change them without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Literal

Lang = Literal["en", "nl"]
LANGS: tuple[Lang, ...] = ("en", "nl")


class Element(StrEnum):
    """The four WI3 elements, in questionnaire order (the order also breaks ties)."""

    WAARDE = "waarde"
    IMPACT = "impact"
    INNOVATIE = "innovatie"
    INVESTERING = "investering"


class Phase(IntEnum):
    """Growth phases; NOT_STARTED is the state before any pioneering is visible."""

    NOT_STARTED = 0
    PIONEERING = 1
    FACILITATING = 2
    STRATEGIC = 3

    @property
    def from_the_article(self) -> bool:
        """Whether the authors' model has this phase: their three do, and "getting
        started" (NOT_STARTED) is this product's own addition, which `/wi3 about` and the
        report must not credit to them."""
        return self != Phase.NOT_STARTED


@dataclass(frozen=True)
class Text:
    """One piece of user-facing wording in every language the product speaks."""

    en: str
    nl: str

    def get(self, lang: Lang) -> str:
        """The wording in `lang`; an unknown language is a programming error."""
        if lang == "en":
            return self.en
        if lang == "nl":
            return self.nl
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGS)})")

    def to_dict(self) -> dict[str, str]:
        """JSON-safe form, used inside result snapshots."""
        return {"en": self.en, "nl": self.nl}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Text:
        """Rebuild from `to_dict` output."""
        return cls(en=str(data["en"]), nl=str(data["nl"]))


@dataclass(frozen=True)
class ElementInfo:
    """How an element is named and explained to users."""

    name: Text
    description: Text


@dataclass(frozen=True)
class PhaseInfo:
    """How a phase is named and explained to users."""

    name: Text
    description: Text
