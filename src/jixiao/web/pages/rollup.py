"""The roll-up page (汇总表) and its xlsx / CSV exports: the forms of a year the
user may see, with subtotals per unit and department and the totals, figures
from :mod:`jixiao.web.evaluations.rollup`. A unit sees its own forms only, a
department its units', the bureau all — as for the forms.

Sorting (``sort=key`` / ``sort=-key``, a key of :data:`rollup.SORTS` per column) and the
filters (unit, 统一等级, state, 执行率 below a threshold, with error findings) are in the
query string, so the export links carry the same choice."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from html import escape
from typing import BinaryIO, TypedDict
from urllib.parse import quote, urlencode

from django.contrib.auth.models import User
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jixiao.domain.scoring import round_figure
from jixiao.domain.template import Rounding
from jixiao.domain.workflow import State
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.actions.columns import SCALE
from jixiao.web.evaluations.selectors import rollup
from jixiao.web.evaluations.selectors.attention import shown_rate
from jixiao.web.evaluations.selectors.cached import cached, request_version
from jixiao.web.orgs.models import Organisation
from jixiao.web.pages import labels
from jixiao.web.pages.views import kept_page, page, page_links
from jixiao.web.requests import SignedInRequest
from jixiao.writers import xlsx_stream
from jixiao.writers.cells import defuse

COLUMNS = [
    gettext_lazy("主管部门"),
    gettext_lazy("实施单位"),
    gettext_lazy("项目名称"),
    gettext_lazy("项目编码"),
    gettext_lazy("全年预算数（万元）"),
    gettext_lazy("全年执行数（万元）"),
    gettext_lazy("执行率(%)"),
    gettext_lazy("执行率得分"),
    gettext_lazy("指标得分"),
    gettext_lazy("总分"),
    gettext_lazy("等级"),
    gettext_lazy("统一等级"),
    gettext_lazy("复核总分"),
    gettext_lazy("状态"),
    gettext_lazy("错误"),
    gettext_lazy("警告"),
    gettext_lazy("提示"),
]
SORT_KEYS = [
    "department",
    "unit",
    "project",
    "code",
    "budget",
    "executed",
    "rate",
    "rate_score",
    "indicator_score",
    "total",
    "grade",
    "scale",
    "review_total",
    "state",
    "errors",
    "warnings",
    "notices",
]
"""The :data:`rollup.SORTS` key of each of COLUMNS."""
NUMBER_FORMATS = {
    4: "#,##0.00####",
    5: "#,##0.00####",
    6: "0.00##",
    7: "0.00",
    8: "0.00",
    9: "0.00",
    12: "0.00",
}


def _number(text: str, below: int) -> int | None:
    return int(text) if text.isdigit() and int(text) < below else None


def _threshold(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < 10**5 else None


def year_and_department(request: SignedInRequest):
    """The forms the user may see, the years they span, the year asked for (default: the
    latest) and the department asked for (``None``: all)."""
    visible = actions.access.visible(request.user)
    scope = actions.access.membership(request.user).organisation_id
    years = cached("years", (scope,), lambda: rollup.years(visible), request_version(request))
    asked = _number(request.GET.get("year", ""), 2**15)
    year = asked if asked in years else (years[0] if years else None)
    return visible, years, year, _number(request.GET.get("department", ""), 2**31)


class Department(TypedDict):
    pk: int
    name: str


class Filters(TypedDict):
    """The table's filters as asked for: :func:`rollup.narrowed`'s arguments."""

    unit: int | None
    scale: str
    state: str
    rate_below: Decimal | None
    with_errors: bool


def visible_departments(user: User) -> list[Department]:
    """The 主管部门 of the filter (``pk``, ``name``): for the bureau every department with
    units, by name; a department's or a unit's member sees one department, which the
    membership names (no query over the tree: the list is shown only when it has two)."""
    place = actions.access.membership(user).organisation
    if place.kind == Organisation.Kind.BUREAU:
        return list(
            Organisation.objects.filter(children__kind=Organisation.Kind.UNIT)
            .distinct()
            .order_by("name")
            .values("pk", "name")
        )
    department = place if place.kind == Organisation.Kind.DEPARTMENT else place.parent
    assert department is not None  # a unit's parent is its department
    return [{"pk": department.pk, "name": department.name}]


def _chosen(request: SignedInRequest):
    """The year (default: the latest the user has), department, filters and sort asked for,
    and the table's forms."""
    got = request.GET
    visible, years, year, department = year_and_department(request)
    sort = got.get("sort", "") if got.get("sort", "").lstrip("-") in rollup.SORTS else ""
    filters: Filters = {
        "unit": _number(got.get("unit", ""), 2**31),
        "scale": got.get("scale", "") if got.get("scale", "") in (*SCALE, "-") else "",
        "state": got.get("state", "") if got.get("state", "") in {s.value for s in State} else "",
        "rate_below": _threshold(got.get("rate_below", "")),
        "with_errors": got.get("errors") == "1",
    }
    chosen = rollup.narrowed(rollup.rows(visible, year or 0, department, sort), **filters)
    return years, year, department, sort, filters, chosen


