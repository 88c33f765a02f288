"""Projects (项目): a stable code, the current name, the unit; and each organisation's own
部门整体支出 record (a project of kind department, code ``DEPT-<organisation id>``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.domain.workflow import Role
from jixiao.web.evaluations.models import DEPARTMENT_CODE, Project
from jixiao.web.orgs.models import Membership, Organisation

from . import access, checks
from .errors import Conflict, Forbidden, NotFound, ServiceError


def _creatable(
    place: Membership, organisation_id: int, kinds: set[Organisation.Kind]
) -> Organisation | None:
    """The organisation a project may be made for: a filler's own, anything under an admin."""
    if not checks.db_id(organisation_id):
        return None
    if place.role_enum is Role.FILLER:
        candidates = Organisation.objects.filter(pk=place.organisation_id)
    else:
        candidates = place.organisation.scope()
    return candidates.filter(pk=organisation_id, kind__in=kinds).first()


@transaction.atomic
def create(*, user: User, code: str, name: str, unit_id: int) -> Project:
    """A new project with its stable code, by a filler of the unit or a bureau admin."""
    place = access.require_role(user, {Role.FILLER, Role.ADMIN}, _("新建项目"))
    unit = _creatable(place, unit_id, {Organisation.Kind.UNIT})
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


@transaction.atomic
def department_record(*, user: User, organisation_id: int) -> Project:
    """The organisation's own 部门整体支出 record (a 实施单位's or a 主管部门's), made on first
    use by a filler there or a bureau admin: code ``DEPT-<id>``, named after the organisation.
    Asked again it is the same record (one per organisation)."""
    place = access.require_role(user, {Role.FILLER, Role.ADMIN}, _("新建部门整体支出自评"))
    kinds = {Organisation.Kind.UNIT, Organisation.Kind.DEPARTMENT}
    organisation = _creatable(place, organisation_id, kinds)
    if organisation is None:
        raise NotFound(_("组织 %(org)s 不存在或无权查看") % {"org": organisation_id})
    record = Project.objects.filter(kind=Project.Kind.DEPARTMENT, unit=organisation).first()
    if record is not None:
        return record
    code = DEPARTMENT_CODE.format(org=organisation.pk)
    if Project.objects.filter(code=code).exists():
        raise Conflict(_("项目编码 %(code)s 已被使用") % {"code": code})
    return Project.objects.create(
        code=code, name=organisation.name, kind=Project.Kind.DEPARTMENT, unit=organisation
    )


def _registrar(user: User) -> None:
    """The system administrator (三员: organisations and projects) or a bureau admin."""
    from jixiao.web.manage import roles

    if roles.allowed(user, roles.SYSTEM):
        return
    place = access.require_role(user, {Role.ADMIN}, _("登记项目"))
    if place.organisation.kind != Organisation.Kind.BUREAU:
        raise Forbidden(_("登记项目需要财政局管理角色"))


def _checked(code: str, name: str) -> tuple[str, str]:
    code, name = (code or "").strip(), (name or "").strip()
    checks.storable({"code": code, "name": name}, _("项目"))
    if not code or not name:
        raise ServiceError(_("项目编码和项目名称不能为空"))
    checks.fits(Project, "code", code)
    checks.fits(Project, "name", name)
    return code, name


@transaction.atomic
def register(*, user: User, code: str, name: str, unit_id: int) -> Project:
    """登记项目 (the project library): a new project with its stable code at a 实施单位 in use,
    by the system administrator or a bureau admin. The code stays the project's across years
    (its name may change: :func:`rename`)."""
    from . import trail as events

    _registrar(user)
    code, name = _checked(code, name)
    unit = (
        Organisation.objects.filter(pk=unit_id, kind=Organisation.Kind.UNIT).first()
        if checks.db_id(unit_id)
        else None
    )
    if unit is None:
        raise NotFound(_("实施单位 %(unit)s 不存在或无权查看") % {"unit": unit_id})
    if not unit.active:
        raise Conflict(_("实施单位“%(name)s”已停用") % {"name": unit.name})
    if Project.objects.filter(code=code).exists():
        raise Conflict(_("项目编码 %(code)s 已被使用") % {"code": code})
    with events.acting(user):
        return Project.objects.create(code=code, name=name, unit=unit)


@transaction.atomic
def rename(*, user: User, code: str, name: str) -> Project:
    """A project's new name (its code stays), by the system administrator or a bureau admin."""
    from . import trail as events

    _registrar(user)
    code, name = _checked(code, name)
    found = Project.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": code})
    if found.name != name:
        found.name = name
        with events.acting(user):
            found.save(update_fields=["name"])
    return found
