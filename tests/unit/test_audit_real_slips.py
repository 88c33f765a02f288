"""What real forms get wrong (issue 18): each slip made on a correct form, the
finding at its field, and nothing at error level that the slip does not earn.

Money (a total row of 0 or blank beside parts carrying money, spending above
the budget, amounts written with their unit in the cells, a budget adjusted
without a reason), targets as written (deadlines compared as dates, a cost with
a floor, a percentage above 100, placeholders and units spelled as words) and
the noise fixed (weights-unusual, a total above the points)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao import samples, templates
from jixiao.domain import scoring
from jixiao.domain.audit import Severity, audit
from jixiao.domain.model import Evaluation
from jixiao.domain.targets import parse_target
from jixiao.readers import read_path
from jixiao.readers.text import read_text
from tests.unit.test_audit_mutations import with_indicator

D = Decimal
SAMPLE = next(p for p in samples.paths() if p.name == "national-2023-tab.txt")
FAMILY = "tests/fixtures/family"


@pytest.fixture
def clean() -> Evaluation:
    return read_path(SAMPLE)[0]


def found(form: Evaluation) -> dict[tuple[str, str], object]:
    return {(f.code, f.field): f for f in audit(form, templates.load(form.template))}


def errors(form: Evaluation) -> list[tuple[str, str]]:
    return [
        (f.code, f.field)
        for f in audit(form, templates.load(form.template))
        if f.severity is Severity.ERROR
    ]


def test_the_sample_is_clean(clean):
    assert errors(clean) == []


# --- 1. money --------------------------------------------------------------------------


def test_a_zero_total_row_beside_a_part_carrying_money(clean):
    """年度资金总额 0 / 0 / 0 while 当年财政拨款 shows 90 / 89.974, the other parts blank."""
    part = replace(
        clean.funding.current_year_appropriation,
        initial_budget=D("90"),
        annual_budget=D("90"),
        executed=D("89.974"),
    )
    total = replace(clean.funding.total, initial_budget=D(0), annual_budget=D(0), executed=D(0))
    funding = replace(
        clean.funding,
        total=total,
        current_year_appropriation=part,
        prior_year_carryover=None,
        other_funds=None,
    )
    at = found(replace(clean, funding=funding))
    spent = at[("funding-parts-sum", "funding.executed")]
    assert spent.severity is Severity.ERROR
    assert (spent.printed, spent.expected) == ("0", "89.974")
    assert ("funding-parts-sum", "funding.annual_budget") in at


def test_a_zero_total_beside_parts_whose_cells_are_blank(clean):
    """The parts' rows printed with some cells left blank: the cells printed already
    exceed the total, so the blank ones cannot make it up."""
    total = replace(clean.funding.total, executed=D(0))
    blank = replace(clean.funding.prior_year_carryover, executed=None)
    funding = replace(clean.funding, total=total, prior_year_carryover=blank)
    spent = found(replace(clean, funding=funding))[("funding-parts-sum", "funding.executed")]
    assert spent.expected == "8.98" and "空白" in spent.explanation


def test_a_blank_total_row_beside_parts_carrying_money(clean):
    total = replace(clean.funding.total, annual_budget=None)
    at = found(replace(clean, funding=replace(clean.funding, total=total)))
    blank = at[("funding-parts-sum", "funding.annual_budget")]
    assert blank.printed is None and blank.expected == "9.00" and "空白" in blank.message


def test_a_blank_cell_that_may_be_the_rest_is_not_a_slip(clean):
    part = replace(clean.funding.current_year_appropriation, executed=None)
    funding = replace(clean.funding, current_year_appropriation=part)
    assert not [k for k in found(replace(clean, funding=funding)) if k[0] == "funding-parts-sum"]


def test_spending_above_the_budget_is_a_warning_with_the_capped_score(clean):
    template = templates.load(clean.template)
    spent = D("9.20")
    line = replace(clean.funding.total, executed=spent)
    line = replace(
        line,
        execution_rate=scoring.execution_rate(line, template).value,
        score=scoring.execution_score(line, template).value,
    )
    part = replace(clean.funding.current_year_appropriation, executed=spent)
    part = replace(part, execution_rate=scoring.execution_rate(part, template).value)
    form = replace(
        clean,
        funding=replace(clean.funding, total=line, current_year_appropriation=part),
        total=clean.total - clean.funding.total.score + line.score,
    )
    assert errors(form) == []
    above = found(form)[("execution-above-budget", "funding.executed")]
    assert above.severity is Severity.WARNING
    assert (above.printed, above.expected) == ("9.20", "9.00")
    assert "102.22%" in above.message and "10.00" in above.message
    assert "不超过分值" in above.explanation


def test_amounts_with_their_unit_in_the_cells_are_checked():
    """「4753.66万元」 in the cells: the reader strips the unit (cells between pipes, as
    web pages store them), and the printed rate is checked against the amounts."""
    text = SAMPLE.read_text("utf-8").replace(
        "9.00\t9.00\t8.98\t10.00\t99.77\t9.97",
        "9.00万元\t9.00万元\t7.24万元\t10.00\t100.00\t10.00",
        1,
    )
    piped = "\n".join(
        " | ".join(c.strip() for c in line.split("\t")) + " |"
        for line in text.splitlines()
        if line.strip()
    )
    form = read_text(piped, "units.txt")[0]
    assert form.funding.total.executed == D("7.24")
    at = found(form)
    rate = at[("execution-rate-differs", "funding.execution_rate")]
    assert rate.printed == "100.00" and rate.expected == "80.44"
    assert ("execution-score-differs", "funding.score") in at


def test_a_budget_adjusted_without_a_reason_where_the_template_asks():
    form = read_path(f"{FAMILY}/sichuan-2023.json")[0]
    assert form.funding.total.initial_budget != form.funding.total.annual_budget
    assert errors(form) == []
    assert not [k for k in found(form) if k[0] == "budget-adjusted-without-reason"]
    bare = replace(
        form, funding=replace(form.funding, total=replace(form.funding.total, reason=None))
    )
    adjusted = found(bare)[("budget-adjusted-without-reason", "funding.reason")]
    assert adjusted.severity is Severity.WARNING
    assert (adjusted.printed, adjusted.expected) == ("150.00", "120.00")
    assert errors(bare) == []


def test_the_national_template_does_not_ask_for_the_adjustment_reason(clean):
    line = replace(clean.funding.total, initial_budget=D("8.00"))
    codes = {k[0] for k in found(replace(clean, funding=replace(clean.funding, total=line)))}
    assert "budget-adjusted-without-reason" not in codes


# --- 2. targets as written ---------------------------------------------------------------


@pytest.mark.parametrize(
    "target, actual",
    [
        ("9月前", "7月"),
        ("11月前", "10月"),
        ("11月底前", "11月"),
        ("12月31日前", "12月20日"),
        ("年底前", "11月"),
        ("9月前", "9月底"),
        ("2023年10月中旬前完成", "10月15日"),
    ],
)
def test_a_deadline_met_early_is_met(clean, target, actual):
    form = with_indicator(clean, 2, target=target, actual=actual)  # 时效指标, 10 points, full
    assert errors(form) == []
    assert not [k for k in found(form) if k[1].startswith("indicators[2]")]


def test_a_deadline_missed_with_full_marks(clean):
    form = with_indicator(clean, 2, target="9月前", actual="10月")
    missed = found(form)[("full-score-target-missed", "indicators[2].score")]
    assert missed.expected == "0.00–8.00" and "晚于时限" in missed.explanation
    cut = with_indicator(form, 2, score=D("6.00"), deviation="系统升级推迟一个月。")
    assert errors(replace(cut, total=clean.total - D("4.00"))) == []


def test_a_cost_target_with_a_floor(clean):
    form = with_indicator(clean, 3, target="≥8(万元)", actual="8.00(万元)")
    assert (
        found(form)[("cost-target-at-least", "indicators[3].target")].severity is Severity.WARNING
    )
    capped = with_indicator(clean, 3, target="≤8(万元)", actual="8.00(万元)")
    assert not [k for k in found(capped) if k[0] == "cost-target-at-least"]
    saving = with_indicator(clean, 3, name="成本节约率", target="≥5(%)", actual="6.00(%)")
    assert not [k for k in found(saving) if k[0] == "cost-target-at-least"]


def test_a_percentage_target_above_100(clean):
    form = with_indicator(clean, 1, target="≥110(%)", actual="112.00(%)")
    assert found(form)[("percent-target-above-100", "indicators[1].target")]
    growth = with_indicator(clean, 1, name="接口调用量增长率", target="≥110(%)", actual="112.00(%)")
    assert not [k for k in found(growth) if k[0] == "percent-target-above-100"]


@pytest.mark.parametrize("mark", ["*", "/", "—", "——", "…"])
def test_a_placeholder_where_a_number_belongs(clean, mark):
    at = found(with_indicator(clean, 0, target=mark))
    assert at[("value-placeholder", "indicators[0].target")].severity is Severity.WARNING
    at = found(with_indicator(clean, 0, actual=mark))
    assert ("value-placeholder", "indicators[0].actual") in at


def test_none_as_an_actual_is_a_value_not_a_placeholder(clean):
    assert not [
        k for k in found(with_indicator(clean, 0, actual="无")) if k[0] == "value-placeholder"
    ]


def test_a_unit_spelled_as_a_word(clean):
    form = with_indicator(clean, 1, target="≥99百分比")
    malformed = found(form)[("unit-malformed", "indicators[1].target")]
    assert malformed.expected == "%" and errors(form) == []
    at = found(with_indicator(clean, 1, actual="99.50百分比"))
    assert ("unit-malformed", "indicators[1].actual") in at


@pytest.mark.parametrize("printed", ["≧99(%)", "＞98%", "不低于99%", ">=99%", "99%以上"])
def test_comparators_as_written_score_as_comparators(clean, printed):
    form = with_indicator(clean, 1, target=printed)
    assert parse_target(printed).op is not None
    assert errors(form) == []


# --- 6. noise ----------------------------------------------------------------------------


def test_weights_unusual_is_info_and_counts_cost_with_output(clean):
    # the sample: 产出 40 + 成本 10, 效益 30, 满意度 10 — the advised split, 成本 counted in
    assert not [k for k in found(clean) if k[0] == "weights-unusual"]
    form = with_indicator(clean, 3, points=D("5.00"), score=D("5.00"))
    form = with_indicator(form, 4, points=D("20.00"), score=D("20.00"))
    unusual = found(form)[("weights-unusual", "indicators")]
    assert unusual.severity is Severity.INFO
    assert "产出指标与成本指标 50" in unusual.message


def test_a_total_above_the_points_says_the_scores_exceed_them(clean):
    form = with_indicator(clean, 0, score=D("17.00"))
    total = found(form)[("total-differs", "total")]
    assert total.expected == "101.97" and "超过总分值 100" in total.message
    assert "exceed" in total.message_en
    under = found(replace(clean, total=D("98.00")))[("total-differs", "total")]
    assert "超过" not in under.message


# --- 4. inflated or hollow forms ---------------------------------------------------------


def test_every_actual_exactly_its_target(clean):
    form = replace(clean, goals=replace(clean.goals, actual="平台全年稳定运行，各项指标均已完成。"))
    for n in (0, 1, 2, 6):  # ≥40 个, ≥99.00%, ≤2 小时, ≥90.00%; =100.00% does not count
        form = with_indicator(form, n, actual=clean.indicators[n].target.lstrip("≥≤"))
    assert errors(form) == []
    exact = found(form)[("actuals-equal-targets", "indicators")]
    assert exact.severity is Severity.WARNING and "4 个定量指标" in exact.message
    assert not [k for k in found(clean) if k[0] == "actuals-equal-targets"]


def test_full_marks_beside_money_not_spent(clean):
    template = templates.load(clean.template)
    line = replace(clean.funding.total, executed=D("7.20"))
    line = replace(
        line,
        execution_rate=scoring.execution_rate(line, template).value,
        score=scoring.execution_score(line, template).value,
    )
    part = replace(clean.funding.current_year_appropriation, executed=D("7.20"))
    part = replace(part, execution_rate=scoring.execution_rate(part, template).value)
    form = replace(
        clean,
        funding=replace(clean.funding, total=line, current_year_appropriation=part),
        total=clean.total - clean.funding.total.score + line.score,
    )
    assert errors(form) == []
    low = found(form)[("full-marks-low-execution", "indicators")]
    assert low.severity is Severity.WARNING and "80.00%" in low.message
    assert not [k for k in found(clean) if k[0] == "full-marks-low-execution"]  # 99.77%


def test_full_marks_beside_a_reason_admitting_a_shortfall(clean):
    form = with_indicator(clean, 0, deviation="部分接口未完成迁移，明年继续。")
    admitted = found(form)[("full-score-despite-shortfall", "indicators[0].score")]
    assert admitted.severity is Severity.WARNING and "未完成" in admitted.message
    assert errors(form) == []
    fine = with_indicator(clean, 0, deviation="全年无未完成事项。")
    assert not [k for k in found(fine) if k[0] == "full-score-despite-shortfall"]


def test_qualitative_rows_mostly_and_all_at_full_marks(clean):
    form = with_indicator(clean, 0, target="稳定运行", actual="达成指标")
    form = with_indicator(form, 1, target="稳定运行", actual="达成指标")  # 4 of 7 now
    qualitative = found(form)[("qualitative-full-marks", "indicators")]
    assert qualitative.severity is Severity.INFO and "7 个指标中 4 个" in qualitative.message
    assert not [k for k in found(clean) if k[0] == "qualitative-full-marks"]  # 2 of 7
