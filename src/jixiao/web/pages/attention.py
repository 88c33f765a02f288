"""The attention list page (关注清单): the forms of a year to open first, worst first,
each with its reasons (:mod:`jixiao.web.evaluations.attention`), a page at a time."""

from __future__ import annotations

import csv
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation
from jixiao.web.evaluations.selectors import attention
from jixiao.web.pages import labels
from jixiao.web.pages.rollup import visible_departments, wan_shown, year_and_department
from jixiao.web.pages.views import kept_page, page
from jixiao.web.requests import SignedInRequest
from jixiao.writers.cells import defuse

PER_PAGE = 100


def _row(number: int, entry: attention.Entry, form_url: str) -> str:
    """One line of the list as HTML, every text escaped (built here: a template's lookups
    and tags per cell cost more than the page's SQL)."""
    ev, unit = entry.evaluation, entry.evaluation.project.unit
    department = actions.access.department_of(unit)  # a department's own form: itself
    reasons = "".join(
        f'<li data-reason="{escape(r.code)}">{escape(r.message)}</li>' for r in entry.reasons
    )
    return (
        f'<tr><td class="num">{number}</td><td class="num">{entry.priority}</td>'
        f'<td><a href="{form_url % ev.pk}">{escape(ev.project.name)}</a> <small>{escape(ev.project.code)}</small></td>'
        f"<td>{escape(unit.name)}</td><td>{escape(department.name if department else '')}</td>"
        f'<td class="num">{"" if ev.budget_wan is None else wan_shown(ev.budget_wan)}</td><td>{escape(labels.state(ev.state))}</td>'
        f'<td><ul class="notes">{reasons}</ul></td></tr>'
    )


def _across_row(ev: Evaluation, reasons: list[attention.Reason], form_url: str) -> str:
    """A form the batch checks flag (跨表), with the fields and messages, escaped."""
    notes = "".join(f'<li data-reason="{escape(r.code)}">{escape(r.message)}</li>' for r in reasons)
    return (
        f'<tr><td><a href="{form_url % ev.pk}">{escape(ev.project.name)}</a> '
        f"<small>{escape(ev.project.code)}</small></td><td>{escape(ev.project.unit.name)}</td>"
        f'<td><ul class="notes">{notes}</ul></td></tr>'
    )


class _Shown:
    """What the template reads of a page of the list, without its rows (so it can be kept)."""

    def __init__(self, page_):
        self.number = page_.number
        self.has_other_pages = page_.has_other_pages()
        self.has_previous = page_.has_previous()
        self.has_next = page_.has_next()
        self.previous_page_number = page_.number - 1
        self.next_page_number = page_.number + 1
        self.paginator = {"count": page_.paginator.count, "num_pages": page_.paginator.num_pages}


CSV_COLUMNS = [
    gettext_lazy("序号"),
    gettext_lazy("优先级"),
    gettext_lazy("项目编码"),
    gettext_lazy("项目名称"),
    gettext_lazy("实施单位"),
    gettext_lazy("主管部门"),
    gettext_lazy("全年预算数（万元）"),
    gettext_lazy("执行率(%)"),
    gettext_lazy("状态"),
    gettext_lazy("原因"),
]


class _Echo:
    """A file that hands back what is written (csv.writer → a streamed response)."""

    def write(self, text: str) -> str:
        return text


def _csv(flagged, year: int | None) -> StreamingHttpResponse:
    """The whole list, every page, streamed as it is read (UTF-8 with BOM for Excel; figures
    at the pages' places; texts defused against formulas)."""
    writer = csv.writer(_Echo())
    states = {value: str(label) for value, label in labels.STATES.items()}

    def lines():
        yield "\ufeff" + writer.writerow([str(c) for c in CSV_COLUMNS])
        number = 0
        for start in range(0, 10**9, CSV_CHUNK):
            chunk = attention.entries(flagged[start : start + CSV_CHUNK])
            for entry in chunk:
                number += 1
                ev, unit = entry.evaluation, entry.evaluation.project.unit
                department = actions.access.department_of(unit)
                cells = [
                    number,
                    entry.priority,
                    ev.project.code,
                    ev.project.name,
                    unit.name,
                    department.name if department else "",
                    "" if ev.budget_wan is None else wan_shown(ev.budget_wan),
                    attention.shown_rate(ev.execution_rate),
                    states.get(ev.state, ev.state),
                    "；".join(r.message for r in entry.reasons),
                ]
                yield writer.writerow([defuse(c) if isinstance(c, str) else c for c in cells])
            if len(chunk) < CSV_CHUNK:
                return

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = _("%(year)s 年度关注清单") % {"year": year or ""} + ".csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


