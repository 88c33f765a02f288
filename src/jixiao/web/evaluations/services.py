"""Use cases over the database: see, create, save and move evaluations through
the workflow, each change an event on the hash-chained audit trail.

Plain Python over the ORM, called by the API, the admin commands and the tests.
Errors are :class:`ServiceError` with a Chinese message and the HTTP status the
API answers with: 404 for what the user may not see (never revealing that it
exists), 403 for a step their role may not take, 409 for a locked, not editable
or stale form.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from jixiao.domain import trail, workflow
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.workflow import Action, Role, State
from jixiao.web.evaluations.models import Evaluation, Event, Project, SpotCheck
from jixiao.web.orgs.models import Membership, Organisation
from jixiao.writers.json import evaluation_dict


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


def membership(user: AbstractBaseUser) -> Membership:
    try:
        return user.membership
    except Membership.DoesNotExist:
        raise Forbidden("账号尚未分配组织和角色，请联系财政局管理员") from None


def visible_units(user: AbstractBaseUser) -> QuerySet[Organisation]:
    """The 实施单位 whose forms ``user`` may see: their own, their department's, or all."""
    return membership(user).organisation.units()


def visible(user: AbstractBaseUser) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(project__unit__in=visible_units(user)).select_related("project__unit")


def get(user: AbstractBaseUser, pk: int, *, for_update: bool = False) -> Evaluation:
    """The evaluation if ``user`` may see it; otherwise :class:`NotFound`, as if it did not exist."""
    rows = visible(user)
    if for_update:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(pk=pk)
    except Evaluation.DoesNotExist:
        raise NotFound(f"自评表 {pk} 不存在或无权查看") from None


def visible_projects(user: AbstractBaseUser) -> QuerySet[Project]:
    return Project.objects.filter(unit__in=visible_units(user)).select_related("unit")


def project(user: AbstractBaseUser, code: str) -> Project:
    try:
        return visible_projects(user).get(code=code)
    except Project.DoesNotExist:
        raise NotFound(f"项目 {code} 不存在或无权查看") from None


def create_project(user: AbstractBaseUser, code: str, name: str, unit_id: int) -> Project:
    """A new project with its stable code, by a filler of the unit or a bureau admin."""
    place = _require_role(user, {Role.FILLER, Role.ADMIN}, "新建项目")
    unit = place.organisation.units().filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"实施单位 {unit_id} 不存在或无权查看")
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ServiceError("项目编码和项目名称不能为空")
    if Project.objects.filter(code=code).exists():
        raise Conflict(f"项目编码 {code} 已被使用")
    return Project.objects.create(code=code, name=name, unit=unit)


def _require_role(user: AbstractBaseUser, roles: set[Role], doing: str) -> Membership:
    place = membership(user)
    if place.role_enum not in roles:
        names = "、".join(r.label for r in Role if r in roles)
        raise Forbidden(f"{doing}需要{names}角色，当前角色为{place.role_enum.label}")
    return place


def _check_version(evaluation: Evaluation, version: int | None) -> None:
    if version is not None and version != evaluation.version:
        raise Conflict(
            f"自评表已被他人修改：您编辑的是第 {version} 版，当前为第 {evaluation.version} 版。"
            "请重新打开后再修改，您的改动未保存。"
        )


def _store(evaluation: Evaluation, form: Form) -> dict:
    """Copy the form into the row; returns its contract JSON."""
    data = evaluation_dict(form)
    evaluation.data = data
    evaluation.template = form.template
    evaluation.total = form.total
    evaluation.grade = form.grade
    return data


_CHAIN_LOCK = 0x6A69786961_6F  # "jixiao": the advisory lock that orders appends on PostgreSQL


def _lock_chain() -> None:
    """Writers append one at a time until they commit. SQLite's write lock
    already does this; PostgreSQL takes a transaction-level advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _append(evaluation: Evaluation, user: AbstractBaseUser, action: str, state_from: str,
            diff: list, comment: str = "", field_comments: dict[str, str] | None = None) -> Event:
    """Add one event at the chain's head (``prev_hash`` is unique as well, so a
    fork is impossible even if the lock were missing)."""
    _lock_chain()
    prev = Event.objects.order_by("-id").values_list("hash", flat=True).first() or trail.GENESIS
    event = Event(
        evaluation=evaluation, actor=user, actor_name=user.get_username(),
        at=timezone.now().astimezone(UTC), action=action, state_from=state_from,
        state_to=evaluation.state, version=evaluation.version, diff=diff, comment=comment,
        field_comments=field_comments or {}, prev_hash=prev,
    )
    event.hash = trail.event_hash(prev, event.content())
    event.save()
    return event


@transaction.atomic
def create(user: AbstractBaseUser, project: Project, form: Form) -> Evaluation:
    """A new draft for ``project`` and the form's year, by a filler of the
    project's unit or a bureau admin (importing)."""
    place = _require_role(user, {Role.FILLER, Role.ADMIN}, "新建自评表")
    if not place.organisation.units().filter(pk=project.unit_id).exists():
        raise NotFound(f"项目 {project.code} 不存在或无权查看")
    if form.year is None:
        raise ServiceError("自评表缺少年度，无法保存")
    if Evaluation.objects.filter(project=project, year=form.year).exists():
        raise Conflict(f"项目 {project.code} 的 {form.year} 年度自评表已存在")
    evaluation = Evaluation(project=project, year=form.year)
    data = _store(evaluation, form)
    evaluation.save()
    _append(evaluation, user, "create", "", trail.field_diff({}, data))
    return evaluation


