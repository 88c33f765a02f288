"""The dashboards page (统计图) and its JSON endpoints: ECharts (vendored under
static/pages/) draws each chart from ``/dashboards/data/<name>/``, whose figures are the
aggregates of :mod:`jixiao.web.evaluations.dashboards` over the forms the user may see
(a unit its own, a department its units', the bureau all), for a year and optionally one
department. Each chart has a table view of the same figures and an image download."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.selectors import dashboards
from jixiao.web.evaluations.selectors.cached import cached, request_version
from jixiao.web.orgs.models import Organisation
from jixiao.web.pages.rollup import year_and_department
from jixiao.web.pages.views import page
from jixiao.web.requests import SignedInRequest

CHARTS = {
    "grades": dashboards.grade_distribution,
    "rates": dashboards.execution_rate_distribution,
    "scores": dashboards.score_against_rate,
    "budget": dashboards.budget_by_department_and_grade,
    "findings": dashboards.findings_by_code,
    "indicators": dashboards.indicator_kinds,
}
"""Endpoint name → the aggregate behind it; ``years`` (one project) is apart, it takes a code."""

SECTIONS = [
    (
        "grades",
        gettext_lazy("等级分布（统一等级）"),
        gettext_lazy(
            "每份自评表按其等级计一次；两种模板的等级按名次对应为 优/良/中/差，未填或无法识别的为“未评等级”。"
        ),
    ),
    (
        "rates",
        gettext_lazy("预算执行率分布"),
        gettext_lazy(
            "按表上的执行率每 10 个百分点一档（含下限、不含上限），100% 及以上为一档；红线为 90%。"
        ),
    ),
    (
        "scores",
        gettext_lazy("总分与执行率"),
        gettext_lazy(
            "一点一个项目（有执行率和总分的表）；点击圆点打开该自评表。"
            "表多于 1000 份时，按执行率、总分各 1 分一格合并，圆点越大份数越多。"
        ),
    ),
    (
        "budget",
        gettext_lazy("各主管部门预算（万元）按等级"),
        gettext_lazy("全年预算数之和，以元填报的表除以 10000，按统一等级分段。"),
    ),
    (
        "findings",
        gettext_lazy("审核意见按规则"),
        gettext_lazy("所存审核意见按规则代码计数，及涉及的表数。"),
    ),
    (
        "indicators",
        gettext_lazy("定性与定量指标"),
        gettext_lazy(
            "三级指标按年度指标值分：数值为定量，文字为定性，未填指标值（如上海旧模板）单列；定性占比 = 定性 ÷ (定性 + 定量)。"
        ),
    ),
    (
        "years",
        gettext_lazy("项目逐年对比"),
        gettext_lazy("所选项目各年度的总分与执行率（您可查看的各年度自评表）。"),
    ),
]


def _scope(request: SignedInRequest):
    """The forms the user may see, the years they span, the year and department asked for."""
    visible, years, year, department = year_and_department(request)
    chosen = visible.filter(year=year or 0)
    if department is not None:
        chosen = chosen.filter(actions.access.in_department(department))
    return visible, years, year, department, chosen


def _default_project(visible, chosen) -> str:
    """The project shown year on year until one is asked for: of the year's projects, the one
    with the most years of forms (then the first by code)."""
    ranked = (
        visible.filter(project__in=chosen.values("project"))
        .order_by()
        .values("project__code")
        .annotate(n=Count("id"))
        .order_by("-n", "project__code")
    )
    first = ranked.first()
    return first["project__code"] if first else ""


@page
def dashboards_page(request: SignedInRequest) -> HttpResponse:
    visible, years, year, department, chosen = _scope(request)
    units = actions.access.visible_units(request.user)
    scope = actions.access.membership(request.user).organisation_id
    project = request.GET.get("project", "").strip()[:64] or cached(
        "default-project",
        (scope, year, department),
        lambda: _default_project(visible, chosen),
        request_version(request),
    )
    context = {
        "years": years,
        "year": year,
        "department": department,
        "project": project,
        "departments": Organisation.objects.filter(children__in=units).distinct().order_by("name"),
        "query": urlencode(
            {"year": year or "", "department": department or "", "project": project}
        ),
        "sections": SECTIONS,
        "words": {
            "table": _("表格视图"),
            "hide": _("隐藏表格"),
            "image": _("下载图片"),
            "none": _("无"),
            "count": _("份数"),
            "indicator_count": _("指标数"),
            "grade": _("统一等级"),
            "ungraded": _("未评等级"),
            "band": _("执行率区间(%)"),
            "and_above": _("及以上"),
            "under": _("以下"),
            "no_rate": _("无执行率"),
            "line": _("执行率 90%"),
            "rate": _("执行率(%)"),
            "total": _("总分"),
            "project": _("项目名称"),
            "code": _("项目编码"),
            "department": _("主管部门"),
            "budget": _("全年预算数（万元）"),
            "all_grades": _("合计"),
            "executed": _("全年执行数（万元）"),
            "year": _("年度"),
            "finding": _("审核规则"),
            "severity": _("级别"),
            "findings": _("意见数"),
            "forms": _("涉及表数"),
            "quantitative": _("定量指标"),
            "qualitative": _("定性指标"),
            "untargeted": _("无指标值"),
            "share": _("定性占比(%)"),
            "everything": _("全部"),
            "open": _("点击打开自评表"),
            "error": _("错误"),
            "warning": _("警告"),
            "info": _("提示"),
            "empty": _("没有数据"),
            "优": _("优"),
            "良": _("良"),
            "中": _("中"),
            "差": _("差"),
        },
    }
    return render(request, "pages/dashboards.html", context)


@page
def dashboard_data(request: SignedInRequest, name: str) -> HttpResponse:
    """One dashboard's figures as JSON (figures as decimal strings, exact), kept for the
    scope, the year, the department and the project asked until the data changes
    (:mod:`jixiao.web.evaluations.selectors.cached`): a repeated view runs none of the
    aggregates."""
    if name != "years" and name not in CHARTS:
        raise Http404
    visible, _years, year, department, chosen = _scope(request)
    asked = request.GET.get("project", "").strip()[:64] if name == "years" else ""

    def figures() -> bytes:
        if name == "years":
            code = asked or _default_project(visible, chosen)
            found = dashboards.project_years(visible, code)
        else:
            found = CHARTS[name](chosen)
        return json.dumps(
            {"year": year, "department": department, **found},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        ).encode()

    scope = actions.access.membership(request.user).organisation_id
    body = cached(
        "dashboard", (scope, name, year, department, asked), figures, request_version(request)
    )
    return HttpResponse(body, content_type="application/json")
