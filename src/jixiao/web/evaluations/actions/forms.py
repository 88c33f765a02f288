"""The forms (自评表): create and save, each reading the form back through the contract,
running the audit, copying the approved targets, filling the indexed columns and
appending its event on the trail in the same transaction."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao import templates
from jixiao.contract.json import evaluation_dict, evaluation_from_dict
from jixiao.domain import approved_targets, trail, workflow
from jixiao.domain.approved_targets import ApprovedTarget
from jixiao.domain.audit import Finding, audit
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.template import FormKind
from jixiao.domain.workflow import Role, State
from jixiao.web.evaluations import words
from jixiao.web.evaluations.models import ApprovedTargets, Evaluation, Project
from jixiao.writers.findings import finding_dict

from . import access, checks, columns
from . import trail as events
from .errors import Conflict, Forbidden, Invalid, NotFound, ServiceError


def store(*, evaluation: Evaluation, form: Form) -> dict:
    """Copy the form and its findings into the row (not saved); returns its contract JSON.
    Every create and save goes through here, and the synthetic province's bulk loader."""
    data = evaluation_dict(form)
    checks.storable(data, _("自评表"))
    checks.limits(data)
    checks.fits(Evaluation, "grade", form.grade)
    evaluation.data = data
    evaluation.template = form.template
    evaluation.total = _indexed(form.total)
    evaluation.grade = form.grade
    evaluation.findings = finding_rows(evaluation, form)
    columns.fill(evaluation, form)
    return data


def finding_rows(evaluation: Evaluation, form: Form) -> list[dict]:
    """The findings as stored and served: ``jixiao check --json``'s, each with its key."""
    return [{**finding_dict(form, f), "key": finding_key(f)} for f in findings(evaluation, form)]


def _indexed(total: Decimal | None) -> Decimal | None:
    """The total for the list's index column (7 digits, 2 places), or ``None`` for
    a printed total that does not fit there (say 1234567 or 97.855): the form
    keeps it as printed, and the audit says what is wrong with it."""
    return columns.fits(total, 7, 2)


def form_of(evaluation: Evaluation) -> Form:
    """The stored form as the domain model."""
    return evaluation_from_dict(evaluation.data, f"自评表 {evaluation.pk}")


def finding_key(finding: Finding) -> str:
    """What an acknowledgement names: the rule and the field (``total-differs@total``)."""
    return f"{finding.code}@{finding.field}"


def approved_of(evaluation: Evaluation) -> list[ApprovedTarget]:
    """The approved targets the evaluation copied (locked)."""
    return [_target_row(row) for row in evaluation.targets]


def _target_row(row: dict) -> ApprovedTarget:
    points = row.get("points")
    return ApprovedTarget(
        name=row["name"],
        target=row.get("target"),
        level1=row.get("level1"),
        level2=row.get("level2"),
        points=None if points is None else Decimal(points),
    )


def findings(
    evaluation: Evaluation, form: Form, reasons: dict[str, str] | None = None
) -> list[Finding]:
    """The audit's findings, and a warning for each changed approved target with
    its reason (``reasons`` by indicator name; those on record when not given)."""
    changed = approved_targets.changes(form, approved_of(evaluation))
    return audit(form, templates.load(form.template)) + approved_targets.change_findings(
        changed, evaluation.target_reasons if reasons is None else reasons
    )


@transaction.atomic
def create(*, user: User, project: Project, form: Form) -> Evaluation:
    """A new draft for ``project`` and the form's year, by a filler of the
    project's unit or a bureau admin (importing)."""
    place = access.require_role(user, {Role.FILLER, Role.ADMIN}, _("新建自评表"))
    if not access.visible_projects(user).filter(pk=project.pk).exists():
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": project.code})
    if place.role_enum is Role.FILLER and project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以新建自评表"))
    _fits_kind(project, form.template)
    if form.year is None:
        raise ServiceError(_("自评表缺少年度，无法保存"))
    if not 2000 <= form.year <= 2100:  # as the blank form and the approved targets
        raise Invalid(_("年度应在 2000–2100 之间：%(year)s") % {"year": form.year})
    if Evaluation.objects.filter(project=project, year=form.year).exists():
        raise Conflict(
            _("项目 %(code)s 的 %(year)s 年度自评表已存在")
            % {"code": project.code, "year": form.year}
        )
    evaluation = Evaluation(project=project, year=form.year)
    approved = ApprovedTargets.objects.filter(project=project, year=form.year).first()
    if approved is not None:  # copied and locked: from now on a change needs a reason
        evaluation.targets = approved.indicators
        form = approved_targets.copy_into(form, approved_of(evaluation))
    data = store(evaluation=evaluation, form=form)
    evaluation.save()
    events.append(
        evaluation=evaluation,
        user=user,
        action="create",
        state_from="",
        diff=trail.field_diff({}, data),
    )
    return evaluation


