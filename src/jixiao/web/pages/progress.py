"""The submission progress page (催报) and its xlsx export: per department the projects and
units in each stage for a year, and the units to chase with what each is missing; figures
from :mod:`jixiao.web.evaluations.progress`, scoped as the forms are (a unit its own, a
department its units, the bureau all)."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.selectors import counts, progress
from jixiao.web.evaluations.selectors.cached import cached, request_version
from jixiao.web.orgs.models import Organisation
from jixiao.web.pages.views import kept_page, page, pager
from jixiao.web.requests import SignedInRequest
from jixiao.writers.cells import append_row

STAGE_LABELS = {
    "not_started": gettext_lazy("未开始"),
    "draft": gettext_lazy("草稿"),
    "submitted": gettext_lazy("已提交"),
    "returned": gettext_lazy("已退回"),
    "approved": gettext_lazy("已通过"),
}


def _year(request: SignedInRequest) -> tuple[list[int], int]:
    """The years offered (those with forms, and the next) and the one asked for (default: the latest)."""
    place = actions.access.membership(request.user).organisation
    seen = None if place.kind == Organisation.Kind.BUREAU else place.scope()
    have = set(cached("years", (place.pk,), lambda: counts.years(seen), request_version(request)))
    years = sorted(have | {max(have) + 1} if have else set(), reverse=True)
    asked = request.GET.get("year", "")
    if asked.isdigit() and 1900 < int(asked) < 2200:
        return years, int(asked)
    return years, max(have) if have else 0


def _figures(request: SignedInRequest, projects: bool = True):
    """The years, the year, its department rows and their 合计, and the units to chase (with
    the projects each owes, unless ``projects`` is false)."""
    years, year = _year(request)
    units = actions.access.visible_units(request.user)
    idle = progress.idle_by_unit(units, year)  # read once for both tables
    departments = progress.by_department(units, year, idle)
    chase = progress.to_chase(units, year, projects, idle)
    return years, year, departments, progress.totals(departments), chase


def _missing(row: dict) -> str:
    """What a unit still owes, e.g. 未开始：P-001 河道保洁；草稿：P-002 …"""
    parts = []
    for stage in progress.TO_CHASE:
        names = [f"{p['code']} {p['name']}" for p in row["projects"] if p["stage"] == stage]
        if names:
            parts.append(
                _("%(stage)s：%(projects)s")
                % {"stage": STAGE_LABELS[stage], "projects": _("、").join(names)}
            )
    return _("；").join(parts)


CHASE_PER_PAGE = 100
"""Units a page of the 催报清单 (the export holds every one)."""


@page
def progress_page(request: SignedInRequest) -> HttpResponse:
    """The page; its figures kept under the data version for the scope and the query
    (:mod:`jixiao.web.evaluations.selectors.cached`)."""
    return kept_page(
        request, "pages/progress.html", _("报送进度（催报）"), lambda: _progress_figures(request)
    )


CHASE_SORTS = {"department": "department", "unit": "name", **{s: s for s in progress.TO_CHASE}}
"""The 催报清单's sort keys (``sort=``) → the row's field; the department table's (``by=``):
``name`` and each stage."""


def _ordered(rows: list[dict], asked: str, keys: dict[str, str]) -> list[dict]:
    """``rows`` (an aggregate's few hundred) by the key asked (``-key`` descending), stable."""
    key = keys.get(asked.lstrip("-"))
    if key is None:
        return rows
    return sorted(rows, key=lambda row: row[key], reverse=asked.startswith("-"))


def _links(request: SignedInRequest, param: str, asked: str, keys) -> dict[str, dict]:
    """Each sortable heading's link (again: the other way; a new order from the first page)."""
    links = {}
    for key in keys:
        query = request.GET.copy()
        query[param] = f"-{key}" if asked == key else key
        query.pop("page", None)
        state = "ascending" if asked == key else "descending" if asked == f"-{key}" else ""
        links[key] = {"href": "?" + query.urlencode(), "aria_sort": state}
    return links


def _stage_cells(row: dict) -> str:
    """A department row's stage cells: projects (units), built here (a template's tags per
    cell cost more than the page's SQL)."""
    return "".join(
        f'<td class="num stage-{stage}">{row[stage]} <span class="units">('
        + escape(ngettext("%(n)s 个单位", "%(n)s 个单位", row[f"{stage}_units"]))
        % {"n": row[f"{stage}_units"]}
        + ")</span></td>"
        for stage in progress.STAGES
    )


def _department_rows(departments: list[dict], total: dict) -> str:
    rows = [
        f'<tr><th scope="row">{escape(r["name"])}</th>{_stage_cells(r)}</tr>' for r in departments
    ]
    if departments:
        rows.append(
            f'<tr class="rollup-total"><th scope="row">{escape(_("合计"))}</th>'
            f"{_stage_cells(total)}</tr>"
        )
    return "\n".join(rows)


def _chase_rows(chase: list[dict]) -> str:
    return "\n".join(
        f'<tr><td>{escape(row["department"])}</td><th scope="row">{escape(row["name"])}</th>'
        f'<td class="num">{row["not_started"]}</td><td class="num">{row["draft"]}</td>'
        f'<td class="num">{row["returned"]}</td><td>{escape(_missing(row))}</td></tr>'
        for row in chase
    )


def _progress_figures(request: SignedInRequest) -> dict:
    years, year, departments, total, chase = _figures(request, projects=False)
    by, sort = request.GET.get("by", ""), request.GET.get("sort", "")
    department_keys = {"name": "name", **{s: s for s in progress.STAGES}}
    departments = _ordered(departments, by, department_keys)
    chase = _ordered(chase, sort, CHASE_SORTS)
    shown = {**pager(request, len(chase), CHASE_PER_PAGE), "units": True}
    start = shown["start"]

    units = actions.access.visible_units(request.user)
    shown_rows = progress.with_projects(chase[start : start + CHASE_PER_PAGE], units, year)
    context = {
        "years": years,
        "year": year,
        "departments": mark_safe(_department_rows(departments, total)),
        "stages": [(s, str(STAGE_LABELS[s])) for s in progress.STAGES],
        "by_links": _links(request, "by", by, department_keys),
        "sort_links": _links(request, "sort", sort, CHASE_SORTS),
        "chase": mark_safe(_chase_rows(shown_rows)),
        "shown": shown,
        "per_page": CHASE_PER_PAGE,
    }
    return context


@page
def progress_export(request: SignedInRequest) -> HttpResponse:
    """Both tables as an xlsx workbook: 部门进度 (projects and units per stage) and 催报清单."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

    _years, year, departments, total, chase = _figures(request)
    stages = [str(STAGE_LABELS[s]) for s in progress.STAGES]
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook opens on its one sheet
    sheet.title = _("部门进度")
    sheet.append(
        [
            _("主管部门"),
            *(_("%(stage)s（项目）") % {"stage": s} for s in stages),
            *(_("%(stage)s（单位）") % {"stage": s} for s in stages),
        ]
    )
    for row in [*departments, {"name": _("合计"), **total}]:
        append_row(
            sheet,
            [
                row["name"],
                *(row[s] for s in progress.STAGES),
                *(row[f"{s}_units"] for s in progress.STAGES),
            ],
        )
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    chased = book.create_sheet(_("催报清单"))
    chased.append(
        [
            _("主管部门"),
            _("实施单位"),
            *(str(STAGE_LABELS[s]) for s in progress.TO_CHASE),
            _("缺报内容"),
        ]
    )
    for row in chase:
        append_row(
            chased,
            [row["department"], row["name"], *(row[s] for s in progress.TO_CHASE), _missing(row)],
        )
    for ws, widths in ((sheet, (20,) + (11,) * 10), (chased, (20, 20, 8, 8, 8, 80))):
        for n, width in enumerate(widths, start=1):
            header = ws.cell(1, n)
            assert isinstance(header, Cell)  # the header row has no merged cells
            ws.column_dimensions[header.column_letter].width = width
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        ws.page_setup.orientation = "landscape"
    name = _("%(year)s 年度自评催报") % {"year": year}
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book.save(response)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name + '.xlsx')}"
    return response
