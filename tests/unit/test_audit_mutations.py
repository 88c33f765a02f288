"""Mutation tests: take a correct form, break one figure or cell as a slip
would, and the audit must name the right check at the right field — while the
unbroken form has no error-level finding.

The correct forms are the bundled samples and, where the seeds are present,
the seed forms without error-level findings (001 #0, 002 #2, 003 #1)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao import samples, templates
from jixiao.domain.audit import Severity, audit
from jixiao.domain.audit.settings import settings
from jixiao.domain.model import Evaluation, FundingLine, Goals, Indicator, Project
from jixiao.domain.targets import format_target, parse_target
from jixiao.readers import read_path
from jixiao.readers.text import read_text
from tests.conftest import seed_path

D = Decimal
SAMPLES = {p.name: p for p in samples.paths()}

CORRECT_FORMS = [
    ("sample-tab", 0),
    ("sample-tab", 1),
    ("sample-markdown", 0),
    ("sample-shanghai", 0),
    ("001", 0),
    ("002", 2),
    ("003", 1),
    ("000", 0),
    ("004", 0),
]


class DoesNotApply(Exception):
    """The slip needs a cell this form's layout does not have."""


def needs(condition: bool) -> None:
    if not condition:
        raise DoesNotApply


def load(name: str, index: int) -> Evaluation:
    if name == "sample-tab":
        return read_path(SAMPLES["national-2023-tab.txt"])[index]
    if name == "sample-markdown":
        return read_path(SAMPLES["national-2023-markdown.md"])[index]
    if name == "sample-shanghai":
        return read_path(SAMPLES["shanghai-2019-tab.txt"])[index]
    return read_path(seed_path(name))[index]


def findings(form: Evaluation) -> list:
    return audit(form, templates.load(form.template))


def errors(form: Evaluation) -> list:
    return [(f.code, f.field) for f in findings(form) if f.severity is Severity.ERROR]


def with_indicator(form: Evaluation, n: int, **changes) -> Evaluation:
    """A form with indicator n changed; printed target/actual are parsed again."""
    ind = replace(form.indicators[n], **changes)
    ind = replace(
        ind, target_parsed=parse_target(ind.target), actual_parsed=parse_target(ind.actual)
    )
    items = list(form.indicators)
    items[n] = ind
    return replace(form, indicators=tuple(items))


def first(form: Evaluation, test) -> int:
    found = [n for n, ind in enumerate(form.indicators) if test(ind)]
    needs(bool(found))
    return found[0]


def measured(ind: Indicator) -> bool:
    t, a = ind.target_parsed, ind.actual_parsed
    return bool(
        t
        and a
        and t.quantitative
        and a.quantitative
        and t.unit
        and t.op
        and t.op.value in "≥="
        and t.value > 0
    )


def worded(ind: Indicator) -> bool:
    return ind.target_parsed is not None and not ind.target_parsed.quantitative


# --- the slips, one function each: (broken form, code, field) ------------------------------


def rate_off(form):
    line = form.funding.total
    return (
        replace(
            form,
            funding=replace(
                form.funding, total=replace(line, execution_rate=line.execution_rate - D("0.50"))
            ),
        ),
        "execution-rate-differs",
        "funding.execution_rate",
    )


def execution_score_off(form):
    line = form.funding.total
    needs(line.score is not None)
    return (
        replace(
            form, funding=replace(form.funding, total=replace(line, score=line.score - D("1.00")))
        ),
        "execution-score-differs",
        "funding.score",
    )


def part_spent_off(form):
    part = form.funding.current_year_appropriation
    needs(part is not None)
    broken = replace(part, executed=part.executed - D("0.09"))
    return (
        replace(form, funding=replace(form.funding, current_year_appropriation=broken)),
        "funding-parts-sum",
        "funding.executed",
    )


def total_off(form):
    return replace(form, total=form.total - D("1.00")), "total-differs", "total"


def points_off(form):
    n = first(form, lambda i: i.score == i.points)
    bigger = form.indicators[n].points + D("5.00")
    template = templates.load(form.template)
    if template.groups:  # the group's weights no longer add up to its printed points
        j = next(j for j, g in enumerate(template.groups) if g.name == form.indicators[n].level1)
        return with_indicator(form, n, points=bigger), "points-sum", f"groups[{j}].points"
    return with_indicator(form, n, points=bigger), "points-sum", "indicators"


def total_points_off(form):
    return replace(form, total_points=D("90.00")), "points-sum", "total_points"


