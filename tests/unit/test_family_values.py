"""Values as units print them, in the family reader: amounts with their unit in
the cell, a rate as a fraction; a file whose text holds 项目名称 never told it has
no form."""

from __future__ import annotations

from decimal import Decimal

from jixiao.readers.text import read_text
from tests.unit.test_shapes import _sample, pipes

TEXT = pipes(_sample("national-2023-tab.txt"))
TOTAL_ROW = "| 9.00 | 9.00 | 8.98 | 10.00 | 99.77 | 9.97 |"


def _first(text: str):
    return read_text(text, "values.txt")[0]


def test_an_amount_with_the_forms_unit_in_its_cell_is_the_amount():
    form = _first(
        TEXT.replace(TOTAL_ROW, "| 9.00万元 | 9.00万元 | 8.98万元 | 10.00 | 99.77 | 9.97 |", 1)
    )
    assert form.funding.total.annual_budget == Decimal("9.00")
    assert form.funding.total.executed == Decimal("8.98")
    assert not [p for p in form.problems if p.field.startswith("funding")]


def test_an_amount_in_another_unit_is_converted_exactly_and_said():
    form = _first(
        TEXT.replace(TOTAL_ROW, "| 90000元 | 0.0009亿元 | 8.98 | 10.00 | 99.77 | 9.97 |", 1)
    )
    assert form.funding.total.initial_budget == Decimal("9")
    assert form.funding.total.annual_budget == Decimal("9")
    said = {p.field: p.raw for p in form.problems if "换算" in p.message}
    assert said == {"funding.initial_budget": "90000元", "funding.annual_budget": "0.0009亿元"}


def test_a_rate_printed_as_a_fraction_is_read_as_a_percent_where_the_amounts_agree():
    form = _first(TEXT.replace(TOTAL_ROW, "| 9.00 | 9.00 | 8.98 | 10.00 | 0.9977 | 9.97 |", 1))
    assert form.funding.total.execution_rate == Decimal("99.77")
    assert any(p.field == "funding.execution_rate" and "小数" in p.message for p in form.problems)
    kept = _first(TEXT.replace(TOTAL_ROW, "| 9.00 | 9.00 | 8.98 | 10.00 | 0.5 | 9.97 |", 1))
    assert kept.funding.total.execution_rate == Decimal("0.5")  # the amounts say otherwise


def test_a_tab_file_whose_name_label_is_not_its_first_cell_is_still_a_form():
    text = "\n".join(
        "基本信息\t" + line if line.startswith("项目名称") else line
        for line in _sample("national-2023-tab.txt").splitlines()
    )
    forms = read_text(text, "shifted.txt")
    assert forms and forms[0].project.name


def test_the_table_reader_reads_amounts_with_their_unit_too():
    tab = _sample("national-2023-tab.txt")
    row = "\t9.00\t9.00\t8.98\t10.00\t99.77\t9.97"
    assert row in tab
    form = read_text(
        tab.replace(row, "\t9.00万元\t90000元\t8.98万元\t10.00\t99.77\t9.97", 1), "tab.txt"
    )[0]
    assert form.funding.total.initial_budget == Decimal("9.00")
    assert form.funding.total.annual_budget == Decimal("9")
    assert form.funding.total.executed == Decimal("8.98")
    assert [p.field for p in form.problems if "换算" in p.message] == ["funding.annual_budget"]


def _part_line(text: str, new: str):
    from tests.unit.test_shapes import pipes_padded

    padded = pipes_padded(_sample("national-2023-tab.txt"))
    line = next(x for x in padded.splitlines() if "当年财政拨款" in x)
    return read_text(padded.replace(line, new, 1), "padded.txt")[0]


def test_a_funding_row_that_lost_its_empty_cells_is_placed_by_its_arithmetic():
    form = _part_line(TEXT, "其中：当年财政拨款 | 9.00 | 9.00 | 8.98 | 99.77 | ||||||")
    part = form.funding.current_year_appropriation
    # 99.77 is the rate (8.98 ÷ 9.00), not a 分值 (the total's is 10.00) nor a 得分
    assert (part.initial_budget, part.annual_budget, part.executed, part.execution_rate) == (
        Decimal("9.00"),
        Decimal("9.00"),
        Decimal("8.98"),
        Decimal("99.77"),
    )
    assert part.points is None and part.score is None


def test_a_funding_row_whose_figures_fit_several_places_is_left_blank_with_the_raw_text():
    form = _part_line(TEXT, "其中：当年财政拨款 | 9.00 | 8.98 | 99.77 | ||||||")
    part = form.funding.current_year_appropriation
    assert part.initial_budget is None and part.executed is None and part.execution_rate is None
    (problem,) = [
        p for p in form.problems if p.field == "funding.breakdown.current_year_appropriation"
    ]
    assert "分不清" in problem.message and problem.raw == "9.00 8.98 99.77"
