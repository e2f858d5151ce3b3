"""Result snapshots: JSON-safe, rebuildable, and refusing what is not a snapshot."""

from __future__ import annotations

import json

import pytest

from model import (
    Element,
    FindingKind,
    ItemScore,
    Phase,
    ProfileResult,
    TeamResult,
    score_team,
)
from tests.model.conftest import by_phase


def test_snapshot_is_plain_json_with_readable_values() -> None:
    result = score_team([by_phase(4, 3, 2), by_phase(4, 3, 1), by_phase(4, 3, 2)],
                        barriers=[["roi"]] * 3, start_reasons=[["distance"]] * 3)
    data = result.to_dict()
    text = json.dumps(data)  # raises if anything is not JSON-safe
    assert (data["kind"], data["version"], data["minimum"]) == ("team", 3, 3)
    assert data["elements"][0]["element"] == "waarde"
    assert data["elements"][0]["phase"] == 1
    assert (data["elements"][0]["low"], data["elements"][0]["high"]) == (1.8, 1.8)
    assert data["elements"][0]["spread"] == 0.0 and data["overall_high"] == 1
    assert data["items"][1] == {"item_id": "W2", "counts": [0, 0, 3, 0, 0], "dont_know": 0,
                                "score": 3.0, "polarised": False}
    assert data["inhibitors"][0]["theme"]["en"] == "We can name concrete benefits"
    assert data["barriers"]["contributors"] == 3
    rebuilt = TeamResult.from_dict(json.loads(text))
    assert rebuilt == result
    assert rebuilt.element(Element.WAARDE).phase is Phase.PIONEERING
    assert rebuilt.inhibitors[0].kind is FindingKind.INHIBITOR
    assert rebuilt.inhibitors[0].confirmed


def test_a_statement_below_the_minimum_is_stored_without_any_figure() -> None:
    data = score_team([by_phase(4, 3, 2, W1=None)] * 2 + [by_phase(4, 3, 2)]).to_dict()
    assert data["items"][0] == {"item_id": "W1", "counts": None, "dont_know": None,
                                "score": None, "polarised": False}


@pytest.mark.parametrize("broken", [
    {}, {"kind": "profile", "version": 3}, {"kind": "team", "version": 99},
    {"kind": "team", "version": 1, "elements": [], "item_medians": {}},
    {"kind": "team", "version": 2, "elements": []},
    {"kind": "team", "version": 3, "elements": "nonsense"},
    {"kind": "team", "version": "3"},
])
def test_anything_else_is_refused_with_value_error(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TeamResult.from_dict(broken)


def test_a_team_snapshot_is_not_a_profile_snapshot() -> None:
    data = score_team([by_phase(3, 3, 3)] * 3).to_dict()
    with pytest.raises(ValueError, match="profile"):
        ProfileResult.from_dict(data)


@pytest.mark.parametrize("half_hidden", [
    {"counts": None, "dont_know": 0, "score": None},
    {"counts": (0, 0, 3, 0, 0), "dont_know": 0, "score": None},
    {"counts": (0, 0, 0, 0, 0), "dont_know": 0, "score": 3.0},
])
def test_an_item_score_is_all_there_or_not_at_all(half_hidden: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ItemScore("W1", **half_hidden)  # type: ignore[arg-type]
