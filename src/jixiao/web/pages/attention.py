"""The attention list page (关注清单): the forms of a year to open first, worst first,
each with its reasons (:mod:`jixiao.web.evaluations.attention`), a page at a time."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.web.evaluations import attention, rollup, services
from jixiao.web.orgs.models import Organisation
from jixiao.web.pages import labels
from jixiao.web.pages.rollup import year_and_department
from jixiao.web.pages.views import page

PER_PAGE = 100


@page
def attention_page(request: HttpRequest) -> HttpResponse:
    visible, years, year, department = year_and_department(request)
    state = request.GET.get("state") if request.GET.get("state") in labels.STATES else None
    listed = Paginator(attention.flagged(visible, year or 0, department, state), PER_PAGE)
    shown = listed.get_page(request.GET.get("page"))
    rows = [(entry, labels.state(entry.evaluation.state), rollup.wan_text(entry.evaluation.budget_wan))
            for entry in attention.entries(shown.object_list)]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "years": years, "year": year, "department": department, "rows": rows, "shown": shown,
        "state": state, "states": [(value, str(label)) for value, label in labels.STATES.items()],
        "departments": Organisation.objects.filter(children__in=services.visible_units(request.user))
        .distinct().order_by("name").values("pk", "name"),
        "query": query.urlencode(), "low": attention.LOW_EXECUTION, "gap": attention.REVIEW_GAP,
        "weights": {code.replace("-", "_"): weight for code, (weight, _q) in attention.CONDITIONS.items()},
    }
    return render(request, "pages/attention.html", context)
