"""The report PDF, read back with pypdf: what a consultant sees on each page."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import cast

import pytest

from conversations.i18n import t
from conversations.report.document import Commitment, Report
from conversations.report.pdf import report_pdf
from conversations.views.results import TIPS_SHOWN
from model import Element, Lang, Phase, TipLevel, chosen_tips, load_content, score_team
from tests.conversations.report_helpers import after, outcome, pdf_pages, pdf_text, squash
from tests.model.conftest import by_phase

CONTENT = load_content()
ITEMS = {item.id: item for item in CONTENT.questionnaire.items}
MADE = datetime(2026, 3, 21, 9, tzinfo=UTC)

# Five people: W1 splits them (1, 1, 4, 5, 5: a score of 3.2, polarised), only two answer
# W2 (not enough answers), everyone strongly agrees with I4. Three tick barriers, two say
# why the team started (too few: that tally is not shown).
PEOPLE = [
    by_phase(4, 4, 2, W1=1, W2=4, I4=5),
    by_phase(4, 4, 2, W1=1, W2=4, I4=5),
    by_phase(4, 4, 2, W1=4, W2=None, I4=5),
    by_phase(4, 4, 2, W1=5, W2=None, I4=5),
    by_phase(4, 4, 2, W1=5, W2=None, I4=5),
]
RESULT = score_team(PEOPLE, barriers=[["time", "budget"], ["time"], ["roi"]],
                    start_reasons=[["distance"], ["tooling"]])


def report(lang: Lang = "en", **changes: object) -> Report:
    base = Report(lang=lang, team="#team-demo", outcome=outcome(RESULT), made_at=MADE)
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=["en", "nl"])
def lang(request: pytest.FixtureRequest) -> Lang:
    return cast(Lang, str(request.param))


@pytest.fixture(scope="module")
def pages(lang: Lang) -> list[str]:
    return pdf_pages(report_pdf(report(lang), CONTENT))


def test_the_first_page_is_the_model_with_its_authors_and_the_caveat(
    lang: Lang, pages: list[str]
) -> None:
    about = CONTENT.about
    first = pages[0]
    assert squash(about.source.get(lang)) in first  # de Koning, van Doremaele, van der Sleen
    assert squash(about.operationalisation.get(lang)) in first
    for element in Element:
        assert squash(CONTENT.elements[element].description.get(lang)) in first
    assert squash(t(lang, "report.subtitle", team="#team-demo", subject="our wiki")) in first


def test_the_model_page_credits_the_authors_with_three_phases_not_getting_started(
    lang: Lang, pages: list[str]
) -> None:
    first = pages[0]
    theirs = after(first, t(lang, "report.model.phases"), t(lang, "report.model.phases_ours"))
    ours = after(first, t(lang, "report.model.phases_ours"), t(lang, "report.model.source"))
    getting_started = CONTENT.phases[Phase.NOT_STARTED]
    assert squash(getting_started.name.get(lang)) not in theirs
    assert squash(f"0. {getting_started.name.get(lang)}") in ours
    for phase in (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC):
        assert squash(f"{int(phase)}. {CONTENT.phases[phase].name.get(lang)}") in theirs


def test_every_statement_appears_with_its_team_score(lang: Lang, pages: list[str]) -> None:
    text = "".join(pages)
    for item in CONTENT.questionnaire.items:
        assert squash(item.text.get(lang)) in text, item.id
    everyone_agrees = after(text, ITEMS["I4"].text.get(lang), ITEMS["I5"].text.get(lang))
    score = "5.0" if lang == "en" else "5,0"
    assert everyone_agrees.startswith(score + "5")  # the score, then one segment of five


def test_a_split_statement_shows_its_distribution_and_the_mark(
    lang: Lang, pages: list[str]
) -> None:
    text = "".join(pages)
    row = after(text, ITEMS["W1"].text.get(lang), ITEMS["W2"].text.get(lang))
    score = "3.2" if lang == "en" else "3,2"
    assert row.startswith(score + "212")  # answers 1 (twice), 4 (once), 5 (twice)
    assert squash(t(lang, "report.statements.polarised")) in row


def test_a_statement_too_few_answered_shows_no_figure_at_all(
    lang: Lang, pages: list[str]
) -> None:
    text = "".join(pages)
    row = after(text, ITEMS["W2"].text.get(lang), ITEMS["W3"].text.get(lang))
    assert row.startswith(squash(t(lang, "report.statements.not_enough")))
    assert not re.search(r"[0-9]", row.replace("P2", "").replace("F2", "")), row


def test_findings_tallies_and_the_hidden_checklist(lang: Lang, pages: list[str]) -> None:
    text = "".join(pages)
    barriers = {o.id: o.label.get(lang) for o in CONTENT.questionnaire.barriers}
    tally = after(text, t(lang, "report.findings.barriers", people=3),
                  t(lang, "report.tips.title"))
    assert tally.startswith(squash(f"{barriers['time']} 2"))  # most ticked first
    hidden = t(lang, "report.findings.hidden",
               question=CONTENT.questionnaire.start_question.get(lang), minimum=3)
    assert squash(hidden) in text
    for reason in CONTENT.questionnaire.start_reasons:
        assert squash(reason.label.get(lang)) not in text
    for finding in RESULT.inhibitors:
        assert squash(finding.theme.get(lang)) in text


def test_the_chosen_tips_come_with_their_sources(lang: Lang, pages: list[str]) -> None:
    text = "".join(pages)
    shown = 0
    for element_result in RESULT.elements:
        if element_result.phase is None:
            continue
        for level in TipLevel:
            for tip in chosen_tips(element_result.element, element_result.phase,
                                   RESULT.inhibitors, level)[:TIPS_SHOWN[level]]:
                tip_text = squash(tip.text.get(lang))
                assert tip_text in text
                source = squash(t(lang, "report.tips.source", source=tip.source.get(lang)))
                assert source in text[text.index(tip_text):], tip.source
                shown += 1
    assert shown >= len(Element)


def test_a_dutch_report_gives_every_source_in_dutch() -> None:
    """Each "Bron:" line is the Dutch source; no English one and no internal note. The
    team lags on skills (V7), so the show-and-tell tip is among them: its source credits
    the article with "kwaliteit", which is all the article says."""
    text = pdf_text(report_pdf(report("nl", outcome=outcome(score_team(
        [by_phase(4, 4, 2, V7=1, V3=3)] * 3))), CONTENT))
    lines = text.split(squash("Bron:"))[1:]
    assert len(lines) >= len(Element) and squash("Source:") not in text
    dutch = [squash(tip.source.nl) for tip in CONTENT.tips]
    for line in lines:
        assert any(line.startswith(source) for source in dutch), line[:80]
    for tip in CONTENT.tips:
        if tip.source.en != tip.source.nl:
            assert squash(tip.source.en) not in text
    assert "contentreview" not in text.lower()
    show_and_tell = squash("Organiseer een korte demosessie")
    assert show_and_tell in text
    source = text[text.index(show_and_tell):].split(squash("Bron:"))[1]
    assert source.startswith(squash("Eigen advies; WI3-reeks deel 1 rekent kwaliteit"))


PROMISED = Commitment("Move project updates into the channel", owner="Alex",
                      due=date(2026, 4, 1), follow_up=("Two of four projects moved",))
EARLIER = datetime(2025, 11, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def full(lang: Lang) -> str:
    """A report with everything optional: a previous round, nine initiatives (one of
    them withheld; one more than are shown) and a commitment."""
    this = replace(outcome(RESULT), previous=score_team([by_phase(4, 3, 2)] * 3),
                   previous_closed_at=EARLIER)
    wiki = outcome(score_team([by_phase(3, 2, 1)] * 3), subject="the new wiki",
                   round_id="R2")
    withheld = outcome(None, subject="the intranet", round_id="R3")
    tools = tuple(replace(wiki, subject=f"tool {n}") for n in range(6))
    return pdf_text(report_pdf(report(lang, outcome=this, commitments=(PROMISED,),
                                      initiatives=(this, wiki, withheld, *tools)), CONTENT))


def test_commitments_are_left_out_until_there_are_some(
    lang: Lang, pages: list[str], full: str
) -> None:
    assert squash(t(lang, "report.commitments.title")) not in "".join(pages)
    section = full[full.index(squash(t(lang, "report.commitments.title"))):]
    assert squash("Move project updates into the channel") in section
    assert "Alex" in section and "2026" in section
    assert squash(t(lang, "report.commitments.follow_up",
                    text="Two of four projects moved")) in section


def test_initiatives_side_by_side_each_in_its_own_column(
    lang: Lang, pages: list[str], full: str
) -> None:
    table = full[full.index(squash(t(lang, "report.initiatives.title"))):]
    for subject in ("our wiki", "the new wiki", "the intranet", "tool 4"):
        assert squash(subject) in table
    assert squash("tool 5") not in table  # the ninth: counted, not drawn
    assert squash(t(lang, "report.initiatives.more", count=1)) in table
    assert squash(t(lang, "report.initiatives.withheld")) in table
    assert squash(t(lang, "report.initiatives.title")) not in "".join(pages)


def test_the_previous_round_about_the_subject_is_named_beside_the_profile(
    lang: Lang, pages: list[str], full: str
) -> None:
    date_text = EARLIER.strftime(t(lang, "results.chart.date_format"))
    assert squash(t(lang, "report.profile.previous", date=date_text)) in full
    assert squash(t(lang, "report.profile.no_previous")) in "".join(pages)


def test_equal_reports_give_equal_bytes_and_a_typed_subject_is_text() -> None:
    odd = report(outcome=outcome(RESULT, subject="budget $x^$ tools"))
    first = report_pdf(odd, CONTENT)
    assert first == report_pdf(odd, CONTENT)
    assert squash("budget $x^$ tools") in pdf_text(first)


def test_a_report_needs_a_round_with_a_result() -> None:
    with pytest.raises(ValueError, match="result"):
        report(outcome=outcome(None))
