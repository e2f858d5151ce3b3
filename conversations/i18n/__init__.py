"""Message catalogs: every user-facing string, in English and Dutch.

The catalogs are TOML files in a folder per language beside this module (``en/*.toml``,
``nl/*.toml``; one file per area of the product, merged on load); nested tables flatten to
dotted keys (``[question] progress = ...`` is ``question.progress``). Values are
``str.format`` templates with named placeholders.

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
    "CatalogError",
    "Lang",
    "check_catalogs",
    "has",
    "load_catalog",
    "normalise_lang",
    "placeholders",
    "t",
]
DEFAULT_LANG: Lang = "en"
CATALOG_DIR = Path(__file__).parent


class CatalogError(ValueError):
    """A catalog file is missing, malformed, or out of step with the other language."""


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
        for key, template in catalog.items():
            if placeholders(template) != placeholders(reference[key]):
                raise CatalogError(
                    f"{lang}/: {key} has placeholders {sorted(placeholders(template))}, "
                    f"{DEFAULT_LANG}/ has {sorted(placeholders(reference[key]))}"
                )


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
    """The text for ``key`` in ``lang``, with ``fields`` filled in."""
    catalog = _catalogs()[normalise_lang(lang)]
    try:
        template = catalog[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the {lang} catalog") from None
    return template.format(**fields)


def has(key: str) -> bool:
    return key in _catalogs()[DEFAULT_LANG]
