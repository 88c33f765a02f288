"""Projects (项目): a stable code, the current name, the unit."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.domain.workflow import Role
from jixiao.web.evaluations.models import Project

from . import access, checks
from .errors import Conflict, NotFound, ServiceError


@transaction.atomic
def create(*, user: User, code: str, name: str, unit_id: int) -> Project:
    """A new project with its stable code, by a filler of the unit or a bureau admin."""
    place = access.require_role(user, {Role.FILLER, Role.ADMIN}, _("新建项目"))
    unit = place.organisation.units().filter(pk=unit_id).first() if checks.db_id(unit_id) else None
    if unit is None:
        raise NotFound(_("实施单位 %(unit)s 不存在或无权查看") % {"unit": unit_id})
    code, name = code.strip(), name.strip()
    checks.storable({"code": code, "name": name}, _("项目"))
    if not code or not name:
        raise ServiceError(_("项目编码和项目名称不能为空"))
    checks.fits(Project, "code", code)
    checks.fits(Project, "name", name)
    if Project.objects.filter(code=code).exists():
        raise Conflict(_("项目编码 %(code)s 已被使用") % {"code": code})
    return Project.objects.create(code=code, name=name, unit=unit)
