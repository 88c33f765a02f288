"""Submission progress (催报): for a year, how far each department's units are with their
self-evaluations, and the list of units to chase.

A project is **not started** (未开始) for a year when it has no form of that year although it
is due one: it had a form the year before (a continuing project), or its 绩效目标 were approved
for that year (:class:`ApprovedTargets`), or it is registered (a :class:`Project` row) and has
never had a form. The other stages are the forms' states: 草稿, 已提交 (with 已重新提交),
已退回, 已通过.

Every count is an aggregate of the database: the forms' from the counts kept per unit, year and
state (:class:`FormCount`, a few rows a unit: GROUP BY department or unit, one filtered SUM per
stage), the projects not started from the projects; only the names of the projects to chase
are read row by row, for the list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, Count, Exists, F, OuterRef, Q, QuerySet, Sum

from jixiao.domain.workflow import State
from jixiao.web.evaluations.models import ApprovedTargets, Evaluation, FormCount, Project
from jixiao.web.orgs.models import Organisation

STAGES = ("not_started", "draft", "submitted", "returned", "approved")
"""The columns, in the order a form goes: 未开始, 草稿, 已提交, 已退回, 已通过."""
STATES = {
    "draft": (State.DRAFT.value,),
    "submitted": (State.SUBMITTED.value, State.RESUBMITTED.value),
    "returned": (State.RETURNED.value,),
    "approved": (State.APPROVED.value,),
}
TO_CHASE = ("not_started", "draft", "returned")
"""The stages in which the unit has to act."""


def not_started(units: QuerySet[Organisation], year: int) -> QuerySet[Project]:
    """The projects of ``units`` due a form for ``year`` that have none (未开始)."""

    def form_of(y: int | None) -> Exists:
        forms = Evaluation.objects.filter(project=OuterRef("pk")).exclude(state="deleted")
        return Exists(forms if y is None else forms.filter(year=y))

    approved = Exists(ApprovedTargets.objects.filter(project=OuterRef("pk"), year=year))
    due = form_of(year - 1) | approved | ~form_of(None)
    return Project.objects.filter(unit__in=units).filter(~form_of(year)).filter(due)


def idle_by_unit(units: QuerySet[Organisation], year: int) -> dict[int, int]:
    """Per unit (id), its projects not started (:func:`not_started`): one GROUP BY, shared by
    :func:`by_department` and :func:`to_chase` (``idle=``) on the 催报 page."""
    rows = not_started(units, year).order_by().values_list("unit_id").annotate(n=Count("id"))
    return dict(rows.values_list("unit_id", "n"))


def _counted(units: QuerySet[Organisation], year: int, key: str) -> QuerySet:
    """Per ``key`` (``unit__parent_id``: the department; ``unit_id``): projects and units in
    each stage of the year's forms, from the kept counts (one filtered SUM and COUNT each)."""
    kept = FormCount.objects.filter(unit__in=units, year=year, forms__gt=0)
    counts: dict[str, Aggregate] = {}
    for stage, states in STATES.items():
        counts[stage] = Sum("forms", filter=Q(state__in=states), default=0)
        counts[f"{stage}_units"] = Count("unit_id", distinct=True, filter=Q(state__in=states))
    return kept.order_by().values(key=F(key)).annotate(**counts)


def by_department(
    units: QuerySet[Organisation], year: int, idle: dict[int, int] | None = None
) -> list[dict]:
    """Per department (主管部门): projects and units in each stage, the units counted once per
    stage in which they have at least one project; ordered by the department's name.
    ``idle``: :func:`idle_by_unit` of the same units and year, if already read."""
    rows: dict[int, dict] = {}
    for row in _counted(units, year, "unit__parent_id"):
        rows[row["key"]] = row
    waiting = idle_by_unit(units, year) if idle is None else idle
    parents = dict(Organisation.objects.filter(pk__in=waiting).values_list("pk", "parent_id"))
    for unit, n in waiting.items():
        row = rows.setdefault(parents[unit], {"key": parents[unit]})
        row["not_started"] = row.get("not_started", 0) + n
        row["not_started_units"] = row.get("not_started_units", 0) + 1
    return _named(rows)


def to_chase(
    units: QuerySet[Organisation],
    year: int,
    projects: bool = True,
    idle: dict[int, int] | None = None,
) -> list[dict]:
    """The units with a project not started, in 草稿 or 已退回: per unit its counts and (unless
    ``projects`` is false: :func:`with_projects` for the few shown) the projects missing
    (code, name, stage), ordered by department and unit. ``idle``: as :func:`by_department`."""
    rows: dict[int, dict] = {}
    for row in _counted(units, year, "unit_id"):
        if row["draft"] or row["returned"]:
            rows[row["key"]] = row
    waiting = idle_by_unit(units, year) if idle is None else idle
    for unit, n in waiting.items():
        rows.setdefault(unit, {"key": unit})["not_started"] = n
    chased = _named(rows, units=True)
    return with_projects(chased, units, year) if projects else chased


def with_projects(chased: list[dict], units: QuerySet[Organisation], year: int) -> list[dict]:
    """``chased`` (rows of :func:`to_chase`) each with the projects its unit still owes."""
    rows = {row["key"]: row for row in chased}
    missing: list[dict[str, Any]] = [
        {**p, "stage": "not_started"}
        for p in not_started(units, year).filter(unit_id__in=rows).values("unit_id", "code", "name")
    ]
    pending = Evaluation.objects.filter(
        year=year,
        project__unit_id__in=rows,
        state__in=(State.DRAFT.value, State.RETURNED.value),
    )
    missing += [
        {"unit_id": f["unit_id"], "code": f["code"], "name": f["name"], "stage": f["state"]}
        for f in pending.values(  # code: the form's copy of its project's code
            "state", "code", unit_id=F("project__unit_id"), name=F("project__name")
        )
    ]
    for row in chased:
        row["projects"] = []
    for project in sorted(missing, key=lambda p: p["code"]):
        rows[project["unit_id"]]["projects"].append(project)
    return chased


def _named(rows: dict[int, dict], units: bool = False) -> list[dict]:
    """Rows with every stage filled (0 where none) and the organisation's name (and, for a
    unit, its department's), in order of department and name."""
    orgs = Organisation.objects.filter(pk__in=rows).values_list("pk", "name", "parent__name")
    out = []
    for pk, name, parent in orgs:
        row = {stage: 0 for stage in STAGES} | {f"{s}_units": 0 for s in STAGES} | rows[pk]
        row["name"] = name
        if units:
            row["department"] = parent or ""
            row.setdefault("projects", [])
        out.append(row)
    return sorted(out, key=lambda r: (r.get("department", ""), r["name"]))


def totals(rows: list[dict]) -> dict:
    """合计 of the department rows (their figures already counted by the database)."""
    return {key: sum(r[key] for r in rows) for stage in STAGES for key in (stage, f"{stage}_units")}
