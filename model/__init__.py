"""The WI3 growth model for Enterprise 2.0 as code: pure domain, no Slack, no storage.

Content (items, names, tips) is loaded from the TOML files in `model/content/` and
validated when loaded; scoring turns answers into phases, drivers and inhibitors.
"""

from model.elements import Element, ElementInfo, Lang, Phase, PhaseInfo, Text
from model.loader import ContentError, load_content
from model.questionnaire import Content, Item, Option, Questionnaire, Tip
from model.results import ElementResult, Finding, FindingKind, ProfileResult, TeamResult
from model.scoring import Answers, score_respondent, score_team

__all__ = [
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
]
