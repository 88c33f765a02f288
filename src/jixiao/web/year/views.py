"""The year's pages: 待办 (/todo/), the tasks and their issue (任务下达), 催报 with
reminders, bulk review, 抽查 and its 复核, the results ledger and its export. Thin: each
calls the year's actions and selectors (and the evaluations' actions)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao import templates
from jixiao.domain.workflow import Action, Role
from jixiao.web.evaluations import actions, words
from jixiao.web.evaluations.actions.errors import FieldErrors
from jixiao.web.evaluations.models import Evaluation, SpotCheck
from jixiao.web.orgs.models import Organisation
from jixiao.web.pages.views import page  # signed in; 404 for what one may not see; refusals shown
from jixiao.web.requests import SignedInRequest
from jixiao.web.year import actions as year_actions
from jixiao.web.year import selectors
from jixiao.web.year.models import SelfEvaluationTask
from jixiao.writers.cells import append_row, defuse

SHANGHAI = selectors.SHANGHAI


def _role(request: SignedInRequest) -> Role:
    return actions.access.membership(request.user).role_enum


def _require(request: SignedInRequest, roles: set[Role], doing: str) -> None:
    actions.access.require_role(request.user, roles, doing)


state_label = words.state


@page
def todo(request: SignedInRequest) -> HttpResponse:
    seen = selectors.todo(request.user)
    context = {
        "seen": seen,
        "to_fill": [(ev, t, d, state_label(ev.state)) for ev, t, d in seen.to_fill],
        "returned": [(ev, t, d, state_label(ev.state)) for ev, t, d in seen.returned],
        "waiting": [(ev, d, state_label(ev.state)) for ev, d in seen.waiting],
    }
    return render(request, "year/todo.html", context)


def _deadline(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise actions.errors.Invalid(_("截止时间格式应为 年-月-日 时:分")) from None


@page
def tasks(request: SignedInRequest) -> HttpResponse:
    """The tasks issued; a bureau admin issues one here."""
    role = _role(request)
    admin = role is Role.ADMIN
    message = None
    if request.method == "POST":
        _require(request, {Role.ADMIN}, _("下达自评任务"))
        got = request.POST
        try:
            issued = year_actions.issue(
                user=request.user,
                year=int(got.get("year", "0") or 0),
                template=got.get("template", ""),
                deadline=_deadline(got.get("deadline", "")),
                scope_kind=got.get("scope", "all"),
                organisations=[int(o) for o in got.getlist("organisations") if o.isdigit()],
                projects=[c.strip() for c in got.get("projects", "").split() if c.strip()],
                two_levels=got.get("two_levels") == "1",
                remind_days=int(got.get("remind_days", "3") or 0),
                note=got.get("note", ""),
            )
        except ValueError:
            raise actions.errors.Invalid(_("年度和天数应为整数")) from None
        message = _(
            "已下达 %(year)s 年度自评任务：新建草稿 %(made)s 份（其中沿用上年 %(carried)s 份），已有自评表 %(existing)s 份。"
        ) % {
            "year": issued.task.year,
            "made": len(issued.drafts),
            "carried": issued.carried,
            "existing": issued.existing,
        }
        message += " " + _("模板：%(template)s（%(source)s）。") % {
            "template": issued.task.template,
            "source": issued.source,
        }
        if issued.by_department:
            message += " " + _("其中 %(n)s 份空白表按其主管部门的年度模板设置。") % {
                "n": issued.by_department
            }
    place = actions.access.membership(request.user).organisation
    rows = [
        (t, selectors.days_left(t), selectors.progress(t, place))
        for t in SelfEvaluationTask.objects.all()
    ]
    from jixiao.web.manage import year_templates

    this_year = timezone.now().astimezone(SHANGHAI).year
    context = {
        "default": year_templates.default(this_year),
        "settings": [(y, year_templates.settings_of(y)) for y in (this_year, this_year + 1)],
        "rows": rows,
        "admin": admin,
        "message": message,
        "templates": templates.ids(),
        "departments": Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT),
        "units": Organisation.objects.filter(kind=Organisation.Kind.UNIT).select_related("parent"),
        "next_year": this_year,
        "scopes": SelfEvaluationTask.Scope.choices,
        "reviewer": role is Role.REVIEWER,
    }
    return render(request, "year/tasks.html", context)


@page
def late(request: SignedInRequest, pk: int) -> HttpResponse:
    """催报: the task's late units seen from one's place, and reminders to chosen ones."""
    _require(request, {Role.ADMIN, Role.REVIEWER}, _("催报"))
    task = year_actions.task_of(request.user, pk)
    sent = None
    if request.method == "POST":
        notices = year_actions.remind(
            user=request.user,
            task_id=task.pk,
            units=[int(u) for u in request.POST.getlist("unit") if u.isdigit()],
            text=request.POST.get("text", ""),
        )
        sent = {"notices": len(notices), "emails": sum(n.emailed for n in notices)}
    place = actions.access.membership(request.user).organisation
    rows = selectors.late_units(task, place)
    context = {"task": task, "rows": rows, "days_left": selectors.days_left(task), "sent": sent}
    return render(request, "year/late.html", context)


@page
def review(request: SignedInRequest) -> HttpResponse:
    """批量审核: the forms waiting for the reviewer, approved or returned many at once."""
    _require(request, {Role.REVIEWER}, _("批量审核"))
    outcome = None
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in (Action.APPROVE.value, Action.RETURN.value):
            raise actions.errors.Invalid(_("请选择通过或退回"))
        pks = [int(p) for p in request.POST.getlist("pk") if p.isdigit()]
        outcome = year_actions.bulk_step(
            user=request.user,
            pks=pks,
            action=Action(decision),
            comment=request.POST.get("comment", ""),
        )
    rows = [
        (ev, selectors.days_since(getattr(ev, "since", None)), state_label(ev.state))
        for ev in selectors.waiting(request.user)[:1000]
    ]
    return render(request, "year/review.html", {"rows": rows, "outcome": outcome})


def _rate(text: str) -> Decimal:
    try:
        return Decimal(text.strip().rstrip("%")) / 100
    except InvalidOperation:
        raise actions.errors.Invalid(_("抽查比例应为百分数，如 10")) from None


@page
def spot_checks(request: SignedInRequest) -> HttpResponse:
    """抽查: a bureau admin draws a sample; reviewers see the sampled forms to 复核 with the
    gap between the self and the 复核 scores."""
    role = _role(request)
    drawn = None
    if request.method == "POST":
        _require(request, {Role.ADMIN}, _("抽查"))
        year = request.POST.get("year", "")
        if not year.isdigit():
            raise actions.errors.Invalid(_("请选择年度"))
        drawn = actions.spot_checks.draw_sample(
            user=request.user,
            year=int(year),
            rate=_rate(request.POST.get("rate", "")),
            strata=request.POST.get("strata", ""),
            high_risk_in=request.POST.get("high_risk", "1") == "1",
        )
    visible = actions.access.visible(request.user)
    rows = selectors.review_gaps(selectors.sampled(visible)).select_related("project__unit__parent")
    years = sorted(set(visible.values_list("year", flat=True)), reverse=True)
    context = {
        "admin": role is Role.ADMIN,
        "reviewer": role is Role.REVIEWER,
        "draws": SpotCheck.objects.all()[:20] if role is Role.ADMIN else [],
        "drawn": drawn,
        "rows": rows.order_by("-year", "project__code")[:500],
        "years": years,
        "strata": SpotCheck.Strata.choices,
    }
    return render(request, "year/spot_checks.html", context)


@page
def recheck(request: SignedInRequest, pk: int) -> HttpResponse:
    """复核 of one form: the reviewer's score beside each self score."""
    evaluation = actions.access.get(request.user, pk)
    actions.access.require_reviewer(request.user, evaluation, _("复核评分"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        scores: dict[str, str | None] = {
            key[len("score:") :]: request.POST.get(key, "")
            for key in request.POST
            if key.startswith("score:")
        }
        try:
            evaluation = actions.review.set_scores(
                user=request.user,
                pk=pk,
                version=int(request.POST.get("version", "0") or 0),
                scores=scores,
            )
            return redirect(reverse("year:recheck", args=[pk]) + "?saved=1")
        except FieldErrors as error:
            errors = error.fields
    data = evaluation.data
    rows = [("funding.score", _("预算执行率"), (data.get("funding") or {}).get("score"))]
    rows += [
        (f"indicators[{n}].score", row.get("name") or "", row.get("score"))
        for n, row in enumerate(data.get("indicators") or [])
    ]
    shown = [
        (path, name, own, evaluation.review_scores.get(path, ""), errors.get(path, ""))
        for path, name, own in rows
    ]
    annotated = selectors.review_gaps(Evaluation.objects.filter(pk=pk)).get()
    gap = (
        getattr(annotated, "self_total", None),
        annotated.review_total,
        getattr(annotated, "review_gap", None),
    )
    context = {"ev": evaluation, "rows": shown, "gap": gap, "saved": request.GET.get("saved")}
    return render(request, "year/recheck.html", context)


def _year(request: SignedInRequest) -> tuple[list[int], int]:
    have = sorted(
        set(actions.access.visible(request.user).values_list("year", flat=True)), reverse=True
    )
    asked = request.GET.get("year", "") or request.POST.get("year", "")
    if asked.isdigit() and 2000 <= int(asked) <= 2100:
        return have, int(asked)
    return have, have[0] if have else timezone.now().year


LEDGER_WORDS = {
    "keep": gettext_lazy("保持"),
    "cut": gettext_lazy("压减"),
    "stop": gettext_lazy("取消"),
}


def _proposal(rule: dict | None) -> str:
    if not rule:
        return ""
    if rule["action"] == "cut":
        return _("压减 %(share)s%%") % {
            "share": format(Decimal(rule["share"]) * 100, "f").rstrip("0").rstrip(".")
        }
    return str(LEDGER_WORDS[rule["action"]])


@page
def ledger(request: SignedInRequest) -> HttpResponse:
    """结果应用: each form's grade, the proposal for next year's budget by the year's rules
    and what was done; a bureau admin sets the rules and records what was done."""
    years, year = _year(request)
    admin = _role(request) is Role.ADMIN
    if request.method == "POST":
        if request.POST.get("what") == "rules":
            year_actions.set_policy(
                user=request.user,
                year=year,
                rules={
                    g: {
                        "action": request.POST.get(f"action:{g}", ""),
                        "share": request.POST.get(f"share:{g}", ""),
                    }
                    for g in year_actions.GRADES
                },
            )
        else:
            form = request.POST.get("form", "")
            if not form.isdigit():
                raise actions.errors.Invalid(_("请选择自评表"))
            year_actions.record_done(
                user=request.user, pk=int(form), done=request.POST.get("done", "")
            )
        return redirect(reverse("year:ledger") + f"?year={year}")
    policy, rows = selectors.ledger(request.user, year)
    rules = policy.rules if policy else {}
    context = {
        "years": years,
        "year": year,
        "admin": admin,
        "grades": [(g, rules.get(g, {})) for g in year_actions.GRADES],
        "rows": [(r, _proposal(r["rule"])) for r in rows],
        "actions": [(k, str(v)) for k, v in LEDGER_WORDS.items()],
    }
    return render(request, "year/ledger.html", context)


def _percent(share: str) -> str:
    return format(Decimal(share) * 100, "f")


def ledger_rows(request: SignedInRequest, year: int) -> list[list]:
    _policy, rows = selectors.ledger(request.user, year)
    table = []
    for r in rows:
        ev = r["form"]
        unit = ev.project.unit
        table.append(
            [
                unit.parent.name if unit.parent else unit.name,
                unit.name,
                ev.project.code,
                ev.project.name,
                ev.total,
                ev.grade or "",
                ev.scale,
                ev.budget_wan,
                _proposal(r["rule"]),
                r["proposed_wan"],
                r["done"],
            ]
        )
    return table


def ledger_headers() -> list[str]:
    return [
        _("主管部门"),
        _("实施单位"),
        _("项目编码"),
        _("项目名称"),
        _("总分"),
        _("等级"),
        _("统一等级"),
        _("本年预算数（万元）"),
        _("下年预算建议"),
        _("建议下年预算（万元）"),
        _("落实情况"),
    ]


@page
def ledger_export(request: SignedInRequest, fmt: str) -> HttpResponse:
    """The ledger as xlsx or CSV (UTF-8 with BOM; texts defused)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    _years, year = _year(request)
    rows = ledger_rows(request, year)
    name = f"结果应用台账-{year}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(ledger_headers())
        for row in rows:
            writer.writerow(
                ["" if v is None else defuse(v) if isinstance(v, str) else v for v in row]
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = _("结果应用台账")
        append_row(sheet, ledger_headers())
        for row in rows:
            append_row(sheet, row)
        out_bytes = io.BytesIO()
        book.save(out_bytes)
        response = HttpResponse(
            out_bytes.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
