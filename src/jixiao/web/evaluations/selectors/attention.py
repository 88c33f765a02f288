"""The attention list (关注清单): the forms of a year a reviewer should open first, each
with its reasons, worst first.

A form is on the list when at least one of these holds; its priority is the sum of the
weights of those that hold, and equal priorities put the larger 全年预算数 first:

====================  ======  ==========================================================
reason                weight  when
====================  ======  ==========================================================
errors                8       the audit found an error-level finding (得分超过分值,
                              等级与总分不符 …) — by the last save's findings
low-execution         6       执行率 below 60% while every indicator scored its full
                              points (低执行率却得满分)
review-gap            5       the self scores add up to at least 10 points more than
                              the 复核 total (自评分远高于复核分)
grade-out-of-band     4       the printed grade is not the one the total's band earns
                              (等级不在总分档次), compared on the one grade scale
goals-copied          3       实际完成情况 copies 预期目标 (the audit's goals-copied
                              check: identical, or similar by 0.90 as the template sets)
====================  ======  ==========================================================

Every condition reads indexed columns filled on save (:func:`rollup.fill`), so the
list is one database query: filtered, weighted and ordered by the database. The
permissions are the forms': a unit sees its own, a department its units', the bureau all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao.domain.audit import RULES

from .models import Evaluation

LOW_EXECUTION = Decimal(60)
"""执行率 (%) below which full indicator scores are suspicious."""

REVIEW_GAP = Decimal(10)
"""Points by which the self scores may exceed the 复核 total before the form is listed."""

_SELF = ExpressionWrapper(
    Coalesce(F("execution_score"), Value(Decimal(0)))
    + Coalesce(F("indicator_score"), Value(Decimal(0))),
    output_field=DecimalField(max_digits=8, decimal_places=2),
)

CONDITIONS: dict[str, tuple[int, Q]] = {
    "errors": (8, Q(errors__gt=0)),
    "low-execution": (
        6,
        Q(
            execution_rate__lt=LOW_EXECUTION,
            indicator_points__gt=0,
            indicator_score__gte=F("indicator_points"),
        ),
    ),
    "review-gap": (
        5,
        Q(review_total__isnull=False, self_total__gte=F("review_total") + REVIEW_GAP),
    ),
    "grade-out-of-band": (4, Q(grade_out_of_band=True)),
    "goals-copied": (3, Q(goals_copied=True)),
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
        chosen = chosen.filter(project__unit__parent_id=department)
    if state is not None:
        chosen = chosen.filter(state=state)
    chosen = chosen.annotate(self_total=_SELF)
    weighted = [When(condition, then=Value(weight)) for weight, condition in CONDITIONS.values()]
    cases: list[Combinable] = [Case(w, default=Value(0)) for w in weighted]
    priority = reduce(lambda a, b: a + b, cases)
    heavy = ("data", "findings", "acknowledgements", "review_scores", "targets", "target_reasons")
    return (
        chosen.filter(reduce(or_, (condition for _w, condition in CONDITIONS.values())))
        .annotate(priority=priority)
        .select_related("project__unit__parent")
        .defer(*heavy)
        .order_by("-priority", F("budget_wan").desc(nulls_last=True), "project__code")
    )


def entries(flagged_rows) -> list[Entry]:
    """The rows of :func:`flagged` (a page of them) with their reasons in words."""
    return [Entry(ev, ev.priority, reasons(ev)) for ev in flagged_rows]


def reasons(ev: Evaluation) -> list[Reason]:
    """Why a form is listed, worst first, from its indexed columns (the thresholds as above)."""
    found = []
    if ev.errors:
        found.append(
            Reason(
                "errors",
                _("审核发现 %(n)s 个错误：%(codes)s")
                % {"n": ev.errors, "codes": _rule_names(ev.error_codes)},
            )
        )
    if (
        ev.execution_rate is not None
        and ev.execution_rate < LOW_EXECUTION
        and ev.indicator_points
        and ev.indicator_score is not None
        and ev.indicator_score >= ev.indicator_points
    ):
        found.append(
            Reason(
                "low-execution",
                _("执行率 %(rate)s%% 低于 %(low)s%%，指标却全部得满分（%(score)s 分）")
                % {"rate": ev.execution_rate, "low": LOW_EXECUTION, "score": ev.indicator_score},
            )
        )
    self_total = getattr(ev, "self_total", None)
    if (
        ev.review_total is not None
        and self_total is not None
        and self_total - ev.review_total >= REVIEW_GAP
    ):
        found.append(
            Reason(
                "review-gap",
                _("自评 %(own)s 分，复核 %(review)s 分，高出 %(gap)s 分（≥ %(limit)s）")
                % {
                    "own": self_total,
                    "review": ev.review_total,
                    "gap": self_total - ev.review_total,
                    "limit": REVIEW_GAP,
                },
            )
        )
    if ev.grade_out_of_band:
        found.append(
            Reason(
                "grade-out-of-band",
                _("等级“%(grade)s”不是总分 %(total)s 所在档次的等级")
                % {"grade": ev.grade or "", "total": "" if ev.total is None else ev.total},
            )
        )
    if ev.goals_copied:
        found.append(Reason("goals-copied", _("实际完成情况照抄预期目标")))
    return found


def _rule_names(codes: str) -> str:
    """The audit rules' titles in Chinese (得分超过分值、等级与总分不符), their codes otherwise."""
    if not (get_language() or "zh").startswith("zh"):
        return ", ".join(codes.split(","))
    return "、".join(
        RULES[code].title if code in RULES else code for code in codes.split(",") if code
    )
