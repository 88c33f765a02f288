"""Approved targets (绩效目标): copied into a form, changes found, warnings worded."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from jixiao.domain.approved_targets import ApprovedTarget, change_findings, changes, copy_into
from jixiao.domain.audit import Severity
from jixiao.domain.model import Evaluation, Indicator
from jixiao.domain.targets import parse_target

APPROVED = [
    ApprovedTarget(
        name="更新设备数量",
        target="≥30(台)",
        points=Decimal("20"),
        level1="产出指标",
        level2="数量指标",
    ),
    ApprovedTarget(name="群众满意度", target="≥90(%)", points=Decimal("10")),
]


def _form(*rows: Indicator) -> Evaluation:
    return Evaluation(template="national-2023", year=2023, indicators=rows)


def test_copy_sets_the_approved_values_and_appends_missing_rows():
    form = _form(
        Indicator(
            name="更新 设备数量",
            target="≥25(台)",
            actual="32(台)",
            points=Decimal("15"),
            score=Decimal("15"),
        ),
        Indicator(name="其他指标", target="达标", points=Decimal("5")),
    )
    copied = copy_into(form, APPROVED)
    first, other, added = copied.indicators
    assert (first.target, first.points, first.actual, first.score) == (
        "≥30(台)",
        Decimal("20"),
        "32(台)",
        Decimal("15"),
    )
    assert first.target_parsed == parse_target("≥30(台)")
    assert other == form.indicators[1]
    assert (added.name, added.target, added.points, added.score) == (
        "群众满意度",
        "≥90(%)",
        Decimal("10"),
        None,
    )
    assert changes(copied, APPROVED) == []


def test_changes_name_the_field_and_both_values():
    copied = copy_into(_form(), APPROVED)
    first, second = copied.indicators
    edited = _form(replace(first, target="≥20(台)", points=Decimal("20.00")))  # 20.00 is 20
    found = changes(edited, APPROVED)
    assert [(c.name, c.field, c.approved, c.now) for c in found] == [
        ("更新设备数量", "indicators[0].target", "≥30(台)", "≥20(台)"),
        ("群众满意度", "indicators", "≥90(%)", None),
    ]
    points = _form(replace(first, points=Decimal("25")), second)
    assert [(c.field, c.approved, c.now) for c in changes(points, APPROVED)] == [
        ("indicators[0].points", "20", "25")
    ]


def test_each_change_is_a_warning_with_its_reason():
    found = changes(_form(), APPROVED)
    warnings = change_findings(found, {"更新设备数量": "预算调减"})
    assert [w.severity for w in warnings] == [Severity.WARNING, Severity.WARNING]
    assert [w.code for w in warnings] == ["target-changed", "target-changed"]
    assert "预算调减" in warnings[0].message and warnings[0].explanation == "预算调减"
    assert "未说明" in warnings[1].message and warnings[1].explanation is None
    assert warnings[0].expected == "≥30(台)" and warnings[0].printed is None
