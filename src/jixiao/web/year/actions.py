"""The year's writes: issue a task (任务下达) with its drafts, remind late units (催报),
review many forms at once, set the results ledger (结果应用). Keyword arguments, one
transaction each, every change on the trail (each form's step its own event)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jixiao import templates
from jixiao.contract.json import evaluation_from_dict
from jixiao.domain.carry import next_year
from jixiao.domain.workflow import Action, Role
from jixiao.web.evaluations.actions import access, checks, forms, workflow
from jixiao.web.evaluations.actions import trail as events
from jixiao.web.evaluations.actions.errors import Forbidden, Invalid, NotFound, ServiceError
from jixiao.web.evaluations.models import FILLED, Evaluation, Project
from jixiao.web.orgs.models import Organisation
from jixiao.web.year import scope
from jixiao.web.year.models import LedgerEntry, LedgerPolicy, Notice, SelfEvaluationTask

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRADES = ("优", "良", "中", "差")
LEDGER_ACTIONS = ("keep", "cut", "stop")


def _bureau_admin(user: User, doing: str) -> None:
    place = access.require_role(user, {Role.ADMIN}, doing)
    if place.organisation.kind != Organisation.Kind.BUREAU:
        raise Forbidden(_("%(doing)s只能由财政局管理人员操作") % {"doing": doing})


def beijing(deadline: datetime) -> datetime:
    """A deadline as entered: naive means Beijing time; stored aware."""
    if timezone.is_naive(deadline):
        return deadline.replace(tzinfo=SHANGHAI)
    return deadline


@dataclass
class Issued:
    task: SelfEvaluationTask
    drafts: list[Evaluation]  # made now
    carried: int  # of them from last year's form
    existing: int  # projects in scope that already had a form of the year
    source: str = ""  # where the task's template came from (the year's setting, or chosen)
    by_department: int = 0  # blank drafts in their department's own template of the year


@transaction.atomic
def issue(
    *,
    user: User,
    year: int,
    template: str,
    deadline: datetime,
    scope_kind: str = SelfEvaluationTask.Scope.ALL,
    organisations: Sequence[int] = (),
    projects: Sequence[str] = (),
    two_levels: bool = False,
    remind_days: int = 3,
    note: str = "",
) -> Issued:
    """任务下达 by a bureau admin: the task on the trail, then a draft for every project in
    scope that has no form of the year — from last year's form where one exists
    (:func:`jixiao.domain.carry.next_year`), else blank in the template its 主管部门 has set
    for the year (of the task's template's kind), else in the task's — each created by
    :func:`forms.create` (its own event). No ``template``: the year's setting
    (:func:`jixiao.web.manage.year_templates.default`)."""
    from jixiao.web.manage import year_templates

    _bureau_admin(user, _("下达自评任务"))
    if not 2000 <= year <= 2100:
        raise Invalid(_("年度应在 2000–2100 之间：%(year)s") % {"year": year})
    source = _("所选模板")
    if not template:
        start = year_templates.default(year)
        template, source = start.template, start.source
    if template not in templates.ids():
        raise Invalid(
            _("没有模板 %(template)r（可用：%(known)s）")
            % {"template": template, "known": _("、").join(templates.ids())}
        )
    if scope_kind not in SelfEvaluationTask.Scope.values:
        raise Invalid(
            _("范围只能是 %(known)s") % {"known": "、".join(SelfEvaluationTask.Scope.values)}
        )
    if not 0 <= remind_days <= 60:
        raise Invalid(_("自动催报天数应在 0–60 之间"))
    checks.storable({"note": note}, pgettext("task note", "说明"))
    deadline = beijing(deadline)
    if deadline <= timezone.now():
        raise Invalid(_("截止时间应晚于现在"))
    wanted: dict[str, str] = {
        SelfEvaluationTask.Scope.DEPARTMENTS.value: Organisation.Kind.DEPARTMENT.value,
        SelfEvaluationTask.Scope.UNITS.value: Organisation.Kind.UNIT.value,
    }
    chosen_orgs = list(Organisation.objects.filter(pk__in=[int(o) for o in organisations]))
    if scope_kind in wanted and (
        not chosen_orgs or any(o.kind != wanted[scope_kind] for o in chosen_orgs)
    ):
        raise Invalid(_("请选择范围内的部门或单位"))
    chosen_projects = list(Project.objects.filter(code__in=list(projects)))
    if scope_kind == SelfEvaluationTask.Scope.PROJECTS and len(chosen_projects) != len(
        set(projects)
    ):
        known = {p.code for p in chosen_projects}
        raise Invalid(
            _("项目不存在：%(codes)s") % {"codes": "、".join(sorted(set(projects) - known))}
        )
    task = SelfEvaluationTask.objects.create(
        year=year,
        template=template,
        deadline=deadline,
        scope=scope_kind,
        two_levels=two_levels,
        remind_days=remind_days,
        note=note.strip(),
        issued_by=user,
    )
    task.organisations.set(chosen_orgs if scope_kind in wanted else [])
    task.projects.set(chosen_projects if scope_kind == SelfEvaluationTask.Scope.PROJECTS else [])
    with events.acting(user):
        events.record(task, action="task_issue")
    made, carried, existing, by_department = [], 0, 0, 0
    kind = templates.load(template).kind.value
    for project in scope.projects(task).order_by("code"):
        forms_of = Evaluation.objects.filter(project=project).exclude(state="deleted")
        if forms_of.filter(year=year).exists():
            existing += 1
            continue
        last = forms_of.filter(year=year - 1).first()
        if last is not None:
            form = next_year(evaluation_from_dict(last.data, str(last)))
            carried += 1
        else:
            own = year_templates.of_department(year, project.unit, kind)
            by_department += own is not None
            form = forms.blank(project, year, own or template)
        made.append(
            forms.create(
                user=user,
                project=project,
                form=form,
                origin=FILLED,
                note=_("任务下达：%(task)s") % {"task": f"#{task.pk}"},
            )
        )
    from jixiao.web.year import reminders

    reminders.ensure_schedule()
    return Issued(task, made, carried, existing, source, by_department)


def _mail_configured() -> bool:
    """Whether mail goes anywhere: an SMTP host is set, or another backend (a test's)."""
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    return smtp != settings.EMAIL_BACKEND or bool(getattr(settings, "EMAIL_HOST", ""))


def _addresses(organisation: Organisation) -> list[str]:
    return sorted(
        {
            u.email
            for u in get_user_model()
            .objects.filter(membership__organisation=organisation, is_active=True)
            .exclude(email="")
        }
    )


def notify(
    *,
    organisation: Organisation,
    task: SelfEvaluationTask | None,
    text: str,
    kind: str,
    sender: User | None,
) -> Notice:
    """One notice to ``organisation`` (in-app), mailed to its accounts' addresses where
    mail is set up; on the trail (call inside a transaction)."""
    notice = Notice.objects.create(
        organisation=organisation, task=task, kind=kind, text=text, sent_by=sender
    )
    to = _addresses(organisation) if _mail_configured() else []
    if to:
        subject = _("【绩效自评】催报：%(org)s") % {"org": organisation.name}
        notice.emailed = send_mail(
            subject, text, settings.DEFAULT_FROM_EMAIL, to, fail_silently=True
        ) and len(to)
        notice.save(update_fields=["emailed"])
    with events.acting(sender or "system:reminders"):
        events.record(notice, action="remind")
    return notice


def reminder_text(task: SelfEvaluationTask, organisation: Organisation, missing: str) -> str:
    deadline = task.deadline.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return _(
        "%(org)s：%(year)s 年度绩效自评截止时间为 %(deadline)s（北京时间），"
        "以下项目尚未提交：%(missing)s。请尽快填报并提交。"
    ) % {"org": organisation.name, "year": task.year, "deadline": deadline, "missing": missing}


@transaction.atomic
def remind(*, user: User, task_id: int, units: Iterable[int], text: str = "") -> list[Notice]:
    """催报 by hand: a notice (and a mail) to each chosen late unit of the task, each on the
    trail. Only units the user sees that are late for this task may be reminded."""
    place = access.require_role(user, {Role.ADMIN, Role.REVIEWER}, pgettext("remind", "催报"))
    task = task_of(user, task_id)
    from jixiao.web.year import selectors

    late = {row.unit.pk: row for row in selectors.late_units(task, place.organisation)}
    chosen = [int(u) for u in units]
    if not chosen:
        raise ServiceError(_("请选择要催报的单位"))
    if outside := [u for u in chosen if u not in late]:
        raise NotFound(_("单位 %(units)s 不在本任务的催报清单中") % {"units": outside})
    checks.storable({"text": text}, _("催报内容"))
    return [
        notify(
            organisation=late[u].unit,
            task=task,
            text=text.strip() or reminder_text(task, late[u].unit, late[u].missing),
            kind=Notice.Kind.MANUAL,
            sender=user,
        )
        for u in chosen
    ]


def task_of(user: User, pk: int) -> SelfEvaluationTask:
    """A task, for an account that may see the year's work (every business account)."""
    access.membership(user)
    if not checks.db_id(pk):
        raise NotFound(_("自评任务 %(pk)s 不存在") % {"pk": pk})
    try:
        return SelfEvaluationTask.objects.get(pk=pk)
    except SelfEvaluationTask.DoesNotExist:
        raise NotFound(_("自评任务 %(pk)s 不存在") % {"pk": pk}) from None


@dataclass
class Bulk:
    done: list[Evaluation]
    refused: list[tuple[int, str]]  # (form id, why)


def bulk_step(*, user: User, pks: Sequence[int], action: Action, comment: str = "") -> Bulk:
    """批量审核: approve or return many forms with one comment; each form is its own step
    (its own transaction and event: one refused form does not stop the others, and says why)."""
    if action not in (Action.APPROVE, Action.RETURN):
        raise Invalid(_("批量审核只能通过或退回"))
    access.require_role(user, {Role.REVIEWER}, _("批量审核"))
    if not pks:
        raise ServiceError(_("请选择自评表"))
    if len(pks) > 1000:
        raise Invalid(_("一次最多审核 1000 份"))
    done, refused = [], []
    for pk in pks:
        try:
            done.append(workflow.step(user=user, pk=int(pk), action=action, comment=comment))
        except ServiceError as error:
            refused.append((int(pk), error.message))
    return Bulk(done, refused)


def _rule(grade: str, given: dict) -> dict:
    action = str(given.get("action", "")).strip()
    if action not in LEDGER_ACTIONS:
        raise Invalid(_("等级“%(grade)s”的建议只能是保持、压减或取消") % {"grade": grade})
    share = Decimal(0)
    if action == "cut":
        try:
            share = Decimal(str(given.get("share", "")).strip().rstrip("%")) / 100
        except InvalidOperation:
            share = Decimal(-1)
        if not Decimal(0) < share < Decimal(1):
            raise Invalid(_("等级“%(grade)s”的压减比例应在 0–100%% 之间") % {"grade": grade})
    return {"action": action, "share": format(share.normalize(), "f")}


@transaction.atomic
def set_policy(*, user: User, year: int, rules: dict[str, dict]) -> LedgerPolicy:
    """结果应用规则 of a year (bureau admins): per 统一等级 keep, cut by a share (percent
    given, stored as a fraction) or stop next year's budget; on the trail."""
    _bureau_admin(user, _("设定结果应用规则"))
    clean = {grade: _rule(grade, rules.get(grade) or {}) for grade in GRADES}
    policy, _made = LedgerPolicy.objects.update_or_create(
        year=year, defaults={"rules": clean, "set_by": user}
    )
    with events.acting(user):
        events.record(policy, action="ledger_policy")
    return policy


@transaction.atomic
def record_done(*, user: User, pk: int, done: str) -> LedgerEntry:
    """What was done with one form's result (bureau admins), on the trail."""
    _bureau_admin(user, _("登记结果应用"))
    evaluation = access.get(user, pk)
    text = done.strip()
    if not text:
        raise Invalid(_("请填写落实情况"))
    checks.storable({"done": text}, _("落实情况"))
    if len(text) > 300:
        raise Invalid(_("落实情况最多 300 个字"))
    entry, _made = LedgerEntry.objects.update_or_create(
        evaluation=evaluation, defaults={"done": text, "set_by": user}
    )
    with events.acting(user):
        events.record(entry, action="ledger_done")
    return entry
