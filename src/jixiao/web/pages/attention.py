"""The attention list page (关注清单): the forms of a year to open first, worst first,
each with its reasons (:mod:`jixiao.web.evaluations.attention`), a page at a time."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation
from jixiao.web.evaluations.selectors import attention, rollup
from jixiao.web.pages import labels
from jixiao.web.pages.rollup import visible_departments, year_and_department
from jixiao.web.pages.views import page
from jixiao.web.requests import SignedInRequest

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
        f'<td class="num">{rollup.wan_text(ev.budget_wan)}</td><td>{escape(labels.state(ev.state))}</td>'
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


@page
def attention_page(request: SignedInRequest) -> HttpResponse:
    visible, years, year, department = year_and_department(request)
    state = request.GET.get("state") if request.GET.get("state") in labels.STATES else None
    listed = Paginator(attention.flagged(visible, year or 0, department, state), PER_PAGE)
    shown = listed.get_page(request.GET.get("page"))
    form_url = reverse("pages:form", args=[0]).replace(
        "/0/", "/%d/"
    )  # reversed once, not once a row
    rows = [
        _row(n, entry, form_url)
        for n, entry in enumerate(attention.entries(shown.object_list), shown.start_index())
    ]
    limits = attention.thresholds()
    # 跨表 reads every form of the scope: asked for by a link, not on every view of the list
    asked = request.GET.get("across") == "1"
    across = attention.across(visible, year, department) if year and asked else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
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
    return render(request, "pages/attention.html", context)
