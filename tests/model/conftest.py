"""Shared helpers for the model tests: editable content copies, answer builders, and the
hypothesis settings of the scoring properties."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from model import Element, Phase, load_content
from model.loader import CONTENT_DIR
from tests.ci import in_ci

Answer = int | None

settings.register_profile("wi3-scoring", max_examples=100, deadline=None)
settings.register_profile("wi3-scoring-ci", max_examples=500, deadline=None, derandomize=True,
                          database=None)
SCORING_PROPERTIES = settings(settings.get_profile(
    "wi3-scoring-ci" if in_ci() else "wi3-scoring"))
"""The settings of scoring v3's property tests (wi3-instrument.md §3.7): 500 examples in
CI, drawn the same way on every run (derandomised, no example database), so a CI failure
repeats; 100 random examples while developing. Only the tests that use it: a profile
loaded for the whole session would change other helpers' property tests too."""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the packaged content files that a test may break."""
    target = tmp_path / "content"
    target.mkdir()
    for source in CONTENT_DIR.glob("*.toml"):
        shutil.copy(source, target / source.name)
    return target


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a content file the way a consultant would; the text must occur exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def by_phase(p1: Answer, p2: Answer, p3: Answer, **overrides: Answer) -> dict[str, Answer]:
    """Answers giving every item the score for its phase tag; `overrides` per item id."""
    score = {Phase.PIONEERING: p1, Phase.FACILITATING: p2, Phase.STRATEGIC: p3}
    answers = {item.id: score[item.phase] for item in load_content().questionnaire.items}
    answers.update(overrides)
    return answers


def per_element(**scores: tuple[Answer, Answer, Answer]) -> dict[str, Answer]:
    """Answers with (p1, p2, p3) chosen per element, e.g. impact=(4, 4, 2)."""
    answers: dict[str, Answer] = {}
    for element in Element:
        for item in load_content().questionnaire.items_for(element):
            answers[item.id] = scores[element.value][item.phase - 1]
    return answers
