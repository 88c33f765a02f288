"""The old Shanghai template's figures: group sums, the 预算执行率 bands, judgement ranges."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jixiao import templates
from jixiao.domain.model import Evaluation, Funding, FundingLine, Indicator
from jixiao.domain.recompute import Status, recompute

T = templates.load("shanghai-2019")


def form(
    rate: str | None = "100.00", rows=None, total: str | None = None, grade: str | None = None
) -> Evaluation:
    rows = rows or [
        ("投入与管理", "预算执行率", "8", "8"),
        ("投入与管理", "资金使用的合规性", "28", "27"),
        ("产出目标", "工作质量", "34", "30"),
        ("效果目标", "预计产生效果", "15", "15"),
        ("影响力目标", "长效管理", "15", "12"),
    ]
    return Evaluation(
        template=T.id,
        funding=Funding(
            total=FundingLine(
                annual_budget=D("200.00"),
                executed=D("170.00"),
                execution_rate=D(rate) if rate else None,
            )
        ),
        indicators=tuple(
            Indicator(level1=g, name=n, points=D(p), score=D(s) if s else None)
            for g, n, p, s in rows
        ),
        total=D(total) if total else None,
        grade=grade,
    )


def check(ev: Evaluation, field: str):
    return next(c for c in recompute(ev, T) if c.field == field)


def test_the_template_carries_the_printed_settings():
    assert [(g.name, g.points) for g in T.groups] == [
        ("投入与管理", D(36)),
        ("产出目标", D(34)),
        ("效果目标", D(15)),
        ("影响力目标", D(15)),
    ]
    assert [(g.label, g.min) for g in T.grades] == [
        ("优秀", 90),
        ("良好", 75),
        ("合格", 60),
        ("不合格", 0),
    ]
    assert T.execution_indicator == "预算执行率" and T.execution_points is None
    assert templates.detect("一级指标\t指标名称\t指标解释\t权重\t评分规则\t自评") == "shanghai-2019"


@pytest.mark.parametrize(
    "rate, printed, status, allowed",
    [
        ("95.00", "8", Status.MATCH, ("8.00", "8.00")),
        (
            "85.00",
            "7",
            Status.MATCH,
            ("6.00", "8.00"),
        ),  # 80–90 %: the evaluator picks within the band
        ("85.00", "8.5", Status.DIFFERS, ("6.00", "8.00")),
        ("75.00", "6", Status.MATCH, ("4.00", "6.00")),
        ("65.00", "4", Status.DIFFERS, ("0.00", "0.00")),
    ],
)
def test_the_execution_row_is_scored_by_its_band(rate, printed, status, allowed):
    c = check(form(rate, rows=[("投入与管理", "预算执行率", "8", printed)]), "indicators[0].score")
    assert c.status is status
    figure = c.figure
    shown = (figure.low, figure.high) if figure.is_range else (figure.value, figure.value)
    assert shown == tuple(map(D, allowed))


def test_the_band_uses_the_computed_rate_when_none_is_printed():
    c = check(form(rate=None, rows=[("投入与管理", "预算执行率", "8", "7")]), "indicators[0].score")
    assert (c.figure.low, c.figure.high) == (D("6.00"), D("8.00"))  # 170 / 200 = 85 %
    assert c.status is Status.MATCH


def test_other_rows_are_judged_within_their_weight():
    ev = form(rows=[("影响力目标", "人员到位率", "8", "15")])
    c = check(ev, "indicators[0].score")
    assert (c.figure.low, c.figure.high, c.status) == (D("0.00"), D("8.00"), Status.DIFFERS)


def test_group_weights_are_summed_against_the_printed_points():
    ev = form()
    assert check(ev, "groups[0].points").status is Status.MATCH
    assert check(ev, "groups[0].points").figure.value == D(36)
    assert check(ev, "groups[0].score").figure.value == D(35)
    short = form(
        rows=[("投入与管理", "预算执行率", "8", "8"), ("投入与管理", "合规性", "20", "20")]
    )
    c = check(short, "groups[0].points")
    assert (c.printed, c.figure.value, c.status) == (D(36), D(28), Status.DIFFERS)


def test_a_group_scoring_above_its_points_differs():
    ev = form(rows=[("效果目标", "预计产生效果", "15", "16")])
    assert check(ev, "groups[2].score").status is Status.DIFFERS


def test_a_missing_score_leaves_the_group_sum_and_total_not_computable():
    ev = form(
        rows=[("影响力目标", "人员到位率", "8", "15"), ("影响力目标", "长效", "7", None)],
        total="100.00",
    )
    assert check(ev, "groups[3].score").status is Status.NOT_COMPUTABLE
    assert "indicators[1].score" in check(ev, "total").figure.explanation


def test_total_and_grade_use_the_template_bands():
    ev = form(total="92.00", grade="优秀")
    assert check(ev, "total").figure.value == D(92) and check(ev, "total").status is Status.MATCH
    assert check(ev, "grade").label == "优秀"
    assert (
        check(form(total="80.00", grade="优秀"), "grade").status is Status.DIFFERS
    )  # 75–90 is 良好
    assert check(form(total="80.00", grade="良"), "grade").status is Status.MATCH
