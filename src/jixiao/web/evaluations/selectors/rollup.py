"""Roll-ups (汇总表): a department's or the bureau's year of self-evaluations,
one row per form with subtotals per unit and department and the totals.

Every write copies the figures a roll-up needs into indexed columns of the evaluation
(:func:`jixiao.web.evaluations.actions.columns.fill`); the subtotals and totals are
then aggregates in the database (:func:`subtotals`, :func:`totals`); sorting and
filters (:func:`rows`, :func:`narrowed`) are clauses of the same query. Reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Sum

from jixiao import templates
from jixiao.domain import scoring
from jixiao.domain.model import FundingLine
from jixiao.domain.model import places as figure_places
from jixiao.domain.scoring import round_figure
from jixiao.domain.template import Rounding
from jixiao.web.evaluations.actions.access import DEPARTMENT_ID, DEPARTMENT_NAME, in_department
from jixiao.web.evaluations.models import Evaluation
from jixiao.web.orgs.models import Organisation


def years(visible: QuerySet[Evaluation]) -> list[int]:
    """The years ``visible`` holds forms of, latest first (a DISTINCT in the database)."""
    return list(visible.order_by("-year").values_list("year", flat=True).distinct())


# The aggregates of a group of forms, computed by the database.
SUMS = {
    "count": Count("id"),
    "budget_wan": Sum("budget_wan"),
    "executed_wan": Sum("executed_wan"),
    "errors": Sum("errors"),
    "warnings": Sum("warnings"),
    "notices": Sum("notices"),
}


@dataclass
class Group:
    """A subtotal or total line (小计 / 合计)."""

    key: int | None
    name: str
    count: int
    budget_wan: Decimal | None
    executed_wan: Decimal | None
    errors: int
    warnings: int
    notices: int

    @property
    def execution_rate(self) -> Decimal | None:
        """执行率 of the group: the forms' rule (:func:`jixiao.domain.scoring.execution_rate`)
        over the group's sums in 万元, with the default template's places and rounding;
        none for a group with nothing budgeted."""
        if not self.budget_wan or self.executed_wan is None:
            return None
        line = FundingLine(annual_budget=self.budget_wan, executed=self.executed_wan)
        return scoring.execution_rate(line, templates.load(templates.DEFAULT)).value


# Sort keys of the table (query string ``sort=key`` or ``sort=-key``) → the column sorted by.
SORTS = {
    "department": "rollup_department_name",
    "unit": "project__unit__name",
    "project": "project__name",
    "code": "project__code",
    "budget": "budget_wan",
    "executed": "executed_wan",
    "rate": "execution_rate",
    "rate_score": "execution_score",
    "indicator_score": "indicator_score",
    "total": "total",
    "grade": "grade",
    "scale": "scale",
    "review_total": "review_total",
    "state": "state",
    "errors": "errors",
    "warnings": "warnings",
    "notices": "notices",
}
GROUPED = (
    "rollup_department_name",
    "rollup_department_id",
    "project__kind",  # a department's own 部门整体支出 form first in it ("department" < "project")
    "project__unit__name",
    "project__unit_id",
    "project__code",
)


def rows(
    visible: QuerySet[Evaluation], year: int, department: int | None = None, sort: str | None = None
) -> QuerySet[Evaluation]:
    """The forms of ``year`` among ``visible`` (those the user may see), optionally of one
    department; ordered by department, unit and project code, or by the ``sort`` key of
    :data:`SORTS` (``-key`` descending; empty figures last either way, then by project code)."""
    # The department a form rolls up in: its unit's, or a department's own (部门整体支出).
    chosen = visible.filter(year=year).annotate(
        rollup_department_id=DEPARTMENT_ID, rollup_department_name=DEPARTMENT_NAME
    )
    if department is not None:
        chosen = chosen.filter(in_department(department))
    # The table needs only the indexed copies: the forms' JSON stays in the database.
    heavy = ("data", "findings", "acknowledgements", "review_scores", "targets", "target_reasons")
    chosen = chosen.select_related("project__unit__parent").defer(*heavy)
    if sort and sort.lstrip("-") in SORTS:
        column = F(SORTS[sort.lstrip("-")])
        by = column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
        return chosen.order_by(by, "project__code")
    return chosen.order_by(*GROUPED)


def narrowed(
    chosen: QuerySet[Evaluation],
    *,
    unit: int | None = None,
    scale: str | None = None,
    state: str | None = None,
    rate_below: Decimal | None = None,
    with_errors: bool = False,
) -> QuerySet[Evaluation]:
    """The roll-up's filters: one unit, one 统一等级 (``"-"``: none), one state, 执行率 below a
    threshold (forms without a rate are left out), forms with error findings."""
    if unit is not None:
        chosen = chosen.filter(project__unit_id=unit)
    if scale:
        chosen = chosen.filter(scale="" if scale == "-" else scale)
    if state:
        chosen = chosen.filter(state=state)
    if rate_below is not None:
        chosen = chosen.filter(execution_rate__lt=rate_below)
    if with_errors:
        chosen = chosen.filter(errors__gt=0)
    return chosen


def subtotals(chosen: QuerySet[Evaluation], level: str) -> dict[int, Group]:
    """小计 per ``level`` — ``unit`` or ``department`` — keyed by the organisation's id."""
    key: F | Case = F("project__unit_id") if level == "unit" else DEPARTMENT_ID
    name: F | Case = F("project__unit__name") if level == "unit" else DEPARTMENT_NAME
    grouped = chosen.order_by().values(key=key, name=name).annotate(**SUMS)
    return {g["key"]: _group(g) for g in grouped}