def cells(line: rollup.Line, states: dict[str, str]) -> list:
    """One line's values in the order of COLUMNS (figures as Decimal, texts as str);
    ``states``: each state's label (translated once a request, not once a row)."""
    if line.form is not None:
        f = line.form
        return [
            f["department_name"],
            f["unit_name"],
            _("%(name)s（部门整体支出）") % {"name": f["project_name"]}
            if f.get("project_kind") == "department"
            else f["project_name"],
            f["project_code"],
            f["budget_wan"],
            f["executed_wan"],
            f["execution_rate"],
            f["execution_score"],
            f["indicator_score"],
            f["total"],
            f["grade"] or "",
            f["scale"],
            f["review_total"],
            states.get(f["state"], f["state"]),
            f["errors"],
            f["warnings"],
            f["notices"],
        ]
    group = line.group
    assert group is not None  # a line is a form or a group
    label = {
        "unit": _("小计（%(name)s）"),
        "department": _("小计（%(name)s）"),
        "total": _("合计"),
    }[line.kind] % {"name": group.name}
    count = ngettext("%(n)s 份", "%(n)s 份", group.count) % {"n": group.count}
    return [
        label,
        "",
        count,
        "",
        group.budget_wan,
        group.executed_wan,
        group.execution_rate,
        None,
        None,
        None,
        "",
        "",
        None,
        "",
        group.errors,
        group.warnings,
        group.notices,
    ]


def state_labels() -> dict[str, str]:
    return {s.value: str(labels.state(s.value)) for s in State}


AMOUNT_COLUMNS = (4, 5)
"""全年预算数 and 全年执行数 (万元): shown to 2 places; the exports keep every place."""


def wan_shown(amount: Decimal) -> str:
    """An amount in 万元 as the pages show it: thousands separated, 2 places
    (四舍五入, 2,946.553276 → 2,946.55)."""
    return f"{round_figure(amount, Rounding.HALF_UP):,}"


def _shown(value, column: int) -> str:
    if value is None:
        return ""
    if column in AMOUNT_COLUMNS:
        return wan_shown(value)
    if column == 6:  # 执行率 as a form prints it (the column keeps four places; the exports too)
        return shown_rate(value)
    return str(value)


def _headers(request: SignedInRequest, sort: str) -> list[dict]:
    """Each column's heading with the link that sorts by it (ascending first, then descending),
    from the first page."""
    heads = []
    for column, key in zip(COLUMNS, SORT_KEYS):
        wanted = f"-{key}" if sort == key else key
        query = {**request.GET.dict(), "sort": wanted}
        query.pop("page", None)  # a new order starts at its first page
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        heads.append({"label": str(column), "href": "?" + urlencode(query), "aria_sort": state})
    return heads


PER_PAGE = 200
"""Forms a page of the roll-up page; the exports hold every form."""
NUMBER_COLUMNS = frozenset([*NUMBER_FORMATS, 14, 15, 16])


def _row(line: rollup.Line, states: dict[str, str], form_url: str) -> str:
    """One ``<tr>`` of the table, built here rather than cell by cell in the template
    (200 rows × 17 cells); ``form_url``: a form page's address with ``%d`` for its id."""
    tds = []
    for column, value in enumerate(cells(line, states)):
        text = escape(_shown(value, column))  # figures too: cheap, and safe whatever a column holds
        if column in NUMBER_COLUMNS:
            tds.append(f'<td class="num">{text}</td>')
            continue
        if column == 2 and line.form is not None:
            tds.append(f'<td><a href="{form_url % line.form["pk"]}">{text}</a></td>')
        elif column == 0 and line.form is None:
            tds.append(f'<th scope="row">{text}</th>')
        else:
            tds.append(f"<td>{text}</td>")
    return f'<tr class="rollup-{line.kind}">{"".join(tds)}</tr>'


