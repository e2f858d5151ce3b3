"""The packaged content is complete and bilingual; broken copies fail with a clear message."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from model import ContentError, Element, Phase, Text, load_content
from model.loader import CONTENT_DIR
from tests.model.conftest import replace_once

ITEM_IDS = ["W1", "W2", "W3", "W4", "W5", "I1", "I2", "I3", "I4", "I5", "I6",
            "N1", "N2", "N3", "N4", "N5", "V1", "V2", "V3", "V4", "V7", "V5", "V6"]


def _texts(value: Any) -> Iterator[Text]:
    """Every Text reachable from a content object."""
    if isinstance(value, Text):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name))
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, tuple | list):
        for inner in value:
            yield from _texts(inner)


def _language_tables(value: Any, key: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every raw TOML table that holds at least one language key."""
    if isinstance(value, dict):
        if {"en", "nl"} & value.keys():
            yield key, value
        for name, inner in value.items():
            yield from _language_tables(inner, f"{key}.{name}")
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _language_tables(inner, f"{key}[{n}]")


def test_questionnaire_has_the_23_statements_in_order() -> None:
    questionnaire = load_content().questionnaire
    assert [item.id for item in questionnaire.items] == ITEM_IDS
    assert [len(questionnaire.items_for(e)) for e in Element] == [5, 6, 5, 7]
    assert questionnaire.item("I4").theme.en == "Managers visibly use the tools"
    assert questionnaire.item("W4").phase == Phase.FACILITATING  # measuring value: phase 2
    assert questionnaire.item("V7").element == Element.INVESTERING  # quality: skills


def test_checklists_and_scale_are_complete() -> None:
    questionnaire = load_content().questionnaire
    assert len(questionnaire.barriers) == 10
    assert questionnaire.barrier_max == 3
    assert len(questionnaire.start_reasons) == 3
    assert len(questionnaire.scale) == 5
    assert questionnaire.scale[0].nl == "Helemaal oneens"
    assert questionnaire.barrier("tool_sprawl").confirms == ("V3",)
    assert questionnaire.barrier("skills").confirms == ("V7",)
    assert [o.id for o in questionnaire.barriers if not o.confirms] == ["budget"]


def test_every_element_and_phase_has_a_name_and_description() -> None:
    content = load_content()
    assert set(content.elements) == set(Element)
    assert set(content.phases) == set(Phase)
    assert content.phases[Phase.NOT_STARTED].name.nl == "Op weg naar pionierend"
    assert content.elements[Element.INVESTERING].name.en == "Investment"


def test_every_text_has_english_and_dutch() -> None:
    texts = list(_texts(load_content()))
    assert len(texts) > 100
    for text in texts:
        assert text.en.strip() and text.nl.strip(), text


@pytest.mark.parametrize("path", sorted(CONTENT_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_english_and_dutch_have_the_same_keys_in_every_file(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    tables = list(_language_tables(data))
    assert tables
    for key, table in tables:
        assert set(table) == {"en", "nl"}, key


def test_content_is_cached_per_directory(content_dir: Path) -> None:
    assert load_content() is load_content()
    assert load_content(content_dir) is load_content(str(content_dir))
    assert load_content(content_dir) == load_content()


def _error(directory: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_content(directory)
    return caught.value


def test_missing_dutch_text_is_named(content_dir: Path) -> None:
    dutch = 'text.nl = "Er is een afgesproken doel of businesscase voor onze sociale tools."\n'
    replace_once(content_dir / "questionnaire.toml", dutch, "")
    error = _error(content_dir)
    assert str(error) == "questionnaire.toml: items[W3].text.nl: missing Dutch text"
    assert (error.file, error.key) == ("questionnaire.toml", "items[W3].text.nl")


def test_empty_english_text_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "elements.toml", 'en = "Impact"', 'en = "  "')
    assert str(_error(content_dir)) == "elements.toml: impact.name.en: missing English text"


def test_unknown_element_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", 'id = "I3"\nelement = "impact"',
                 'id = "I3"\nelement = "impakt"')
    message = str(_error(content_dir))
    assert message.startswith("questionnaire.toml: items[I3].element: unknown element 'impakt'")
    assert "waarde, impact, innovatie, investering" in message


def test_duplicate_item_id_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", 'id = "W3"', 'id = "W2"')
    assert str(_error(content_dir)) == (
        "questionnaire.toml: items[3].id: duplicate id 'W2' (also items[2])")


def test_duplicate_barrier_id_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", 'id = "security"', 'id = "rules"')
    assert str(_error(content_dir)) == (
        "questionnaire.toml: barriers[6].id: duplicate id 'rules' (also barriers[4])")


def test_item_phase_out_of_range_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", 'id = "W4"\nelement = "waarde"\nphase = 2',
                 'id = "W4"\nelement = "waarde"\nphase = 4')
    assert str(_error(content_dir)) == (
        "questionnaire.toml: items[W4].phase: phase 4 out of range 1..3")


def test_tip_phase_out_of_range_is_named(content_dir: Path) -> None:
    path = content_dir / "tips.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("from_phase = 3", "from_phase = 4", 1),
                    encoding="utf-8")
    message = str(_error(content_dir))
    assert message.startswith("tips.toml: tips[")
    assert message.endswith(".from_phase: phase 4 out of range 0..3")


