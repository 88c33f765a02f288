"""The indexed copies of a form (roll-up and attention columns), filled by every write.

A write helper, not a read: every create, save and 复核 score calls :func:`fill` on the row
it is about to save, so the roll-ups, dashboards, 催报 progress and attention list
(:mod:`jixiao.web.evaluations.selectors`) are database aggregates over these columns.
Amounts in 万元 whatever the form printed (元 ÷ 10000), the printed 执行率, 执行率得分 and
indicator scores, the 复核 total, the grade on one scale, the findings counted by severity,
the indicators counted by kind of 年度指标值 and the attention facts.

One grade scale (统一等级): the templates' grades by rank, best first —
national-2020 优/良/中/差 and shanghai-2019 优秀/良好/合格/不合格 both map to
优/良/中/差. Their bands differ (良 from 80, 良好 from 75): the scale keeps each
form's own grade, only the names are made one.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao import templates
from jixiao.domain import scoring
from jixiao.domain.model import AmountUnit
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.model import places as figure_places
from jixiao.domain.scoring import round_figure
from jixiao.web.evaluations.models import Evaluation

SCALE = ("优", "良", "中", "差")
"""统一等级, best first: rank n of a template's grades (ordered by their lower bound) is SCALE[n]."""

ERROR_CODES_LENGTH = 300  # the column's length: a form with more error kinds keeps their first ones
WAN = Decimal(10000)
AMOUNT_PLACES = 6  # 万元 to 6 places is exact to the 分


def fits(value: Decimal | None, digits: int, places: int) -> Decimal | None:
    """``value`` if it fits a column of ``digits`` digits with ``places`` places, else ``None``
    (the form keeps the figure as printed; the audit says what is wrong with it)."""
    if value is None or not value.is_finite() or abs(value) >= 10 ** (digits - places):
        return None
    return value if figure_places(value) <= places else None


def in_wan(amount: Decimal | None, unit: AmountUnit, form_template) -> Decimal | None:
    """An amount in 万元: a 元 amount ÷ 10000, cut to 6 places by the template's rounding."""
    if amount is None or not amount.is_finite():
        return None
    wan = amount / WAN if unit is AmountUnit.YUAN else amount
    return fits(round_figure(wan, form_template.rounding, AMOUNT_PLACES), 18, AMOUNT_PLACES)


def scale_of(printed: str | None, form_template) -> str:
    """The printed grade on the one scale ('' when the template does not know it)."""
    grade = form_template.canonical_grade(printed)
    if grade is None:
        return ""
    ranked = sorted(form_template.grades, key=lambda g: -g.min)
    return SCALE[min(ranked.index(grade), len(SCALE) - 1)]


def review_total(form: Form, review_scores: dict[str, str]) -> Decimal | None:
    """复核总分: the self scores with each 复核 score in place of its self score;
    ``None`` while no 复核 score is given."""
    if not review_scores:
        return None
    scores = {"funding.score": form.funding.total.score}
    scores |= {f"indicators[{n}].score": ind.score for n, ind in enumerate(form.indicators)}
    scores |= {path: Decimal(value) for path, value in review_scores.items()}
    return sum((s for s in scores.values() if s is not None), Decimal(0))


def fill(evaluation: Evaluation, form: Form) -> None:
    """Copy the roll-up figures of ``form`` (and the stored findings and 复核 scores) into the row."""
    try:
        form_template = templates.load(form.template)
    except templates.UnknownTemplate:
        form_template = templates.load(templates.DEFAULT)
    unit = form.funding.unit or AmountUnit(form_template.amount_unit)
    line = form.funding.total
    evaluation.budget_wan = in_wan(line.annual_budget, unit, form_template)
    evaluation.executed_wan = in_wan(line.executed, unit, form_template)
    evaluation.execution_rate = fits(line.execution_rate, 9, 4)
    evaluation.execution_score = fits(line.score, 7, 2)
    scores = [ind.score for ind in form.indicators if ind.score is not None]
    evaluation.indicator_score = fits(sum(scores, Decimal(0)), 7, 2) if scores else None
    evaluation.review_total = fits(review_total(form, evaluation.review_scores), 7, 2)
    evaluation.scale = scale_of(form.grade, form_template)
    (
        evaluation.quantitative_indicators,
        evaluation.qualitative_indicators,
        evaluation.untargeted_indicators,
    ) = indicator_kinds(
        [None if i.target_parsed is None else i.target_parsed.quantitative for i in form.indicators]
    )
    severities = [f.get("severity") for f in evaluation.findings]
    evaluation.errors, evaluation.warnings, evaluation.notices = (
        severities.count("error"),
        severities.count("warning"),
        severities.count("info"),
    )
    fill_attention(evaluation, form, form_template)


def fill_attention(evaluation: Evaluation, form: Form, form_template) -> None:
    """The facts the attention list (关注清单, :mod:`jixiao.web.evaluations.selectors.attention`) ranks by, taken from the form
    once per save: the indicators' points, whether 实际完成情况 copies 预期目标 (the audit's
    goals-copied finding), whether the grade is not the one the total earns, the error codes."""
    points = [ind.points for ind in form.indicators if ind.points is not None]
    evaluation.indicator_points = fits(sum(points, Decimal(0)), 7, 2) if points else None
    evaluation.goals_copied = any(f.get("code") == "goals-copied" for f in evaluation.findings)
    earned, _reason = (
        scoring.grade(form.total, form_template) if form.total is not None else (None, "")
    )
    evaluation.grade_out_of_band = bool(
        evaluation.scale
        and earned is not None
        and scale_of(earned.label, form_template) != evaluation.scale
    )
    errors = sorted(
        {f["code"] for f in evaluation.findings if f.get("severity") == "error" and f.get("code")}
    )
    evaluation.error_codes = ",".join(errors)[:ERROR_CODES_LENGTH]


def indicator_kinds(quantitative: list[bool | None]) -> tuple[int, int, int]:
    """定量, 定性 and no-target counts of a form's indicators, from each one's parsed 年度指标值
    (a figure: 定量; words: 定性; ``None``: no 年度指标值 printed, as in the old template)."""
    return quantitative.count(True), quantitative.count(False), quantitative.count(None)
