"""`/wi3 status` for a lead and the all-teams overview for an admin: counts, never names."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conversations.refs import ActionIds
from conversations.results.outcome import ResultSummary, RoundOutcome, Withheld
from conversations.views.common import Message
from conversations.views.status import (
    REPOST_RESULTS,
    OpenRoundStatus,
    TeamRow,
    status_all,
    status_message,
)
from model import TeamResult, load_content, score_team
from tests.model.conftest import by_phase, per_element

NOW = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
CONTENT = load_content()


def closed(result: TeamResult | None, *, responses: int = 6, invited: int = 8,
           previous: TeamResult | None = None, channel: str = "C1", round_id: str = "R7",
           withheld: Withheld | None = None) -> RoundOutcome:
    return RoundOutcome(
        round_id=round_id, kind="diagnostic", subject="our wiki", channel_id=channel,
        closed_at=datetime(2024, 4, 1, 12, 0, tzinfo=UTC), invited=invited, responses=responses,
        min_responses=3, result=result, previous=previous,
        withheld=withheld or (Withheld.MINIMUM if result is None else None),
    )


def open_round(closes_in: timedelta, *, invited: int = 8, started: int = 5, finished: int = 3,
               minimum: int = 3) -> OpenRoundStatus:
    return OpenRoundStatus(subject="our wiki", invited=invited, started=started,
                           finished=finished, min_responses=minimum,
                           closes_at=NOW + closes_in, now=NOW)


def texts(message: Message) -> str:
    found = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(e["text"] if isinstance(e["text"], str) else e["text"]["text"]
                     for e in block.get("elements", []))
    return "\n".join(found)


def buttons(message: Message) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize(
    ("closes_in", "expected"),
    [
        (timedelta(days=2, hours=3), "Closes in 3 days"),
        (timedelta(days=2), "Closes in 2 days"),
        (timedelta(hours=20), "Closes within a day"),
        (timedelta(minutes=-5), "Its closing time has passed"),
    ],
)
def test_open_round_shows_counts_and_days_left(closes_in: timedelta, expected: str) -> None:
    text = texts(status_message("en", channel_id="C1", open_round=open_round(closes_in),
                                last=None))
    assert "*Open round* about _our wiki_: 3 of 8 finished, 5 started." in text
    assert expected in text
    assert "No closed rounds yet." in text
    assert "more* must finish" not in text  # three finished: enough
    assert buttons(status_message("en", channel_id="C1", open_round=None, last=None)) == []


@pytest.mark.parametrize(("finished", "minimum", "more"), [(0, 3, 3), (2, 3, 1), (3, 5, 2)])
def test_below_the_minimum_status_says_how_many_more_must_finish(
    finished: int, minimum: int, more: int,
) -> None:
    status = open_round(timedelta(days=2), finished=finished, minimum=minimum)
    text = texts(status_message("en", channel_id="C1", open_round=status, last=None))
    assert (f"Results need at least {minimum} people: *{more} more* must finish before "
            "anything can be shown.") in text
    dutch = texts(status_message("nl", channel_id="C1", open_round=status, last=None))
    assert f"er moeten er nog *{more}* klaar zijn" in dutch


def test_last_result_in_short_with_trend_and_a_repost_button() -> None:
    previous = score_team([per_element(waarde=(4, 3, 2), impact=(4, 4, 2), innovatie=(4, 4, 4),
                                       investering=(4, 4, 2))] * 3)
    current = score_team([by_phase(4, 4, 2)] * 6)
    message = status_message("en", channel_id="C1", open_round=None,
                             last=closed(current, previous=previous))
    text = texts(message)
    assert "No round is open." in text
    assert ("*Last result* about _our wiki_ (<!date^1711972800^{date_short_pretty} {time}|"
            "2024-04-01 12:00 UTC>, 6 of 8 answered): overall *facilitating*, 0 of 4 elements "
            "further") in text
    assert ("Value: facilitating ↑ · Impact: facilitating → no clear change · "
            "Innovation: facilitating ↓ · Investment: facilitating → no clear change") in text
    assert buttons(message) == [{
        "type": "button", "action_id": "wi3_repost_results", "value": "R7",
        "text": {"type": "plain_text", "text": "Post full results to the channel",
                 "emoji": True},
    }]
    assert REPOST_RESULTS == ActionIds.REPOST_RESULTS


@pytest.mark.parametrize("reason", list(Withheld))
def test_a_withheld_last_round_shows_counts_only_and_no_button(reason: Withheld) -> None:
    message = status_message("nl", channel_id="C1", open_round=None,
                             last=closed(None, responses=2, withheld=reason))
    text = texts(message)
    assert "*Laatste ronde* over _our wiki_" in text
    assert ("2 van 8 geantwoord, maar geen enkele stelling door minstens 3 mensen" in text) == (
        reason == Withheld.MINIMUM)
    for phase in CONTENT.phases.values():
        assert phase.name.nl.lower() not in text.lower()
    assert buttons(message) == []


def test_elements_read_their_range_na_or_divided() -> None:
    short = score_team([by_phase(4, 4, 2, W2=None, W3=None, W4=None)] * 3)
    text = texts(status_message("en", channel_id="C1", open_round=None, last=closed(short)))
    assert "overall *pioneering or facilitating*, 3 of 4 elements further" in text
    assert "Value: pioneering or facilitating · Impact: facilitating" in text
    nothing = score_team([by_phase(4, 4, 2, W1=None, W2=None, W3=None, W4=None, W5=None)] * 3)
    text = texts(status_message("en", channel_id="C1", open_round=None, last=closed(nothing)))
    assert "Value: n/a · Impact: facilitating" in text
    split = score_team([by_phase(1, 1, 1)] * 2 + [by_phase(5, 5, 5)] * 2)
    text = texts(status_message("en", channel_id="C1", open_round=None, last=closed(split)))
    assert "*divided on Value, Impact, Innovation and Investment*" in text
    assert "Value: divided · Impact: divided" in text


def test_overview_lists_teams_above_threshold_and_na_for_the_rest() -> None:
    result = score_team([per_element(waarde=(4, 4, 4), impact=(4, 2, 1), innovatie=(4, 4, 2),
                                     investering=(1, 1, 1))] * 4)
    rows = [
        TeamRow("C1", ResultSummary.of_outcome(closed(result, channel="C1"))),
        TeamRow("C2", ResultSummary.of_outcome(closed(None, responses=2, channel="C2"))),
        TeamRow("C3", None),
    ]
    message = status_all("en", rows)
    text = texts(message)
    assert ("<#C1> · _our wiki_ · overall *getting started* · <!date^" in text)
    assert ("Value: strategic · Impact: pioneering · Innovation: facilitating · "
            "Investment: getting started") in text
    assert "<#C2> · _our wiki_ · n/a (2 of 8 answered, 3 needed per statement)" in text
    assert "<#C3> · no results yet" in text
    na_line = next(line for line in text.splitlines() if line.startswith("<#C2>"))
    assert not any(p.name.en.lower() in na_line.lower() for p in CONTENT.phases.values())


def test_overview_of_many_teams_is_cut_within_block_limits() -> None:
    result = score_team([by_phase(4, 4, 2)] * 3)
    rows = [TeamRow(f"C{n:05d}", ResultSummary.of_outcome(closed(result, channel=f"C{n:05d}")))
            for n in range(100)]
    message = status_all("nl", rows, more=400)
    assert len(message["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")
    text = texts(message)
    shown = len(re.findall(r"^<#C\d{5}>", text, flags=re.MULTILINE))
    more = re.search(r"…en nog (\d+) teams", text)
    assert more is not None
    hidden = int(more.group(1))
    assert shown + hidden == 500
    assert shown == 100


def test_overview_without_teams_says_how_to_start() -> None:
    assert "`/wi3 setup`" in texts(status_all("en", []))
