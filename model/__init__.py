"""The WI3 growth model for Enterprise 2.0 as code: pure domain, no Slack, no storage.

Content (items, names, tips) is loaded from the TOML files in `model/content/` and
validated; scoring turns answers into phases, drivers, inhibitors and tips.

>>> from model import Element, Phase, load_content, score_team, tips_for
>>> content = load_content()
>>> len(content.questionnaire.items)
22
>>> def answers(p1, p2, p3):
...     score = {Phase.PIONEERING: p1, Phase.FACILITATING: p2, Phase.STRATEGIC: p3}
...     return {item.id: score[item.phase] for item in content.questionnaire.items}
>>> team = [answers(5, 4, 2), answers(4, 4, 1), answers(4, 5, None)]
>>> result = score_team(team, barrier_ticks=["roi", "time"])
>>> result.respondent_count, result.overall.name
(3, 'FACILITATING')
>>> value = result.element(Element.WAARDE)
>>> value.s2, value.s3, value.phase.name, value.index
(4.0, 1.5, 'FACILITATING', 1.875)
>>> [(f.item_id, f.theme.get("nl"), f.confirmed) for f in result.inhibitors][:3]
[('W4', 'ROI aantonen', True), ('V5', 'tijd', True), ('W5', 'strategie', False)]
>>> tips_for(result.bottleneck, value.phase)[0].transition
(<Phase.FACILITATING: 2>, <Phase.STRATEGIC: 3>)
"""

from model.elements import LANGS, Element, ElementInfo, Lang, Phase, PhaseInfo, Text
from model.loader import ContentError, load_content
from model.pulse import select_pulse_items
from model.questionnaire import Content, Item, Option, Questionnaire, Tip
from model.results import ElementResult, Finding, FindingKind, ProfileResult, TeamResult
from model.scoring import Answers, score_respondent, score_team
from model.tips import tips_for

__all__ = [
    "LANGS",
    "Answers",
    "Content",
    "ContentError",
    "Element",
    "ElementInfo",
    "ElementResult",
    "Finding",
    "FindingKind",
    "Item",
    "Lang",
    "Option",
    "Phase",
    "PhaseInfo",
    "ProfileResult",
    "Questionnaire",
    "TeamResult",
    "Text",
    "Tip",
    "load_content",
    "score_respondent",
    "score_team",
    "select_pulse_items",
    "tips_for",
]
