"""Whether the tests run in CI, where what would skip on a developer's machine (no
PostgreSQL, no browser) is a failure, and property tests draw the same examples each run."""

from __future__ import annotations

import os

TRUTHY = frozenset({"1", "true", "yes", "on"})


def in_ci() -> bool:
    """`CI` set to any usual spelling of true (CI services set `true`; people type `1`,
    `yes`, `on`, `TRUE`)."""
    return os.environ.get("CI", "").strip().lower() in TRUTHY
