"""The tips a lead can pick from when planning: the team tips the results post showed.

Per placed element, furthest behind first, the team-level tips chosen by its findings
(`model.chosen_tips`), as many as the post shows. Each carries a short key (element, phase,
place among that step's tips) that a modal option can hold and a submission resolves
against the content again, so nothing but the key travels through Slack.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.i18n import normalise_lang
from conversations.views.results import TIPS_SHOWN, work_order
from model import Content, Element, Phase, TeamResult, TipLevel, chosen_tips


@dataclass(frozen=True)
class Suggestion:
    key: str
    """"waarde.1.0": the element, the phase its step starts from, the tip's place."""
    text: str


def suggestions_for(lang: str, result: TeamResult | None, content: Content) -> list[Suggestion]:
    """The team tips of a round's results, in the reader's language (none without one)."""
    if result is None:
        return []
    found = []
    for element_result in work_order(result):
        element, phase = element_result.element, element_result.phase
        if phase is None:
            continue
        step = content.tips_for(element, phase)
        for tip in chosen_tips(element, phase, result.inhibitors, TipLevel.TEAM,
                               content=content)[:TIPS_SHOWN[TipLevel.TEAM]]:
            found.append(Suggestion(f"{element.value}.{int(phase)}.{step.index(tip)}",
                                    tip.text.get(normalise_lang(lang))))
    return found


def suggestion_text(lang: str, key: str, content: Content) -> str | None:
    """The tip a key names, in `lang`; None for a key the content does not know."""
    element, _, rest = key.partition(".")
    phase, _, place = rest.partition(".")
    try:
        step = content.tips_for(Element(element), Phase(int(phase)))
        return step[int(place)].text.get(normalise_lang(lang))
    except (ValueError, IndexError):
        return None