def score_above_points(form):
    n = first(form, lambda i: i.score == i.points)
    return (
        with_indicator(form, n, score=form.indicators[n].points + D("2.00")),
        "score-above-points",
        f"indicators[{n}].score",
    )


def score_missing(form):
    return with_indicator(form, 0, score=None), "score-missing", "indicators[0].score"


def full_score_for_a_miss(form):
    n = first(form, lambda i: measured(i) and i.score == i.points)
    target = form.indicators[n].target_parsed
    short = replace(target, op=None, value=target.value * D("0.9"), note=None)
    return (
        with_indicator(form, n, actual=format_target(short)),
        "full-score-target-missed",
        f"indicators[{n}].score",
    )


def qualitative_missed_full_score(form):
    n = first(form, lambda i: worded(i) and i.score == i.points)
    return with_indicator(form, n, actual="未达成"), "score-outside-band", f"indicators[{n}].score"


def cut_without_reason(form):
    n = first(form, lambda i: i.score == i.points and not i.deviation)
    return (
        with_indicator(form, n, score=form.indicators[n].points - D("1.00")),
        "score-cut-without-reason",
        f"indicators[{n}].deviation",
    )


def wrong_grade(form):
    template = templates.load(form.template)
    needs(form.grade is not None)
    earned = template.canonical_grade(form.grade)
    other = next(g.label for g in template.grades if g != earned)
    return replace(form, grade=other), "grade-differs", "grade"


def unit_mismatch(form):
    n = first(form, measured)
    actual = replace(form.indicators[n].actual_parsed, unit="分")
    return (
        with_indicator(form, n, actual=format_target(actual)),
        "unit-differs",
        f"indicators[{n}].actual",
    )


def narrative_actual(form):
    n = first(form, measured)
    ind = form.indicators[n]
    wrong = ind.actual_parsed.value + 7
    text = f"{ind.name}实际完成 {wrong} {ind.actual_parsed.unit}。"
    return (
        replace(form, goals=replace(form.goals, actual=text)),
        "narrative-actual-differs",
        "goals.actual",
    )


def narrative_target(form):
    n = first(form, measured)
    ind = form.indicators[n]
    wrong = ind.target_parsed.value - 5
    text = f"年度内{ind.name}达到 {wrong} {ind.target_parsed.unit}以上。"
    return (
        replace(form, goals=replace(form.goals, expected=text)),
        "narrative-target-differs",
        "goals.expected",
    )


def unit_cell_emptied(form):
    return replace(form, project=replace(form.project, unit=None)), "cell-missing", "project.unit"


def target_cell_emptied(form):
    needs(form.indicators[1].target is not None)
    return with_indicator(form, 1, target=None), "cell-missing", "indicators[1].target"


def weight_cell_emptied(form):
    return with_indicator(form, 2, points=None), "cell-missing", "indicators[2].points"


def group_score_over(form):
    template = templates.load(form.template)
    needs(bool(template.groups))
    n = first(form, lambda i: i.level1 == template.groups[-1].name and i.score == i.points)
    over = form.indicators[n].points + D("3")  # also above its own weight
    return (
        with_indicator(form, n, score=over),
        "group-score-above-points",
        f"groups[{len(template.groups) - 1}].score",
    )


def total_row_zero_beside_parts(form):
    """The 年度资金总额 row printed 0 / 0 / 0, one part carrying the money, the others blank."""
    part = form.funding.current_year_appropriation
    needs(part is not None and bool(part.executed))
    zero = replace(form.funding.total, initial_budget=D(0), annual_budget=D(0), executed=D(0))
    funding = replace(form.funding, total=zero, prior_year_carryover=None, other_funds=None)
    return replace(form, funding=funding), "funding-parts-sum", "funding.executed"


def spent_above_budget(form):
    line = form.funding.total
    needs(line.annual_budget is not None and line.executed is not None)
    more = (line.annual_budget * D("1.05")).quantize(D("0.01"))
    total = replace(line, executed=more)
    return (
        replace(form, funding=replace(form.funding, total=total)),
        "execution-above-budget",
        "funding.executed",
    )


def deadline_missed_full_score(form):
    needs("target" in templates.load(form.template).columns)
    n = first(form, lambda i: i.score == i.points and i.points)
    return (
        with_indicator(form, n, target="9月前", actual="10月"),
        "full-score-target-missed",
        f"indicators[{n}].score",
    )


