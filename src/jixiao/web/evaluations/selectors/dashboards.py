"""Dashboard figures (统计图): each a pure query over a set of forms — the forms a user may
see, of a year and optionally one department — returning plain dicts of Decimal / int / str,
computed by database aggregates (GROUP BY, filtered COUNT, SUM), never a loop over forms.

One function per dashboard (the JSON endpoint ``/dashboards/data/<name>/`` serves it):

- ``grades``: :func:`grade_distribution` — forms per grade on the one scale 优/良/中/差
  (:data:`~jixiao.web.evaluations.actions.columns.SCALE`), and those without a grade;
- ``rates``: :func:`execution_rate_distribution` — forms per 执行率 band of 10 points
  (under 10 … 90–100, 100 and above), the 90% line;
- ``scores``: :func:`score_against_rate` — one point per form: 执行率, 总分 and the form (as
  columns); past :data:`POINTS_AT_MOST` forms, the forms counted per cell of 1 point by 1 point;
- ``budget``: :func:`budget_by_department_and_grade` — 全年预算数 in 万元 per 主管部门 and grade;
- ``findings``: :func:`findings_by_code` — the audit's findings per code (the stored
  findings' JSON unnested by the database: SQLite ``json_each``, PostgreSQL
  ``jsonb_array_elements``);
- ``indicators``: :func:`indicator_kinds` — 定量 / 定性 / no-target indicators per 主管部门,
  and the share of 定性 among those with a target;
- ``years``: :func:`project_years` — one project's 全年预算数, 执行数, 执行率, 总分 and grade by year.

The bare SQL behind each is what Django prints for the queryset (``str(queryset.query)``), or
the raw statement of :func:`findings_by_code`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Floor
from django.utils.translation import gettext

from jixiao import templates
from jixiao.domain.audit import RULES
from jixiao.domain.scoring import round_figure
from jixiao.web.evaluations.actions.access import DEPARTMENT_ID, DEPARTMENT_NAME
from jixiao.web.evaluations.actions.columns import SCALE
from jixiao.web.evaluations.models import Evaluation

RATE_LINE = Decimal(90)
"""执行率 below 90% is where a reviewer looks (the line drawn on the distribution)."""
RATE_BANDS = tuple(range(0, 100, 10))
"""Lower bounds of the 执行率 bands; a last band holds 100 and above, the first everything below 10."""


def grade_distribution(forms: QuerySet[Evaluation]) -> dict:
    """Forms per 统一等级 (优, 良, 中, 差 in that order) and without a grade ("")."""
    counted = dict(forms.order_by().values_list("scale").annotate(n=Count("id")))
    return {"grades": [{"grade": g, "count": counted.get(g, 0)} for g in (*SCALE, "")]}


def execution_rate_distribution(forms: QuerySet[Evaluation]) -> dict:
    """Forms per 执行率 band (``from`` inclusive, ``to`` exclusive, ``to`` None for 100 and
    above), those without a rate, and the 90% line."""
    band = Case(
        *(When(execution_rate__lt=low + 10, then=Value(low)) for low in RATE_BANDS),
        default=Value(100),
        output_field=IntegerField(),
    )
    rated = forms.order_by().filter(execution_rate__isnull=False)
    counted = dict(rated.annotate(band=band).values_list("band").annotate(n=Count("id")))
    bands = [
        {"from": low, "to": low + 10 if low < 100 else None, "count": counted.get(low, 0)}
        for low in (*RATE_BANDS, 100)
    ]
    return {
        "bands": bands,
        "missing": forms.filter(execution_rate__isnull=True).count(),
        "line": RATE_LINE,
    }


class DecimalText(Func):
    """A decimal column as its exact text with ``places`` decimals ("63.5300"), made by the
    database: for a payload of tens of thousands of figures a Decimal made and printed per
    value in Python costs as much as the query. SQLite keeps such a column as a REAL (or an
    INTEGER), which ``printf`` prints at the column's places exactly as stored; PostgreSQL's
    ``numeric`` prints its own scale."""

    output_field = CharField()

    def __init__(self, column: str, places: int):
        super().__init__(Value(f"%.{places}f"), F(column))

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="printf", **extra)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[1])
        return f"CAST({column} AS text)", params


def _decimal_places(name: str) -> int:
    """The places of one of the form's decimal columns."""
    column = Evaluation._meta.get_field(name)
    assert isinstance(column, DecimalField)
    return column.decimal_places


