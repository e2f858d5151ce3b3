"""The WI3 growth model for Enterprise 2.0 as code: pure domain, no Slack, no storage.

Content (items, names, tips, the model's attribution) is loaded from the TOML files in
`model/content/` and validated; scoring turns answers into phases, positions, drivers,
inhibitors and tips (scoring v3, wi3-instrument.md §3.7), and never shows an aggregate to
which fewer than the team's minimum number of people contributed.

>>> from model import Element, Phase, TipLevel, chosen_tips, load_content, score_team
>>> content = load_content()
>>> len(content.questionnaire.items)
23
>>> def answers(p1, p2, p3):
...     score = {Phase.PIONEERING: p1, Phase.FACILITATING: p2, Phase.STRATEGIC: p3}
...     return {item.id: score[item.phase] for item in content.questionnaire.items}
>>> team = [answers(5, 4, 2), answers(4, 4, 1), answers(4, 5, 2), answers(4, 4, None)]
>>> result = score_team(team, barriers=[["roi"], ["time"], ["time", "roi"]])
>>> result.respondent_count, result.overall.name, result.further, result.bottleneck
(4, 'FACILITATING', 0, None)
>>> investment = result.element(Element.INVESTERING)
>>> investment.s2, round(investment.s3, 2), investment.phase.name, round(investment.position, 2)
(4.25, 1.67, 'FACILITATING', 2.27)
>>> [(f.item_id, round(f.score, 1), f.confirmed)
...  for f in result.inhibitors_for(Element.INVESTERING)]
[('V5', 1.7, True), ('V6', 1.7, False)]
>>> result.inhibitors_for(Element.INVESTERING)[0].theme.en
'Time for sharing counts in appraisals'
>>> [tip.addresses for tip in chosen_tips(Element.INVESTERING, investment.phase,
...                                        result.inhibitors, TipLevel.TEAM)]
[('V5',)]
"""

from model.elements import LANGS, Element, ElementInfo, Lang, Phase, PhaseInfo, Text
from model.loader import ContentError, load_content
from model.privacy import MIN_RESPONSES_FLOOR, checked_minimum
from model.pulse import score_pulse, select_pulse_items
from model.questionnaire import About, Content, Item, Option, Questionnaire, Tip, TipLevel
from model.results import (
    ElementResult,
    Finding,
    FindingKind,
    ItemScore,
    Minority,
    ProfileResult,
    Tally,
    TeamResult,
)
from model.scoring import (
    Answers,
    score_combined,
    score_items,
    score_respondent,
    score_team,
    stored_result,
    with_minimum,
)
from model.tips import chosen_tips, tips_for

__all__ = [
    "LANGS",
    "MIN_RESPONSES_FLOOR",
    "About",
    "Answers",
    "Content",
    "ContentError",
    "Element",
    "ElementInfo",
    "ElementResult",
    "Finding",
    "FindingKind",
    "Item",
    "ItemScore",
    "Lang",
    "Minority",
    "Option",
    "Phase",
    "PhaseInfo",
    "ProfileResult",
    "Questionnaire",
    "Tally",
    "TeamResult",
    "Text",
    "Tip",
    "TipLevel",
    "checked_minimum",
    "chosen_tips",
    "load_content",
    "score_combined",
    "score_items",
    "score_pulse",
    "score_respondent",
    "score_team",
    "select_pulse_items",
    "stored_result",
    "tips_for",
    "with_minimum",
]
