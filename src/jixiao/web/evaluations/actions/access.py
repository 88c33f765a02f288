"""Who may see and do what: every query is scoped by the user's place in the tree (a unit
its own forms, a department its units', the bureau all). What one may not see is
:class:`NotFound`, as if it did not exist; a step the role may not take :class:`Forbidden`.
These are reads: the writes call them first."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jixiao.domain.workflow import Role
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


def visible(user: User) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(project__unit__in=visible_units(user)).select_related(
        "project__unit"
    )


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
    return Project.objects.filter(unit__in=visible_units(user)).select_related("unit")


def project(user: User, code: str) -> Project:
    try:
        return visible_projects(user).get(code=code)
    except Project.DoesNotExist:
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": code}) from None
