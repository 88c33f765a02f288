"""A bound stated in the results ("达到 95% 以上") is met or not by the table's
actual; a bare figure must agree with it."""

import pytest

from jixiao import templates
from jixiao.domain.audit import audit
from jixiao.domain.audit.text import claims
from jixiao.domain.model import Evaluation, Goals, Indicator
from jixiao.domain.targets import Op, parse_target

NATIONAL = templates.load("national-2020")


def form(results: str) -> Evaluation:
    indicator = Indicator(
        level1="产出指标",
        level2="质量指标",
        name="水面漂浮物清除率",
        target="≥95.00(%)",
        actual="97.00(%)",
        target_parsed=parse_target("≥95.00(%)"),
        actual_parsed=parse_target("97.00(%)"),
    )
    return Evaluation(
        template="national-2020",
        goals=Goals(expected="全年保洁", actual=results),
        indicators=(indicator,),
    )


@pytest.mark.parametrize(
    "text, op",
    [
        ("漂浮物清除率达到 95% 以上", Op.GE),
        ("漂浮物清除率不低于 95%", Op.GE),
        ("漂浮物清除率 97%", None),
    ],
)
def test_claims_keep_their_bound(text, op):
    (claim,) = claims(text)
    assert claim.op is op


@pytest.mark.parametrize(
    "results, contradicts",
    [
        ("水面漂浮物清除率达到 95% 以上", False),  # the actual 97 meets it
        ("水面漂浮物清除率不低于 95%", False),
        ("水面漂浮物清除率为 97%", False),
        ("水面漂浮物清除率为 93%", True),  # a bare figure that is not the actual
        ("水面漂浮物清除率达到 98% 以上", True),  # a bound the actual does not meet
    ],
)
def test_results_against_the_actual(results, contradicts):
    codes = {f.code for f in audit(form(results), NATIONAL) if f.field == "goals.actual"}
    assert ("narrative-actual-differs" in codes) is contradicts
