"""Long forms: the header row repeats on every page, and 200 indicators export
to every format with rows that grow to their text (nothing clipped)."""

from __future__ import annotations

import dataclasses
import json
import math

import pdfplumber
import pytest
from docx import Document
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from jixiao import templates
from jixiao.domain.normalize import squash
from jixiao.writers import Format, write_form
from jixiao.writers.layout import display_width
from jixiao.writers.xlsx import LINE_HEIGHT
from tests.forms import long_form, shanghai_form
from tests.integration.exported import contains, find, merged_origin, pdf_text

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LONG = long_form(200, words=4)


@pytest.fixture(scope="module")
def long_exports(tmp_path_factory):
    """The 200-indicator form in every format, written once."""
    folder = tmp_path_factory.mktemp("long")
    template = templates.load(LONG.template)
    paths = {}
    for fmt in Format:
        paths[fmt] = folder / f"long.{fmt.value}"
        write_form(LONG, template, fmt, paths[fmt])
    return paths


def test_pdf_repeats_the_indicator_header_on_every_page(long_exports):
    path = long_exports[Format.PDF]
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
    assert pages >= 3
    for page in range(2, pages + 1):
        text = pdf_text(path, page, page)
        assert contains(
            text, "一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施"
        )
        assert "项目名称" not in text  # the form's header fields print once, on page 1
        assert f"第 {page} 页，共 {pages} 页" in text


def test_pdf_holds_every_indicator_and_nothing_leaves_the_page(long_exports):
    path = long_exports[Format.PDF]
    text = pdf_text(path)
    assert all(contains(text, ind.name) for ind in LONG.indicators)
    notes = [ind.deviation for ind in LONG.indicators if ind.deviation]
    assert squash(text).count(squash(notes[0])) == len(notes)
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            assert all(ch["x0"] >= 0 and ch["x1"] <= page.width for ch in page.chars)
            assert all(ch["top"] >= 0 and ch["bottom"] <= page.height for ch in page.chars)


def test_xlsx_rows_grow_with_their_text(long_exports):
    ws = load_workbook(long_exports[Format.XLSX]).active
    header_row, note_col = find(ws, "偏差原因分析及改进措施")
    note_width = sum(
        ws.column_dimensions[get_column_letter(c)].width
        for c in range(note_col, note_col + 10)
        if merged_origin(ws, header_row, c) == (header_row, note_col)
    )
    heights = {}
    for i, ind in enumerate(LONG.indicators):
        row = header_row + 1 + i
        height = ws.row_dimensions[row].height
        heights[bool(ind.deviation)] = height
        if ind.deviation:
            # a lower bound any renderer needs: the text's width over the cell's, at 12 pt a line
            lines = math.ceil(display_width(ind.deviation) / note_width)
            assert height >= lines * 12
    assert heights[True] > heights[False] >= LINE_HEIGHT


def test_docx_holds_every_row_and_no_row_has_a_fixed_height(long_exports):
    doc = Document(str(long_exports[Format.DOCX]))
    table = doc.tables[-1]
    assert len(table.rows) == 1 + 200 + 2  # header, indicators, 总分, 评分等级
    cells = {cell.text for row in table.rows for cell in row.cells}
    assert all(ind.name in cells for ind in LONG.indicators)
    assert not table._tbl.xpath(".//w:trHeight[@w:hRule='exact']")


def test_json_and_csv_hold_every_indicator(long_exports):
    data = json.loads(long_exports[Format.JSON].read_text("utf-8"))
    assert len(data["indicators"]) == 200
    lines = long_exports[Format.CSV].read_text("utf-8-sig").splitlines()
    assert len(lines) == 201


def test_the_old_shanghai_form_exports_to_every_format(tmp_path):
    ev = shanghai_form()
    template = templates.load(ev.template)
    for fmt in Format:
        path = tmp_path / f"sh.{fmt.value}"
        write_form(ev, template, fmt, path)
        assert path.stat().st_size > 0
    ws = load_workbook(tmp_path / "sh.xlsx").active
    row, _ = find(ws, "当年预算数(元)")
    header_row, _ = find(ws, "评分规则")
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    budget = next(c for r in ws.iter_rows(min_row=row, max_row=row) for c in r if c.value == 490000)
    assert budget.number_format == "#,##0.00"
    text = pdf_text(tmp_path / "sh.pdf")
    for value in (
        "490,000.00",
        "440,517.00",
        "投入与管理",
        "(36分)",
        "2020年6月12日",
        ev.indicators[7].deviation,
    ):
        assert contains(text, value)


def test_control_characters_left_by_pdf_extraction_do_not_break_any_format(tmp_path):
    ev = long_form(2)
    odd = dataclasses.replace(ev.indicators[0], name="运维\x0b服务\x01", deviation="<b>&\x1f")
    ev = dataclasses.replace(ev, indicators=(odd, ev.indicators[1]))
    for fmt in (Format.XLSX, Format.PDF, Format.DOCX):
        write_form(ev, templates.load(ev.template), fmt, tmp_path / f"odd.{fmt.value}")
    assert find(load_workbook(tmp_path / "odd.xlsx").active, "运维服务")
    assert contains(pdf_text(tmp_path / "odd.pdf"), "<b>&")
