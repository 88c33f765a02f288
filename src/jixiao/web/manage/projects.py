"""The project library (项目库) from an xlsx: each row a project by its code, which stays the
project's across years. A code not registered is registered at its unit; a registered code
with another name is renamed (names drift, codes do not); one at another unit is refused (a
project moves with care: its forms and reviewers follow). All or nothing, every refused row
named; run twice, the second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.web.evaluations.actions import projects as actions
from jixiao.web.evaluations.actions.errors import ServiceError
from jixiao.web.evaluations.models import Project
from jixiao.web.orgs.models import Organisation

from . import organisations, roles, sheets

COLUMNS = {
    "code": ("项目编码", "项目代码", "项目编号", "Project code", "Code"),
    "name": ("项目名称", "Project name", "Name"),
    "unit": ("实施单位", "预算单位", "单位名称", "Unit"),
    "department": ("主管部门", "Department"),
}
HEADS = ["项目编码", "项目名称", "主管部门", "实施单位"]


def import_library(*, user: Any, data: bytes, file: str) -> sheets.Report:
    roles.require(user, roles.SYSTEM)
    lines = sheets.read(data, file, COLUMNS, ["code", "name", "unit"])
    report = sheets.Report(file)
    seen: dict[str, int] = {}
    return sheets.apply(lines, report, lambda line: _line(user, line, report, seen))


def _unit(line: sheets.Line) -> Organisation:
    text, department = line.get("unit"), line.get("department")
    units = organisations.find(text, {Organisation.Kind.UNIT})
    if department:
        units = [u for u in units if u.parent and u.parent.name == department.strip()]
    if not units:
        raise sheets.RowProblem(
            line.error("unit", _("没有名为“%(text)s”的实施单位") % {"text": text})
        )
    if len(units) > 1:
        raise sheets.RowProblem(
            line.error("unit", _("“%(text)s”不止一个，请写出主管部门或完整路径") % {"text": text})
        )
    return units[0]


def _line(user: Any, line: sheets.Line, report: sheets.Report, seen: dict[str, int]) -> None:
    code, name = line.get("code"), line.get("name")
    if not code:
        raise sheets.RowProblem(line.error("code", _("项目编码不能为空")))
    if not name:
        raise sheets.RowProblem(line.error("name", _("项目名称不能为空")))
    if code in seen:
        raise sheets.RowProblem(
            line.error("code", _("与第 %(row)s 行的项目编码重复") % {"row": seen[code]})
        )
    seen[code] = line.number
    unit = _unit(line)
    there = Project.objects.select_related("unit").filter(code=code).first()
    try:
        if there is None:
            actions.register(user=user, code=code, name=name, unit_id=unit.pk)
            report.created += 1
        elif there.unit_id != unit.pk:
            raise sheets.RowProblem(
                line.error(
                    "unit",
                    _("项目编码 %(code)s 已登记在“%(unit)s”")
                    % {"code": code, "unit": organisations.path(there.unit)},
                )
            )
        elif there.name != name:
            actions.rename(user=user, code=code, name=name)
            report.changed += 1
        else:
            report.unchanged += 1
    except ServiceError as error:
        raise sheets.RowProblem(line.error("code", error.message)) from None


def export() -> bytes:
    rows = Project.objects.filter(kind=Project.Kind.PROJECT).select_related("unit__parent")
    return sheets.write(
        "项目库",
        HEADS,
        (
            (p.code, p.name, p.unit.parent.name if p.unit.parent else "", p.unit.name)
            for p in rows.order_by("code")
        ),
    )
