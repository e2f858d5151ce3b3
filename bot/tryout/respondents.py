"""Who answers a DM in the try-out: the person at the terminal, or a simulation.

Both look at the same `Screen` (the message as text with numbered choices) and return a
`Pick`: the button to click and, for the checklist, what is selected in its menus. The
try-out then clicks it through the real Slack request path. As the team's lead, both also
fill in one commitment in the "Plan actions" window (`plan`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.tryout.demo import Profile
from bot.tryout.render import Choice, Picker, Screen, option_letters
from conversations.refs import ActionIds, BadRef, decode_ref
from model import Content

Ask = Callable[[str], str]
Say = Callable[[str], None]
QUIT_WORDS = ("q", "quit", "stop")


@dataclass(frozen=True)
class Pick:
    """A click on `choice`, with the menus' selections (`state.values` in Slack terms)."""

    choice: Choice
    state: dict[str, Any] = field(default_factory=dict)
    selected: tuple[str, ...] = ()
    """Labels of the selected menu options, to show what was picked."""


class Respondent(Protocol):
    def pick(self, screen: Screen) -> Pick | None:
        """What to click on this screen; None to walk away."""


@dataclass(frozen=True)
class Planned:
    """One commitment as filled in: a suggestion's value or own words, owner, due date."""

    owner: str
    due: str
    tip: str | None = None
    text: str | None = None


People = Sequence[tuple[str, str]]
"""(user id, name) of the people who may own a commitment."""


class Planner(Protocol):
    def plan(self, suggestions: int, values: Sequence[str], people: People,
             default_due: str) -> Planned | None:
        """One commitment from `suggestions` numbered suggestions (their option `values`)
        or own words, with an owner and a due date; None to plan nothing."""


class Simulated:
    """Answers every statement from a `Profile`, ticks a barrier or two, and finishes
    (or, with `stops_after`, chooses "finish later" after that many answers and leaves)."""

    def __init__(self, profile: Profile, rng: random.Random, content: Content,
                 stops_after: int | None = None) -> None:
        self.profile = profile
        self.rng = rng
        self.content = content
        self.stops_after = stops_after
        self.answered = 0
        self.dont_know = 0
        self.left = False

    def pick(self, screen: Screen) -> Pick | None:
        if self.left:
            return None
        first_answer = screen.choice_for(ActionIds.answer(1))
        if first_answer is not None:
            return self._answer(screen, first_answer)
        if screen.pickers:
            return self._checklist(screen)
        start = screen.choice_for(ActionIds.START)
        return Pick(start) if start is not None else None

    def plan(self, suggestions: int, values: Sequence[str], people: People,
             default_due: str) -> Planned | None:
        """The first suggestion, taken on by the first colleague, due on the default."""
        if not values or not people:
            return None
        owner = people[1][0] if len(people) > 1 else people[0][0]
        return Planned(owner=owner, due=default_due, tip=values[0])

    def _answer(self, screen: Screen, first_answer: Choice) -> Pick | None:
        if self.stops_after is not None and self.answered >= self.stops_after:
            later = screen.choice_for(ActionIds.LATER)
            self.left = True
            return Pick(later) if later is not None else None
        try:
            ref = decode_ref(first_answer.value or "", with_score=True)
            item = self.content.questionnaire.item(ref.item_id)
        except (BadRef, KeyError):
            return None
        score = self.profile.answer(item, self.rng)
        self.answered += 1
        if score is None:
            self.dont_know += 1
        action = ActionIds.DONT_KNOW if score is None else ActionIds.answer(score)
        choice = screen.choice_for(action)
        return Pick(choice) if choice is not None else None

    def _checklist(self, screen: Screen) -> Pick | None:
        done = screen.choice_for(ActionIds.CHECKLIST_DONE)
        if done is None:
            return None
        state: dict[str, Any] = {}
        labels: list[str] = []
        for picker in screen.pickers:
            most = min(picker.max_selected or 2, 2, len(picker.options))
            chosen = self.rng.sample(picker.options, self.rng.randint(1, most)) if most else []
            state[picker.block_id] = picker.state(value for value, _ in chosen)
            labels += [label for _, label in chosen]
        return Pick(done, state, tuple(labels))


