"""等级: the printed 评分等级 against the total under the template's grade bands
(the grade a total earns is computed by :func:`jixiao.domain.scoring.grade`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from jixiao.domain.audit.finding import Finding, Severity, rule
from jixiao.domain.model import Evaluation
from jixiao.domain.recompute import Check, Status
from jixiao.domain.template import Template

GRADE_DIFFERS = rule(
    "grade-differs",
    "grade",
    Severity.ERROR,
    "等级与总分不符",
    "评分等级不是总分按模板等级区间（国家模板：优 ≥90、良 ≥80、中 ≥60、差）应得的等级。",
    "等级「{printed}」与总分不符，应为「{expected}」",
    "grade “{printed}” does not match the total; it should be “{expected}”",
    {"printed": "良", "expected": "优"},
)
UNKNOWN_LABEL = rule(
    "grade-unknown-label",
    "grade",
    Severity.WARNING,
    "等级不在模板的等级列表中",
    "评分等级的写法不在模板的等级及其同义词中（如国家模板的 优/良/中/差、优秀/良好…）。",
    "等级「{printed}」不是本模板的等级（{labels}），按总分应为「{expected}」",
    "grade “{printed}” is not one of the template's grades ({labels}); the total earns “{expected}”",
    {"printed": "甲等", "labels": "优、良、中、差", "expected": "优"},
)


def findings(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    check = figures.get("grade")
    if check is None or form.grade is None:
        return
    if template.canonical_grade(form.grade) is None:
        yield UNKNOWN_LABEL.finding(
            "grade",
            printed=form.grade,
            expected=check.label,
            explanation=check.figure.explanation,
            labels="、".join(g.label for g in template.grades),
        )
    elif check.status is Status.DIFFERS:
        yield GRADE_DIFFERS.finding(
            "grade", printed=form.grade, expected=check.label, explanation=check.figure.explanation
        )
