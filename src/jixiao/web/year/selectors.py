"""Reads of the year: each role's things to do (待办), a task's progress and late units,
the review queue with days waiting, the self-vs-复核 gap of the sampled forms and the
results ledger. Other pages may use :func:`review_gaps` (the gap of any forms) and
:func:`sampled` (which forms a 抽查 drew)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from jixiao.domain.workflow import Role, State
from jixiao.web.evaluations.actions import access
from jixiao.web.evaluations.models import Evaluation, Event, Project, SpotCheck
from jixiao.web.orgs.models import Organisation
from jixiao.web.year import scope
from jixiao.web.year.models import LedgerEntry, LedgerPolicy, Notice, SelfEvaluationTask

SHANGHAI = ZoneInfo("Asia/Shanghai")
SENT = (State.SUBMITTED.value, State.RESUBMITTED.value, State.CHECKED.value, State.APPROVED.value)
"""The states in which a unit has done its part (submitted; reviewed or not)."""
WITH_UNIT = (State.DRAFT.value, State.RETURNED.value)


def today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(SHANGHAI).date()


def days_left(task: SelfEvaluationTask, now: datetime | None = None) -> int:
    """Days to the deadline by Beijing dates (0 on its day, negative once past)."""
    return (task.deadline.astimezone(SHANGHAI).date() - today(now)).days


def open_tasks(now: datetime | None = None) -> QuerySet[SelfEvaluationTask]:
    """The tasks issued, the nearest deadline first."""
    return SelfEvaluationTask.objects.order_by("deadline")


@dataclass
class Late:
    unit: Organisation
    projects: list[tuple[Project, str]]  # (project, its stage: not_started / draft / returned)

    @property
    def missing(self) -> str:
        words = {"not_started": "未开始", "draft": "草稿", "returned": "已退回"}
        return "、".join(f"{p.code} {p.name}（{words[s]}）" for p, s in self.projects)

    @property
    def summary(self) -> str:
        """The first five projects, and how many in all (for the page)."""
        words = {"not_started": "未开始", "draft": "草稿", "returned": "已退回"}
        shown = "、".join(f"{p.code}（{words[s]}）" for p, s in self.projects[:5])
        more = len(self.projects) - 5
        return shown + (f" 等 {len(self.projects)} 个项目" if more > 0 else "")


def late_units(task: SelfEvaluationTask, place: Organisation) -> list[Late]:
    """The units seen from ``place`` with a project in the task's scope not yet submitted
    (no form, a draft, or returned), each with those projects, by department and name."""
    state = Subquery(
        Evaluation.objects.filter(project=OuterRef("pk"), year=task.year)
        .exclude(state="deleted")
        .values("state")[:1]
    )
    rows = (
        scope.projects(task)
        .filter(unit__in=place.units())
        .annotate(stage=state)
        .filter(Q(stage__isnull=True) | ~Q(stage__in=SENT))  # no form yet: late too
        .order_by("unit__parent__name", "unit__name", "code")
    )
    found: dict[int, Late] = {}
    for project in rows:
        stage = project.stage or "not_started"
        found.setdefault(project.unit_id, Late(project.unit, [])).projects.append((project, stage))
    return list(found.values())


def progress(task: SelfEvaluationTask, place: Organisation) -> dict:
    """The task's forms seen from ``place`` by state (one GROUP BY), and the projects in
    scope without a form."""
    units = place.units()
    in_scope = scope.projects(task).filter(unit__in=units)
    counts = dict(
        scope.forms(task)
        .filter(project__unit__in=units)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    projects = in_scope.count()
    with_form = sum(counts.values())
    return {
        "projects": projects,
        "not_started": max(projects - with_form, 0),
        "draft": counts.get("draft", 0),
        "returned": counts.get("returned", 0),
        "submitted": counts.get("submitted", 0) + counts.get("resubmitted", 0),
        "checked": counts.get("checked", 0),
        "approved": counts.get("approved", 0),
    }


def _last_step_at() -> Subquery:
    """When the form reached its present state (its last workflow event)."""
    return Subquery(
        Event.objects.filter(evaluation=OuterRef("pk"), state_to=OuterRef("state"))
        .exclude(action__in=("save", "review_score", "spot_check"))
        .order_by("-id")
        .values("at")[:1]
    )


def waiting(user: User) -> QuerySet[Evaluation]:
    """The forms waiting for ``user`` (a reviewer), oldest first, each with ``since`` (when
    it reached the reviewer): the department's submitted forms; the bureau's the forms the
    department approved (two levels) and those of one level (or only it reviews). One query."""
    place = access.membership(user)
    review = Q(state__in=(State.SUBMITTED.value, State.RESUBMITTED.value))
    if scope.level_of(place.organisation) == 2:
        two = scope.two_levels()
        turn = (review & ~two) | (Q(state=State.CHECKED.value) & two)
    else:
        turn = review
    rows = access.reviewable(user).filter(turn)
    rows = rows.annotate(since=_last_step_at()).select_related("project__unit__parent")
    return rows.order_by(F("since").asc(nulls_first=True), "project__code")


def days_since(at: datetime | None, now: datetime | None = None) -> int | None:
    return None if at is None else (today(now) - at.astimezone(SHANGHAI).date()).days


@dataclass
class Todo:
    role: str
    tasks: list[tuple[SelfEvaluationTask, int]] = field(default_factory=list)  # (task, days left)
    to_fill: list[tuple[Evaluation, SelfEvaluationTask | None, int | None]] = field(
        default_factory=list
    )
    returned: list[tuple[Evaluation, SelfEvaluationTask | None, int | None]] = field(
        default_factory=list
    )
    waiting: list[tuple[Evaluation, int | None]] = field(default_factory=list)
    progress: list[tuple[SelfEvaluationTask, dict, int]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def _task_for(ev: Evaluation, tasks: list[SelfEvaluationTask]) -> SelfEvaluationTask | None:
    for task in tasks:
        if task.year == ev.year and scope.projects(task).filter(pk=ev.project_id).exists():
            return task
    return None


def todo(user: User, now: datetime | None = None) -> Todo:
    """待办 of ``user``: a filler's forms to fill and returned ones with days left and the
    notices to its unit; a reviewer's queue with days waiting; the bureau's progress."""
    place = access.membership(user)
    role = place.role_enum
    tasks = list(open_tasks(now))
    seen = Todo(role=role.value, tasks=[(t, days_left(t, now)) for t in tasks])
    if role is Role.FILLER:
        mine = (
            access.visible(user)
            .filter(project__unit=place.organisation, state__in=WITH_UNIT)
            .order_by("-year", "project__code")
        )
        for ev in mine:
            task = _task_for(ev, tasks)
            row = (ev, task, days_left(task, now) if task else None)
            (seen.returned if ev.state == State.RETURNED.value else seen.to_fill).append(row)
        seen.notices = list(
            Notice.objects.filter(organisation=place.organisation).select_related("task")[:20]
        )
    elif role is Role.REVIEWER:
        seen.waiting = [
            (ev, days_since(getattr(ev, "since", None), now)) for ev in waiting(user)[:500]
        ]
    else:
        seen.progress = [
            (t, progress(t, place.organisation), len(late_units(t, place.organisation)))
            for t in tasks
        ]
    return seen


# 抽查 and 复核: the gap between the self scores and the reviewer's, of any forms.

SELF_TOTAL = ExpressionWrapper(
    Coalesce(F("execution_score"), Value(Decimal(0)))
    + Coalesce(F("indicator_score"), Value(Decimal(0))),
    output_field=DecimalField(max_digits=8, decimal_places=2),
)


def review_gaps(rows: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """``rows`` annotated with ``self_total`` (执行率得分 + 指标得分) and ``review_gap``
    (self_total − 复核总分; NULL where no 复核 score is recorded), for the roll-up, the
    attention list or any page to show beside a form."""
    return rows.annotate(self_total=SELF_TOTAL).annotate(
        review_gap=ExpressionWrapper(
            F("self_total") - F("review_total"),
            output_field=DecimalField(max_digits=8, decimal_places=2),
        )
    )


def sampled(rows: QuerySet[Evaluation], year: int | None = None) -> QuerySet[Evaluation]:
    """The forms of ``rows`` some 抽查 drew (of ``year`` if given)."""
    checks = SpotCheck.objects.all() if year is None else SpotCheck.objects.filter(year=year)
    return rows.filter(spot_checks__in=checks).distinct()


def ledger(user: User, year: int) -> tuple[LedgerPolicy | None, list[dict]]:
    """The results ledger of ``year``: each form the user sees with its grade (统一等级),
    the proposal of the year's rules for next year's budget and what was done."""
    policy = LedgerPolicy.objects.filter(year=year).first()
    rules = policy.rules if policy else {}
    done = dict(
        LedgerEntry.objects.filter(evaluation__year=year).values_list("evaluation_id", "done")
    )
    rows = []
    for ev in (
        access.visible(user)
        .filter(year=year)
        .filter(~Q(state="deleted"))
        .select_related("project__unit__parent")
        .order_by("project__unit__parent__name", "project__unit__name", "project__code")
    ):
        rule = rules.get(ev.scale) if ev.scale else None
        proposed = None
        if rule and ev.budget_wan is not None:
            share = Decimal(rule["share"])
            keep = {"keep": Decimal(1), "cut": 1 - share, "stop": Decimal(0)}[rule["action"]]
            proposed = (ev.budget_wan * keep).quantize(Decimal("0.000001"))
        rows.append(
            {"form": ev, "rule": rule, "proposed_wan": proposed, "done": done.get(ev.pk, "")}
        )
    return policy, rows
