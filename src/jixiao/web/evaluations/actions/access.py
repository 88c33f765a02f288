"""Who may see and do what: every query is scoped by the user's place in the tree (a unit
its own forms, a department its own and its units', the bureau all). What one may not see is
:class:`NotFound`, as if it did not exist; a step the role may not take :class:`Forbidden`.
These are reads: the writes call them first.

A 部门整体支出 form (a project of kind department) belongs to the organisation it evaluates:
a unit's is filled by the unit's fillers and reviewed by its department's reviewers (or the
bureau's), as a project form; a 主管部门's own is filled by the department's fillers and
reviewed by the bureau's reviewers only (:func:`require_reviewer`) — the department's own
reviewers see it but do not approve their own department's spending."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Case, F, Q, QuerySet, When
from django.utils.translation import gettext as _

from jixiao.domain.workflow import Action, Role, State, actions_from
from jixiao.web.evaluations import words
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.orgs.models import Membership, Organisation

from .checks import db_id
from .errors import Forbidden, NotFound


def membership(user: User) -> Membership:
    try:
        return user.membership
    except Membership.DoesNotExist:
        raise Forbidden(_("账号尚未分配组织和角色，请联系财政局管理员")) from None


def require_role(user: User, roles: set[Role], doing: str) -> Membership:
    """The user's place, if their role is one of ``roles``; :class:`Forbidden` otherwise."""
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


def visible_units(user: User) -> QuerySet[Organisation]:
    """The 实施单位 whose forms ``user`` may see: their own, their department's, or all."""
    return membership(user).organisation.units()


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations whose forms ``user`` may see: their unit; their department and its
    units; every unit and department from the bureau."""
    return membership(user).organisation.scope()


def visible(user: User) -> QuerySet[Evaluation]:
    """The forms ``user`` may see (a deleted draft, kept with its trail, is seen by no one)."""
    return (
        Evaluation.objects.filter(project__unit__in=visible_organisations(user))
        .exclude(state=State.DELETED.value)
        .select_related("project__unit")
    )


def reviews(place: Membership, evaluation: Evaluation) -> bool:
    """Whether a reviewer at ``place`` (who sees the form) may review it: a 主管部门's own
    部门整体支出 form only from the bureau, every other form from the department or the bureau."""
    return reviews_project(place, evaluation.project)


def reviews_project(place: Membership, project: Project) -> bool:
    """:func:`reviews` for the forms and approved targets of ``project``."""
    owner = project.unit
    return not (
        owner.kind == Organisation.Kind.DEPARTMENT
        and place.organisation.kind != Organisation.Kind.BUREAU
    )


def require_reviewer(user: User, evaluation: Evaluation, doing: str) -> Membership:
    """The user's place, if they are a reviewer who may review ``evaluation`` and did not fill
    or submit it (:func:`require_not_submitter`); :class:`Forbidden` otherwise (they see it:
    what they may not see is 404 before)."""
    place = require_role(user, {Role.REVIEWER}, doing)
    if not reviews(place, evaluation):
        raise Forbidden(_("主管部门的部门整体支出自评表由财政局审核"))
    require_not_submitter(user, evaluation)
    return place


FILLED = ("create", "save", "submit", "evidence_add", "evidence_remove")
"""The trail's actions of whoever fills a form: they never approve or 复核 it (职责分离)."""


def submitted_by(user: User, evaluation: Evaluation) -> bool:
    """Whether ``user`` filled or submitted ``evaluation`` at any time (by the trail: the role
    they hold now does not matter)."""
    mine = Q(actor_id=user.pk) | Q(actor_name=user.get_username())
    return evaluation.events.filter(mine, action__in=FILLED).exists()


def require_not_submitter(user: User, evaluation: Evaluation) -> None:
    """职责分离: :class:`Forbidden` for whoever filled or submitted the form, whatever roles."""
    if submitted_by(user, evaluation):
        raise Forbidden(_("填报或提交了这张自评表的人员不能审核或复核它（职责分离）"))


def get(user: User, pk: int, *, for_update: bool = False) -> Evaluation:
    """The evaluation if ``user`` may see it; otherwise :class:`NotFound`, as if it did not exist."""
    rows = visible(user)
    if not db_id(pk):
        raise NotFound(_("自评表 %(pk)s 不存在或无权查看") % {"pk": pk})
    if for_update:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(pk=pk)
    except Evaluation.DoesNotExist:
        raise NotFound(_("自评表 %(pk)s 不存在或无权查看") % {"pk": pk}) from None


def visible_projects(user: User) -> QuerySet[Project]:
    return Project.objects.filter(unit__in=visible_organisations(user)).select_related("unit")


def project(user: User, code: str) -> Project:
    try:
        return visible_projects(user).get(code=code)
    except Project.DoesNotExist:
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": code}) from None


def reviewable(user: User) -> QuerySet[Evaluation]:
    """The forms ``user`` sees that they may review (a department's reviewers not their own
    department's 部门整体支出 form)."""
    rows = visible(user)
    if membership(user).organisation.kind != Organisation.Kind.BUREAU:
        rows = rows.exclude(project__unit__kind=Organisation.Kind.DEPARTMENT)
    return rows


def steps(user: User, evaluation: Evaluation) -> list[Action]:
    """The workflow steps ``user`` may take on ``evaluation`` (which they see) now."""
    place = membership(user)
    taken = actions_from(evaluation.state_enum, place.role_enum)
    if place.role_enum is Role.FILLER and evaluation.project.unit_id != place.organisation_id:
        return []
    if place.role_enum is Role.REVIEWER and not reviews(place, evaluation):
        return []
    if Action.APPROVE in taken and submitted_by(user, evaluation):
        taken = [a for a in taken if a is not Action.APPROVE]
    return taken


# The 主管部门 a form rolls up in: its unit's department, or for a department's own 部门整体支出
# form the department itself (as a database expression, and as a filter).
DEPARTMENT_ID = Case(
    When(project__unit__kind=Organisation.Kind.DEPARTMENT, then=F("project__unit_id")),
    default=F("project__unit__parent_id"),
)
DEPARTMENT_NAME = Case(
    When(project__unit__kind=Organisation.Kind.DEPARTMENT, then=F("project__unit__name")),
    default=F("project__unit__parent__name"),
)


def in_department(department: int) -> Q:
    """The forms that roll up in ``department`` (its units' and its own)."""
    return Q(project__unit__parent_id=department) | Q(project__unit_id=department)


def department_of(organisation: Organisation) -> Organisation | None:
    """The 主管部门 an organisation's forms roll up in (itself for a department)."""
    if organisation.kind == Organisation.Kind.DEPARTMENT:
        return organisation
    return organisation.parent if organisation.kind == Organisation.Kind.UNIT else None
