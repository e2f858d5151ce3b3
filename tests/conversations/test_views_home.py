from datetime import UTC, datetime

from conversations.refs import ActionIds
from conversations.views.home import HomeRound, HomeTeam, home_view
from model import load_content

DEADLINE = datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_home_offers_start_or_resume_per_open_round() -> None:
    rounds = [
        HomeRound("R1", "C1", "our wiki", DEADLINE, answered=0, total=22, finished=False),
        HomeRound("R2", "C2", "our chat", DEADLINE, answered=5, total=22, finished=False),
        HomeRound("R3", "C3", "our blog", DEADLINE, answered=22, total=22, finished=True),
    ]
    view = home_view("en", rounds, [HomeTeam("C1", is_lead=True, last_result_line=None)],
                     load_content())
    assert view["type"] == "home"
    accessories = [b["accessory"] for b in view["blocks"] if b.get("accessory")]
    assert [(a["action_id"], a["value"], a["text"]["text"]) for a in accessories] == [
        (ActionIds.START, "R1", "Start"), (ActionIds.START, "R2", "Resume")]
    text = str(view["blocks"])
    assert "5 of 22 answered" in text and "✓ finished" in text and "(you lead it)" in text


def test_home_says_what_the_model_is_and_whose_it_is() -> None:
    text = str(home_view("nl", [], [], load_content())["blocks"])
    assert "*Over het model*" in text
    assert "Waarde, Impact, Innovatie, Investering" in text
    assert "de Koning" in text and "Marketingfacts (2009)" in text
    assert "niet wetenschappelijk gevalideerd" in text and "`/wi3 about`" in text


def test_home_stays_within_slacks_block_limit_for_busy_people() -> None:
    rounds = [HomeRound(f"R{n}", f"C{n}", "x" * 500, DEADLINE, 3, 22, False) for n in range(80)]
    teams = [HomeTeam(f"C{n}", is_lead=True, last_result_line="y" * 300) for n in range(80)]
    view = home_view("nl", rounds, teams, load_content())
    assert len(view["blocks"]) <= 100
    assert "*Over het model*" in str(view["blocks"][-2:])
    assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "section")