class AtTheTerminal:
    """The person at the terminal: types a number for a button, letters for menu options.

    When the input ends (a pipe runs dry), the rest is answered by `fallback`, so the
    try-out always reaches the results.
    """

    def __init__(self, ask: Ask, say: Say, texts: Callable[..., str],
                 fallback: Simulated) -> None:
        self.ask = ask
        self.say = say
        self.texts = texts
        self.fallback = fallback
        self.out_of_input = False

    def pick(self, screen: Screen) -> Pick | None:
        if self.out_of_input:
            return self.fallback.pick(screen)
        try:
            return self._ask_for_pick(screen)
        except EOFError:
            self.out_of_input = True
            self.say(self.texts("no_more_input"))
            return self.fallback.pick(screen)

    def plan(self, suggestions: int, values: Sequence[str], people: People,
             default_due: str) -> Planned | None:
        """Asks for the commitment, its owner and its due date; the simulation plans when
        the input runs out."""
        if self.out_of_input:
            return self.fallback.plan(suggestions, values, people, default_due)
        try:
            return self._ask_for_plan(values, people, default_due)
        except EOFError:
            self.out_of_input = True
            self.say(self.texts("no_more_input"))
            return self.fallback.plan(suggestions, values, people, default_due)

    def _ask_for_plan(self, values: Sequence[str], people: People,
                      default_due: str) -> Planned | None:
        if values:
            what = self.ask(self.texts("pick_suggestion", n=len(values))).strip() or "1"
        else:
            what = self.ask(self.texts("pick_own_words")).strip()
        if what.lower() in (*QUIT_WORDS, ""):
            return None
        listed = ", ".join(f"{n} @{name}" for n, (_, name) in enumerate(people, 1))
        number = None
        while number is None:
            answer = self.ask(self.texts("pick_owner", people=listed, n=len(people))).strip()
            if answer.isdigit() and 1 <= int(answer) <= len(people):
                number = int(answer)
            else:
                self.say(self.texts("not_a_choice", n=len(people)))
        due = self.ask(self.texts("pick_due", default=default_due)).strip() or default_due
        owner = people[number - 1][0]
        if what.isdigit() and 1 <= int(what) <= len(values):
            return Planned(owner=owner, due=due, tip=values[int(what) - 1])
        return Planned(owner=owner, due=due, text=what)

    def _ask_for_pick(self, screen: Screen) -> Pick | None:
        state: dict[str, Any] = {}
        labels: list[str] = []
        for picker in screen.pickers:
            values = self._ask_options(picker)
            state[picker.block_id] = picker.state(values)
            labels += [label for value, label in picker.options if value in values]
        number = self._ask_number(len(screen.choices))
        if number is None:
            return None
        choice = screen.choice(number)
        return Pick(choice, state, tuple(labels)) if choice is not None else None

    def _ask_number(self, count: int) -> int | None:
        while True:
            answer = self.ask(self.texts("choose", n=count)).strip().lower()
            if answer in QUIT_WORDS:
                return None
            if answer.isdigit() and 1 <= int(answer) <= count:
                return int(answer)
            self.say(self.texts("not_a_choice", n=count))

    def _ask_options(self, picker: Picker) -> list[str]:
        letters = option_letters(len(picker.options))
        most = picker.max_selected or len(letters)
        while True:
            raw = self.ask(self.texts("choose_options", max=most)).strip().lower()
            wanted = [part.strip() for part in raw.replace(" ", ",").split(",") if part.strip()]
            if all(part in letters for part in wanted) and len(set(wanted)) <= most:
                return [picker.options[letters.index(part)][0] for part in dict.fromkeys(wanted)]
            self.say(self.texts("not_options", max=most))
