"""The demo team: the person at the terminal, five simulated colleagues, one channel.

Each colleague answers like a plausible member of a real team: a profile places them
somewhere between the phases per element (an enthusiast, a sceptic, a newcomer who
often does not know), and their answers follow from it with some noise. One colleague
stops halfway, as someone always does; what they answered still counts, statement by
statement.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.emulator import Workspace
from model import Element, Item

PERSON = "U0YOU0001"
TEAM_CHANNEL = "C0TEAMDEMO"
CHANNEL_NAME = "team-demo"


@dataclass(frozen=True)
class Profile:
    """Where someone sees the team per element, as a level from about 1.0 (pioneering)
    to 3.0 (strategic), and how often they answer "don't know"."""

    levels: dict[Element, float]
    dont_know_rate: float = 0.05
    spread: float = 0.6

    def answer(self, item: Item, rng: random.Random) -> int | None:
        """Agree with what the team already does, disagree with what lies beyond it."""
        if rng.random() < self.dont_know_rate:
            return None
        expected = 3.5 + 1.5 * (self.levels[item.element] - int(item.phase))
        return max(1, min(5, round(expected + rng.gauss(0.0, self.spread))))


def profile(value: float, impact: float, innovation: float, investment: float,
            dont_know_rate: float = 0.05) -> Profile:
    return Profile({Element.WAARDE: value, Element.IMPACT: impact,
                    Element.INNOVATIE: innovation, Element.INVESTERING: investment},
                   dont_know_rate)


@dataclass(frozen=True)
class Colleague:
    user_id: str
    name: str
    real_name: str
    locale: str
    tz: str
    profile: Profile
    stops_after: int | None = None
    """Answers this many statements, then chooses "finish later" and never comes back."""


YOUR_PROFILE = profile(2.0, 1.7, 1.9, 1.4)

COLLEAGUES = (
    Colleague("U0ALEX002", "alex", "Alex Morgan", "en-US", "America/New_York",
              profile(2.4, 2.1, 2.6, 1.6)),
    Colleague("U0NOOR003", "noor", "Noor Bakker", "nl-NL", "Europe/Amsterdam",
              profile(2.1, 1.8, 1.7, 1.3)),
    Colleague("U0SAMI004", "sami", "Sami Virtanen", "en-GB", "Europe/Helsinki",
              profile(1.4, 1.2, 1.5, 1.0)),
    Colleague("U0FEMKE05", "femke", "Femke de Jong", "nl-NL", "Europe/Amsterdam",
              profile(1.8, 1.6, 2.0, 1.5, dont_know_rate=0.3)),
    Colleague("U0KAI0006", "kai", "Kai Tanaka", "en-US", "Asia/Tokyo",
              profile(2.2, 1.9, 1.8, 1.7), stops_after=8),
)


def demo_workspace(lang: str, your_name: str, your_real_name: str) -> Workspace:
    """A workspace with #team-demo: you (its future lead, in `lang`) and the colleagues."""
    workspace = Workspace(team_id="T0WI3DEMO", team_name="WI3 try-out", domain="wi3-try-out")
    locale = "nl-NL" if lang == "nl" else "en-GB"
    workspace.add_user(PERSON, your_name, real_name=your_real_name, locale=locale,
                       tz="Europe/Amsterdam")
    for colleague in COLLEAGUES:
        workspace.add_user(colleague.user_id, colleague.name, real_name=colleague.real_name,
                           locale=colleague.locale, tz=colleague.tz)
    members = [PERSON, *(colleague.user_id for colleague in COLLEAGUES)]
    workspace.add_channel(TEAM_CHANNEL, CHANNEL_NAME, members)
    return workspace
