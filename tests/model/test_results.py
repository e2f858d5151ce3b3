"""Result snapshots: JSON-safe, rebuildable, and refusing what is not a snapshot."""

from __future__ import annotations

import json

import pytest

from model import Element, FindingKind, Phase, ProfileResult, TeamResult, score_team
from tests.model.conftest import by_phase


def test_snapshot_is_plain_json_with_readable_values() -> None:
    result = score_team([by_phase(4, 4, 2), by_phase(4, 4, 1), by_phase(4, 4, 2)],
                        barrier_ticks=["roi"])
    data = result.to_dict()
    text = json.dumps(data)  # raises if anything is not JSON-safe
    assert data["kind"] == "team"
    assert data["elements"][0]["element"] == "waarde"
    assert data["elements"][0]["phase"] == 2
    assert data["inhibitors"][0]["theme"] == {"en": "ROI measurement", "nl": "ROI aantonen"}
    rebuilt = TeamResult.from_dict(json.loads(text))
    assert rebuilt == result
    assert rebuilt.element(Element.WAARDE).phase is Phase.FACILITATING
    assert rebuilt.inhibitors[0].kind is FindingKind.INHIBITOR
    assert rebuilt.inhibitors[0].confirmed


@pytest.mark.parametrize("broken", [
    {}, {"kind": "profile", "version": 1}, {"kind": "team", "version": 99},
    {"kind": "team", "version": 1, "elements": "nonsense"},
])
def test_anything_else_is_refused_with_value_error(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TeamResult.from_dict(broken)


def test_a_team_snapshot_is_not_a_profile_snapshot() -> None:
    data = score_team([by_phase(3, 3, 3)]).to_dict()
    with pytest.raises(ValueError, match="profile"):
        ProfileResult.from_dict(data)
