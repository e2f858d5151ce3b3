"""What a signed request must look like before wi3, or Bolt, reads it.

Slack's payloads have fixed shapes: a click's `user` is an object with an `id`, an event's
`event` an object with a `type`. Bolt and the listeners read them trusting that; a body
that breaks it cannot come from Slack, so it gets a 400 here instead of an exception
(and a 500) deep inside. Only the fields something reads are described; the rest may be
anything, as Slack adds fields over time.
"""

from __future__ import annotations

import json
import re
from typing import Any

from storage.ids import SLACK_ID

# A shape: a type, a pattern (a string matching it), None, any of a tuple of shapes,
# `[shape]` (a list of them), or `{field: shape}` (an object whose named fields, where
# present, fit; "*" names every field). `object` fits anything.
Shape = Any

URL = re.compile(r"https?://[^\s/]+/\S*")
_ID_OBJECT = {"id": SLACK_ID}
_OPTIONS = [{"value": str}]
_INPUT = {"value": (str, None), "selected_option": ({"value": str}, None),
          "selected_user": (SLACK_ID, None), "selected_date": (str, None)}
"""What a modal's inputs hold: typed text, a menu choice, a user, a date (or nothing)."""

FIELDS: dict[str, Shape] = {
    "type": str,
    "token": str,
    "team_id": (SLACK_ID, None),
    "enterprise_id": (SLACK_ID, None),
    "user_id": SLACK_ID,
    "channel_id": SLACK_ID,
    "command": str,
    "text": str,
    "response_url": URL,
    "trigger_id": str,
    "event_id": str,
    "api_app_id": str,
    "challenge": str,
    "minute_rate_limited": int,
    "team": (SLACK_ID, None, _ID_OBJECT),
    "enterprise": (SLACK_ID, None, _ID_OBJECT),
    "user": (SLACK_ID, {"id": SLACK_ID, "team_id": SLACK_ID}),
    "channel": (SLACK_ID, _ID_OBJECT),
    "container": {"type": str, "channel_id": SLACK_ID, "message_ts": str, "view_id": str},
    "message": {"ts": str},
    "view": {"id": str, "type": str, "team_id": SLACK_ID, "callback_id": str,
             "private_metadata": str, "state": {"values": {"*": {"*": _INPUT}}}},
    "state": {"values": {"*": {"*": {"selected_options": _OPTIONS}}}},
    "actions": [{"action_id": str, "block_id": str, "value": str, "action_ts": str,
                 "selected_options": _OPTIONS}],
    "authorizations": [{"team_id": (SLACK_ID, None), "enterprise_id": (SLACK_ID, None),
                        "user_id": SLACK_ID}],
    "event": {"type": str, "user": (SLACK_ID, _ID_OBJECT), "channel": (SLACK_ID, _ID_OBJECT),
              "team": (SLACK_ID, None), "tab": str, "event_ts": str},
}

REQUIRED: dict[str, tuple[tuple[str | int, ...], ...]] = {
    "ssl_check": (),
    "command": (("command",), ("team_id",), ("user_id",), ("channel_id",)),
    "block_actions": (("user", "id"), ("actions", 0, "action_id")),
    "view_submission": (("user", "id"), ("view", "id"), ("view", "callback_id"),
                        ("view", "state", "values")),
    "event_callback": (("event", "type"), ("event_id",), ("team_id",)),
    "app_rate_limited": (("team_id",),),
    "url_verification": (("challenge",),),
}
"""What each kind of request wi3 handles cannot be without."""

REQUIRED_ONE_OF: dict[str, tuple[tuple[tuple[str | int, ...], ...], ...]] = {
    "block_actions": ((("team", "id"), ("user", "team_id")),),
    "view_submission": ((("team", "id"), ("user", "team_id")),),
}
"""Where a kind may carry a field in one of several places (a click's workspace: `team`,
or `user.team_id` on an org-wide install), at least one of them."""


def problem_with(body: object) -> str | None:
    """Why `body` cannot be a Slack request for wi3, in a few words; None if it can be."""
    if not isinstance(body, dict):
        return "the body is not an object"
    if not _valid_unicode(body):
        return "it holds text that is not valid Unicode"
    for name, value in body.items():
        if not _fits(value, FIELDS.get(name, object)):
            return f"its {name[:40]!r} has the wrong shape"
    kind = _kind(body)
    if kind not in REQUIRED:
        return f"wi3 handles no request of type {kind!r:.40}"
    for path in REQUIRED[kind]:
        if not _has(body, path):
            return f"it lacks {'.'.join(map(str, path))}"
    for paths in REQUIRED_ONE_OF.get(kind, ()):
        if not any(_has(body, path) for path in paths):
            return f"it lacks {' or '.join('.'.join(map(str, path)) for path in paths)}"
    return None


def _kind(body: dict[str, Any]) -> str | None:
    """Slash commands and Slack's SSL check carry no `type`; everything else does."""
    if "type" not in body and "command" in body:
        return "command"
    if "type" not in body and body.get("ssl_check") == "1":
        return "ssl_check"
    kind = body.get("type")
    return kind if isinstance(kind, str) else None


def _valid_unicode(body: dict[str, Any]) -> bool:
    """JSON may carry lone surrogates ("\\ud800"); no Slack text, and no UTF-8, can."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fits(value: object, shape: Shape) -> bool:
    if shape is object:
        return True
    if shape is None:
        return value is None
    if isinstance(shape, tuple):
        return any(_fits(value, each) for each in shape)
    if isinstance(shape, list):
        return isinstance(value, list) and all(_fits(each, shape[0]) for each in value)
    if isinstance(shape, re.Pattern):
        return isinstance(value, str) and shape.fullmatch(value) is not None
    if isinstance(shape, dict):
        return isinstance(value, dict) and all(
            _fits(inner, shape.get(name, shape.get("*", object)))
            for name, inner in value.items())
    return isinstance(value, shape) and not isinstance(value, bool)


def _has(value: object, path: tuple[str | int, ...]) -> bool:
    for step in path:
        in_list = isinstance(step, int) and isinstance(value, list) and step < len(value)
        in_object = isinstance(step, str) and isinstance(value, dict) and step in value
        if not (in_list or in_object):
            return False
        value = value[step]  # type: ignore[index]
    return True
