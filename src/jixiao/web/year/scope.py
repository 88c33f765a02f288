"""Which projects and forms a self-evaluation task covers, and how many review levels a form
has (reads; the workflow asks :func:`levels_of`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jixiao import templates
from jixiao.domain.template import FormKind
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.orgs.models import Organisation
from jixiao.web.year.models import SelfEvaluationTask

Scope = SelfEvaluationTask.Scope


def _department_template(template_id: str) -> bool:
    return (
        template_id in templates.ids() and templates.load(template_id).kind is FormKind.DEPARTMENT
    )


def covering(task: SelfEvaluationTask) -> Q:
    """The projects ``task`` covers, as a filter of :class:`Project` (the kind its template
    fills: project forms, or the 部门整体支出 records of units and departments)."""
    kind = Project.Kind.DEPARTMENT if _department_template(task.template) else Project.Kind.PROJECT
    chosen = Q(kind=kind)
    orgs = list(task.organisations.values_list("pk", flat=True))
    if task.scope == Scope.DEPARTMENTS:
        chosen &= Q(unit__parent_id__in=orgs) | Q(unit_id__in=orgs)
    elif task.scope == Scope.UNITS:
        chosen &= Q(unit_id__in=orgs)
    elif task.scope == Scope.PROJECTS:
        chosen &= Q(pk__in=task.projects.values("pk"))
    if kind == Project.Kind.PROJECT:
        chosen &= Q(unit__kind=Organisation.Kind.UNIT)
    return chosen


def projects(task: SelfEvaluationTask) -> QuerySet[Project]:
    """The projects ``task`` issues drafts to and chases: of units still in use (a
    disabled unit's forms stay, but it gets no new draft and no reminder)."""
    return Project.objects.filter(covering(task), unit__active=True).select_related("unit__parent")


def forms(
    task: SelfEvaluationTask, among: QuerySet[Evaluation] | None = None
) -> QuerySet[Evaluation]:
    """The forms of the task's year of the projects it covers (``among``: those one sees)."""
    rows = Evaluation.objects.all() if among is None else among
    return rows.filter(year=task.year, project__in=Project.objects.filter(covering(task))).exclude(
        state="deleted"
    )


def tasks_of(project: Project, year: int) -> list[SelfEvaluationTask]:
    """The tasks of ``year`` that cover ``project``."""
    return [
        t
        for t in SelfEvaluationTask.objects.filter(year=year)
        if Project.objects.filter(covering(t), pk=project.pk).exists()
    ]


def two_levels() -> Q:
    """The forms with two review levels, as a filter of :class:`Evaluation` (one query for
    the tasks; the rest in the database): of a two-level task's year and scope, not a
    主管部门's own 部门整体支出 form."""
    covered = Q(pk__in=[])
    for task in SelfEvaluationTask.objects.filter(two_levels=True):
        covered |= Q(year=task.year, project__in=Project.objects.filter(covering(task)))
    return covered & ~Q(project__unit__kind=Organisation.Kind.DEPARTMENT)


def levels_of(evaluation: Evaluation) -> int:
    """2 when a task of the form's year covering its project asks for two review levels
    (a 主管部门's own 部门整体支出 form is the bureau's alone: always 1), else 1."""
    if evaluation.project.unit.kind == Organisation.Kind.DEPARTMENT:
        return 1
    return 2 if any(t.two_levels for t in tasks_of(evaluation.project, evaluation.year)) else 1


def level_of(organisation: Organisation) -> int:
    """The review level of a reviewer's place: the 主管部门 1, the 财政局 2."""
    return 2 if organisation.kind == Organisation.Kind.BUREAU else 1
