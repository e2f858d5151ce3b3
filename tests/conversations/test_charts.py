"""Radar and trend charts: valid PNGs of a sane size, also with missing positions."""

import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import cast

from conversations.charts import radar_chart, radar_title, trend_chart, trend_title
from conversations.trend import trend_points
from model import Element, score_team
from tests.model.conftest import by_phase

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, which always comes first."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return cast(tuple[int, int], struct.unpack(">II", png[16:24]))


def test_radar_is_a_png_of_sane_size() -> None:
    result = score_team([by_phase(4, 4, 2)] * 3)
    png = radar_chart("en", result, title=radar_title("en", "our wiki"))
    width, height = size(png)
    assert 300 <= width <= 2000 and 300 <= height <= 2000
    assert 5_000 < len(png) < 1_000_000


NO_INNOVATION = dict.fromkeys(("N1", "N2", "N3", "N4", "N5"))
NO_INVESTMENT = dict.fromkeys(("V1", "V2", "V3", "V4", "V7", "V5", "V6"))


def test_radar_with_previous_round_and_missing_positions() -> None:
    current = score_team([by_phase(4, 4, 2, **NO_INNOVATION)] * 3)
    previous = score_team([by_phase(3, 3, 1, W2=None, W3=None, W4=None)] * 3)
    assert current.element(Element.INNOVATIE).position is None
    with_previous = radar_chart("nl", current, previous, title="WI3-profiel")
    alone = radar_chart("nl", current, title="WI3-profiel")
    assert size(with_previous) == size(alone)
    assert with_previous != alone  # the dashed previous line is drawn


def test_a_divided_team_keeps_its_points_on_the_radar() -> None:
    split = score_team([by_phase(1, 1, 1)] * 2 + [by_phase(5, 5, 5)] * 2)
    assert all(e.divided and e.position is not None for e in split.elements)
    width, height = size(radar_chart("en", split, title="divided"))
    assert 300 <= width <= 2000 and 300 <= height <= 2000


def test_a_phase_missing_answers_leave_open_is_drawn_as_its_range() -> None:
    settled = score_team([by_phase(4, 4, 2)] * 3)
    short = score_team([by_phase(4, 4, 2)] * 2 + [by_phase(4, 4, 2, W2=None)])
    assert settled.element(Element.WAARDE).position == short.element(Element.WAARDE).position
    assert not short.element(Element.WAARDE).settled
    assert radar_chart("en", short, title="x") != radar_chart("en", settled, title="x")


def test_equal_input_gives_equal_bytes_also_from_parallel_threads() -> None:
    result = score_team([by_phase(5, 4, 3)] * 3)
    with ThreadPoolExecutor(max_workers=2) as pool:
        renders = list(pool.map(lambda _: radar_chart("en", result, title="x"), range(2)))
    assert renders[0] == renders[1] == radar_chart("en", result, title="x")


def test_trend_chart_with_gaps_and_skipped_rounds() -> None:
    low = score_team([by_phase(3, 3, 1, **NO_INVESTMENT)] * 3)
    high = score_team([by_phase(4, 4, 3)] * 3)
    points = trend_points([(datetime(2024, month, 1, tzinfo=UTC), result)
                           for month, result in [(1, low), (2, high), (3, None), (4, high)]])
    assert len(points) == 3 and points[0][1][Element.INVESTERING] is None
    width, height = size(trend_chart("nl", points, title=trend_title("nl", "onze wiki")))
    assert width > height >= 200


def test_trend_chart_without_points_still_renders() -> None:
    assert size(trend_chart("en", [], title="nothing yet"))[0] >= 300


def test_a_subject_with_dollar_signs_is_text_not_a_formula() -> None:
    """A lead may type "budget $x^$ tools"; matplotlib used to read it as math and fail."""
    result = score_team([by_phase(4, 4, 2)] * 3)
    subject = "budget $x^$ tools"
    assert radar_chart("en", result, title=radar_title("en", subject)).startswith(PNG_SIGNATURE)
    points = trend_points([(datetime(2024, 1, 1, tzinfo=UTC), result)])
    assert trend_chart("en", points, title=trend_title("en", subject)).startswith(PNG_SIGNATURE)
