"""The attention list (关注清单): the forms of a year a reviewer should open first, each
with its reasons, worst first.

A form is on the list when at least one of these holds; its priority is the sum of the
weights of those that hold, and equal priorities put the larger 全年预算数 first:

====================  ======  ==========================================================
reason                weight  when
====================  ======  ==========================================================
errors                8       the audit found an error-level finding (得分超过分值,
                              等级与总分不符 …) — by the last save's findings
low-execution         6       执行率 below 60% (``attention_low_execution``) while every
                              indicator scored its full points (低执行率却得满分)
review-gap            5       the self scores add up to at least 10 points
                              (``attention_review_gap``) more than the 复核 total
grade-out-of-band     4       the printed grade is not the one the total's band earns
                              (等级不在总分档次), compared on the one grade scale
goals-copied          3       实际完成情况 copies 预期目标 (the audit's goals-copied
                              check: identical, or similar by 0.90 as the template sets)
====================  ======  ==========================================================

The thresholds (60, 10, and 0.90 for goals-copied) are the default template's ``[audit]``
settings (:func:`thresholds`). Every condition reads indexed columns filled on save
(:func:`jixiao.web.evaluations.actions.columns.fill`) and is written once, as
:class:`Test` s of :data:`CONDITIONS`: the database filters, weighs and orders by them
(one query), and :func:`reasons` puts the same tests into words for a page of rows. The
permissions are the forms': a unit sees its own, a department its units', the bureau all.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, NamedTuple

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao import templates
from jixiao.contract.json import evaluation_from_dict
from jixiao.domain.audit import RULES, audit_batch
from jixiao.domain.audit.settings import settings
from jixiao.domain.scoring import round_figure
from jixiao.domain.template import Rounding
from jixiao.web.evaluations.actions.access import in_department
from jixiao.web.evaluations.models import Evaluation


@dataclass(frozen=True)
class Thresholds:
    """The list's thresholds, from the default template's ``[audit]`` table."""

    low_execution: Decimal  # 执行率 (%) below which full indicator scores are suspicious
    review_gap: Decimal  # points the self scores may exceed the 复核 total by
    near_copy: Decimal  # the audit's goals-copied similarity (shown on the page)


def thresholds() -> Thresholds:
    """The thresholds of the default template (``templates.DEFAULT``): one list over forms
    of any template, with one rule stated on the page and in the API."""
    audit = settings(templates.load(templates.DEFAULT))
    return Thresholds(audit.attention_low_execution, audit.attention_review_gap, audit.near_copy)


_SELF = ExpressionWrapper(
    Coalesce(F("execution_score"), Value(Decimal(0)))
    + Coalesce(F("indicator_score"), Value(Decimal(0))),
    output_field=DecimalField(max_digits=8, decimal_places=2),
)
"""The self scores' sum (``self_total``, annotated by :func:`flagged`)."""


@dataclass(frozen=True)
class Column:
    """Another column of the row as a test's operand, plus a threshold (by its name in
    :class:`Thresholds`) if given."""

    name: str
    plus: str | None = None


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "exact": operator.eq,
}


@dataclass(frozen=True)
class Test:
    """``column lookup operand``, one comparison of a condition. The operand is a value, a
    threshold's name (``str``, a field of :class:`Thresholds`) or a :class:`Column`. It is
    a ``Q`` for the database and a predicate in Python with SQL's rule for NULL (a
    comparison with NULL is false), so each condition is written once."""

    column: str
    lookup: str  # "gt", "gte", "lt", "exact", "isnull"
    operand: Any

    def q(self, limits: Thresholds) -> Q:
        operand = self.operand
        if isinstance(operand, Column):
            operand = (
                F(operand.name) + getattr(limits, operand.plus) if operand.plus else F(operand.name)
            )
        elif isinstance(operand, str):
            operand = getattr(limits, operand)
        return Q(**{f"{self.column}__{self.lookup}": operand})

    def holds(self, row: Evaluation, limits: Thresholds) -> bool:
        value = getattr(row, self.column, None)
        if self.lookup == "isnull":
            return (value is None) is self.operand
        operand = self.operand
        if isinstance(operand, Column):
            operand = getattr(row, operand.name, None)
            if operand is not None and self.operand.plus:
                operand = operand + getattr(limits, self.operand.plus)
        elif isinstance(operand, str):
            operand = getattr(limits, operand)
        if value is None or operand is None:
            return False
        return _COMPARE[self.lookup](value, operand)


class Condition(NamedTuple):
    """A reason's weight and the tests that must all hold."""

    weight: int
    tests: tuple[Test, ...]

    def q(self, limits: Thresholds) -> Q:
        return reduce(operator.and_, (t.q(limits) for t in self.tests))

    def holds(self, row: Evaluation, limits: Thresholds) -> bool:
        return all(t.holds(row, limits) for t in self.tests)


CONDITIONS: dict[str, Condition] = {
    "errors": Condition(8, (Test("errors", "gt", 0),)),
    "low-execution": Condition(
        6,
        (
            Test("execution_rate", "lt", "low_execution"),
            Test("indicator_points", "gt", 0),
            Test("indicator_score", "gte", Column("indicator_points")),
        ),
    ),
    "review-gap": Condition(
        5,
        (
            Test("review_total", "isnull", False),
            Test("self_total", "gte", Column("review_total", plus="review_gap")),
        ),
    ),
    "grade-out-of-band": Condition(4, (Test("grade_out_of_band", "exact", True),)),
    "goals-copied": Condition(3, (Test("goals_copied", "exact", True),)),
}
"""Each reason's weight and condition (``self_total``: the self scores' sum, annotated)."""


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Entry:
    """One line of the list: the form, its priority and why it is there."""

    evaluation: Evaluation
    priority: int
    reasons: list[Reason]