def test_toml_syntax_error_names_file_and_line(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", "barrier_max = 3", "barrier_max = = 3")
    error = _error(content_dir)
    assert error.file == "questionnaire.toml"
    assert error.key.startswith("line 14, column")
    assert "TOML syntax error" in error.problem


def test_misspelt_language_key_is_caught(content_dir: Path) -> None:
    replace_once(content_dir / "phases.toml", 'nl = "Strategisch"', 'nll = "Strategisch"')
    assert str(_error(content_dir)) == "phases.toml: strategic.name.nl: missing Dutch text"


def test_unknown_key_is_caught(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", 'id = "W1"', 'id = "W1"\nweight = 2')
    message = str(_error(content_dir))
    assert message.startswith("questionnaire.toml: items[1].weight: unknown key")


def test_element_without_strategic_items_is_incomplete(content_dir: Path) -> None:
    path = content_dir / "questionnaire.toml"
    for item_id in ("N4", "N5"):
        replace_once(path, f'id = "{item_id}"\nelement = "innovatie"\nphase = 3',
                     f'id = "{item_id}"\nelement = "innovatie"\nphase = 2')
    assert str(_error(content_dir)) == (
        "questionnaire.toml: items: element 'innovatie' has no item for phase 3; "
        "every element needs items tagged 1, 2 and 3")


def test_barrier_confirming_an_unknown_item_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", 'confirms = ["V3"]', 'confirms = ["V9"]')
    assert str(_error(content_dir)) == (
        "questionnaire.toml: barriers[tool_sprawl].confirms: unknown item id 'V9'")


def test_missing_tips_for_a_transition_are_named(content_dir: Path) -> None:
    path = content_dir / "tips.toml"
    text = path.read_text(encoding="utf-8")
    kept = [block for block in text.split("[[tips]]")
            if 'element = "impact"\nfrom_phase = 2' not in block]
    path.write_text("[[tips]]".join(kept), encoding="utf-8")
    assert str(_error(content_dir)) == (
        "tips.toml: tips: no team tip for element 'impact' from phase 2; every step needs "
        "one a team can start on")


def test_a_step_with_only_organisation_tips_is_refused(content_dir: Path) -> None:
    path = content_dir / "tips.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('from_phase = 2\nlevel = "team"\naddresses = ["V5"]',
                        'from_phase = 2\nlevel = "organisation"\naddresses = ["V5"]')
    path.write_text(text, encoding="utf-8")
    assert "no team tip for element 'investering' from phase 2" in str(_error(content_dir))


def test_a_tip_must_address_its_own_elements_next_phase(content_dir: Path) -> None:
    replace_once(content_dir / "tips.toml", 'addresses = ["W3"]', 'addresses = ["W5"]')
    message = str(_error(content_dir))
    assert message.startswith("tips.toml: tips[4].addresses: 'W5' is not a phase-2 item of "
                              "'waarde'")
    assert message.endswith("(expected one of W2, W3, W4)")


def test_a_tip_level_must_be_team_or_organisation(content_dir: Path) -> None:
    path = content_dir / "tips.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'level = "team"', 'level = "manager"', 1), encoding="utf-8")
    assert str(_error(content_dir)) == (
        "tips.toml: tips[1].level: unknown level 'manager' (expected one of team, organisation)")


def test_every_statement_has_one_or_two_open_questions_to_discuss() -> None:
    content = load_content()
    for item in content.questionnaire.items:
        questions = content.questions_for(item.id)
        assert 1 <= len(questions) <= 2, item.id
        assert all(q.en.endswith("?") and q.nl.endswith("?") for q in questions), item.id
    assert content.questions_for("X9") == ()


def test_a_statement_left_without_questions_is_named(content_dir: Path) -> None:
    path = content_dir / "discussion.toml"
    kept = [block for block in path.read_text(encoding="utf-8").split("[[questions]]")
            if 'item = "N3"' not in block]
    path.write_text("[[questions]]".join(kept), encoding="utf-8")
    assert str(_error(content_dir)) == (
        "discussion.toml: questions: item 'N3' has 0 questions; every statement needs 1 to 2")


def test_a_question_about_an_unknown_statement_is_named(content_dir: Path) -> None:
    path = content_dir / "discussion.toml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\n[[questions]]\nitem = "W9"\ntext.en = "Why?"\ntext.nl = "Waarom?"\n')
    assert str(_error(content_dir)).startswith(
        "discussion.toml: questions[47].item: unknown item id 'W9'")


def test_the_model_is_attributed_and_called_an_operationalisation() -> None:
    about = load_content().about
    assert "de Koning" in about.source.en and "Marketingfacts (2009)" in about.source.nl
    assert "van Doremaele" in about.source.nl and "van der Sleen" in about.source.en
    assert "not validated" in about.operationalisation.en
    assert "niet wetenschappelijk gevalideerd" in about.operationalisation.nl


def test_tip_sources_are_for_readers_and_credit_the_article_with_no_more_than_it_says(
) -> None:
    """The report prints every source: no internal notes, and a tip of our own that leans
    on the article says so (part 1 speaks of investment in "kwaliteit", not of skills)."""
    for tip in load_content().tips:
        for source in (tip.source.en, tip.source.nl):
            assert not any(note in source.lower() for note in (
                "content review", "§", "instrument", "proposal")), source
        assert "skills" not in tip.source.en.lower(), tip.source.en
        assert "vaardigheden" not in tip.source.nl.lower(), tip.source.nl
        # The tips of the series were not recovered: it grounds advice, it gives none here.
        assert not tip.source.en.startswith("WI3"), tip.source.en
        assert not tip.source.nl.startswith("WI3"), tip.source.nl


def test_two_tips_saying_the_same_are_refused(content_dir: Path) -> None:
    """A commitment made from a tip is found again by its text: no two tips may share one."""
    replace_once(content_dir / "tips.toml",
                 'text.nl = "Koppel de tools aan één of twee echte bedrijfsproblemen in plaats '
                 'van sociale tools als doel op zich te promoten."',
                 'text.nl = "Maak van drie tot vijf succesverhalen van pioniers (tijdwinst, '
                 'beantwoorde vragen) een kleine businesscase: kleine successen overtuigen."')
    assert str(_error(content_dir)) == (
        "tips.toml: tips[4].text.nl: the same text as tips[3]; every tip says something "
        "of its own")


def test_a_commitment_finds_its_tip_in_either_language() -> None:
    content = load_content()
    tip = content.tips[0]
    assert content.tip_with_text(tip.text.nl) is tip
    assert content.tip_with_text("  " + tip.text.en.replace(" ", "  ") + " ") is tip
    assert content.tip_with_text("Our own words") is None


def test_a_tip_without_a_dutch_source_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "tips.toml",
                 'source.nl = "Altimeter (Li & Solis, 2013)"\n', "")
    assert str(_error(content_dir)).endswith(".source.nl: missing Dutch text")


def test_missing_element_description_is_named(content_dir: Path) -> None:
    path = content_dir / "elements.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[innovatie.description]")
    path.write_text(text[:start] + text[text.index("[investering.name]"):], encoding="utf-8")
    assert str(_error(content_dir)) == "elements.toml: innovatie.description: missing"


def test_missing_file_is_named(content_dir: Path) -> None:
    (content_dir / "phases.toml").unlink()
    error = _error(content_dir)
    assert (error.file, error.key) == ("phases.toml", "(file)")
    assert "cannot read" in error.problem


def test_wrong_type_is_named(content_dir: Path) -> None:
    replace_once(content_dir / "questionnaire.toml", "barrier_max = 3", 'barrier_max = "3"')
    assert str(_error(content_dir)) == (
        "questionnaire.toml: barrier_max: expected a whole number, found a string")


def test_edited_wording_is_picked_up(content_dir: Path) -> None:
    replace_once(content_dir / "phases.toml", 'en = "Pioneering"', 'en = "Exploring"')
    assert load_content(content_dir).phases[Phase.PIONEERING].name.en == "Exploring"