def placeholder_actual(form):
    needs("target" in templates.load(form.template).columns)
    n = first(form, lambda i: i.points is not None and i.actual)
    return with_indicator(form, n, actual="/"), "value-placeholder", f"indicators[{n}].actual"


def percent_unit_as_a_word(form):
    n = first(form, lambda i: measured(i) and i.target_parsed.unit == "%")
    target = replace(form.indicators[n].target_parsed, unit="百分比")
    return (
        with_indicator(form, n, target=format_target(target).replace("(百分比)", "百分比")),
        "unit-malformed",
        f"indicators[{n}].target",
    )


def percent_target_above_100(form):
    n = first(form, lambda i: measured(i) and i.target_parsed.unit == "%")
    target = replace(form.indicators[n].target_parsed, value=D("110"))
    return (
        with_indicator(form, n, target=format_target(target)),
        "percent-target-above-100",
        f"indicators[{n}].target",
    )


def achievements_copied(form):
    needs(form.achievements is not None and form.goals.expected is not None)
    return replace(form, achievements=form.goals.expected), "goals-copied", "achievements"


SLIPS = {
    "arithmetic": [
        rate_off,
        execution_score_off,
        part_spent_off,
        total_off,
        points_off,
        total_points_off,
        total_row_zero_beside_parts,
        spent_above_budget,
    ],
    "scoring": [
        score_above_points,
        score_missing,
        full_score_for_a_miss,
        qualitative_missed_full_score,
        cut_without_reason,
        group_score_over,
        deadline_missed_full_score,
    ],
    "grade": [wrong_grade],
    "units": [unit_mismatch, placeholder_actual, percent_unit_as_a_word, percent_target_above_100],
    "text": [narrative_actual, narrative_target, achievements_copied],
    "completeness": [unit_cell_emptied, target_cell_emptied, weight_cell_emptied],
}
CASES = [(family, slip) for family, slips in SLIPS.items() for slip in slips]


@pytest.mark.parametrize("name, index", CORRECT_FORMS)
def test_the_unbroken_forms_have_no_error(name, index):
    assert errors(load(name, index)) == []


@pytest.mark.parametrize("name, index", CORRECT_FORMS)
@pytest.mark.parametrize("family, slip", CASES, ids=[s.__name__ for _, s in CASES])
def test_a_slip_is_found_at_its_field(name, index, family, slip):
    form = load(name, index)
    try:
        broken, code, field = slip(form)
    except DoesNotApply:
        pytest.skip(f"{name} #{index} has no cell this slip can break")
    found = {(f.code, f.field): f for f in findings(broken)}
    assert (code, field) in found, sorted(found)
    finding = found[(code, field)]
    assert finding.severity is settings(templates.load(form.template)).severity_of(code)
    assert finding.message and finding.message_en


# --- warnings and infos: the same, on the tab sample's first form -------------------------


@pytest.fixture
def clean() -> Evaluation:
    return load("sample-tab", 0)


def codes_at(form: Evaluation) -> dict[tuple[str, str], Severity]:
    return {(f.code, f.field): f.severity for f in findings(form)}


def test_rate_printed_half_up_is_a_rounding_warning(clean):
    line = replace(clean.funding.total, execution_rate=D("99.78"))  # 8.98 / 9.00 = 99.777…
    found = findings(replace(clean, funding=replace(clean.funding, total=line)))
    (rounding,) = [f for f in found if f.code == "rounding-mode-differs"]
    assert rounding.field == "funding.execution_rate" and rounding.severity is Severity.WARNING
    assert (rounding.printed, rounding.expected) == ("99.78", "99.77")
    assert "四舍五入、进一" in rounding.message
    assert not [f for f in found if f.severity is Severity.ERROR]


def test_rounding_modes_the_figures_fit_are_said(clean):
    (info,) = [f for f in findings(clean) if f.code == "rounding-modes"]
    assert (
        info.severity is Severity.INFO and "舍去" in info.message and "四舍五入" not in info.message
    )


def test_cut_score_against_the_rule_is_a_warning_with_the_figure(clean):
    broken = with_indicator(clean, 1, score=D("14.00"), deviation="可用率口径调整，酌情扣分。")
    found = {f.code: f for f in findings(broken)}
    rule = found["score-rule-differs"]
    assert (rule.field, rule.printed, rule.expected, rule.severity) == (
        "indicators[1].score",
        "14.00",
        "15.00",
        Severity.WARNING,
    )
    assert "满分" in rule.explanation
    assert "score-cut-without-reason" not in found  # a reason is given