POINTS_AT_MOST = 1000
"""The most forms the score chart gets one point each for (their code and name for the tooltip
and the click, about 95 bytes a form); more, and it gets cells of 1 point of 执行率 by 1 of 总分
per grade with the forms counted (a province's year: tens of thousands of forms in a few
thousand cells, what the chart can draw apart at all)."""


def score_against_rate(forms: QuerySet[Evaluation], points_at_most: int = POINTS_AT_MOST) -> dict:
    """The forms that have both a 执行率 and a 总分: up to ``points_at_most`` of them one point
    each, as columns (one list per field): ``points`` = {"id", "code", "name", "rate",
    "total", "scale"}, the i-th entry of each the i-th form's, 执行率 and 总分 as exact decimal
    strings (:class:`DecimalText`); more, and ``cells`` = {"rate", "total", "scale", "count"}:
    per whole 执行率 point (63 = 63.00–63.99…), whole 总分 point and 统一等级, how many forms
    (a GROUP BY in the database; which of the two, a count up to ``points_at_most`` + 1)."""
    places = {name: _decimal_places(name) for name in ("execution_rate", "total")}
    both = forms.filter(execution_rate__isnull=False, total__isnull=False)
    if both.order_by()[: points_at_most + 1].count() > points_at_most:  # a LIMIT, no sort
        return {"cells": _score_cells(both)}
    rows = list(
        both.order_by("project__code").values_list(
            "id",
            "project__code",
            "project__name",
            DecimalText("execution_rate", places["execution_rate"]),
            DecimalText("total", places["total"]),
            "scale",
        )
    )
    ids, codes, names, rates, totals, scales = zip(*rows) if rows else ((),) * 6
    return {
        "points": {
            "id": list(ids),
            "code": list(codes),
            "name": list(names),
            "rate": list(rates),
            "total": list(totals),
            "scale": list(scales),
        }
    }


def _score_cells(forms: QuerySet[Evaluation]) -> dict:
    """:func:`score_against_rate`'s cells: forms counted per whole point of 执行率 and of
    总分 (``FLOOR`` in the database) and per grade, as columns."""
    whole = {"output_field": IntegerField()}
    rows = list(
        forms.order_by()
        .values(
            "scale",
            cell_rate=Floor("execution_rate", **whole),
            cell_total=Floor("total", **whole),
        )
        .annotate(forms=Count("id"))
        .order_by("scale", "cell_rate", "cell_total")
        .values_list("cell_rate", "cell_total", "scale", "forms")
    )
    rates, totals, scales, counts = zip(*rows) if rows else ((),) * 4
    return {
        "rate": [int(r) for r in rates],
        "total": [int(t) for t in totals],
        "scale": list(scales),
        "count": list(counts),
    }


def budget_by_department_and_grade(forms: QuerySet[Evaluation]) -> dict:
    """全年预算数 (万元) per 主管部门 and 统一等级, and each department's total; departments by name."""
    department = {
        "key": DEPARTMENT_ID,
        "department": DEPARTMENT_NAME,
    }
    # rows as dicts (the stubs' plugin does not see the keys of **department)
    cells: QuerySet[Evaluation, Mapping[str, Any]] = (
        forms.order_by()
        .values("scale", **department)
        .annotate(budget=Sum("budget_wan"), n=Count("id"))
    )
    totals: QuerySet[Evaluation, Mapping[str, Any]] = (
        forms.order_by().values(**department).annotate(budget=Sum("budget_wan"), n=Count("id"))
    )
    rows = {
        t["key"]: {
            "department": t["department"],
            "total": t["budget"],
            "count": t["n"],
            "grades": {g: None for g in (*SCALE, "")},
        }
        for t in totals
    }
    for cell in cells:
        rows[cell["key"]]["grades"][cell["scale"]] = cell["budget"]
    ordered = sorted(rows.values(), key=lambda r: r["department"] or "")
    return {
        "grades": [*SCALE, ""],
        "departments": [{**r, "grades": [r["grades"][g] for g in (*SCALE, "")]} for r in ordered],
    }


