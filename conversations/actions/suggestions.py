"""The tips a lead can pick from when planning: the team tips the results post showed.

Per placed element, furthest behind first, the team-level tips chosen by its findings
(`model.chosen_tips`), as many as the post shows, leaving out those the team already has
under way as commitments (the next tip in line takes the place of one). Each carries a
short key (element, phase, place among that step's tips) that a modal option can hold and a
submission resolves against the content again, so nothing but the key travels through Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conversations.i18n import normalise_lang
from conversations.views.results import TIPS_SHOWN, work_order
from model import Content, Element, Phase, TeamResult, TipLevel, chosen_tips


@dataclass(frozen=True)
class Suggestion:
    key: str
    """"waarde.1.0": the element, the phase its step starts from, the tip's place."""
    text: str


def suggestions_for(lang: str, result: TeamResult | None, content: Content,
                    under_way: Iterable[str] = ()) -> list[Suggestion]:
    """The team tips of a round's results, in the reader's language (none without one),
    but none the team took on already: `under_way` are its open commitments' texts."""
    if result is None:
        return []
    taken = {content.tip_with_text(text) for text in under_way}
    found = []
    for element_result in work_order(result):
        element, phase = element_result.element, element_result.phase
        if phase is None:
            continue
        step = content.tips_for(element, phase)
        fresh = [tip for tip in chosen_tips(element, phase, result.inhibitors, TipLevel.TEAM,
                                            content=content) if tip not in taken]
        for tip in fresh[:TIPS_SHOWN[TipLevel.TEAM]]:
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
