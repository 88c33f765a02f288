"""The budget 执行率 is measured against: 全年预算数, or on a department form that
prints only 年初预算数(A), that (the template's [execution] base)."""

from __future__ import annotations

from decimal import Decimal

from jixiao import templates
from jixiao.domain import scoring
from jixiao.domain.model import FundingLine

D = Decimal
ONLY_INITIAL = FundingLine(initial_budget=D("1172.55"), executed=D("1268.72"), points=D("10"))


def test_a_department_form_with_only_its_initial_budget_is_measured_against_it():
    department = templates.load("national-department")
    assert scoring.rate_budget(ONLY_INITIAL, department) == D("1172.55")
    rate = scoring.execution_rate(ONLY_INITIAL, department)
    assert rate.value == D("108.20") and "1268.72 ÷ 1172.55" in rate.explanation
    score = scoring.execution_score(ONLY_INITIAL, department)
    assert score.value == D("10.00") and "不超过分值" in score.explanation


def test_the_annual_budget_comes_first_and_other_templates_know_no_other():
    department = templates.load("national-department")
    both = FundingLine(initial_budget=D("100"), annual_budget=D("120"), executed=D("90"))
    assert scoring.rate_budget(both, department) == D("120")
    national = templates.load("national-2020")
    assert scoring.rate_budget(ONLY_INITIAL, national) is None
    assert scoring.execution_rate(ONLY_INITIAL, national).value is None