def test_actual_far_above_target_without_comment(clean):
    broken = with_indicator(clean, 0, actual="60.00(个)")  # 150% of ≥40
    (far,) = [f for f in findings(broken) if f.code == "actual-far-above-target"]
    assert far.field == "indicators[0].actual" and "150%" in far.message


def test_far_above_target_with_a_comment_is_fine(clean):
    broken = with_indicator(
        clean, 0, actual="60.00(个)", deviation="新增接入部门，接口数随之增加。"
    )
    assert "actual-far-above-target" not in {f.code for f in findings(broken)}


def test_grade_label_outside_the_list(clean):
    found = codes_at(replace(clean, grade="甲等"))
    assert found[("grade-unknown-label", "grade")] is Severity.WARNING
    assert ("grade-differs", "grade") not in found


def test_unit_in_the_name_differs(clean):
    found = codes_at(with_indicator(clean, 0, name="共享接口维护数量（%）"))
    assert found[("unit-name-differs", "indicators[0].name")] is Severity.WARNING


def test_target_with_a_sign_but_no_number(clean):
    found = codes_at(with_indicator(clean, 1, target="≥九十九(%)"))
    assert found[("target-unparseable", "indicators[1].target")] is Severity.WARNING


def test_words_where_a_number_was_possible(clean):
    found = codes_at(with_indicator(clean, 1, target="明显提高", actual="达成指标"))
    assert found[("target-not-measurable", "indicators[1].target")] is Severity.INFO


def test_quantitative_target_with_an_actual_in_words(clean):
    found = codes_at(with_indicator(clean, 0, actual="达成指标"))
    assert found[("actual-in-words", "indicators[0].actual")] is Severity.INFO


def test_goals_copied(clean):
    copied = replace(clean, goals=Goals(clean.goals.expected, clean.goals.expected))
    assert codes_at(copied)[("goals-copied", "goals.actual")] is Severity.WARNING
    nearly = replace(clean, goals=Goals(clean.goals.expected, clean.goals.expected[:-3] + "。"))
    (found,) = [f for f in findings(nearly) if f.code == "goals-copied"]
    assert "几乎相同" in found.message
    assert "goals-copied" not in {f.code for f in findings(clean)}


def test_narrative_amount_against_the_funding_block(clean):
    wrong = replace(
        clean, goals=replace(clean.goals, actual=clean.goals.actual + "全年执行资金 8.89 万元。")
    )
    (amount,) = [f for f in findings(wrong) if f.code == "narrative-amount-differs"]
    assert (amount.field, amount.printed, amount.expected) == (
        "goals.actual",
        "8.89 万元",
        "8.98 万元",
    )
    right = replace(
        clean, goals=replace(clean.goals, actual=clean.goals.actual + "全年执行资金 89800 元。")
    )
    assert "narrative-amount-differs" not in {f.code for f in findings(right)}


def test_narrative_rounded_figure_agrees(clean):
    # 99.50% printed in the table, "99.5%" in words: the same figure
    assert "narrative-actual-differs" not in {f.code for f in findings(clean)}
    said = replace(clean, goals=replace(clean.goals, actual="系统可用率达到 99.6%。"))
    assert ("narrative-actual-differs", "goals.actual") in codes_at(said)


def test_an_unreadable_cell_is_a_finding_not_a_crash():
    text = (
        SAMPLES["national-2023-tab.txt"]
        .read_text("utf-8")
        .replace("15.00\t15.00", "15.00\t十五", 1)
    )
    form = read_text(text, "broken.txt")[0]
    found = codes_at(form)
    assert found[("cell-unreadable", "indicators[0].score")] is Severity.ERROR
    assert (
        "score-missing",
        "indicators[0].score",
    ) not in found  # said once, by the reader's problem
    assert ("cell-missing", "indicators[0].score") not in found


def test_a_form_with_almost_nothing_is_all_missing_cells():
    template = templates.load("national-2020")
    bare = Evaluation(
        template=template.id,
        project=Project(name="只有名称"),
        funding=replace(Evaluation(template="x").funding, total=FundingLine()),
    )
    missing = {f.field for f in audit(bare, template) if f.code == "cell-missing"}
    assert {
        "project.unit",
        "funding.annual_budget",
        "funding.score",
        "goals.expected",
        "total",
        "grade",
        "indicators",
    } <= missing
    assert "project.name" not in missing
