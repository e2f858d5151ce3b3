"""Message catalogs: every user-facing string, in English and Dutch.

The catalogs are TOML files in a folder per language beside this module (``en/*.toml``,
``nl/*.toml``; one file per area of the product, merged on load); nested tables flatten to
dotted keys (``[question] progress = ...`` is ``question.progress``). Values are
``str.format`` templates with named placeholders.

A message that depends on a number is a table of plural forms named by CLDR's plural
categories, chosen by the ``count`` field::

    [round.started_ephemeral]
    one = "Round started. I'm inviting {count} member by DM now."
    other = "Round started. I'm inviting {count} members by DM now."

English and Dutch both need ``one`` and ``other``; every language must have the forms its
rules need, key for key (`check_catalogs`).

    >>> from conversations.i18n import t
    >>> t("nl", "nav.back")
    '← Vorige'
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from model import LANGS as LANGUAGES
from model import Lang as Lang

__all__ = [
    "CATALOG_DIR",
    "DEFAULT_LANG",
    "LANGUAGES",
    "PLURAL_FORMS",
    "CatalogError",
    "Lang",
    "check_catalogs",
    "has",
    "load_catalog",
    "normalise_lang",
    "placeholders",
    "plural_category",
    "t",
]
DEFAULT_LANG: Lang = "en"
CATALOG_DIR = Path(__file__).parent


class CatalogError(ValueError):
    """A catalog file is missing, malformed, or out of step with the other language."""


PLURAL_FORMS: Mapping[str, frozenset[str]] = {
    # CLDR's cardinal rules for whole numbers: English and Dutch both say "one" for 1 only.
    "en": frozenset({"one", "other"}),
    "nl": frozenset({"one", "other"}),
}
_CLDR_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


def plural_category(lang: str, count: int) -> str:
    """The CLDR plural category of a whole ``count`` in ``lang`` (``one`` or ``other`` here)."""
    return "one" if abs(count) == 1 and "one" in PLURAL_FORMS[normalise_lang(lang)] else "other"


def _plural_forms(catalog: Mapping[str, str], key: str) -> dict[str, str]:
    """The forms of a plural message (``{"one": ..., "other": ...}``), empty if ``key`` has none."""
    prefix = key + "."
    forms = {k[len(prefix):]: v for k, v in catalog.items() if k.startswith(prefix)}
    return forms if forms and set(forms) <= _CLDR_CATEGORIES else {}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, dotted + "."))
        elif isinstance(value, str):
            flat[dotted] = value
        else:
            raise CatalogError(f"{dotted}: expected text, got {type(value).__name__}")
    return flat


def placeholders(template: str) -> frozenset[str]:
    """The named fields a template expects (``{n}`` -> ``n``)."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field
    )


def _load_file(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        return _flatten(data)
    except (OSError, tomllib.TOMLDecodeError, CatalogError) as exc:
        raise CatalogError(f"{path.parent.name}/{path.name}: {exc}") from exc


def load_catalog(lang: str, directory: Path = CATALOG_DIR) -> dict[str, str]:
    """All messages of one language; a key defined in two files is an error."""
    files = sorted((directory / lang).glob("*.toml"))
    if not files:
        raise CatalogError(f"{lang}/: no catalog files in {directory / lang}")
    catalog: dict[str, str] = {}
    for path in files:
        for key, text in _load_file(path).items():
            if key in catalog:
                raise CatalogError(f"{lang}/{path.name}: {key} is already defined in another file")
            catalog[key] = text
    return catalog


def check_catalogs(directory: Path = CATALOG_DIR) -> None:
    """Fail loudly when a key or a placeholder exists in one language but not the other."""
    catalogs = {lang: load_catalog(lang, directory) for lang in LANGUAGES}
    reference = catalogs[DEFAULT_LANG]
    for lang, catalog in catalogs.items():
        missing = sorted(set(reference) - set(catalog))
        extra = sorted(set(catalog) - set(reference))
        if missing or extra:
            raise CatalogError(f"{lang}/: missing keys {missing}, unknown keys {extra}")
        _check_plurals(lang, catalog)
        for key, template in catalog.items():
            if placeholders(template) != placeholders(reference[key]):
                raise CatalogError(
                    f"{lang}/: {key} has placeholders {sorted(placeholders(template))}, "
                    f"{DEFAULT_LANG}/ has {sorted(placeholders(reference[key]))}"
                )


def _check_plurals(lang: str, catalog: Mapping[str, str]) -> None:
    """Every plural message has exactly the forms ``lang`` needs, each using ``{count}``."""
    needed = PLURAL_FORMS[lang]
    groups = {key.rsplit(".", 1)[0] for key in catalog if key.rsplit(".", 1)[-1] == "other"}
    for group in sorted(groups):
        forms = _plural_forms(catalog, group)
        if not forms:
            continue
        if set(forms) != needed:
            raise CatalogError(f"{lang}/: {group} has plural forms {sorted(forms)}, "
                               f"{lang} needs {sorted(needed)}")
        for form, template in forms.items():
            if "count" not in placeholders(template):
                raise CatalogError(f"{lang}/: {group}.{form} does not use {{count}}")


@cache
def _catalogs() -> dict[str, dict[str, str]]:
    check_catalogs()
    return {lang: load_catalog(lang) for lang in LANGUAGES}


def normalise_lang(value: str | None) -> Lang:
    """Map a Slack locale (``nl-NL``, ``en-GB``) or a language code to a supported language."""
    if value:
        code = value.replace("_", "-").split("-")[0].lower()
        for lang in LANGUAGES:
            if code == lang:
                return lang
    return DEFAULT_LANG


def t(lang: str, key: str, **fields: object) -> str:
    """The text for ``key`` in ``lang``, with ``fields`` filled in; for a plural message,
    the form that ``fields["count"]`` takes in that language."""
    language = normalise_lang(lang)
    catalog = _catalogs()[language]
    template = catalog.get(key)
    if template is None:
        template = _plural_template(catalog, language, key, fields.get("count"))
    return template.format(**fields)


def _plural_template(catalog: Mapping[str, str], lang: Lang, key: str, count: object) -> str:
    forms = _plural_forms(catalog, key)
    if not forms:
        raise KeyError(f"no message {key!r} in the {lang} catalog")
    if not isinstance(count, int) or isinstance(count, bool):
        raise KeyError(f"{key!r} is a plural message: pass a whole number as count=")
    return forms[plural_category(lang, count)]


def has(key: str) -> bool:
    catalog = _catalogs()[DEFAULT_LANG]
    return key in catalog or bool(_plural_forms(catalog, key))
