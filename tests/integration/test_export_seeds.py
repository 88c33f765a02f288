"""Every seed form exported to xlsx, PDF and docx, then read back: every value
is in its cell and in the text. The 2023 template: 001–003, 19 forms; the old
Shanghai template: 000 and 004, 4 forms."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from jixiao import templates
from jixiao.domain.model import Evaluation
from jixiao.readers import read_path
from jixiao.writers import Format, write_form
from tests.conftest import seed_path
from tests.integration.exported import (
    contains,
    find,
    form_values,
    merged_origin,
    pdf_fonts,
    pdf_text,
    right_of,
    same,
    shanghai_values,
    value_at,
)

pytestmark = pytest.mark.seeds

SEED_FORMS = (
    [("001", n) for n in range(2)]
    + [("002", n) for n in range(4)]
    + [("003", n) for n in range(13)]
)
IDS = [f"{seed}-{n}" for seed, n in SEED_FORMS]


@cache
def _forms(seed: str) -> tuple[Evaluation, ...]:
    return tuple(read_path(seed_path(seed)))


def _form(seed: str, n: int) -> Evaluation:
    return _forms(seed)[n]


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """Export each form once per session and format; returns a function (seed, n, fmt) → path."""
    folder = tmp_path_factory.mktemp("seed-exports")
    done: dict[tuple[str, int, Format], Path] = {}

    def get(seed: str, n: int, fmt: Format) -> Path:
        key = (seed, n, fmt)
        if key not in done:
            ev = _form(seed, n)
            path = folder / f"{seed}-{n}.{fmt.value}"
            write_form(ev, templates.load(ev.template), fmt, path)
            done[key] = path
        return done[key]

    return get


def test_the_seed_files_hold_the_expected_forms():
    assert sum(len(_forms(s)) for s in ("001", "002", "003")) == len(SEED_FORMS) == 19


# --- xlsx ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n"), SEED_FORMS, ids=IDS)
def test_xlsx_holds_every_value_in_its_cell(exported, seed, n):
    ev = _form(seed, n)
    ws = load_workbook(exported(seed, n, Format.XLSX)).active
    assert right_of(ws, "项目名称") == ev.project.name
    assert right_of(ws, "主管部门") == ev.project.department
    assert right_of(ws, "实施单位") == ev.project.unit
    assert right_of(ws, "评分等级") == ev.grade

    figures = {
        key: find(ws, label)[1]
        for key, label in (
            ("initial_budget", "年初预算数"),
            ("annual_budget", "全年预算数"),
            ("executed", "全年执行数"),
            ("points", "分数"),
            ("execution_rate", "执行率(%)"),
            ("score", "得分"),
        )
    }
    lines = {
        "total": "年度资金总额",
        "current_year_appropriation": "其中：当年财政拨款",
        "prior_year_carryover": "上年结转资金",
        "other_funds": "其他资金",
    }
    for key, label in lines.items():
        line = ev.funding.total if key == "total" else getattr(ev.funding, key)
        row = find(ws, label)[0]
        for field, col in figures.items():
            got = value_at(ws, row, col)
            if key != "total" and field in ("points", "score"):
                assert got == "-"
            else:
                assert same(got, getattr(line, field)), (label, field, got)

    for label, text in (("预期目标", ev.goals.expected), ("实际完成情况", ev.goals.actual)):
        row, col = find(ws, label)
        assert value_at(ws, row + 1, col) == text

    header_row, _ = find(ws, "三级指标")
    cols = {
        label: find(ws, label)[1]
        for label in (
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "偏差原因分析及改进措施",
        )
    }
    points_col = next(c.column for c in ws[header_row] if c.value == "分值")
    score_col = next(c.column for c in ws[header_row] if c.value == "得分")
    for i, ind in enumerate(ev.indicators):
        row = header_row + 1 + i
        assert value_at(ws, row, cols["一级指标"]) == ind.level1
        if ind.level2 != ind.level1:
            assert value_at(ws, row, cols["二级指标"]) == ind.level2
        assert value_at(ws, row, cols["三级指标"]) == ind.name
        assert value_at(ws, row, cols["年度指标值"]) == ind.target
        assert value_at(ws, row, cols["实际完成值"]) == ind.actual
        assert same(value_at(ws, row, points_col), ind.points)
        assert same(value_at(ws, row, score_col), ind.score)
        assert same(value_at(ws, row, cols["偏差原因分析及改进措施"]), ind.deviation)
    total_row = find(ws, "总分")[0]
    assert same(value_at(ws, total_row, points_col), ev.total_points)
    assert same(value_at(ws, total_row, score_col), ev.total)


@pytest.mark.parametrize(("seed", "n"), SEED_FORMS, ids=IDS)
def test_xlsx_merges_each_run_of_level_labels(exported, seed, n):
    ev = _form(seed, n)
    ws = load_workbook(exported(seed, n, Format.XLSX)).active
    header_row, level1_col = find(ws, "一级指标")
    start = 0
    while start < len(ev.indicators):
        end = start
        while end < len(ev.indicators) and ev.indicators[end].level1 == ev.indicators[start].level1:
            end += 1
        top = header_row + 1 + start
        for row in range(top, header_row + 1 + end):
            assert merged_origin(ws, row, level1_col) == (top, level1_col)  # one cell per run
        assert merged_origin(ws, header_row + 1 + end, level1_col) != (top, level1_col)
        start = end


@pytest.mark.parametrize(("seed", "n"), SEED_FORMS, ids=IDS)
def test_xlsx_stores_values_not_formulas_and_prints_on_a4(exported, seed, n):
    ws = load_workbook(exported(seed, n, Format.XLSX)).active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    header_row, _ = find(ws, "三级指标")
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_a_target_that_starts_with_an_equals_sign_stays_text(exported):
    for seed, n in SEED_FORMS:
        ev = _form(seed, n)
        targets = [i.target for i in ev.indicators if i.target and i.target.startswith("=")]
        if targets:
            ws = load_workbook(exported(seed, n, Format.XLSX)).active
            row, col = find(ws, targets[0])
            assert ws.cell(row, col).data_type == "s"
            return
    pytest.fail("no seed form has an '=' target")


# --- PDF ----------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n"), SEED_FORMS, ids=IDS)
def test_pdf_embeds_the_shipped_cjk_fonts(exported, seed, n):
    fonts = pdf_fonts(exported(seed, n, Format.PDF))
    assert fonts and all(embedded for _, embedded in fonts)
    names = {name.split("+")[-1] for name, _ in fonts}  # ABCDEF+name: a subset
    assert names == {"jixiao-Serif-SC", "jixiao-Sans-SC-Bold"}


@pytest.mark.parametrize(("seed", "n"), SEED_FORMS, ids=IDS)
def test_pdf_text_holds_every_value_and_no_radicals(exported, seed, n):
    text = pdf_text(exported(seed, n, Format.PDF))
    missing = [v for v in form_values(_form(seed, n)) if not contains(text, v)]
    assert not missing
    assert not [c for c in text if "\u2e80" <= c <= "\u2fdf"]


# --- docx ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n"), SEED_FORMS, ids=IDS)
def test_docx_tables_hold_every_value(exported, seed, n):
    doc = Document(str(exported(seed, n, Format.DOCX)))
    cells = {cell.text for table in doc.tables for row in table.rows for cell in row.cells}
    missing = [v for v in form_values(_form(seed, n)) if v not in cells]
    assert not missing
    header = doc.tables[-1].rows[0]
    assert (
        header._tr.trPr is not None
        and header._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
        )
        is not None
    )


# --- the old Shanghai template (seeds 000: 3 forms, 004: 1 form) ---------------------

OLD_FORMS = [("000", n) for n in range(3)] + [("004", 0)]
OLD_IDS = [f"{seed}-{n}" for seed, n in OLD_FORMS]


@pytest.mark.parametrize(("seed", "n"), OLD_FORMS, ids=OLD_IDS)
def test_old_shanghai_forms_export_every_value(exported, seed, n):
    ev = _form(seed, n)
    assert ev.template == "shanghai-2019"
    ws = load_workbook(exported(seed, n, Format.XLSX)).active
    assert right_of(ws, "项目名称") == ev.project.name
    assert right_of(ws, "预算单位") == ev.project.unit
    assert right_of(ws, "是否为经常性项目") == ("是" if ev.project.recurring else "否")
    assert same(right_of(ws, "当年预算数(元)"), ev.funding.total.annual_budget)
    assert same(right_of(ws, "上年预算金额(元)"), ev.funding.prior_year_budget)
    assert same(right_of(ws, "预算执行率(%)"), ev.funding.total.execution_rate)
    assert (
        right_of(ws, "自评时间")
        == f"{ev.evaluated_on.year}年{ev.evaluated_on.month}月{ev.evaluated_on.day}日"
    )
    assert right_of(ws, "绩效等级") == ev.grade
    header_row, name_col = find(ws, "指标名称")
    weight_col, score_col = find(ws, "权重")[1], find(ws, "自评")[1]
    for i, ind in enumerate(ev.indicators):
        row = header_row + 1 + i
        assert value_at(ws, row, name_col) == ind.name
        assert same(value_at(ws, row, weight_col), ind.points) and same(
            value_at(ws, row, score_col), ind.score
        )
    values = shanghai_values(ev)
    text = pdf_text(exported(seed, n, Format.PDF))
    assert not [v for v in values if not contains(text, v)]
    doc = Document(str(exported(seed, n, Format.DOCX)))
    cells = {cell.text for table in doc.tables for row in table.rows for cell in row.cells}
    # a group label prints with its points under it: "投入与管理\n(36分)"
    assert not [
        v for v in values if v not in cells and not any(c.startswith(v + "\n") for c in cells)
    ]