def flagged(
    visible: QuerySet[Evaluation],
    year: int,
    department: int | None = None,
    state: str | None = None,
) -> QuerySet[Evaluation]:
    """The forms of ``year`` among ``visible`` (those the user may see; optionally of one
    department, in one workflow state) with at least one reason, annotated with
    ``priority``, worst first."""
    chosen = visible.filter(year=year)
    if department is not None:
        chosen = chosen.filter(in_department(department))
    if state is not None:
        chosen = chosen.filter(state=state)
    chosen = chosen.annotate(self_total=_SELF)
    limits = thresholds()
    conditions = [(c.weight, c.q(limits)) for c in CONDITIONS.values()]
    cases: list[Combinable] = [
        Case(When(q, then=Value(weight)), default=Value(0)) for weight, q in conditions
    ]
    priority = reduce(lambda a, b: a + b, cases)
    heavy = ("data", "findings", "acknowledgements", "review_scores", "targets", "target_reasons")
    return (
        chosen.filter(reduce(or_, (q for _w, q in conditions)))
        .annotate(priority=priority)
        .select_related("project__unit__parent")
        .defer(*heavy)
        .order_by("-priority", F("budget_wan").desc(nulls_last=True), "project__code")
    )


def entries(flagged_rows) -> list[Entry]:
    """The rows of :func:`flagged` (a page of them) with their reasons in words."""
    limits = thresholds()
    return [Entry(ev, ev.priority, reasons(ev, limits)) for ev in flagged_rows]


def reasons(ev: Evaluation, limits: Thresholds | None = None) -> list[Reason]:
    """Why a form is listed, worst first: the :data:`CONDITIONS` that hold for its indexed
    columns, in words."""
    limits = limits or thresholds()
    return [
        Reason(code, _MESSAGES[code](ev, limits))
        for code, condition in CONDITIONS.items()
        if condition.holds(ev, limits)
    ]


def _errors(ev: Evaluation, limits: Thresholds) -> str:
    return _("审核发现 %(n)s 个错误：%(codes)s") % {
        "n": ev.errors,
        "codes": _rule_names(ev.error_codes),
    }


def _low_execution(ev: Evaluation, limits: Thresholds) -> str:
    return _("执行率 %(rate)s%% 低于 %(low)s%%，指标却全部得满分（%(score)s 分）") % {
        "rate": shown_rate(ev.execution_rate),
        "low": limits.low_execution,
        "score": ev.indicator_score,
    }


def shown_rate(rate: Decimal | None) -> str:
    """执行率 as a form prints it: two places (the column keeps four: 58.0000 → 58.00)."""
    return "" if rate is None else str(round_figure(rate, Rounding.HALF_UP))


def _review_gap(ev: Evaluation, limits: Thresholds) -> str:
    own = getattr(ev, "self_total", None)  # annotated by flagged(); the condition read it
    assert own is not None
    return _("自评 %(own)s 分，复核 %(review)s 分，高出 %(gap)s 分（≥ %(limit)s）") % {
        "own": own,
        "review": ev.review_total,
        "gap": own - ev.review_total,
        "limit": limits.review_gap,
    }


def _grade_out_of_band(ev: Evaluation, limits: Thresholds) -> str:
    return _("等级“%(grade)s”不是总分 %(total)s 所在档次的等级") % {
        "grade": ev.grade or "",
        "total": "" if ev.total is None else ev.total,
    }


def _goals_copied(ev: Evaluation, limits: Thresholds) -> str:
    return _("实际完成情况照抄预期目标")


_MESSAGES: dict[str, Callable[[Evaluation, Thresholds], str]] = {
    "errors": _errors,
    "low-execution": _low_execution,
    "review-gap": _review_gap,
    "grade-out-of-band": _grade_out_of_band,
    "goals-copied": _goals_copied,
}
"""Each reason in words (the order of :data:`CONDITIONS`: worst first)."""


def _rule_names(codes: str) -> str:
    """The audit rules' titles in Chinese (得分超过分值、等级与总分不符), their codes otherwise."""
    if not (get_language() or "zh").startswith("zh"):
        return ", ".join(codes.split(","))
    return "、".join(
        RULES[code].title if code in RULES else code for code in codes.split(",") if code
    )


# --- across the forms of one department (跨表) ------------------------------------------

ACROSS_LIMIT = 2000
"""The most forms compared across on a page (a department's year and the year before);
beyond it the page asks for one department (the CLI's ``jixiao check`` has no limit)."""


@dataclass(frozen=True)
class Across:
    """The batch checks over a department's forms: each form of the year with what only
    the batch shows (texts copied across projects, targets unchanged from last year)."""

    compared: int  # forms read, with the year before's
    flagged: list[tuple[Evaluation, list[Reason]]]


def across(
    visible: QuerySet[Evaluation], year: int, department: int | None = None
) -> Across | None:
    """The batch checks (:func:`jixiao.domain.audit.audit_batch`) over the forms of
    ``year`` and the year before among ``visible`` (of one department if given); None
    when they are more than :data:`ACROSS_LIMIT`."""
    chosen = visible.filter(year__in=(year, year - 1))
    if department is not None:
        chosen = chosen.filter(in_department(department))
    if chosen.count() > ACROSS_LIMIT:
        return None
    rows = list(chosen.select_related("project__unit").order_by("year", "project__code", "pk"))
    forms = [evaluation_from_dict(row.data, f"自评表 {row.pk}") for row in rows]
    english = (get_language() or "").startswith("en")
    found = audit_batch(forms, lambda form: templates.load(form.template))
    flagged = [
        (row, [Reason(f.code, f.message_en if english else f.message) for f in findings])
        for row, findings in zip(rows, found)
        if findings and row.year == year
    ]
    return Across(len(rows), flagged)
