"""The layout grid: every template draws a complete, non-overlapping table from its data."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from jixiao import templates
from jixiao.domain.model import FundingLine
from jixiao.readers import read_path
from jixiao.samples import paths as sample_paths
from jixiao.testing import synth
from jixiao.writers.layout import (
    Grid,
    LayoutError,
    Style,
    display_width,
    layout,
    lines_needed,
)
from tests.forms import NARRATIVE, long_form, shanghai_form


def _sample_forms():
    return [ev for path in sample_paths() for ev in read_path(path)]


def _sample(name_part: str):
    return next(ev for ev in _sample_forms() if name_part in ev.project.name)


def _grid(ev) -> Grid:
    return layout(ev, templates.load(ev.template))


def _cell_at(grid: Grid, row: int, col: int):
    return next(
        c for c in grid.cells if c.row <= row < c.row + c.rows and c.col <= col < c.col + c.cols
    )


def _text_at(grid: Grid, label: str, offset: int = 1) -> str:
    """The text of the cell ``offset`` cells right of the cell reading ``label``."""
    cell = next(c for c in grid.cells if c.text == label)
    col = cell.col + cell.cols
    for _ in range(offset - 1):
        col += _cell_at(grid, cell.row, col).cols
    return _cell_at(grid, cell.row, col).text


_SYNTHETIC = [
    ev
    for t in ("national-2020", "shanghai-2019")
    for ev in synth.forms(40, templates.load(t), seed=5)
]


@pytest.mark.parametrize(
    "ev",
    [*_sample_forms(), shanghai_form(), long_form(40), *_SYNTHETIC],
    ids=lambda ev: ev.project.name,
)
def test_every_grid_position_is_covered_exactly_once(ev):
    grid = _grid(ev)
    seen = {}
    for cell in grid.cells:
        assert cell.rows >= 1 and cell.cols >= 1
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.col, cell.col + cell.cols):
                assert (r, c) not in seen, f"cells overlap at {(r, c)}"
                seen[(r, c)] = cell
    assert set(seen) == {(r, c) for r in range(grid.rows) for c in range(len(grid.widths))}
    assert all(w > 0 for w in grid.widths)


def test_national_form_places_header_funding_goals_and_indicators():
    ev = _sample("文化场馆")  # amounts in 元
    grid = _grid(ev)
    assert grid.title == "财政项目支出绩效自评表"
    assert grid.subtitle == f"（{ev.year}年度）"
    assert _text_at(grid, "项目名称") == ev.project.name
    assert _text_at(grid, "主管部门") == ev.project.department
    assert _text_at(grid, "实施单位") == ev.project.unit
    assert _text_at(grid, "评分等级") == ev.grade
    header = [c.text for c in grid.cells if c.row == grid.table_row]
    assert header == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    assert all(c.style is Style.HEADER for c in grid.cells if c.row == grid.table_row)
    assert ev.funding.total.annual_budget == Decimal("490000.00")
    assert _text_at(grid, "年度资金总额", 2) == "490,000.00"  # thousands separators in 元
    assert _text_at(grid, "年度资金总额", 6) == format(ev.funding.total.score, "f")
    assert _text_at(grid, "其中：当年财政拨款", 4) == "-"  # the parts carry no points


def test_level_labels_merge_over_their_runs_and_a_shared_label_spans_both_columns():
    ev = _sample("政务数据共享")
    grid = _grid(ev)
    first = grid.table_row + 1
    levels = [(i.level1, i.level2) for i in ev.indicators]
    output = _cell_at(grid, first, 0)
    assert output.text == levels[0][0] and output.rows == sum(
        1 for l1, _ in levels if l1 == levels[0][0]
    )
    # 成本指标 is both 一级 and 二级 of its row: one cell across both level columns
    cost = next(n for n, (l1, l2) in enumerate(levels) if l1 == l2)
    cell = _cell_at(grid, first + cost, 0)
    assert cell.text == levels[cost][0] and cell.cols >= 2 and cell.col == 0


def test_old_shanghai_template_draws_from_its_own_data():
    ev = shanghai_form()
    grid = _grid(ev)
    assert _text_at(grid, "预算单位") == ev.project.unit
    assert _text_at(grid, "具体实施处(科室)") == "综合办公室"
    assert _text_at(grid, "是否为经常性项目") == "是"
    assert _text_at(grid, "当年预算数(元)") == "490,000.00"  # thousands separators in 元
    assert _text_at(grid, "上年预算金额(元)") == "440,517.00"
    assert _text_at(grid, "预算执行率(%)") == "95.27"
    assert _text_at(grid, "项目年度总目标") == ev.goals.expected
    assert _text_at(grid, "自评时间") == "2020年6月12日"
    assert _text_at(grid, "主要绩效") == NARRATIVE["achievements"]
    assert _text_at(grid, "改进措施") == NARRATIVE["improvements"]
    header = [c.text for c in grid.cells if c.row == grid.table_row]
    assert header == ["一级指标", "指标名称", "指标解释", "权重", "评分规则", "自评", "备注"]
    groups = [
        c.text
        for c in grid.cells
        if c.col == 0 and c.row > grid.table_row and c.style is Style.TEXT
    ]
    assert groups == [
        "投入与管理\n(36分)",
        "产出目标\n(34分)",
        "效果目标\n(15分)",
        "影响力目标\n(15分)",
    ]
    assert _text_at(grid, "合计") == "100.00" and _text_at(grid, "合计", 3) == "99.00"
    note = grid.cells[-1]
    assert note.style is Style.NOTE and note.cols == len(grid.widths)
    assert (
        note.text
        == "说明：绩效等级按自评分合计划分，90（含）–100 分为优秀，75（含）–90 分为良好，60（含）–75 分为合格，0–60 分为不合格。"
    )


def test_a_field_the_model_lacks_prints_blank_under_its_label():
    template = templates.load("shanghai-2019")
    columns = {**template.columns, "budget_code": ("预算项目编码",)}
    blocks = [{"kind": "fields", "rows": [["name", "budget_code"]]}, *template.layout["blocks"][1:]]
    grid = layout(
        shanghai_form(),
        dataclasses.replace(
            template, columns=columns, layout={**template.layout, "blocks": blocks}
        ),
    )
    assert _text_at(grid, "项目名称") == shanghai_form().project.name
    assert _text_at(grid, "预算项目编码") == ""


def test_figures_keep_their_places_and_columns_widen_for_long_amounts():
    ev = shanghai_form()
    huge = dataclasses.replace(ev.funding.total, annual_budget=Decimal("123456789012.5"))
    grid = _grid(dataclasses.replace(ev, funding=dataclasses.replace(ev.funding, total=huge)))
    cell = next(c for c in grid.cells if c.text == "123,456,789,012.50")
    assert sum(grid.widths[cell.col : cell.col + cell.cols]) >= display_width(cell.text) + 2
    weight = next(c for c in grid.cells if c.value == Decimal("6"))
    assert weight.text == "6" and weight.number_format == "0"


def test_long_text_is_left_aligned_and_short_text_centred():
    ev = long_form(6, words=3)
    grid = _grid(ev)
    note = next(c for c in grid.cells if c.text == ev.indicators[0].deviation)
    name = next(c for c in grid.cells if c.text == ev.indicators[0].name)
    assert note.left and not name.left


def test_a_template_without_layout_or_with_an_unknown_block_is_a_clear_error():
    template = templates.load("national-2020")
    with pytest.raises(LayoutError, match="没有版式"):
        layout(long_form(1), dataclasses.replace(template, layout={}))
    broken = {**template.layout, "blocks": [{"kind": "pie-chart"}]}
    with pytest.raises(LayoutError, match="pie-chart"):
        layout(long_form(1), dataclasses.replace(template, layout=broken))
    incomplete = {**template.layout, "blocks": [{"kind": "fields"}]}
    with pytest.raises(LayoutError, match="第 1 块（fields）缺少设置 'rows'"):
        layout(long_form(1), dataclasses.replace(template, layout=incomplete))


def test_text_measure_counts_chinese_double():
    assert display_width("abc") == 3
    assert display_width("项目") == 4
    assert display_width("≥90") == 4
    assert lines_needed("项目" * 10, 11) == 4  # 40 half-width characters, 10 to a line
    assert lines_needed("甲\n乙", 20) == 2


def test_a_form_without_indicators_still_draws_the_header_row():
    ev = dataclasses.replace(long_form(1), indicators=())
    grid = _grid(ev)
    assert grid.rows > grid.table_row
    assert next(c.text for c in grid.cells if c.row == grid.table_row) == "一级指标"


def test_missing_funding_parts_print_blank_figures():
    ev = long_form(2)
    ev = dataclasses.replace(
        ev, funding=dataclasses.replace(ev.funding, other_funds=None, total=FundingLine())
    )
    grid = _grid(ev)
    assert _text_at(grid, "其他资金") == ""
    assert _text_at(grid, "年度资金总额") == ""


def test_a_layout_without_an_indicator_table_has_no_header_row():
    template = templates.load("national-2020")
    header_only = {**template.layout, "blocks": template.layout["blocks"][:1]}
    grid = layout(long_form(1), dataclasses.replace(template, layout=header_only))
    assert grid.table_row == grid.rows == 2


@pytest.mark.parametrize("ev", _SYNTHETIC[::10], ids=lambda ev: ev.project.name)
def test_every_indicator_of_a_synthetic_form_sits_under_its_headers(ev):
    grid = _grid(ev)
    header = {c.text: c.col for c in grid.cells if c.row == grid.table_row}
    name_col = header.get("三级指标", header.get("指标名称"))
    score_col = header.get("得分", header.get("自评"))
    for i, ind in enumerate(ev.indicators):
        row = grid.table_row + 1 + i
        assert _cell_at(grid, row, name_col).text == ind.name
        assert _cell_at(grid, row, score_col).value == ind.score