CSV_CHUNK = 1000
"""Forms read at a time by the CSV export."""


@page
def attention_page(request: SignedInRequest) -> HttpResponse | StreamingHttpResponse:
    if request.GET.get("format") == "csv":
        visible, _years, year, department = year_and_department(request)
        state = request.GET.get("state") if request.GET.get("state") in labels.STATES else None
        sort = request.GET.get("sort", "")
        flagged = attention.flagged(visible, year or 0, department, state)
        return _csv(_sorted(flagged, sort if sort.lstrip("-") in SORTS else ""), year)
    if request.GET.get("across") == "1":  # the batch checks, asked for: never kept
        main = render_to_string("pages/attention.html", _attention_figures(request), request)
        return render(request, "pages/kept.html", {"title": _("关注清单"), "main": main})
    return kept_page(
        request, "pages/attention.html", _("关注清单"), lambda: _attention_figures(request)
    )


SORTS = {
    "priority": "priority",
    "project": "project__name",
    "unit": "project__unit__name",
    "department": "project__unit__parent__name",
    "budget": "budget_wan",
    "state": "state",
}
"""The list's sort keys (``sort=key``, ``sort=-key`` descending) → the column; none: worst first."""
COLUMNS = [
    ("", gettext_lazy("序号"), "num"),
    ("priority", gettext_lazy("优先级"), "num"),
    ("project", gettext_lazy("项目名称"), ""),
    ("unit", gettext_lazy("实施单位"), ""),
    ("department", gettext_lazy("主管部门"), ""),
    ("budget", gettext_lazy("全年预算数（万元）"), "num"),
    ("state", gettext_lazy("状态"), ""),
    ("", gettext_lazy("原因"), ""),
]


def _sorted(flagged, sort: str):
    """``flagged`` in the order asked (empty figures last, then worst first), else worst first."""
    key = sort.lstrip("-")
    if key not in SORTS:
        return flagged
    column = F(SORTS[key])
    by = column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
    return flagged.order_by(by, "-priority", "project__code")


def _headings(request: SignedInRequest, sort: str) -> list[dict]:
    heads = []
    for key, label, css in COLUMNS:
        head = {"label": str(label), "css": css, "href": "", "aria_sort": ""}
        if key:
            query = request.GET.copy()
            query["sort"] = f"-{key}" if sort == key else key
            query.pop("page", None)
            head["href"] = "?" + query.urlencode()
            head["aria_sort"] = (
                "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
            )
        heads.append(head)
    return heads


def _attention_figures(request: SignedInRequest) -> dict:
    visible, years, year, department = year_and_department(request)
    state = request.GET.get("state") if request.GET.get("state") in labels.STATES else None
    sort = request.GET.get("sort", "")
    sort = sort if sort.lstrip("-") in SORTS else ""
    flagged = _sorted(attention.flagged(visible, year or 0, department, state), sort)
    listed = Paginator(flagged, PER_PAGE)
    page_ = listed.get_page(request.GET.get("page"))
    shown = _Shown(page_)
    form_url = reverse("pages:form", args=[0]).replace(
        "/0/", "/%d/"
    )  # reversed once, not once a row
    rows = [
        _row(n, entry, form_url)
        for n, entry in enumerate(attention.entries(page_.object_list), page_.start_index())
    ]
    limits = attention.thresholds()
    # 跨表 reads every form of the scope: asked for by a link, not on every view of the list
    asked = request.GET.get("across") == "1"
    across = attention.across(visible, year, department) if year and asked else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "headers": _headings(request, sort),
        "sort": sort,
        "years": years,
        "year": year,
        "department": department,
        "rows": mark_safe("\n".join(rows)),
        "across": across,
        "across_asked": asked,
        "across_rows": mark_safe(
            "\n".join(_across_row(row, reasons, form_url) for row, reasons in across.flagged)
        )
        if across
        else "",
        "across_limit": attention.ACROSS_LIMIT,
        "shown": shown,
        "state": state,
        "states": [(value, str(label)) for value, label in labels.STATES.items()],
        "departments": visible_departments(request.user),
        "query": query.urlencode(),
        "low": limits.low_execution,
        "gap": limits.review_gap,
        "near": limits.near_copy,
        "weights": {
            code.replace("-", "_"): weight for code, (weight, _t) in attention.CONDITIONS.items()
        },
    }
    return context