def totals(chosen: QuerySet[Evaluation]) -> Group:
    """合计 of every chosen form."""
    return _group({"key": None, "name": "", **chosen.order_by().aggregate(**SUMS)})


def _group(row: Mapping[str, Any]) -> Group:
    return Group(
        row["key"],
        row["name"] or "",
        row["count"] or 0,
        _stored(row["budget_wan"]),
        _stored(row["executed_wan"]),
        row["errors"] or 0,
        row["warnings"] or 0,
        row["notices"] or 0,
    )


def _stored(total: Decimal | None) -> Decimal | None:
    """A sum of 万元 amounts at the columns' six places, as the form lines print:
    SQLite sums DECIMAL as floats (8.98000000000000 for 8.980000)."""
    return None if total is None else round_figure(total, Rounding.HALF_UP, 6)


# The columns a table line of a form reads (``.values()``: no model instances, no JSON).
FORM_FIELDS = {
    "department_id": DEPARTMENT_ID,
    "department_name": DEPARTMENT_NAME,
    "unit_id": F("project__unit_id"),
    "unit_name": F("project__unit__name"),
    "project_name": F("project__name"),
    "project_code": F("project__code"),
    "project_kind": F("project__kind"),
}
FORM_FIGURES = (
    "pk",
    "budget_wan",
    "executed_wan",
    "execution_rate",
    "execution_score",
    "indicator_score",
    "total",
    "grade",
    "scale",
    "review_total",
    "state",
    "errors",
    "warnings",
    "notices",
)


@dataclass
class Line:
    """One line of the roll-up table as shown and exported: a form (``form`` set: the
    :data:`FORM_FIELDS` and :data:`FORM_FIGURES` of one evaluation), a unit's or department's
    小计 or the 合计 (``group`` set)."""

    kind: str  # "form", "unit", "department", "total"
    form: dict | None = None
    group: Group | None = None


def table(
    chosen: QuerySet[Evaluation],
    grouped: bool = True,
    start: int = 0,
    stop: int | None = None,
    total: Group | None = None,
) -> list[Line]:
    """The forms in order, each unit's 小计 after its forms, each department's after its units,
    the 合计 last; not ``grouped`` (sorted by a figure): the forms in order and the 合计.

    ``start``/``stop``: only the forms ``[start:stop]`` of that order (a page), with the 小计 of
    the units and departments whose last form is among them and the 合计 if the last form of
    all is — each line once over all the pages. The figures of the 小计 and 合计 always come
    from the database over every chosen form (``total``: the 合计 if already summed)."""
    forms = chosen.values(*FORM_FIGURES, **FORM_FIELDS)
    if stop is None:
        picked, after = list(forms[start:] if start else forms), None
    else:  # one form past the page: does the page's last unit, department, table end here?
        picked = list(forms[start : stop + 1])
        after = picked.pop() if len(picked) > stop - start else None
    ends = [*picked[1:], after]
    if grouped:
        units = _ending(chosen, "unit", picked, ends, whole=start == 0 and after is None)
        departments = _ending(
            chosen, "department", picked, ends, whole=start == 0 and after is None
        )
    lines: list[Line] = []
    for form, following in zip(picked, ends):
        lines.append(Line("form", form=form))
        if grouped and (following is None or following["unit_id"] != form["unit_id"]):
            lines.append(Line("unit", group=units[form["unit_id"]]))
        if grouped and (following is None or following["department_id"] != form["department_id"]):
            lines.append(Line("department", group=departments[form["department_id"]]))
    if after is None:
        lines.append(Line("total", group=total or totals(chosen)))
    return lines


def _ending(
    chosen: QuerySet[Evaluation], level: str, picked: list[dict], ends: list, whole: bool
) -> dict:
    """小计 per ``level`` of the units (departments) whose last form is in ``picked`` (``whole``:
    every form is: no need to name them)."""
    key = f"{level}_id"
    if whole:
        return subtotals(chosen, level)
    ending = {
        form[key]
        for form, following in zip(picked, ends)
        if following is None or following[key] != form[key]
    }
    if not ending:
        return {}
    if level == "unit":
        return subtotals(chosen.filter(project__unit_id__in=ending), level)
    own = Q(project__unit_id__in=ending, project__unit__kind=Organisation.Kind.DEPARTMENT)
    return subtotals(chosen.filter(Q(project__unit__parent_id__in=ending) | own), level)


def wan_text(amount: Decimal | None) -> str:
    """An amount in 万元 as read: thousands separated, two places at least, trailing zeros cut
    beyond them (46.683, 80.95, 1,234.00)."""
    if amount is None:
        return ""
    places = max(2, figure_places(amount.normalize()))
    return f"{amount:,.{places}f}"
