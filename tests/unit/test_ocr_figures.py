"""Figures that came through OCR (IO for 10, O for 0, l for 1, 兀 for 元): read
only where the form's own arithmetic confirms them, else a problem with the raw."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.readers import ocr
from jixiao.readers.text import read_text
from tests.unit.test_shapes import _sample, pipes

TEXT = pipes(_sample("national-2023-tab.txt"))
FUNDING_TAIL = "| 10.00 | 99.77 | 9.97 |"  # 分值, 执行率, 得分 of the first form's 年度资金总额
FIRST_POINTS = "15.00 | 15.00"  # 分值 and 得分 of its first indicator


def _first(text: str):
    return read_text(text, "ocr.txt")[0]


@pytest.mark.parametrize(
    "raw, figure",
    [
        ("IO", "10"),
        ("1O0.0O%", "100.00"),
        ("l5.OO", "15.00"),
        ("O", "0"),
        ("10", None),
        ("达成", None),
    ],
)
def test_a_misread_figure_is_told_from_a_figure_and_from_words(raw, figure):
    assert ocr.repaired(raw) == (Decimal(figure) if figure else None)


def test_a_misread_funding_figure_confirmed_by_the_rate_is_read():
    form = _first(TEXT.replace(FUNDING_TAIL, "| IO.OO | 99.77 | 9.97 |", 1))
    assert form.funding.total.points == Decimal("10.00")  # 99.77% × 10 = 9.97
    (note,) = [p for p in form.problems if p.field == "funding.points"]
    assert "OCR" in note.message and "核对" in note.message and note.raw == "IO.OO"


def test_a_misread_indicator_point_confirmed_by_the_total_is_read():
    at = TEXT.index(FIRST_POINTS)
    form = _first(TEXT[:at] + "l5.OO | 15.00" + TEXT[at + len(FIRST_POINTS) :])
    assert form.indicators[0].points == Decimal("15.00")  # the points add up to 100.00


def test_misreads_the_arithmetic_cannot_confirm_stay_blank_with_their_raw_text():
    form = _first(TEXT.replace(FUNDING_TAIL, "| IO.OO | 99.77 | 9.9I |", 1))
    assert form.funding.total.points is None and form.funding.total.score is None
    raws = {p.raw for p in form.problems if "不能证实" in p.message}
    assert raws == {"IO.OO", "9.9I"}


def test_two_misread_points_in_one_table_are_not_confirmed_by_one_sum():
    at = TEXT.index(FIRST_POINTS)
    text = TEXT[:at] + "l5.OO | 15.00" + TEXT[at + len(FIRST_POINTS) :]
    second = text.index("10.00 | 10.00", at)
    text = text[:second] + "IO.OO | 10.00" + text[second + len("10.00 | 10.00") :]
    form = _first(text)
    assert form.indicators[0].points is None


def test_a_misread_unit_is_read_and_said():
    form = _first(TEXT.replace("项目资金 (万元)", "项目资金 (万兀)", 1))
    assert form.funding.unit is not None and form.funding.unit.value == "万元"
    assert any(p.field == "funding.unit" and "兀" in p.message for p in form.problems)
