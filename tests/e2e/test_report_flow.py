"""`/wi3 report` end to end: the PDF arrives in the lead's DM (files_upload_v2)."""

from __future__ import annotations

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from model import load_content
from tests.conftest import FakeClock
from tests.conversations.report_helpers import pdf_text, squash
from tests.e2e.helpers import answer_all

ALEX, SAMI, NOOR, _ = MEMBERS
CONTENT = load_content()


def closed_round(driver: SlackDriver, emulator: SlackEmulator) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "language en")
    driver.command(LEAD, TEAM_CHANNEL, "start our wiki")
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 4, checklist=["time"])
    driver.command(LEAD, TEAM_CHANNEL, "close")


def pdfs(emulator: SlackEmulator) -> list[object]:
    return [u for u in emulator.uploads() if u.filename.endswith(".pdf")]


def test_report_delivers_the_pdf_by_dm(
    driver: SlackDriver, emulator: SlackEmulator, clock: FakeClock
) -> None:
    closed_round(driver, emulator)
    assert driver.command(LEAD, TEAM_CHANNEL, "report").status == 200
    [upload] = [u for u in emulator.uploads() if u.filename.endswith(".pdf")]
    assert upload.channel == emulator.dm_channel(LEAD)
    assert upload.filename == f"wi3-{TEAM_CHANNEL}-{clock():%Y%m%d}.pdf"
    assert upload.title == "WI3 report: our wiki"  # the team's language
    text = pdf_text(upload.content)
    assert squash("#team-kennis · our wiki") in text
    for item in CONTENT.questionnaire.items:
        assert squash(item.text.en) in text
    for user in (ALEX, SAMI, NOOR, "alex", "sami", "noor"):
        assert user not in text
    assert "komt per DM naar je toe" in emulator.responses()[-1].body["text"]  # Lotte: Dutch


def test_report_is_refused_to_a_member(driver: SlackDriver, emulator: SlackEmulator) -> None:
    closed_round(driver, emulator)
    driver.command(ALEX, TEAM_CHANNEL, "report")
    assert f"Only this team's leads (<@{LEAD}>)" in emulator.responses()[-1].body["text"]
    assert pdfs(emulator) == []


def test_report_says_clearly_when_there_is_no_closed_round(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.command(LEAD, TEAM_CHANNEL, "rapport")
    answer = emulator.responses()[-1].body["text"]
    assert "heeft nog geen gesloten ronde" in answer and "`/wi3 close`" in answer
    assert pdfs(emulator) == []


def test_status_all_sends_the_admin_a_heat_map_and_a_csv_by_dm(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    closed_round(driver, emulator)
    driver.command(LEAD, TEAM_CHANNEL, "status all")  # Lotte is a workspace admin
    heat_map, table = emulator.uploads()[-2:]
    assert heat_map.channel == table.channel == emulator.dm_channel(LEAD)
    assert heat_map.content.startswith(b"\x89PNG") and heat_map.filename.endswith(".png")
    assert "Teams per element en fase" in heat_map.initial_comment  # Lotte reads Dutch
    assert "Waarde: Strategisch 1" in heat_map.initial_comment  # everyone answered 4
    rows = table.content.decode().splitlines()
    assert len(rows) == 1 + 4 and rows[1].startswith(f"{TEAM_CHANNEL},")
