"""The audit on the old Shanghai 2019 template's model (groups with printed
points, 预算执行率 scored by bands, no funding score), as its reader (issue #3)
will produce it: built here by hand, with facts of seed 000's first form."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from jixiao import templates
from jixiao.domain.audit import Severity, audit
from jixiao.domain.model import (
    AmountUnit,
    Evaluation,
    Funding,
    FundingLine,
    Goals,
    Indicator,
    Problem,
    Project,
)

D = Decimal
OLD = templates.load("shanghai-2019")

# (group, name, points) — the 2019 indicator set: 36 / 34 / 15 / 15
ROWS = [
    ("投入与管理", "资金使用的合规性", 6),
    ("投入与管理", "绩效目标合理性", 8),
    ("投入与管理", "项目设立的规范性", 5),
    ("投入与管理", "预算执行率", 8),
    ("投入与管理", "财务管理制度的健全性", 5),
    ("投入与管理", "项目管理制度的健全性", 4),
    ("产出目标", "预计业务量", 15),
    ("产出目标", "工作质量", 15),
    ("产出目标", "预计完成时间", 4),
    ("效果目标", "预计产生效果", 15),
    ("影响力目标", "人员到位率", 8),
    ("影响力目标", "长效管理制度建设", 7),
]


def old_form(rate: str = "100.00", executed: str = "490000.00") -> Evaluation:
    indicators = tuple(
        Indicator(level1=group, name=name, points=D(points), score=D(points))
        for group, name, points in ROWS
    )
    return Evaluation(
        template=OLD.id,
        year=2019,
        project=Project(name="远程医疗指挥系统运维", unit="某事务中心", division="综合办公室"),
        funding=Funding(
            total=FundingLine(
                annual_budget=D("490000.00"), executed=D(executed), execution_rate=D(rate)
            ),
            prior_year_budget=D("440517.00"),
            unit=AmountUnit.YUAN,
        ),
        goals=Goals(expected="完成年度系统运维工作。"),
        indicators=indicators,
        total=D("100.00"),
        grade="优秀",
        evaluated_on=date(2020, 6, 12),
        achievements="系统全年稳定运行，完成各项运维工作。",
    )


def with_row(form: Evaluation, n: int, **changes) -> Evaluation:
    items = list(form.indicators)
    items[n] = replace(items[n], **changes)
    return replace(form, indicators=tuple(items))


def found(form: Evaluation) -> dict[tuple[str, str], Severity]:
    return {(f.code, f.field): f.severity for f in audit(form, OLD)}


def test_a_correct_old_form_has_no_error_and_no_missing_cells():
    result = found(old_form())
    assert [k for k, s in result.items() if s is Severity.ERROR] == []
    assert not [
        k for k in result if k[0] == "cell-missing"
    ]  # no 年度指标值 / 主管部门 in this layout


def test_group_points_must_add_up_to_the_printed_group_points():
    result = found(with_row(old_form(), 7, points=D("13"), score=D("13")))  # 产出目标 32 of 34
    assert result[("points-sum", "groups[1].points")] is Severity.ERROR


def test_group_scores_above_the_group_points():
    form = with_row(old_form(), 11, score=D("9"))  # 影响力目标: 8 + 9 = 17 of 15; 长效管理 9 of 7
    result = found(replace(form, total=D("102.00")))
    assert result[("group-score-above-points", "groups[3].score")] is Severity.ERROR
    assert result[("score-above-points", "indicators[11].score")] is Severity.ERROR


def test_achievements_copied_from_the_goal():
    form = replace(old_form(), achievements="完成年度系统运维工作。")
    assert found(form)[("goals-copied", "achievements")] is Severity.WARNING


def test_total_is_the_sum_of_the_scores_without_a_funding_score():
    result = found(replace(old_form(), total=D("98.00")))
    assert result[("total-differs", "total")] is Severity.ERROR


@pytest.mark.parametrize(
    "rate, score, ok",
    [
        ("100.00", "8", True),
        ("100.00", "6", False),
        ("85.00", "7", True),
        ("85.00", "5", False),
        ("60.00", "0", True),
        ("60.00", "4", False),
    ],
)
def test_execution_row_scored_by_bands(rate, score, ok):
    spent = D("490000.00") * D(rate) / 100
    form = with_row(
        old_form(rate, str(spent)),
        3,
        score=D(score),
        deviation="执行偏慢" if score != "8" else None,
    )
    form = replace(form, total=sum((i.score for i in form.indicators), D(0)), grade=None)
    assert (("score-outside-band", "indicators[3].score") not in found(form)) is ok


def test_cut_score_without_remark_is_a_warning_in_the_old_template():
    form = with_row(old_form(), 0, score=D("5"))
    form = replace(form, total=D("99.00"))
    assert found(form)[("score-cut-without-reason", "indicators[0].deviation")] is Severity.WARNING


def test_old_grades_and_execution_rate_rounding():
    assert found(replace(old_form(), grade="良好"))[("grade-differs", "grade")] is Severity.ERROR
    wrong_rate = old_form(rate="99.00")
    assert found(wrong_rate)[("execution-rate-differs", "funding.execution_rate")] is Severity.ERROR


def test_a_lost_block_is_an_error_not_a_repair():
    form = replace(old_form(), problems=(Problem("indicators", "未找到指标表"),))
    assert found(form)[("cell-unreadable", "indicators")] is Severity.ERROR
