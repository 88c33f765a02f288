"""The old Shanghai reader, one damage at a time, on edited copies of the sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao import samples
from jixiao.readers.base import ReadError
from jixiao.readers.loose import AMOUNT, RATE, SCORE, _readings, assign_groups
from jixiao.readers.text import read_text

SAMPLE = next(p for p in samples.paths() if p.name == "shanghai-2019-tab.txt").read_text("utf-8")
LINES = SAMPLE.split("\n")
# Lines of the sample (0-based): header rows 1–10, table header 11, indicators 12–23, 合计 24.
RATE_LINE, EXECUTED_LINE, SATISFACTION, LONG_TERM = 4, 4, 22, 23


def edited(*changes: tuple[int, int, str], lines: list[str] | None = None) -> str:
    """The sample with cells (line, column) replaced."""
    out = list(lines or LINES)
    for line, column, text in changes:
        cells = out[line].split("\t")
        cells += [""] * (column + 1 - len(cells))
        cells[column] = text
        out[line] = "\t".join(cells)
    return "\n".join(out)


def read(text: str):
    (ev,) = read_text(text, "sample.txt")
    return ev


def problems(ev, field: str) -> list:
    return [p for p in ev.problems if p.field == field]


def test_the_clean_sample_reads_without_problems():
    ev = read(SAMPLE)
    assert ev.problems == ()
    assert ev.template == "shanghai-2019" and ev.year == 2020
    assert (ev.project.unit, ev.project.division, ev.project.recurring) == (
        "示例区文化服务中心",
        "信息科",
        True,
    )
    assert ev.funding.total.execution_rate == Decimal("92.00")
    assert ev.funding.prior_year_budget == Decimal("350000.00")
    assert ev.evaluated_on == date(2021, 5, 20)
    assert [i.level1 for i in ev.indicators].count("投入与管理") == 6
    assert ev.indicators[7].deviation.startswith("两次故障")
    assert (ev.total, ev.total_points, ev.grade) == (Decimal("97.00"), Decimal("100.00"), "优秀")


# --- figures --------------------------------------------------------------------------


def test_readings_choose_the_one_that_fits_the_column():
    assert {r for r in _readings(["10", "00.00%"]) if RATE.fits(r)} == {"100.00%"}
    assert {r for r in _readings(["225.000.00"]) if AMOUNT.fits(r)} == {"225,000.00"}
    assert {r for r in _readings(["10", "0.00%"]) if RATE.fits(r)} == {
        "100.00%",
        "10.00%",
    }  # ambiguous
    assert {r for r in _readings(["100.", "00"]) if SCORE.fits(r)} == {"100.00"}


def test_a_rate_split_over_two_cells_is_joined_and_recorded():
    ev = read(edited((RATE_LINE, 5, "9"), (RATE_LINE, 6, "2.00%")))
    assert ev.funding.total.execution_rate == Decimal("92.00")
    assert [p.raw for p in problems(ev, "funding.execution_rate")] == ["9\t2.00%"]


def test_a_rate_split_with_its_join_character_doubled_reads_100():
    text = edited((EXECUTED_LINE, 2, "360,000.00"), (RATE_LINE, 5, "10"), (RATE_LINE, 6, "00.00%"))
    ev = read(text)
    assert ev.funding.total.execution_rate == Decimal("100.00")
    assert problems(ev, "funding.execution_rate")[0].raw == "10\t00.00%"


def test_an_ambiguous_split_is_left_empty_with_a_problem():
    ev = read(edited((RATE_LINE, 5, "10"), (RATE_LINE, 6, "0.00%")))
    assert ev.funding.total.execution_rate is None
    assert "多种读法" in problems(ev, "funding.execution_rate")[0].message


def test_thousands_separators_printed_as_points_are_read_by_the_amount_format():
    ev = read(edited((EXECUTED_LINE, 2, "331.200.00")))
    assert ev.funding.total.executed == Decimal("331200.00")
    assert problems(ev, "funding.executed")[0].raw == "331.200.00"


def test_a_zero_rate_beside_money_spent_stays_zero_with_a_problem():
    ev = read(edited((RATE_LINE, 6, "0.00%")))
    assert ev.funding.total.execution_rate == Decimal("0.00")
    assert "原样保留" in problems(ev, "funding.execution_rate")[0].message


def test_a_total_cut_at_the_line_end_is_joined_with_the_next_line():
    lines = list(LINES)
    lines.insert(25, "\t\t\t\t\t00\t")
    ev = read(edited((24, 5, "97."), lines=lines))
    assert ev.total == Decimal("97.00")
    assert problems(ev, "total")[0].raw == "97.\n00"


# --- header labels and values -----------------------------------------------------------


def test_a_label_split_over_two_cells_is_read_without_a_problem():
    ev = read(edited((7, 0, "绩效"), (7, 1, "等级")))
    assert ev.grade == "优秀" and ev.problems == ()


def test_a_label_missing_characters_is_read_by_the_header_order():
    ev = read(edited((6, 0, ""), (6, 1, "时间")))
    assert ev.evaluated_on == date(2021, 5, 20)
    assert [p.raw for p in problems(ev, "evaluated_on")] == ["时间"]


def test_an_ambiguous_label_fragment_takes_the_next_label_in_order():
    # "绩效" fits both 绩效等级 and 主要绩效; after 绩效等级 it can only be 主要绩效.
    ev = read(edited((8, 0, ""), (8, 1, "绩效")))
    assert ev.achievements.startswith("系统全年可用")
    assert ev.grade == "优秀"


def test_a_garbled_right_label_is_read_by_position():
    ev = read(edited((1, 4, "が ロ シス")))
    assert ev.project.unit == "示例区文化服务中心"
    assert problems(ev, "project.unit")[0].raw == "が ロ シス"


def test_a_yes_no_cell_with_other_text_reads_its_only_answer():
    ev = read(edited((2, 6, "中心 否")))
    assert ev.project.recurring is False
    assert problems(ev, "project.recurring")[0].raw == "中心 否"


def test_dates_are_read_in_either_printed_form():
    assert read(edited((6, 2, "2020年6月12日"))).evaluated_on == date(2020, 6, 12)
    ev = read(edited((6, 2, "明年")))
    assert ev.evaluated_on is None and problems(ev, "evaluated_on")


def test_an_empty_text_field_continued_on_the_next_line_reads_the_continuation():
    lines = list(LINES)
    lines.insert(9, "\t\t下一行的文字")
    ev = read(edited((8, 2, ""), lines=lines))
    assert ev.achievements == "下一行的文字"
    assert not problems(ev, "achievements")


def test_garbled_text_is_kept_and_flagged():
    ev = read(edited((9, 2, "V - 4 - 2 (b.) 1. 10 -21")))
    assert ev.problems_found == "V - 4 - 2 (b.) 1. 10 -21"
    assert "乱码" in problems(ev, "problems_found")[0].message


def test_the_amount_unit_comes_from_the_labels():
    assert read(SAMPLE).funding.unit.value == "元"
    ev = read(edited((3, 0, "当年预算数（万元）"), (3, 4, "上年预算金额"), (4, 0, "预算执行数")))
    assert ev.funding.unit.value == "万元"
    ev = read(edited((3, 0, "当年预算数"), (3, 4, "上年预算金额"), (4, 0, "预算执行数")))
    assert ev.funding.unit is None and problems(ev, "funding.unit")


def test_a_missing_header_row_is_reported():
    lines = [line for n, line in enumerate(LINES) if n != 7]
    ev = read("\n".join(lines))
    assert ev.grade is None
    assert "未找到" in problems(ev, "grade")[0].message


# --- indicator rows and groups -------------------------------------------------------------


def test_one_score_printed_for_two_rows_stays_where_printed():
    ev = read(edited((SATISFACTION, 5, "15"), (LONG_TERM, 5, "")))
    assert ev.indicators[10].score == Decimal("15")
    assert ev.indicators[11].score is None
    assert "合并单元格" in problems(ev, "indicators[11].score")[0].message


def test_a_group_label_printed_on_a_middle_row_covers_the_rows_above_it():
    ev = read(edited((18, 0, ""), (19, 0, "产出目标 (34分)")))
    assert [i.level1 for i in ev.indicators[5:9]] == [
        "投入与管理",
        "产出目标",
        "产出目标",
        "产出目标",
    ]
    assert ev.problems == ()


def test_a_lost_group_label_is_placed_by_the_group_points():
    ev = read(edited((21, 0, "")))
    assert ev.indicators[9].level1 == "效果目标"
    assert "按权重合计 15" in problems(ev, "indicators[9].level1")[0].message


def test_a_group_label_with_other_points_is_reported():
    ev = read(edited((21, 0, "效果目标 (20分)")))
    assert ev.indicators[9].level1 == "效果目标"
    assert "印为 20 分" in problems(ev, "indicators[9].level1")[0].message


def test_a_rule_whose_first_line_is_printed_above_its_row_joins_the_row_below():
    lines = list(LINES)
    lines.insert(19, "\t\t\t\t①全部按时修复得12分\t\t")  # above 故障修复时效 (now line 20)
    ev = read(edited((20, 4, "②每超时一次扣1分"), lines=lines))
    assert ev.indicators[7].rule == "①全部按时修复得12分 ②每超时一次扣1分"
    assert "并入了下一行" in problems(ev, "indicators[7].rule")[0].message
    assert len(ev.indicators) == 12


def test_a_line_without_figures_that_starts_no_rule_continues_the_row_above():
    lines = list(LINES)
    lines.insert(19, "\t\t\t\t③全年达标另加说明\t\t")
    ev = read("\n".join(lines))
    assert ev.indicators[6].rule.endswith("③全年达标另加说明")
    assert "并入了上一行" in problems(ev, "indicators[6].rule")[0].message


def test_groups_follow_labels_and_points():
    weights = [Decimal(w) for w in (6, 8, 5, 8, 5, 4, 15, 15, 4, 15, 8, 7)]
    points = [Decimal(36), Decimal(34), Decimal(15), Decimal(15)]
    centred = [None, 0, None, None, None, None, None, 1, None, 2, 3, None]
    assert assign_groups(centred, weights, points) == [0] * 6 + [1] * 3 + [2] + [3] * 2
    lost = [0, None, None, None, None, None, None, 1, None, None, 3, None]
    assert assign_groups(lost, weights, points) == [0] * 6 + [1] * 3 + [2] + [3] * 2
    assert assign_groups([1, 0] + [None] * 10, weights, points) is None  # labels out of order


def _every_split(anchors, weights, points):
    """assign_groups as first written: every split tried, the ones against a label
    skipped (the reference the pruned search must agree with)."""
    from itertools import combinations_with_replacement

    from jixiao.readers.loose import fill_down

    n, m = len(anchors), len(points)
    first = {j: anchors.index(j) for j in set(anchors) if j is not None}
    last = {j: n - 1 - anchors[::-1].index(j) for j in first}
    down = fill_down(anchors)
    best, best_key = None, None
    for cuts in combinations_with_replacement(range(n + 1), m - 1):
        bounds = (0, *cuts, n)
        if any(not bounds[j] <= first[j] or not last[j] < bounds[j + 1] for j in first):
            continue
        groups = [weights[bounds[j] : bounds[j + 1]] for j in range(m)]
        fits = sum(
            1 for j, ws in enumerate(groups) if ws and None not in ws and sum(ws) == points[j]
        )
        agreeing = sum(down[i] == j for j in range(m) for i in range(bounds[j], bounds[j + 1]))
        if best_key is None or (fits, agreeing) > best_key:
            best, best_key = bounds, (fits, agreeing)
    if best is None:
        return None
    return [next(j for j in range(m) if best[j] <= i < best[j + 1]) for i in range(n)]


def test_groups_are_the_best_of_every_split():
    import random

    rng = random.Random(25)
    for _ in range(400):
        n, m = rng.randint(0, 9), rng.randint(1, 4)
        weights = [rng.choice([None, *map(Decimal, "12345")]) for _ in range(n)]
        points = [Decimal(rng.randint(1, 12)) for _ in range(m)]
        anchors = [rng.choice([None, None, None, *range(m)]) for _ in range(n)]
        if rng.random() < 0.5:  # labels in order, as printed
            anchors = sorted(a for a in anchors if a is not None)
            anchors = [a if rng.random() < 0.4 else None for a in anchors] + [None] * (
                n - len(anchors)
            )
        assert assign_groups(anchors, weights, points) == _every_split(anchors, weights, points)


def test_a_file_without_a_form_is_refused_with_its_name():
    with pytest.raises(ReadError, match=r"x\.txt"):
        read_text("一级指标\t指标名称\t指标解释\t权重\t评分规则\t自评\t备注\n", "x.txt")


def test_column_of_is_the_templates_column_and_remembers_a_bounded_number():
    from dataclasses import replace

    from jixiao import templates
    from jixiao.readers import base

    # a copy of the template: its own cache, so the test sees what it adds
    template = replace(templates.load("shanghai-2019"))
    labels = ["一级指标", "权 重", "自评：", "合计", "说明", "", "12.00", "不是表头"]
    for label in labels * 2:
        assert base.column_of(template, label) == template.column(label)
    known = template.derived("readers.column_of", dict)
    assert set(known) == {label for label in labels if label}
    for n in range(2 * base._REMEMBERED):
        assert base.column_of(template, f"格{n}") is None
    assert len(known) == base._REMEMBERED
