"""Use cases over the database: see, create, save and move evaluations through
the workflow, each change an event on the hash-chained audit trail.

Plain Python over the ORM, called by the API, the admin commands and the tests.
Errors are :class:`ServiceError` with a message in the active language (Chinese
first, English through Django's catalogue) and the HTTP status the API answers
with: 404 for what the user may not see (never revealing that it exists), 403
for a step their role may not take, 409 for a locked, not editable or stale form.
Messages are translated when raised (``gettext``), so the caller's active
language (LocaleMiddleware: the page's choice, the API's ``Accept-Language``) decides.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jixiao import templates
from jixiao.contract import paths
from jixiao.contract.json import evaluation_dict, evaluation_from_dict, figure
from jixiao.domain import approved_targets, trail, workflow
from jixiao.domain.approved_targets import ApprovedTarget
from jixiao.domain.audit import Finding, Severity, audit
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.model import places
from jixiao.domain.workflow import Action, Role, State
from jixiao.web.evaluations import rollup, words
from jixiao.web.evaluations.models import ApprovedTargets, Evaluation, Event, Project, SpotCheck
from jixiao.web.orgs.models import Membership, Organisation
from jixiao.writers.findings import finding_dict


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    """Content the form cannot take (422), the message naming the field."""

    status = 422


OUT_OF_RANGE = gettext_lazy(
    "表中的数字超出可计算的范围（例如预算数接近 0 而执行数很大），无法审核或计分，请核对后再保存"
)
"""What a form gets whose figures the rules cannot compute with (an ArithmeticError:
a budget of 1E-999999 whose execution rate overflows): the form's fault, a 422."""

_DB_INT = 2**31 - 1  # ids and years beyond this exist nowhere (and overflow some databases)


