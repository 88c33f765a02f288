"""The submission progress page (催报) and its xlsx export: per department the projects and
units in each stage for a year, and the units to chase with what each is missing; figures
from :mod:`jixiao.web.evaluations.progress`, scoped as the forms are (a unit its own, a
department its units, the bureau all)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.selectors import progress, rollup
from jixiao.web.evaluations.selectors.cached import cached, request_version
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
    visible = actions.access.visible(request.user)
    scope = actions.access.membership(request.user).organisation_id
    have = set(cached("years", (scope,), lambda: rollup.years(visible), request_version(request)))
    years = sorted(have | {max(have) + 1} if have else set(), reverse=True)
    asked = request.GET.get("year", "")
    if asked.isdigit() and 1900 < int(asked) < 2200:
        return years, int(asked)
    return years, max(have) if have else 0


def _figures(request: SignedInRequest):
    years, year = _year(request)
    units = actions.access.visible_units(request.user)
    departments = progress.by_department(units, year)
    return years, year, departments, progress.totals(departments), progress.to_chase(units, year)


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


def _progress_figures(request: SignedInRequest) -> dict:
    years, year, departments, total, chase = _figures(request)
    by, sort = request.GET.get("by", ""), request.GET.get("sort", "")
    department_keys = {"name": "name", **{s: s for s in progress.STAGES}}
    departments = _ordered(departments, by, department_keys)
    chase = _ordered(chase, sort, CHASE_SORTS)
    shown = {**pager(request, len(chase), CHASE_PER_PAGE), "units": True}
    start = shown["start"]

    def cells(row: dict) -> list[tuple[str, int, int]]:
        return [(stage, row[stage], row[f"{stage}_units"]) for stage in progress.STAGES]

    context = {
        "years": years,
        "year": year,
        "departments": [(row["name"], cells(row)) for row in departments],
        "total": cells(total),
        "stages": [(s, str(STAGE_LABELS[s])) for s in progress.STAGES],
        "by_links": _links(request, "by", by, department_keys),
        "sort_links": _links(request, "sort", sort, CHASE_SORTS),
        "chase": [(row, _missing(row)) for row in chase[start : start + CHASE_PER_PAGE]],
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
