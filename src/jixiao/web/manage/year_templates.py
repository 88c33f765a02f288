"""The template of each year and department: the system administrator sets a year's template
for every department (the default) or for one 主管部门 and its units. :func:`chosen` answers
which template a form of an organisation and year is filled in (the year's task and the new
form's page ask it). Each setting is on the security log (``template_set``), on the trail's
keyed chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jixiao import templates
from jixiao.web.evaluations.actions import access
from jixiao.web.evaluations.actions import trail as events
from jixiao.web.evaluations.actions.errors import Invalid
from jixiao.web.orgs import security
from jixiao.web.orgs.models import Organisation

from . import roles
from .models import YearTemplate


def choices() -> list[tuple[str, str]]:
    """The bundled templates: id and name (in the page's language)."""
    english = translation.get_language() == "en"
    out = []
    for tid in templates.ids():
        template = templates.load(tid)
        out.append((tid, template.name_en if english else template.name))
    return out


def chosen(
    year: int, organisation: Organisation | None = None, kind: str = "project"
) -> str | None:
    """The template of ``kind`` (``project``, ``transfer``, ``department``) set for ``year`` at
    ``organisation``'s 主管部门, else the year's default of that kind; ``None`` when none is set."""
    row, _department = _setting(year, organisation, kind)
    return row.template if row else None


def _setting(
    year: int, organisation: Organisation | None, kind: str
) -> tuple[YearTemplate | None, Organisation | None]:
    department = access.department_of(organisation) if organisation is not None else None
    rows = YearTemplate.objects.filter(year=year, kind=kind).select_related("department")
    if department is not None and (own := rows.filter(department=department).first()):
        return own, department
    return rows.filter(department=None).first(), None


@dataclass(frozen=True)
class Default:
    """The template a new form or task starts with, and where it came from (for the page)."""

    template: str
    year: int
    department: str | None  # the 主管部门 whose setting it is; None: the year's default
    set: bool  # False: no setting for the year, the bundled default template

    @property
    def source(self) -> str:
        """Where the default came from, in the request's language."""
        if not self.set:
            return _("%(year)s 年度未设置模板，用系统默认模板") % {"year": self.year}
        if self.department:
            return _("%(year)s 年度%(department)s的模板设置") % {
                "year": self.year,
                "department": self.department,
            }
        return _("%(year)s 年度模板设置（全部主管部门）") % {"year": self.year}


def default(year: int, organisation: Organisation | None = None, kind: str = "project") -> Default:
    """The template to offer for a form of ``organisation`` (or, with none, for every
    department) in ``year``: :func:`chosen`, else the bundled default (``templates.DEFAULT``),
    with where it came from. Still changeable: the pages preselect it."""
    row, department = _setting(year, organisation, kind)
    if row is not None:
        return Default(row.template, year, department.name if department else None, True)
    return Default(bundled(kind), year, None, False)


def bundled(kind: str) -> str:
    """The bundled default template of ``kind``: ``templates.DEFAULT`` for project forms,
    else the national template of that kind (the first of the kind if there is none)."""
    if templates.load(templates.DEFAULT).kind.value == kind:
        return templates.DEFAULT
    of_kind = [t for t in templates.ids() if templates.load(t).kind.value == kind]
    national = [t for t in of_kind if t.startswith("national")]
    return (national or of_kind or [templates.DEFAULT])[0]


def of_department(year: int, organisation: Organisation, kind: str) -> str | None:
    """The template set for ``year`` at ``organisation``'s own 主管部门 only (not the year's
    default): a task's blank drafts there are in it."""
    row, department = _setting(year, organisation, kind)
    return row.template if row is not None and department is not None else None


def settings_of(year: int) -> list[YearTemplate]:
    """The year's template settings (the default first, then by department)."""
    rows = YearTemplate.objects.filter(year=year).select_related("department")
    return sorted(
        rows,
        key=lambda r: (
            r.department_id is not None,
            r.department.name if r.department else "",
            r.kind,
        ),
    )


@transaction.atomic
def set_template(
    *, user: Any, year: Any, department_id: Any, template: str, kind: str = "project"
) -> YearTemplate | None:
    """Set the template of a year for a department (``department_id`` empty: every
    department), for the template's own kind of form; with an empty ``template``, clear the
    setting of ``kind``."""
    roles.require(user, roles.SYSTEM)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Invalid(_("年度应为 2000–2100 之间的整数")) from None
    if not 2000 <= year <= 2100:
        raise Invalid(_("年度应为 2000–2100 之间的整数"))
    department = None
    if department_id not in (None, ""):
        department = Organisation.objects.filter(
            pk=department_id if str(department_id).isdigit() else 0,
            kind=Organisation.Kind.DEPARTMENT,
        ).first()
        if department is None:
            raise Invalid(_("主管部门 %(d)s 不存在") % {"d": department_id})
    where = department.name if department else "全部主管部门"
    if template:
        if template not in templates.ids():
            raise Invalid(
                _("没有模板 %(t)s（可用：%(known)s）")
                % {"t": template, "known": _("、").join(templates.ids())}
            )
        kind = templates.load(template).kind.value
    row = YearTemplate.objects.filter(year=year, department=department, kind=kind).first()
    if not template:
        if row is not None:
            row.delete()
            with events.acting(user):
                security.log("template_set", user=user, detail=f"{year} {where} {kind}：（清除）")
        return None
    if row is not None and row.template == template:
        return row
    before = row.template if row else "（无）"
    row = row or YearTemplate(year=year, department=department, kind=kind)
    row.template = template
    row.save()
    security.log("template_set", user=user, detail=f"{year} {where}：{before} → {template}")
    return row
