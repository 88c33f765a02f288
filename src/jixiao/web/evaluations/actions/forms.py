"""The forms (自评表): create and save, each reading the form back through the contract,
running the audit, copying the approved targets, filling the indexed columns and
appending its event on the trail in the same transaction."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao import templates
from jixiao.contract.json import evaluation_dict, evaluation_from_dict, figure
from jixiao.domain import approved_targets, filled, project_match, trail, workflow
from jixiao.domain.approved_targets import ApprovedTarget
from jixiao.domain.audit import Finding, audit
from jixiao.domain.model import AmountUnit
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.model import Project as Subject
from jixiao.domain.template import FormKind
from jixiao.domain.workflow import Role, State
from jixiao.web.evaluations import words
from jixiao.web.evaluations.models import FILLED, IMPORTED, ApprovedTargets, Evaluation, Project
from jixiao.writers.findings import finding_dict

from . import access, checks, columns, counts
from . import trail as events
from .errors import (
    Conflict,
    FieldErrors,
    Forbidden,
    Invalid,
    Mismatched,
    NotFound,
    ServiceError,
)


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


def blank(project: Project, year: int, template_id: str, unit: str | None = None) -> Form:
    """An empty form of the project for a year in a bundled template, ready to be
    filled in: the project's names, the template's 资金 lines and execution points,
    the amount unit (万元 / 元; the template's own when not chosen)."""
    if not 2000 <= year <= 2100:
        raise Invalid(_("年度应在 2000–2100 之间：%(year)s") % {"year": year})
    if template_id not in templates.ids():
        raise Invalid(
            _("template：没有模板 %(template)r（可用：%(known)s）")
            % {"template": template_id, "known": _("、").join(templates.ids())}
        )
    template = templates.load(template_id)
    units = {u.value: u for u in AmountUnit}
    chosen = unit or template.amount_unit
    if chosen not in units:
        raise Invalid(_("金额单位只能是万元或元：%(unit)s") % {"unit": chosen})
    organisation = project.unit
    if project.is_department:  # 部门整体支出: no project, the organisation is the subject
        subject = Subject(name=None, unit=None, department=organisation.name)
    else:
        subject = Subject(
            name=project.name,
            unit=organisation.name,
            department=organisation.parent.name if organisation.parent is not None else None,
        )
    return Form(
        template=template_id,
        year=year,
        project=subject,
        funding=filled.funding_of(template, units[chosen]),
    )


def _may_create(user: User, project: Project) -> None:
    """A filler of the project's unit or a bureau admin (importing) may start its forms."""
    place = access.require_role(user, {Role.FILLER, Role.ADMIN}, _("新建自评表"))
    if not access.visible_projects(user).filter(pk=project.pk).exists():
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": project.code})
    if place.role_enum is Role.FILLER and project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以新建自评表"))


def mismatches(
    project: Project, form: Form, year: int | None = None
) -> list[project_match.Mismatch]:
    """How a form read from a file differs from the project it is filed under (项目名称,
    实施单位, and the year asked): :func:`jixiao.domain.project_match.mismatches`."""
    unit = project.unit
    return project_match.mismatches(
        form,
        name=None if project.is_department else project.name,
        unit=unit.name,
        year=year,
        department_record=project.is_department,
    )


def check_project(
    *,
    user: User,
    project: Project,
    form: Form,
    year: int | None = None,
    confirmed: bool = False,
) -> str:
    """The one decision whether an uploaded form goes under ``project`` (the page's
    upload, the API's import, the bulk import): refused (:class:`Mismatched`, 409, both
    values of each field said) while its 项目名称, 实施单位 or 年度 differ, unless the user
    confirmed; then the words for the trail (the create event's comment), else ''."""
    _may_create(user, project)  # who may not import here hears that first
    found = mismatches(project, form, year)
    if not found:
        return ""
    chinese = (get_language() or "zh-hans").lower().startswith("zh")
    said = _("；").join(
        _("%(field)s：文件中为「%(file)s」，所选项目为「%(project)s」")
        % {
            "field": m.label if chinese else m.label_en,
            "file": m.in_file,
            "project": m.expected,
        }
        for m in found
    )
    if not confirmed:
        raise Mismatched(
            _("上传的自评表与所选项目不符（%(said)s）。请核对；确属本项目的，确认后再导入。")
            % {"said": said},
            [
                {"field": m.field, "label": m.label, "in_file": m.in_file, "expected": m.expected}
                for m in found
            ],
        )
    return _("确认导入与项目不符的文件：%(said)s") % {"said": said}


@transaction.atomic
def create(
    *,
    user: User,
    project: Project,
    form: Form,
    origin: str = IMPORTED,
    note: str = "",
) -> Evaluation:
    """A new draft for ``project`` and the form's year, by a filler of the
    project's unit or a bureau admin (importing). ``origin``: imported from a file
    (its printed figures kept) or filled in (``FILLED``: blank or from last year; its
    computable figures computed on every save)."""
    _may_create(user, project)
    _fits_kind(project, form.template)
    if form.year is None:
        raise ServiceError(_("自评表缺少年度，无法保存"))
    if not 2000 <= form.year <= 2100:  # as the blank form and the approved targets
        raise Invalid(_("年度应在 2000–2100 之间：%(year)s") % {"year": form.year})
    if (
        Evaluation.objects.filter(project=project, year=form.year)
        .exclude(state=State.DELETED.value)
        .exists()
    ):
        raise Conflict(
            _("项目 %(code)s 的 %(year)s 年度自评表已存在")
            % {"code": project.code, "year": form.year}
        )
    if origin not in (FILLED, IMPORTED):
        raise Invalid(_("来源只能是 filled 或 imported：%(origin)s") % {"origin": origin})
    evaluation = Evaluation(project=project, year=form.year, origin=origin)
    approved = ApprovedTargets.objects.filter(project=project, year=form.year).first()
    if approved is not None:  # copied and locked: from now on a change needs a reason
        evaluation.targets = approved.indicators
        form = approved_targets.copy_into(form, approved_of(evaluation))
    if evaluation.filled and form.template in templates.ids():
        form = filled.complete(form, templates.load(form.template))
    data = store(evaluation=evaluation, form=form)
    evaluation.save()
    events.append(
        evaluation=evaluation,
        user=user,
        action="create",
        state_from="",
        diff=trail.field_diff({}, data),
        comment=note,
    )
    counts.created(evaluation)
    return evaluation


@transaction.atomic
def save(
    *,
    user: User,
    pk: int,
    version: int,
    form: Form,
    target_reasons: dict[str, str] | None = None,
    score_reasons: dict[str, str] | None = None,
) -> Evaluation:
    """Replace the form's contents, if ``version`` is still current and the form
    is with the unit (草稿 / 已退回). A changed approved target needs a reason in
    ``target_reasons`` (by indicator name); reasons given stay while the change
    does. A filled-in form's computable figures are computed (:mod:`jixiao.domain.filled`),
    whatever was sent; a quantitative indicator's 得分 other than the rule's needs a
    reason in ``score_reasons`` (by indicator name), kept while the change stands.
    Saving no change adds no event."""
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
    old_scores = evaluation.score_reasons
    evaluation.target_reasons = _target_reasons(evaluation, form, target_reasons or {})
    if evaluation.filled:
        form, evaluation.score_reasons = _completed(evaluation, form, score_reasons or {})
    elif score_reasons:
        raise Invalid(_("导入的自评表保留表上的得分，不需要得分调整理由（score_reasons）"))
    diff = (
        trail.field_diff(old, store(evaluation=evaluation, form=form))
        + trail.field_diff(
            {"target_reasons": old_reasons}, {"target_reasons": evaluation.target_reasons}
        )
        + trail.field_diff(
            {"score_reasons": old_scores}, {"score_reasons": evaluation.score_reasons}
        )
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


def _completed(
    evaluation: Evaluation, form: Form, given: dict[str, str]
) -> tuple[Form, dict[str, str]]:
    """A filled-in form completed by the rules, and the reasons for the quantitative
    scores kept other than the rule's (by indicator name: given now, else on record).

    A score sent that is not the rule's is kept with a reason; without one it is the
    rule's again when it is the score last stored for that row while no reason was on
    record (the client sent back the old proposal after changing the row), and refused
    (422, naming each field) otherwise."""
    checks.storable(given, "score_reasons")
    if problems := checks.figure_problems(evaluation_dict(form)):
        raise FieldErrors(problems)
    template = templates.load(form.template)
    given = {name: text.strip() for name, text in given.items() if text.strip()}
    names = {ind.name for ind in form.indicators if ind.name}
    if unknown := sorted(set(given) - names):
        raise Invalid(
            _("得分调整理由所指的指标不在表中：%(names)s") % {"names": _("、").join(unknown)}
        )
    stored = {
        row.get("name"): row.get("score")
        for row in evaluation.data.get("indicators") or []
        if row.get("name")
    }
    on_record = evaluation.score_reasons
    kept: set[int] = set()
    reasons: dict[str, str] = {}
    refused: dict[str, str] = {}
    for n, proposed in filled.proposals(form, template).items():
        ind = form.indicators[n]
        if ind.score is None or ind.score == proposed.value:
            continue
        reason = given.get(ind.name or "") or on_record.get(ind.name or "")
        if reason:
            kept.add(n)
            reasons[ind.name or ""] = reason
        elif ind.name in stored and stored[ind.name] == figure(ind.score):
            continue  # the rule's figure of the last save, sent back: computed again
        else:
            refused[f"indicators[{n}].score"] = _(
                "第 %(n)s 个指标「%(name)s」按规则得 %(rule)s 分；改为 %(typed)s 须说明理由"
            ) % {
                "n": n + 1,
                "name": ind.name or "",
                "rule": figure(proposed.value),
                "typed": figure(ind.score),
            }
    if refused:
        raise FieldErrors(refused)
    return filled.complete(form, template, frozenset(kept)), reasons
