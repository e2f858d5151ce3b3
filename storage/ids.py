"""What an id looks like: Slack's ids by their exact shape, and wi3's own round ids.

Ids become file names in the TinyDB backend and keys in both, so a value with a trailing
newline or a slash must be refused where it comes in, not half-accepted (a channel id
``"C_NL\\n"`` once made a directory the store then ignored). ``re.fullmatch`` is used
throughout: ``$`` would also match before a final newline.
"""

from __future__ import annotations

import re

SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")
"""A Slack workspace, enterprise, channel or user id: T024BE7LD, C0KENNIS1, U0LOTTE01."""

ROUND_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
"""A round id as wi3 makes them (20250303T090000-1a2b3c4d); safe as part of a file name."""


def is_slack_id(value: object) -> bool:
    return isinstance(value, str) and SLACK_ID.fullmatch(value) is not None


def require_slack_id(value: str, what: str) -> str:
    """``value`` if it has the shape of a Slack id, else ValueError naming ``what``."""
    if not is_slack_id(value):
        raise ValueError(f"{what} must look like a Slack id (an upper-case letter, then "
                         f"1-31 upper-case letters or digits); got {value!r}")
    return value


def is_round_id(value: object) -> bool:
    return isinstance(value, str) and ROUND_ID.fullmatch(value) is not None
