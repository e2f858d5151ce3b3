"""Operator-facing text of the bot layer, read from `bot/texts.toml`.

Kept out of the Python code so wording can change without touching logic, like the
Slack-facing catalogs in `conversations/i18n/`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_TEXTS_FILE = Path(__file__).with_name("texts.toml")


@cache
def _catalog() -> dict[str, Any]:
    with _TEXTS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def text(key: str, **values: object) -> str:
    """The text stored under a dotted `key` ("config.missing"), filled with `values`.

    A table with `one` and `other` is a plural message, chosen by `values["count"]`."""
    node: Any = _catalog()
    for part in key.split("."):
        node = node[part]
    if isinstance(node, dict) and set(node) == {"one", "other"}:
        node = node["one" if values.get("count") == 1 else "other"]
    if not isinstance(node, str):
        raise KeyError(key)
    return node.strip().format(**values) if values else node.strip()
