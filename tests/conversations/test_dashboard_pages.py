"""The dashboard's page data and HTML, without a server: the organisation's filters,
sorts and pages (no team is ever cut), how figures read, the colours, the escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations.dashboard import render
from conversations.dashboard.blockkit import blocks_html, mrkdwn_html
from conversations.dashboard.colours import TENTH_COLOURS, contrast, ink_for
from conversations.dashboard.organisation import PAGE_SIZE, OrgQuery, TeamLine, organisation_page
from conversations.report.overview import ElementCell, OverviewRow
from conversations.results.outcome import HeadlineSummary
from model import Element, Phase, load_content

CONTENT = load_content()
CLOSED = datetime(2027, 3, 1, 9, tzinfo=UTC)


def line(n: int, position: float | None, *, lead: str = "U0LEAD", subject: str = "our wiki",
         divided: Element | None = None, closed: bool = True) -> TeamLine:
    cells = () if position is None else tuple(
        ElementCell(e, Phase(int(position)), position + 0.01 * k, divided=e == divided)
        for k, e in enumerate(Element))
    overall = None if position is None or divided else Phase(int(position))
    headline = None if position is None else HeadlineSummary(
        Phase(int(position)), Phase(int(position)), position, 0, None,
        (divided,) if divided else (), (), None)
    row = OverviewRow(f"C{n:05d}", subject if closed else "",
                      CLOSED - timedelta(days=n) if closed else None, responses=4 + n % 3,
                      invited=8, min_responses=3, overall=overall, cells=cells,
                      headline=headline)
    return TeamLine(row, (lead,))


def organisation(lines: list[TeamLine], **query: str) -> list[str]:
    page = organisation_page("en", lines, OrgQuery.parse(query), CONTENT)
    return [row.channel_id for row in page.rows]


def test_every_team_is_on_some_page_in_the_overviews_order() -> None:
    lines = [line(n, (n % 40) / 10) for n in range(123)]
    seen = []
    for number in range(1, 4):
        page = organisation_page("en", lines, OrgQuery.parse({"page": str(number)}), CONTENT)
        assert page.pages == 3 and len(page.rows) == (PAGE_SIZE if number < 3 else 23)
        seen += [row.channel_id for row in page.rows]
    assert sorted(seen) == sorted(line.row.channel_id for line in lines)
    by_channel = {each.row.channel_id: each.row for each in lines}
    lowest = [by_channel[channel].lowest for channel in seen]
    assert lowest[:PAGE_SIZE] == sorted(lowest[:PAGE_SIZE])  # furthest behind first
    beyond = organisation_page("en", lines, OrgQuery.parse({"page": "99"}), CONTENT)
    assert beyond.page == 3  # a page past the end shows the last one


def test_filters_by_phase_element_subject_and_lead_and_sorts() -> None:
    lines = [line(1, 1.5), line(2, 2.5, lead="U0OTHER"), line(3, 0.5, subject="Our Intranet"),
             line(4, 2.2, divided=Element.IMPACT), line(5, None), line(6, None, closed=False)]
    assert organisation(lines, phase="2") == ["C00002"]
    assert organisation(lines, phase="2", element="waarde") == ["C00004", "C00002"]
    assert organisation(lines, phase="divided") == ["C00004"]
    assert organisation(lines, phase="divided", element="impact") == ["C00004"]
    assert organisation(lines, phase="withheld") == ["C00005"]
    assert organisation(lines, phase="no_round") == ["C00006"]
    assert organisation(lines, subject="intranet") == ["C00003"]
    assert organisation(lines, lead="u0other") == ["C00002"]
    assert organisation(lines, sort="ahead")[:3] == ["C00002", "C00004", "C00001"]
    assert organisation(lines, sort="team") == [f"C0000{n}" for n in range(1, 7)]
    assert organisation(lines, sort="closed")[0] == "C00001"
    assert organisation(lines, phase="bogus", element="nope", sort="x") == \
        organisation(lines)  # a URL typed by hand shows everything, never fails


def test_the_page_reads_positions_cut_and_escapes_what_people_typed() -> None:
    lines = [line(1, 1.99, subject="<img src=x onerror=alert(1)>")]
    page = organisation_page("en", lines, OrgQuery(), CONTENT)
    html = render.organisation_page(render.Chrome("en", True, "<b>Eve</b>", "t", True), page,
                                    CONTENT)
    assert "<img" not in html and "&lt;img src=x" in html and "<b>Eve" not in html
    assert ">1.9<" in html and "Pioneering" in html  # 1.99 is cut, never rounded up to 2.0
    dutch = render.organisation_page(render.Chrome("nl", True), organisation_page(
        "nl", lines, OrgQuery(), CONTENT), CONTENT)
    assert "Pionierend" in dutch and ">1,9<" in dutch


def test_a_range_a_divided_element_and_a_divided_headline_read_as_in_slack() -> None:
    """Scoring v3 on the organisation page: a divided element keeps its figure and says
    "divided", missing answers show the range both figures and phases, and a headline
    resting on a divided element names no phase."""
    open_cell = ElementCell(Element.WAARDE, Phase.PIONEERING, 1.6, low=1.4, high=2.3)
    row = OverviewRow("C00001", "our wiki", CLOSED, responses=6, invited=8, min_responses=3,
                      overall=None, cells=(
                          open_cell,
                          ElementCell(Element.IMPACT, Phase.FACILITATING, 2.4, divided=True),
                          ElementCell(Element.INNOVATIE, Phase.FACILITATING, 2.5),
                          ElementCell(Element.INVESTERING, Phase.FACILITATING, 2.6)),
                      headline=HeadlineSummary(Phase.PIONEERING, Phase.FACILITATING, 1.4, 0,
                                               None, (Element.IMPACT,), (), Phase.PIONEERING))
    shown = organisation_page("en", [TeamLine(row, ("U0LEAD",))], OrgQuery(), CONTENT).rows[0]
    value, impact = shown.elements[0], shown.elements[1]
    assert (value.state, value.figure, value.label) == (
        "open", "1.4–2.3", "pioneering or facilitating")
    assert (impact.state, impact.figure, impact.label) == ("divided", "2.4", "divided")
    assert shown.overall == "Divided on Impact"
    dutch = organisation_page("nl", [TeamLine(row, ("U0LEAD",))], OrgQuery(), CONTENT).rows[0]
    assert dutch.overall == "Verdeeld over Impact"
    assert dutch.elements[0].label == "pionierend of faciliterend"


def test_slack_text_becomes_safe_html() -> None:
    assert mrkdwn_html("*Bottleneck: x* _y_ `▰▱` &lt;script&gt; <@U1> <#C2|team>") == (
        "<strong>Bottleneck: x</strong> <em>y</em> <code>▰▱</code> &lt;script&gt; @U1 #C2")
    html = blocks_html([{"type": "header", "text": {"type": "plain_text", "text": "<i>"}},
                        {"type": "actions", "elements": []},
                        {"type": "context", "elements": [{"type": "mrkdwn", "text": "a\nb"}]}])
    assert html == '<h2>&lt;i&gt;</h2>\n<p class="slack-context">a<br>\nb</p>'


@pytest.mark.parametrize("tenth", range(40))
def test_cells_have_the_heat_maps_colour_and_legible_ink(tenth: int) -> None:
    from conversations.report.palette import position_colour

    colour = TENTH_COLOURS[tenth]
    assert colour == position_colour(tenth / 10 + 0.05)
    assert contrast(colour, ink_for(colour)) >= 4.5
