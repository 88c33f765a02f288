"""File names of a batch, and the CSV's defence against formula injection."""

from __future__ import annotations

import csv
import dataclasses
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import templates
from jixiao.domain.model import Project
from jixiao.writers import Format, file_names, safe_name
from jixiao.writers.cells import defuse
from jixiao.writers.csv import csv_rows, csv_text
from tests.forms import long_form, shanghai_form


def _named(*names):
    base = long_form(1)
    return [dataclasses.replace(base, project=Project(name=n)) for n in names]


def test_file_names_follow_the_project_and_never_collide():
    forms = _named("道路养护", "道路养护", "道路养护", "A/B:项目?", None, "Nul", "  ")
    names = file_names(forms, Format.XLSX)
    assert names == [
        "道路养护.xlsx",
        "道路养护-2.xlsx",
        "道路养护-3.xlsx",
        "A_B_项目.xlsx",
        "未命名项目.xlsx",
        "Nul_.xlsx",
        "未命名项目-2.xlsx",
    ]


def test_file_names_collide_ignoring_case_as_windows_does():
    assert file_names(_named("EMR", "emr"), Format.PDF) == ["EMR.pdf", "emr-2.pdf"]


@settings(max_examples=150)
@given(st.text(max_size=300))
def test_safe_names_are_safe(name):
    stem = safe_name(name)
    assert stem and len(stem) <= 81
    assert not any(c in stem for c in '\\/:*?"<>|\n\r\t\x00')
    assert stem not in (".", "..") and not stem.endswith((" ", "."))
    assert len((stem + "-999.docx").encode("utf-8")) <= 255


def test_defuse_makes_formula_starts_inert():
    assert defuse("=100.00(%)") == "'=100.00(%)"
    assert defuse("+1") == "'+1"
    assert defuse("-") == "'-"
    assert defuse("@SUM(A1)") == "'@SUM(A1)"
    assert defuse("≥90.00(%)") == "≥90.00(%)"
    assert defuse(None) == ""


def test_csv_has_one_row_per_indicator_with_defused_text_and_plain_figures():
    ev = long_form(3)
    first = dataclasses.replace(ev.indicators[0], target="=100.00(%)", deviation='=HYPERLINK("x")')
    ev = dataclasses.replace(ev, indicators=(first, *ev.indicators[1:]))
    rows = list(csv.reader(io.StringIO(csv_text(ev, templates.load(ev.template)))))
    assert rows[0] == [
        "序号",
        "项目名称",
        "主管部门",
        "实施单位",
        "年度",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    assert len(rows) == 1 + 3
    assert rows[1][0] == "1" and rows[1][1] == ev.project.name and rows[1][4] == "2023"
    assert rows[1][8] == "'=100.00(%)" and rows[1][12] == '\'=HYPERLINK("x")'
    assert rows[1][10] == "0.45"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_csv_columns_follow_the_template():
    ev = shanghai_form()
    header = csv_rows(ev, templates.load(ev.template))[0]
    assert header == [
        "序号",
        "项目名称",
        "预算单位",
        "年度",
        "一级指标",
        "指标名称",
        "指标解释",
        "权重",
        "评分规则",
        "自评",
        "备注",
    ]