def _storable(value, where: str) -> None:
    """PostgreSQL keeps no NUL character in text or jsonb: refuse it here (422, naming
    the place) instead of failing in the database with a server error."""
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid(_("%(where)s：含有空字符（NUL），无法保存") % {"where": where})
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key, where)
            _storable(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            _storable(item, f"{where}[{n}]")


def fits(model, field: str, value: str | None) -> None:
    """PostgreSQL refuses text longer than its column where SQLite keeps it:
    refuse it here (422, naming the field) instead of a server error."""
    column = model._meta.get_field(field)
    if value is not None and len(value) > column.max_length:
        raise Invalid(
            _("%(field)s超过 %(limit)s 个字符（现为 %(length)s 个），无法保存")
            % {"field": _(column.verbose_name), "limit": column.max_length, "length": len(value)}
        )


def membership(user: User) -> Membership:
    try:
        return user.membership
    except Membership.DoesNotExist:
        raise Forbidden(_("账号尚未分配组织和角色，请联系财政局管理员")) from None


def visible_units(user: User) -> QuerySet[Organisation]:
    """The 实施单位 whose forms ``user`` may see: their own, their department's, or all."""
    return membership(user).organisation.units()


def visible(user: User) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(project__unit__in=visible_units(user)).select_related(
        "project__unit"
    )


def get(user: User, pk: int, *, for_update: bool = False) -> Evaluation:
    """The evaluation if ``user`` may see it; otherwise :class:`NotFound`, as if it did not exist."""
    rows = visible(user)
    if not 0 < pk <= _DB_INT:
        raise NotFound(_("自评表 %(pk)s 不存在或无权查看") % {"pk": pk})
    if for_update:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(pk=pk)
    except Evaluation.DoesNotExist:
        raise NotFound(_("自评表 %(pk)s 不存在或无权查看") % {"pk": pk}) from None


def visible_projects(user: User) -> QuerySet[Project]:
    return Project.objects.filter(unit__in=visible_units(user)).select_related("unit")


def project(user: User, code: str) -> Project:
    try:
        return visible_projects(user).get(code=code)
    except Project.DoesNotExist:
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": code}) from None


def create_project(user: User, code: str, name: str, unit_id: int) -> Project:
    """A new project with its stable code, by a filler of the unit or a bureau admin."""
    place = _require_role(user, {Role.FILLER, Role.ADMIN}, _("新建项目"))
    unit = place.organisation.units().filter(pk=unit_id).first() if 0 < unit_id <= _DB_INT else None
    if unit is None:
        raise NotFound(_("实施单位 %(unit)s 不存在或无权查看") % {"unit": unit_id})
    code, name = code.strip(), name.strip()
    _storable({"code": code, "name": name}, _("项目"))
    if not code or not name:
        raise ServiceError(_("项目编码和项目名称不能为空"))
    fits(Project, "code", code)
    fits(Project, "name", name)
    if Project.objects.filter(code=code).exists():
        raise Conflict(_("项目编码 %(code)s 已被使用") % {"code": code})
    return Project.objects.create(code=code, name=name, unit=unit)


def _require_role(user: User, roles: set[Role], doing: str) -> Membership:
    place = membership(user)
    if place.role_enum not in roles:
        raise Forbidden(
            _("%(doing)s需要%(roles)s角色，当前角色为%(role)s")
            % {
                "doing": doing,
                "roles": _("、").join(words.role(r.value) for r in Role if r in roles),
                "role": words.role(place.role),
            }
        )
    return place


def _check_version(evaluation: Evaluation, version: int | None) -> None:
    if version is not None and version != evaluation.version:
        raise Conflict(
            _(
                "自评表已被他人修改：您编辑的是第 %(yours)s 版，当前为第 %(now)s 版。"
                "请重新打开后再修改，您的改动未保存。"
            )
            % {"yours": version, "now": evaluation.version}
        )


def _store(evaluation: Evaluation, form: Form) -> dict:
    """Copy the form and its findings into the row; returns its contract JSON."""
    data = evaluation_dict(form)
    _storable(data, _("自评表"))
    fits(Evaluation, "grade", form.grade)
    evaluation.data = data
    evaluation.template = form.template
    evaluation.total = _indexed(form.total)
    evaluation.grade = form.grade
    evaluation.findings = finding_rows(evaluation, form)
    rollup.fill(evaluation, form)
    return data


store = _store  # public for the bulk loader of web/province.py, which fills rows as a save does


def finding_rows(evaluation: Evaluation, form: Form) -> list[dict]:
    """The findings as stored and served: ``jixiao check --json``'s, each with its key."""
    return [{**finding_dict(form, f), "key": finding_key(f)} for f in findings(evaluation, form)]


def _indexed(total: Decimal | None) -> Decimal | None:
    """The total for the list's index column (7 digits, 2 places), or ``None`` for
    a printed total that does not fit there (say 1234567 or 97.855): the form
    keeps it as printed, and the audit says what is wrong with it."""
    return rollup.fits(total, 7, 2)


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


_CHAIN_LOCK = 0x6A69786961_6F  # "jixiao": the advisory lock that orders appends on PostgreSQL


def _lock_chain() -> None:
    """Writers append one at a time until they commit. SQLite's write lock
    already does this; PostgreSQL takes a transaction-level advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


lock_chain = _lock_chain  # public for the bulk loader of web/province.py


def _append(
    evaluation: Evaluation,
    user: User,
    action: str,
    state_from: str,
    diff: list,
    comment: str = "",
    field_comments: dict[str, str] | None = None,
) -> Event:
    """Add one event at the chain's head (``prev_hash`` is unique as well, so a
    fork is impossible even if the lock were missing)."""
    _lock_chain()
    prev = Event.objects.order_by("-id").values_list("hash", flat=True).first() or trail.GENESIS
    event = Event(
        evaluation=evaluation,
        actor=user,
        actor_name=user.get_username(),
        at=timezone.now().astimezone(UTC),
        action=action,
        state_from=state_from,
        state_to=evaluation.state,
        version=evaluation.version,
        diff=diff,
        comment=comment,
        field_comments=field_comments or {},
        prev_hash=prev,
    )
    event.hash = trail.event_hash(prev, event.content())
    event.save()
    return event


@transaction.atomic
def create(user: User, project: Project, form: Form) -> Evaluation:
    """A new draft for ``project`` and the form's year, by a filler of the
    project's unit or a bureau admin (importing)."""
    place = _require_role(user, {Role.FILLER, Role.ADMIN}, _("新建自评表"))
    if not place.organisation.units().filter(pk=project.unit_id).exists():
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": project.code})
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
    data = _store(evaluation, form)
    evaluation.save()
    _append(evaluation, user, "create", "", trail.field_diff({}, data))
    return evaluation


