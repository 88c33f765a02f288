"""The committed fixtures (tests/fixtures/files, made by make_fixtures.py with
jixiao's xlsx writer and LibreOffice's PDF export) read back to the forms they
were made from: a sample and synthetic forms of both templates, long wrapped
texts, a form over three pages, a 元 form, a workbook with three forms (one
on a sheet, two stacked on another) and its PDF, a docx with merged cells.

Compared as in test_office_roundtrip: the JSON contract without source,
sources and problems; for PDF, text values without whitespace (LibreOffice
drops a space where a line wraps)."""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest

from jixiao.contract.json import evaluation_dict
from jixiao.readers import read_path
from tests.conftest import FIXTURES
from tests.integration.test_office_roundtrip import NOT_COMPARED, without_wrap_spaces

FILES = FIXTURES / "files"
READABLE = sorted(p for p in FILES.iterdir() if p.suffix in (".pdf", ".xlsx", ".docx"))


def expected(path: Path) -> list[dict]:
    return json.loads((FILES / f"{path.stem}.json").read_text(encoding="utf-8"))


def test_the_fixtures_cover_every_format_and_stay_small():
    assert {p.suffix for p in READABLE} == {".pdf", ".xlsx", ".docx"}
    assert len(READABLE) >= 15
    assert sum(p.stat().st_size for p in FILES.iterdir()) < 3 * 1024 * 1024


@pytest.mark.parametrize("path", READABLE, ids=[p.name for p in READABLE])
def test_fixture_reads_back_to_the_form_it_was_made_from(path):
    got = []
    for ev in read_path(path):
        data = evaluation_dict(ev)
        for key in NOT_COMPARED:
            data.pop(key)
        got.append(data)
    want = expected(path)
    if path.suffix == ".pdf":
        got, want = without_wrap_spaces(got), without_wrap_spaces(want)
    assert got == want


def test_the_ugly_ones_are_what_they_claim():
    with pdfplumber.open(FILES / "three-pages.pdf") as pdf:
        assert len(pdf.pages) >= 3
    assert len(expected(FILES / "three-forms.xlsx")) == 3
    assert expected(FILES / "synth-yuan.xlsx")[0]["funding"]["unit"] == "元"
    long = expected(FILES / "long-texts.xlsx")[0]
    assert len(long["goals"]["expected"]) > 300


def test_a_label_printed_below_its_first_row_is_read_for_the_rows_above():
    # three-forms.pdf: form 3's 产出指标 cell starts at the foot of page 2 and
    # LibreOffice prints its text on page 3; the row on page 2 takes it.
    third = read_path(FILES / "three-forms.pdf")[2]
    assert third.sources["indicators[0].name"].page == 2
    assert third.sources["indicators[1].name"].page == 3
    assert third.indicators[0].level1 == "产出指标"
    assert any(p.field == "indicators[0].level1" and "跨页" in p.message for p in third.problems)


def test_each_figure_source_names_the_cell_that_holds_it():
    from decimal import Decimal

    from openpyxl import load_workbook

    path = FILES / "synth-national.xlsx"
    ev = read_path(path)[0]
    sheet = load_workbook(path).active
    checked = 0
    figures = [
        ("funding.initial_budget", ev.funding.total.initial_budget),
        ("funding.annual_budget", ev.funding.total.annual_budget),
        ("funding.executed", ev.funding.total.executed),
        ("total", ev.total),
    ]
    figures += [(f"indicators[{n}].score", ind.score) for n, ind in enumerate(ev.indicators)]
    for key, value in figures:
        source = ev.sources[key]
        assert source.sheet == "绩效自评表" and ":" not in source.cell, key
        assert Decimal(str(sheet[source.cell].value)) == value, key
        checked += 1
    assert sheet[ev.sources["project.name"].cell].value == ev.project.name
    assert checked == 4 + len(ev.indicators)


def test_pdf_and_docx_sources_name_page_or_table_and_cell():
    pdf = read_path(FILES / "three-pages.pdf")[0]
    assert pdf.sources["project.name"].page == 1 and pdf.sources["project.name"].cell == "C3"
    assert pdf.sources[f"indicators[{len(pdf.indicators) - 1}].score"].page == 3
    docx = read_path(FILES / "synth-shanghai.docx")[0]
    assert docx.sources["project.name"].cell == "T1!C1"
    assert docx.sources["indicators[0].score"].cell.startswith("T2!")


def test_figures_typed_as_text_read_the_same_as_numbers(tmp_path):
    """Workbooks filled by hand often hold "15.00" as text, not as a number."""
    from openpyxl import load_workbook

    source = FILES / "synth-yuan.xlsx"  # 元: thousands separators in the number formats
    book = load_workbook(source)
    typed = 0
    for row in book.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                fmt = cell.number_format
                places = len(fmt.split(".")[1].rstrip("_-;)")) if "." in fmt else 0
                cell.value = format(cell.value, f"{',' if '#,##' in fmt else ''}.{places}f")
                cell.data_type = "s"
                typed += 1
    as_text = tmp_path / "as-text.xlsx"
    book.save(as_text)
    assert typed >= 20
    got = evaluation_dict(read_path(as_text)[0])
    for key in NOT_COMPARED:
        got.pop(key)
    assert [got] == expected(source)