def findings_sql(forms: QuerySet[Evaluation]) -> tuple[str, tuple]:
    """The statement counting the chosen forms' findings per code and severity, for this database."""
    ids, params = forms.order_by().values("id").query.sql_with_params()
    table = Evaluation._meta.db_table
    if connection.vendor == "postgresql":
        each, code, severity = (
            "CROSS JOIN LATERAL jsonb_array_elements(e.findings) AS f(value)",
            "f.value->>'code'",
            "f.value->>'severity'",
        )
    else:
        each, code, severity = (
            "CROSS JOIN json_each(e.findings) AS f",
            "json_extract(f.value, '$.code')",
            "json_extract(f.value, '$.severity')",
        )
    sql = (
        f"SELECT {code} AS code, {severity} AS severity, COUNT(*) AS n, COUNT(DISTINCT e.id) AS forms "
        f"FROM {table} AS e {each} WHERE e.id IN ({ids}) GROUP BY {code}, {severity} "
        f"ORDER BY n DESC, code"
    )
    return sql, params


def findings_by_code(forms: QuerySet[Evaluation]) -> dict:
    """The chosen forms' findings per code: severity, the rule's title (in the active
    language: the web catalogue translates the domain's titles), how many findings and
    in how many forms; most frequent first."""
    sql, params = findings_sql(forms)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return {
        "codes": [
            {
                "code": code,
                "severity": severity,
                "title": gettext(RULES[code].title) if code in RULES else "",
                "count": n,
                "forms": in_forms,
            }
            for code, severity, n, in_forms in found
        ]
    }


KINDS = {
    "quantitative": Sum("quantitative_indicators"),
    "qualitative": Sum("qualitative_indicators"),
    "untargeted": Sum("untargeted_indicators"),
}


def _share(qualitative: int, quantitative: int) -> Decimal | None:
    """定性 share (%) of the indicators with a 年度指标值, to two places."""
    if not qualitative + quantitative:
        return None
    rounding = templates.load(templates.DEFAULT).rounding
    return round_figure(Decimal(qualitative) * 100 / (qualitative + quantitative), rounding)


def indicator_kinds(forms: QuerySet[Evaluation]) -> dict:
    """Indicators by kind of 年度指标值 per 主管部门 and in all: 定量 (a figure), 定性 (words),
    none printed; with the 定性 share of those that have one."""
    grouped = (
        forms.order_by().values(department=DEPARTMENT_NAME).annotate(**KINDS).order_by("department")
    )
    total = {k: v or 0 for k, v in forms.order_by().aggregate(**KINDS).items()}

    def row(r: Mapping[str, Any]) -> dict:
        counts = {k: r[k] or 0 for k in KINDS}
        return {**counts, "share": _share(counts["qualitative"], counts["quantitative"])}

    return {
        "departments": [{"department": g["department"], **row(g)} for g in grouped],
        "total": row(total),
    }


def project_years(forms: QuerySet[Evaluation], code: str) -> dict:
    """One project's forms year by year (the forms one may see, of any year)."""
    years = (
        forms.filter(project__code=code)
        .order_by("year")
        .values("id", "year", "budget_wan", "executed_wan", "execution_rate", "total", "scale")
    )
    name = forms.filter(project__code=code).values_list("project__name", flat=True).first()
    return {"code": code, "name": name or "", "years": list(years)}
