"""Signed requests whose bodies Slack would never send: a 4xx or a polite line, never a
5xx and never a traceback. Hypothesis bends real payload shapes (a command, a click, a
modal's submission, the events wi3 listens to) at one or a few places and sends them,
signed, over HTTP."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from conversations.refs import ActionIds, ViewIds
from conversations.views.plan import field_block
from tests.e2e.helpers import alarms, invitation, plan_values

ALEX = MEMBERS[0]
Path = tuple[str | int, ...]

# Any JSON value, lone surrogates (which JSON can carry and UTF-8 cannot) included.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=12) | st.sampled_from(["\ud800", "Ev\udfff1", "", "|", "R|W1|9"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=3),
    max_leaves=6,
)


def paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every place in a JSON value, the value itself first."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths(inner, (*prefix, index))


def bent(value: Any, path: Path, replacement: Any, *, drop: bool) -> Any:
    """`value` with the place at `path` replaced (or removed)."""
    if not path:
        return replacement
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if drop and not rest:
            copy.pop(head, None)
        else:
            copy[head] = bent(value[head], rest, replacement, drop=drop)
        return copy
    copy_list = list(value)
    assert isinstance(head, int)
    copy_list[head] = bent(value[head], rest, replacement, drop=drop)
    return copy_list


def event(driver: SlackDriver, type: str, **fields: Any) -> dict[str, Any]:
    team = driver.workspace.team_id
    return {"token": "t", "team_id": team, "api_app_id": driver.workspace.app_id,
            "event": {"type": type, **fields, "event_ts": "1.000001"},
            "type": "event_callback", "event_id": "Ev0000000001", "event_time": 1,
            "authorizations": [{"enterprise_id": None, "team_id": team,
                                "user_id": driver.workspace.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False}


@pytest.fixture
def shapes(driver: SlackDriver, emulator: SlackEmulator) -> list[tuple[str, Any]]:
    """Real payloads of each kind wi3 handles, in an open round: (encoding, payload):
    a command, clicks in a DM and on the Home tab, the checklist's Done with its choices,
    a "Plan actions" submission, and the events."""
    assert driver.command(LEAD, TEAM_CHANNEL, "setup").status == 200
    assert driver.command(LEAD, TEAM_CHANNEL, "start").status == 200
    message = invitation(emulator, ALEX)
    click = {**driver._interaction_base("block_actions", ALEX),
             **driver._message_context(ALEX, message),
             "actions": [{"action_id": ActionIds.START, "block_id": "b", "type": "button",
                          "value": message.find_button(ActionIds.START)[1]["value"],
                          "action_ts": "1.000001"}]}
    driver.event("app_home_opened", user=ALEX, tab="home")
    home = emulator.home_view(ALEX)
    assert home is not None
    home_click = {**driver._interaction_base("block_actions", ALEX),
                  "container": {"type": "view", "view_id": home.id},
                  "view": driver._home_payload(home),
                  "actions": [{**click["actions"][0], "block_id": "h"}]}
    checklist = {**click, "state": {"values": {"wi3_barriers": {ActionIds.BARRIERS: {
        "type": "multi_static_select", "selected_options": [{"value": "time"}]}}}},
        "actions": [{"action_id": ActionIds.CHECKLIST_DONE, "block_id": "c", "type": "button",
                     "value": "R-1", "action_ts": "1.000002"}]}
    command = {"token": "t", "team_id": driver.workspace.team_id, "channel_id": TEAM_CHANNEL,
               "user_id": LEAD, "command": "/wi3", "text": "status",
               "response_url": emulator.mint_response_url(TEAM_CHANNEL, LEAD),
               "trigger_id": "1.2.3"}
    submission = {k: v for k, v in driver._interaction_base("view_submission", LEAD).items()
                  if k != "state"}
    entered = plan_values({"text": "Share stories", "owner": ALEX, "due": "2026-12-07"})
    kinds = {"text": ("plain_text_input", "value"), "owner": ("users_select", "selected_user"),
             "due": ("datepicker", "selected_date")}
    submission["view"] = {
        "id": "V0000000001", "type": "modal", "team_id": driver.workspace.team_id,
        "callback_id": ViewIds.PLAN,
        "private_metadata": message.find_button(ActionIds.START)[1]["value"],
        "state": {"values": {block: {field: {"type": kinds[field][0], kinds[field][1]: value}}
                             for block, value in entered.items()
                             for field in [block.rsplit("_", 1)[1]]}},
    }
    assert field_block(1, "text") in submission["view"]["state"]["values"]
    assert driver.post(*encoded("payload", submission)).body == ""  # saved: the door let it in
    return [
        ("form", command),
        ("payload", click),
        ("payload", submission),
        ("payload", home_click),
        ("payload", checklist),
        ("json", event(driver, "app_home_opened", user=ALEX, tab="home", channel="D1")),
        ("json", event(driver, "member_joined_channel", user=ALEX, channel=TEAM_CHANNEL,
                       team=driver.workspace.team_id)),
        ("json", {"token": "t", "team_id": driver.workspace.team_id, "minute_rate_limited": 1,
                  "api_app_id": driver.workspace.app_id, "type": "app_rate_limited"}),
        ("json", {"token": "t", "challenge": "abc", "type": "url_verification"}),
    ]


def encoded(encoding: str, payload: Any) -> tuple[str, str]:
    if encoding == "form":
        fields = payload if isinstance(payload, dict) else {"payload": payload}
        form = {str(k): str(v) for k, v in fields.items()}
        return urlencode(form, errors="surrogatepass"), "application/x-www-form-urlencoded"
    if encoding == "payload":
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    return json.dumps(payload), "application/json"


def test_signed_malformed_bodies_never_get_a_5xx_or_a_traceback(
    driver: SlackDriver, shapes: list[tuple[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    @settings(max_examples=250, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def send(data: st.DataObject) -> None:
        encoding, payload = data.draw(st.sampled_from(shapes))
        for _ in range(data.draw(st.integers(1, 3))):
            path = data.draw(st.sampled_from(list(paths(payload))))
            drop = bool(path) and data.draw(st.booleans())
            payload = bent(payload, path, None if drop else data.draw(json_values), drop=drop)
        body, content_type = encoded(encoding, payload)
        seen = len(caplog.records)
        response = driver.post(body, content_type)
        assert response.status < 500, (response.status, body)
        assert alarms(caplog.records[seen:]) == [], body

    with caplog.at_level(logging.INFO):
        send()
