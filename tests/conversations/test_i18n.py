import re
from pathlib import Path

import pytest

from conversations.i18n import (
    LANGUAGES,
    CatalogError,
    check_catalogs,
    load_catalog,
    normalise_lang,
    placeholders,
    t,
)


def test_both_catalogs_have_the_same_keys_and_placeholders() -> None:
    check_catalogs()
    en, nl = load_catalog("en"), load_catalog("nl")
    assert set(en) == set(nl)
    assert all(nl[key].strip() for key in nl), "no empty Dutch text"


def test_dutch_differs_from_english_for_user_facing_text() -> None:
    en, nl = load_catalog("en"), load_catalog("nl")
    def words(text: str) -> list[str]:
        return [w for w in re.sub(r"\{[^}]*\}|<[^>]*>|`[^`]*`", " ", text).split() if w.isalpha()]

    same = [k for k in en if en[k] == nl[k] and len(words(en[k])) >= 2]
    assert same == [], f"untranslated: {same}"


def _write(tmp_path: Path, lang: str, text: str, name: str = "core") -> None:
    (tmp_path / lang).mkdir(exist_ok=True)
    (tmp_path / lang / f"{name}.toml").write_text(text, encoding="utf-8")


def test_missing_key_in_one_language_is_reported_by_name(tmp_path: Path) -> None:
    _write(tmp_path, "en", '[a]\nx = "one"\ny = "two"\n')
    _write(tmp_path, "nl", '[a]\nx = "een"\n')
    with pytest.raises(CatalogError, match=r"nl/: missing keys \['a\.y'\]"):
        check_catalogs(tmp_path)


def test_placeholder_mismatch_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "en", 'x = "Hello {name}"\n')
    _write(tmp_path, "nl", 'x = "Hallo {naam}"\n')
    with pytest.raises(CatalogError, match="x has placeholders"):
        check_catalogs(tmp_path)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "en", 'x = "unterminated\n')
    with pytest.raises(CatalogError, match=r"en/core\.toml"):
        load_catalog("en", tmp_path)


def test_a_key_defined_in_two_files_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "en", '[a]\nx = "one"\n', name="core")
    _write(tmp_path, "en", '[a]\nx = "two"\n', name="more")
    with pytest.raises(CatalogError, match=r"more\.toml: a\.x is already defined"):
        load_catalog("en", tmp_path)


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("nl-NL", "nl"), ("nl_BE", "nl"), ("en-GB", "en"), ("fr-FR", "en"), (None, "en"), ("", "en")],
)
def test_slack_locales_map_to_supported_languages(locale: str | None, lang: str) -> None:
    assert normalise_lang(locale) == lang


def test_templates_fill_in_fields_in_each_language() -> None:
    assert t("en", "question.progress", n=4, total=23, element="Impact",
             subject="our wiki") == "Statement 4 of 23 · Impact · about _our wiki_"
    assert t("nl", "question.progress", n=4, total=23, element="Impact",
             subject="onze wiki") == "Stelling 4 van 23 · Impact · over _onze wiki_"
    assert t("nl-NL", "nav.back") == "← Vorige"


def test_unknown_key_raises_with_its_name() -> None:
    with pytest.raises(KeyError, match=r"no\.such"):
        t("en", "no.such")


def test_placeholders_parses_named_fields() -> None:
    assert placeholders("{a} and {b} but not {{c}}") == {"a", "b"}
    assert LANGUAGES == ("en", "nl")


@pytest.mark.parametrize(("lang", "one", "many"), [
    ("en", "I'm inviting 1 member by DM", "I'm inviting 2 members by DM"),
    ("nl", "Ik nodig nu 1 lid uit", "Ik nodig nu 2 leden uit"),
])
def test_a_count_picks_the_plural_form_of_its_language(lang: str, one: str, many: str) -> None:
    assert one in t(lang, "round.started_ephemeral", count=1)
    assert many in t(lang, "round.started_ephemeral", count=2)
    assert t(lang, "round.started_ephemeral", count=0) == t(
        lang, "round.started_ephemeral", count=2).replace("2", "0")


def test_every_plural_message_reads_differently_for_one_and_for_many() -> None:
    for lang in LANGUAGES:
        catalog = load_catalog(lang)
        groups = {key.rsplit(".", 1)[0] for key in catalog if key.endswith(".other")}
        assert len(groups) >= 10, "the catalogs have their plural messages"
        for group in groups:
            fields = {name: "x" for name in placeholders(catalog[f"{group}.other"])}
            single = t(lang, group, **{**fields, "count": 1})
            several = t(lang, group, **{**fields, "count": 2})
            assert "1" in single and "2" in several, group
            assert single.replace("1", "2") != several, f"{lang}: {group} has one form"


def test_a_plural_message_without_a_count_says_so() -> None:
    with pytest.raises(KeyError, match="plural message: pass a whole number as count="):
        t("en", "round.started_ephemeral", n=3)


def test_a_plural_missing_a_form_in_one_language_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "en", '[x]\none = "{count} team"\nother = "{count} teams"\n')
    _write(tmp_path, "nl", '[x]\nother = "{count} teams"\n')
    with pytest.raises(CatalogError, match=r"nl/: (x has plural forms|missing keys \['x\.one'\])"):
        check_catalogs(tmp_path)


def test_a_plural_form_must_show_its_count(tmp_path: Path) -> None:
    _write(tmp_path, "en", '[x]\none = "a team"\nother = "{count} teams"\n')
    _write(tmp_path, "nl", '[x]\none = "een team"\nother = "{count} teams"\n')
    with pytest.raises(CatalogError, match=r"x\.one does not use \{count\}"):
        check_catalogs(tmp_path)