def _options(pairs, chosen: int | None) -> str:
    """The ``<option>``s of a select of (id, name) pairs — built here: the bureau's has 720."""
    return mark_safe(
        "".join(
            f'<option value="{pk}"{" selected" if pk == chosen else ""}>{escape(name)}</option>'
            for pk, name in pairs
        )
    )


@page
def rollup_page(request: SignedInRequest) -> HttpResponse:
    """The page; its figures kept under the data version for the scope and the query
    (:mod:`jixiao.web.evaluations.selectors.cached`): a page seen again reads the trail's head."""
    return kept_page(
        request, "pages/rollup.html", _("自评汇总表"), lambda: _rollup_figures(request)
    )


def _rollup_figures(request: SignedInRequest) -> dict:
    years, year, department, sort, filters, chosen = _chosen(request)
    units = actions.access.visible_units(request.user)
    total = rollup.totals(chosen)
    pages = max(1, -(-total.count // PER_PAGE))
    number = min(_number(request.GET.get("page", ""), 2**31) or 1, pages)
    start = (number - 1) * PER_PAGE
    states, form_url = state_labels(), reverse("pages:form", args=[0]).replace("/0/", "/%d/")
    rows = [
        _row(line, states, form_url)
        for line in rollup.table(
            chosen, grouped=not sort, start=start, stop=start + PER_PAGE, total=total
        )
    ]
    shown_units = units.filter(parent_id=department) if department is not None else units
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "years": years,
        "year": year,
        "department": department,
        "sort": sort,
        "filters": filters,
        "headers": _headers(request, sort),
        "rows": mark_safe("\n".join(rows)),
        "number_columns": NUMBER_COLUMNS,
        "departments": visible_departments(request.user),
        "unit_options": _options(
            shown_units.order_by("name").values_list("pk", "name"), filters["unit"]
        )
        if units.count() > 1
        else "",
        "scales": SCALE,
        "states": list(states.items()),
        "query": query.urlencode(),
        "count": total.count,
        "number": number,
        "pages": pages,
        "page_links": page_links(number, pages),
        "first": start + 1 if total.count else 0,
        "last": min(start + PER_PAGE, total.count),
        "per_page": PER_PAGE,
    }
    return context


@page
def rollup_export(request: SignedInRequest, fmt: str) -> HttpResponse:
    """The whole table, every page: xlsx (numbers as numbers, printable: landscape, one page
    wide, the header repeated; texts typed as text) or CSV (UTF-8 with BOM for Excel; texts
    defused against formulas)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    _years, year, _department, sort, _filters, chosen = _chosen(request)
    states = state_labels()
    lines = (cells(line, states) for line in rollup.table(chosen, grouped=not sort))
    header = [str(c) for c in COLUMNS]
    name = _("%(year)s 年度自评汇总表") % {"year": year or ""}
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(
            ["" if v is None else (defuse(v) if isinstance(v, str) else str(v)) for v in cells]
            for cells in lines
        )
    else:
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        buffer = io.BytesIO()  # a zip is written with seeks: not into the response itself
        write_workbook(buffer, name, header, lines)
        response.write(buffer.getvalue())
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name + '.' + fmt)}"
    return response


WIDTHS = (16, 16, 32, 14, 14, 14, 9, 9, 9, 8, 6, 6, 8, 12, 5, 5, 5)
"""The roll-up's columns' widths in the workbook, in characters."""


def write_workbook(target: BinaryIO, title: str, header: list[str], lines) -> None:
    """The roll-up's workbook of ``lines`` (each a row of :func:`cells`) to ``target``:
    printed landscape one page wide, the header atop every page, a 小计 / 合计 line bold;
    its rows written as they come (``writers.xlsx_stream``)."""
    layout = xlsx_stream.Layout(name=_("汇总表"), widths=WIDTHS, number_formats=NUMBER_FORMATS)
    xlsx_stream.write(target, layout, title, header, ((row, not row[3]) for row in lines))