@transaction.atomic
def save(
    *,
    user: User,
    pk: int,
    version: int,
    form: Form,
    target_reasons: dict[str, str] | None = None,
) -> Evaluation:
    """Replace the form's contents, if ``version`` is still current and the form
    is with the unit (草稿 / 已退回). A changed approved target needs a reason in
    ``target_reasons`` (by indicator name); reasons given stay while the change
    does. Saving no change adds no event."""
    evaluation = access.get(user, pk, for_update=True)  # what one may not see is 404 first
    place = access.require_role(user, {Role.FILLER}, _("修改自评表"))
    if evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以修改自评表"))
    if evaluation.state_enum is State.APPROVED:
        raise Conflict(_("自评表已审核通过并锁定，不能修改"))
    if not workflow.editable(evaluation.state_enum):
        raise Conflict(
            _("自评表当前为“%(state)s”，退回后才能修改") % {"state": words.state(evaluation.state)}
        )
    checks.current(evaluation, version)
    if form.year != evaluation.year:
        raise ServiceError(_("年度不能改动（本表为 %(year)s 年度）") % {"year": evaluation.year})
    if form.template not in templates.ids():
        raise Invalid(
            _("template：没有模板 %(template)r（可用：%(known)s）")
            % {"template": form.template, "known": _("、").join(templates.ids())}
        )
    _fits_kind(evaluation.project, form.template)
    _one_row_per_target(evaluation, form)
    old, old_reasons = evaluation.data, evaluation.target_reasons
    evaluation.target_reasons = _target_reasons(evaluation, form, target_reasons or {})
    diff = trail.field_diff(old, store(evaluation=evaluation, form=form)) + trail.field_diff(
        {"target_reasons": old_reasons}, {"target_reasons": evaluation.target_reasons}
    )
    if not diff:
        return evaluation
    evaluation.version += 1
    evaluation.save()
    events.append(
        evaluation=evaluation, user=user, action="save", state_from=evaluation.state, diff=diff
    )
    return evaluation


def _fits_kind(project: Project, template_id: str) -> None:
    """A 部门整体支出 record takes 部门整体支出 forms only, a project every other kind."""
    if template_id not in templates.ids():
        return  # the reader or the save names the unknown template
    department = templates.load(template_id).kind is FormKind.DEPARTMENT
    if department and not project.is_department:
        raise Invalid(
            _(
                "部门整体支出自评表（模板 %(template)s）应建在部门整体支出下，不能建在项目 %(code)s 下"
            )
            % {"template": template_id, "code": project.code}
        )
    if project.is_department and not department:
        raise Invalid(
            _("部门整体支出下只能填部门整体支出自评表，模板 %(template)s 是项目支出的")
            % {"template": template_id}
        )


def _one_row_per_target(evaluation: Evaluation, form: Form) -> None:
    """A row named like an approved target (spaces and full-width forms aside) is
    that target's row, wherever it was added; so each approved target may be on
    one row only (else which row is compared with the approval would be a guess)."""
    keys = [approved_targets.key(row.name) for row in form.indicators]
    twice = [
        row["name"]
        for row in evaluation.targets
        if keys.count(approved_targets.key(row["name"])) > 1
    ]
    if twice:
        raise Invalid(
            _("已批复的绩效目标每项只能占一行，以下指标有多行同名：%(names)s")
            % {"names": _("、").join(twice)}
        )


def _target_reasons(evaluation: Evaluation, form: Form, given: dict[str, str]) -> dict[str, str]:
    """The reasons for the form's changes of approved targets: those given now,
    else those on record; a change without one refuses the save."""
    checks.storable(given, "target_reasons")
    changed = {c.name for c in approved_targets.changes(form, approved_of(evaluation))}
    if unknown := sorted(set(given) - {row["name"] for row in evaluation.targets}):
        raise Invalid(
            _("调整理由所指的指标不在已批复的绩效目标中：%(names)s")
            % {"names": _("、").join(unknown)}
        )
    reasons = {**evaluation.target_reasons, **{k: v.strip() for k, v in given.items() if v.strip()}}
    reasons = {name: text for name, text in reasons.items() if name in changed}
    if missing := sorted(changed - set(reasons)):
        raise Invalid(
            _("已批复的绩效目标被修改，须说明理由（target_reasons）：%(names)s")
            % {"names": _("、").join(missing)}
        )
    return reasons