@transaction.atomic
def save(user: AbstractBaseUser, pk: int, version: int, form: Form) -> Evaluation:
    """Replace the form's contents, if ``version`` is still current and the form
    is with the unit (草稿 / 已退回). Saving no change adds no event."""
    evaluation = get(user, pk, for_update=True)  # what one may not see is 404 before anything else
    place = _require_role(user, {Role.FILLER}, "修改自评表")
    if evaluation.project.unit_id != place.organisation_id:
        raise Forbidden("只有本单位的填报人员可以修改自评表")
    if evaluation.state_enum is State.APPROVED:
        raise Conflict("自评表已审核通过并锁定，不能修改")
    if not workflow.editable(evaluation.state_enum):
        raise Conflict(f"自评表当前为“{evaluation.state_enum.label}”，退回后才能修改")
    _check_version(evaluation, version)
    if form.year != evaluation.year:
        raise ServiceError(f"年度不能改动（本表为 {evaluation.year} 年度）")
    old = evaluation.data
    diff = trail.field_diff(old, _store(evaluation, form))
    if not diff:
        return evaluation
    evaluation.version += 1
    evaluation.save()
    _append(evaluation, user, "save", evaluation.state, diff)
    return evaluation


@transaction.atomic
def step(user: AbstractBaseUser, pk: int, action: Action, *, version: int | None = None,
         comment: str = "", field_comments: dict[str, str] | None = None) -> Evaluation:
    """Submit, return or approve: the state machine says whether the step exists
    and which role takes it; the tree says whether this user may take it here.
    A return carries an overall comment or comments on fields (by field path)."""
    place = membership(user)
    evaluation = get(user, pk, for_update=True)
    try:
        new_state = workflow.next_state(evaluation.state_enum, action, place.role_enum)
    except workflow.WorkflowError as error:
        raise (Forbidden if place.role_enum not in workflow.ACTORS[action] else Conflict)(str(error)) from None
    if place.role_enum is Role.FILLER and evaluation.project.unit_id != place.organisation_id:
        raise Forbidden("只有本单位的填报人员可以提交")
    _check_version(evaluation, version)
    field_comments = {path: text.strip() for path, text in (field_comments or {}).items() if text.strip()}
    if action is Action.RETURN and not comment.strip() and not field_comments:
        raise ServiceError("退回时请填写意见（总体或逐项）")
    if unknown := [path for path in field_comments if not _is_field(evaluation.data, path)]:
        raise ServiceError(f"意见所指的字段不存在：{'、'.join(unknown)}")
    state_from = evaluation.state
    evaluation.state = new_state.value
    evaluation.version += 1
    evaluation.save()
    _append(evaluation, user, action.value, state_from, [{"path": "state", "old": state_from,
                                                          "new": new_state.value}], comment, field_comments)
    return evaluation


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _is_field(data: dict, path: str) -> bool:
    """Whether a field path (``indicators[3].score``) names a value of the form."""
    node = data
    for key, index in _PATH_PART.findall(path):
        if key and isinstance(node, dict) and key in node:
            node = node[key]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return False
    return bool(path)


@transaction.atomic
def draw_spot_check(user: AbstractBaseUser, year: int, size: int) -> SpotCheck:
    """抽查: a bureau admin draws ``size`` approved forms of ``year`` at random
    (the system's CSPRNG, so nobody can steer the draw); each drawn form gets a
    trail event, so the draw itself is on record."""
    _require_role(user, {Role.ADMIN}, "抽查")
    approved = list(visible(user).filter(year=year, state=State.APPROVED.value).order_by("pk"))
    if size < 1:
        raise ServiceError("抽取数至少为 1")
    if size > len(approved):
        raise ServiceError(f"{year} 年度已通过的自评表只有 {len(approved)} 份，不能抽取 {size} 份")
    drawn = sorted(secrets.SystemRandom().sample(approved, size), key=lambda ev: ev.pk)
    check = SpotCheck.objects.create(year=year, size=size, drawn_by=user)
    check.evaluations.set(drawn)
    for ev in drawn:
        _append(ev, user, "spot_check", ev.state, [], f"抽查 #{check.pk}")
    return check


def spot_checks(user: AbstractBaseUser) -> QuerySet[SpotCheck]:
    _require_role(user, {Role.ADMIN}, "查看抽查")
    return SpotCheck.objects.prefetch_related("evaluations")


def _links() -> list[trail.Link]:
    return [trail.Link(e.id, e.prev_hash, e.hash, e.content()) for e in Event.objects.order_by("id")]


def verify_trail() -> tuple[int, list[trail.Break], str]:
    """How many events there are, where the chain breaks, and its head hash."""
    links = _links()
    return len(links), list(trail.verify_chain(links)), trail.head(links)
