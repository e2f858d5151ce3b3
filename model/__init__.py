"""The WI3 growth model for Enterprise 2.0 as code: pure domain, no Slack, no storage.

Content (items, names, tips) is loaded from the TOML files in `model/content/` and
validated when loaded.
"""

from model.elements import Element, ElementInfo, Lang, Phase, PhaseInfo, Text
from model.loader import ContentError, load_content
from model.questionnaire import Content, Item, Option, Questionnaire, Tip

__all__ = [
    "Content",
    "ContentError",
    "Element",
    "ElementInfo",
    "Item",
    "Lang",
    "Option",
    "Phase",
    "PhaseInfo",
    "Questionnaire",
    "Text",
    "Tip",
    "load_content",
]