@transaction.atomic
def save(
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
    evaluation = get(user, pk, for_update=True)  # what one may not see is 404 before anything else
    place = _require_role(user, {Role.FILLER}, _("修改自评表"))
    if evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以修改自评表"))
    if evaluation.state_enum is State.APPROVED:
        raise Conflict(_("自评表已审核通过并锁定，不能修改"))
    if not workflow.editable(evaluation.state_enum):
        raise Conflict(
            _("自评表当前为“%(state)s”，退回后才能修改") % {"state": words.state(evaluation.state)}
        )
    _check_version(evaluation, version)
    if form.year != evaluation.year:
        raise ServiceError(_("年度不能改动（本表为 %(year)s 年度）") % {"year": evaluation.year})
    if form.template not in templates.ids():
        raise Invalid(
            _("template：没有模板 %(template)r（可用：%(known)s）")
            % {"template": form.template, "known": _("、").join(templates.ids())}
        )
    _one_row_per_target(evaluation, form)
    old, old_reasons = evaluation.data, evaluation.target_reasons
    evaluation.target_reasons = _target_reasons(evaluation, form, target_reasons or {})
    diff = trail.field_diff(old, _store(evaluation, form)) + trail.field_diff(
        {"target_reasons": old_reasons}, {"target_reasons": evaluation.target_reasons}
    )
    if not diff:
        return evaluation
    evaluation.version += 1
    evaluation.save()
    _append(evaluation, user, "save", evaluation.state, diff)
    return evaluation


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
    _storable(given, "target_reasons")
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


@transaction.atomic
def step(
    user: User,
    pk: int,
    action: Action,
    *,
    version: int | None = None,
    comment: str = "",
    field_comments: dict[str, str] | None = None,
    acknowledgements: dict[str, str] | None = None,
) -> Evaluation:
    """Submit, return or approve: the state machine says whether the step exists
    and which role takes it; the tree says whether this user may take it here.
    A return carries an overall comment or comments on fields (by field path).
    A submit is refused while an error-level finding has no reason
    (``acknowledgements``: finding key → reason, kept for later submits)."""
    place = membership(user)
    evaluation = get(user, pk, for_update=True)
    try:
        new_state = workflow.next_state(evaluation.state_enum, action, place.role_enum)
    except workflow.WorkflowError:
        raise _refused_step(evaluation, action, place.role_enum) from None
    if place.role_enum is Role.FILLER and evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以提交"))
    _check_version(evaluation, version)
    _storable(
        {
            "comment": comment,
            "field_comments": field_comments,
            "acknowledgements": acknowledgements,
        },
        _("意见"),
    )
    field_comments = {
        path: text.strip() for path, text in (field_comments or {}).items() if text.strip()
    }
    if action is Action.RETURN and not comment.strip() and not field_comments:
        raise ServiceError(_("退回时请填写意见（总体或逐项）"))
    if unknown := [path for path in field_comments if not paths.json_has(evaluation.data, path)]:
        raise ServiceError(_("意见所指的字段不存在：%(paths)s") % {"paths": _("、").join(unknown)})
    state_from = evaluation.state
    diff = [{"path": "state", "old": state_from, "new": new_state.value}]
    if action is Action.SUBMIT:
        acks = _acknowledged(evaluation, acknowledgements or {})
        diff += trail.field_diff(
            {"acknowledgements": evaluation.acknowledgements}, {"acknowledgements": acks}
        )
        evaluation.acknowledgements = acks
    elif acknowledgements:
        raise ServiceError(_("错误说明只能在提交时填写"))
    evaluation.state = new_state.value
    evaluation.version += 1
    evaluation.save()
    _append(evaluation, user, action.value, state_from, diff, comment, field_comments)
    return evaluation


def _refused_step(evaluation: Evaluation, action: Action, role: Role) -> ServiceError:
    """Why the workflow refuses a step: the role may never take it (403), or not
    from the form's state (409)."""
    if role not in workflow.ACTORS[action]:
        allowed = _("、").join(words.role(r.value) for r in Role if r in workflow.ACTORS[action])
        return Forbidden(
            _("“%(action)s”只能由%(roles)s操作，当前角色为%(role)s")
            % {"action": words.step(action.value), "roles": allowed, "role": words.role(role.value)}
        )
    return Conflict(
        _("自评表当前为“%(state)s”，不能“%(action)s”")
        % {"state": words.state(evaluation.state), "action": words.step(action.value)}
    )


def _acknowledged(evaluation: Evaluation, given: dict[str, str]) -> dict[str, str]:
    """The reasons for every error-level finding (given now or at an earlier
    submit); refuses the submit while one has none."""
    errors = {f["key"]: f for f in evaluation.findings if f["severity"] == Severity.ERROR.value}
    if unknown := sorted(set(given) - set(errors)):
        raise ServiceError(_("说明所指的错误不存在：%(keys)s") % {"keys": _("、").join(unknown)})
    reasons = {
        **evaluation.acknowledgements,
        **{k: v.strip() for k, v in given.items() if v.strip()},
    }
    reasons = {key: text for key, text in reasons.items() if key in errors}
    if missing := [key for key in errors if key not in reasons]:
        listed = _("；").join(
            _("%(key)s：%(message)s") % {"key": key, "message": _message(errors[key])}
            for key in missing
        )
        raise Conflict(
            _("还有 %(n)s 个错误未更正或说明理由，不能提交（acknowledgements）：%(listed)s")
            % {"n": len(missing), "listed": listed}
        )
    return reasons


def _message(finding: dict) -> str:
    """A stored finding's message in the active language (the domain writes both)."""
    english = (get_language() or "").startswith("en") and finding.get("message_en")
    return english or finding["message"]


@transaction.atomic
def review(
    user: User, pk: int, version: int | None, scores: Mapping[str, str | None]
) -> Evaluation:
    """复核: a reviewer records their score beside self scores (``indicators[i].score``,
    ``funding.score`` the execution score) of a submitted form; ``None`` or "" clears one."""
    evaluation = get(user, pk, for_update=True)
    _require_role(user, {Role.REVIEWER}, _("复核评分"))
    if evaluation.state_enum is State.APPROVED:
        raise Conflict(_("自评表已审核通过并锁定，不能修改复核得分"))
    if evaluation.state_enum not in (State.SUBMITTED, State.RESUBMITTED):
        raise Conflict(
            _("自评表当前为“%(state)s”，提交后才能复核") % {"state": words.state(evaluation.state)}
        )
    _check_version(evaluation, version)
    new = dict(evaluation.review_scores)
    for path, value in scores.items():
        points = _points_for(evaluation.data, path)
        if value is None or not value.strip():
            new.pop(path, None)
        else:
            new[path] = figure(_review_score(path, value.strip(), points))
    diff = trail.field_diff({"review_scores": evaluation.review_scores}, {"review_scores": new})
    if not diff:
        return evaluation
    evaluation.review_scores = new
    rollup.fill(evaluation, form_of(evaluation))
    evaluation.version += 1
    evaluation.save()
    _append(evaluation, user, "review_score", evaluation.state, diff)
    return evaluation


def _points_for(data: dict, path: str) -> Decimal | None:
    """The 分值 of the row a 复核 score is for; Invalid unless the path is a self score."""
    row = paths.indicator_of(path)
    rows = data.get("indicators") or []
    if path == "funding.score":
        points = paths.json_get(data, "funding.points")
    elif row is not None and row[1] == "score" and row[0] < len(rows):
        points = paths.json_get(data, f"indicators[{row[0]}].points")
    else:
        raise Invalid(
            _("复核得分只能录在自评得分旁（indicators[i].score 或 funding.score）：%(path)s")
            % {"path": path}
        )
    return None if points is None else Decimal(points)


def _review_score(path: str, text: str, points: Decimal | None) -> Decimal:
    try:
        score = Decimal(text)
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite() or score < 0 or places(score) > 2:
        raise Invalid(
            _("%(path)s：复核得分应为不小于 0、最多两位小数的数：%(text)s")
            % {"path": path, "text": text}
        )
    if points is not None and score > points:
        raise Invalid(
            _("%(path)s：复核得分 %(text)s 高于分值 %(points)s")
            % {"path": path, "text": text, "points": figure(points)}
        )
    return score


EVIDENCE_ADDED, EVIDENCE_REMOVED = "evidence_add", "evidence_remove"


@transaction.atomic
def record_evidence(user: User, pk: int, action: str, item: dict) -> Event:
    """佐证材料 added or removed: only the unit's filler (403 for others), while the
    form is with the unit (409 otherwise); an event on the trail naming the file (``item``: indicator, name, size,
    sha256), so the hash chain covers the files as well. Call it in the same
    transaction that stores or deletes the file."""
    evaluation = get(user, pk, for_update=True)
    place = membership(user)
    if place.role_enum is not Role.FILLER or evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以上传或删除佐证材料"))
    if not workflow.editable(evaluation.state_enum):
        raise Conflict(
            _("只有本单位填报人员在草稿或退回状态下可以上传佐证材料")
            if action == EVIDENCE_ADDED
            else _("只有本单位填报人员在草稿或退回状态下可以删除佐证材料")
        )
    change = {"path": "evidence", "new" if action == EVIDENCE_ADDED else "old": item}
    return _append(evaluation, user, action, evaluation.state, [change])


TARGETS_SET = "targets_set"


@transaction.atomic
def set_targets(user: User, code: str, year: int, rows: list[ApprovedTarget]) -> ApprovedTargets:
    """批复绩效目标: a reviewer over the unit or a bureau admin sets a project's
    targets for a year. Evaluations already made keep the copy they took; a
    change to targets a form of that year was made under is an event on that
    form's trail (events belong to a form: before there is one, the form's
    create event records the targets it took)."""
    found = project(user, code)
    _require_role(user, {Role.REVIEWER, Role.ADMIN}, _("批复绩效目标"))
    if not 2000 <= year <= 2100:
        raise Invalid(_("年度应在 2000–2100 之间：%(year)s") % {"year": year})
    names = [approved_targets.key(row.name) for row in rows]
    if not rows or not all(names) or len(set(names)) != len(names):
        raise Invalid(_("绩效目标须至少有一个指标，每个指标有名称且不重复"))
    for row in rows:
        if row.points is not None and not (row.points.is_finite() and 0 <= row.points <= 100):
            raise Invalid(_("指标“%(name)s”的分值应在 0–100 之间") % {"name": row.name})
    stored = [
        {
            "level1": r.level1,
            "level2": r.level2,
            "name": r.name.strip(),
            "target": r.target,
            "points": figure(r.points),
        }
        for r in rows
    ]
    _storable(stored, "indicators")
    before = (
        ApprovedTargets.objects.filter(project=found, year=year)
        .values_list("indicators", flat=True)
        .first()
    )
    targets, _created = ApprovedTargets.objects.update_or_create(
        project=found, year=year, defaults={"indicators": stored, "set_by": user}
    )
    diff = trail.field_diff(
        {"approved_targets": _by_name(before or [])}, {"approved_targets": _by_name(stored)}
    )
    for evaluation in Evaluation.objects.filter(project=found, year=year) if diff else ():
        _append(evaluation, user, TARGETS_SET, evaluation.state, diff)
    return targets


def _by_name(rows: list[dict]) -> dict[str, dict]:
    """Approved target rows keyed by indicator name, so the trail says which target changed."""
    return {row["name"]: row for row in rows}


def targets_of(user: User, code: str) -> QuerySet[ApprovedTargets]:
    return project(user, code).targets.order_by("-year")


@transaction.atomic
def draw_spot_check(user: User, year: int, size: int) -> SpotCheck:
    """抽查: a bureau admin draws ``size`` approved forms of ``year`` at random
    (the system's CSPRNG, so nobody can steer the draw); each drawn form gets a
    trail event, so the draw itself is on record."""
    _require_role(user, {Role.ADMIN}, _("抽查"))
    approved = list(visible(user).filter(year=year, state=State.APPROVED.value).order_by("pk"))
    if size < 1:
        raise ServiceError(_("抽取数至少为 1"))
    if size > len(approved):
        raise ServiceError(
            _("%(year)s 年度已通过的自评表只有 %(n)s 份，不能抽取 %(size)s 份")
            % {"year": year, "n": len(approved), "size": size}
        )
    drawn = sorted(secrets.SystemRandom().sample(approved, size), key=lambda ev: ev.pk)
    check = SpotCheck.objects.create(year=year, size=size, drawn_by=user)
    check.evaluations.set(drawn)
    for ev in drawn:
        _append(ev, user, "spot_check", ev.state, [], f"抽查 #{check.pk}")
    return check


def spot_checks(user: User) -> QuerySet[SpotCheck]:
    _require_role(user, {Role.ADMIN}, _("查看抽查"))
    return SpotCheck.objects.prefetch_related("evaluations")


def _links() -> list[trail.Link]:
    return [
        trail.Link(e.id, e.prev_hash, e.hash, e.content()) for e in Event.objects.order_by("id")
    ]


def verify_trail() -> tuple[int, list[trail.Break], str]:
    """How many events there are, where the chain breaks, and its head hash."""
    links = _links()
    return len(links), list(trail.verify_chain(links)), trail.head(links)
