from datetime import UTC, datetime

from conversations.refs import ActionIds
from conversations.views.home import HomeRound, HomeTeam, home_view

DEADLINE = datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_home_offers_start_or_resume_per_open_round():
    rounds = [
        HomeRound("R1", "C1", "our wiki", DEADLINE, answered=0, total=22, finished=False),
        HomeRound("R2", "C2", "our chat", DEADLINE, answered=5, total=22, finished=False),
        HomeRound("R3", "C3", "our blog", DEADLINE, answered=22, total=22, finished=True),
    ]
    view = home_view("en", rounds, [HomeTeam("C1", is_lead=True, last_result_line=None)])
    assert view["type"] == "home"
    accessories = [b["accessory"] for b in view["blocks"] if b.get("accessory")]
    assert [(a["action_id"], a["value"], a["text"]["text"]) for a in accessories] == [
        (ActionIds.START, "R1", "Start"), (ActionIds.START, "R2", "Resume")]
    text = str(view["blocks"])
    assert "5 of 22 answered" in text and "✓ finished" in text and "(you lead it)" in text


def test_home_stays_within_slacks_block_limit_for_busy_people():
    rounds = [HomeRound(f"R{n}", f"C{n}", "x" * 500, DEADLINE, 3, 22, False) for n in range(80)]
    teams = [HomeTeam(f"C{n}", is_lead=True, last_result_line="y" * 300) for n in range(80)]
    view = home_view("nl", rounds, teams)
    assert len(view["blocks"]) <= 100
    assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "section")
