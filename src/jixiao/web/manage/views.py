"""The administration pages (/manage/…): thin views over the actions — the organisation tree
(:mod:`.organisations`), accounts (:mod:`jixiao.web.accounts`), projects
(:mod:`jixiao.web.evaluations.actions.projects`, :mod:`.projects`), each year's template
(:mod:`.year_templates`) and approved targets (:mod:`jixiao.web.evaluations.actions.targets`).
Who may use each is :mod:`.roles`; a refusal of an action is shown on the page with its status."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jixiao.domain.approved_targets import ApprovedTarget
from jixiao.web import accounts
from jixiao.web.evaluations.actions import access
from jixiao.web.evaluations.actions import projects as project_actions
from jixiao.web.evaluations.actions import targets as target_actions
from jixiao.web.evaluations.actions.errors import NotFound, ServiceError
from jixiao.web.evaluations.models import ApprovedTargets, Project
from jixiao.web.orgs.models import Organisation

from . import account_email, organisations, roles, sheets, year_templates
from . import projects as project_library
from .models import YearTemplate

MAX_UPLOAD = sheets.MAX_BYTES
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refused(request: Any, template: str, context: dict, error: ServiceError) -> HttpResponse:
    context["error"] = error.message
    return render(request, template, context, status=error.status)


def _download(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def index(request: Any) -> HttpResponse:
    areas = [
        a for a in (roles.SYSTEM, roles.SECURITY, roles.TARGETS) if roles.allowed(request.user, a)
    ]
    if not areas:
        raise PermissionDenied
    return render(request, "manage/index.html", {"areas": areas})


# The organisation tree -------------------------------------------------------------------


def _tree_context() -> dict:
    rows = organisations.tree()
    return {
        "rows": rows,
        "parents": [o for o, _d in rows if o.kind != Organisation.Kind.UNIT and o.active],
        "kinds": Organisation.Kind.choices,
    }


@roles.only(roles.SYSTEM)
@require_http_methods(["GET", "POST"])
def organisation_list(request: Any) -> HttpResponse:
    context = _tree_context()
    if request.method == "POST":
        got = request.POST
        try:
            made = organisations.create(
                user=request.user,
                name=got.get("name", ""),
                kind=got.get("kind", ""),
                parent_id=got.get("parent") or None,
            )
        except ServiceError as error:
            context["typed"] = got
            return _refused(request, "manage/organisations.html", context, error)
        return redirect(f"{request.path}?done=create&org={made.pk}")
    if request.GET.get("done"):
        context["done"] = Organisation.objects.filter(pk=request.GET.get("org") or 0).first()
    return render(request, "manage/organisations.html", context)


@roles.only(roles.SYSTEM)
@require_http_methods(["GET", "POST"])
def organisation_detail(request: Any, pk: int) -> HttpResponse:
    org = Organisation.objects.filter(pk=pk).select_related("parent").first()
    if org is None:
        raise Http404
    wanted = Organisation.PARENT_KIND[Organisation.Kind(org.kind)]
    context = {
        "org": org,
        "path": organisations.path(org),
        "parents": Organisation.objects.filter(kind=wanted, active=True).exclude(pk=org.pk)
        if wanted
        else [],
        "children": org.children.order_by("name"),
        "accounts": get_user_model()
        .objects.filter(membership__organisation=org)
        .order_by("username"),
        "projects": Project.objects.filter(unit=org).order_by("code"),
    }
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "rename":
                organisations.rename(user=request.user, org=org, name=request.POST.get("name", ""))
            elif op == "move":
                organisations.move(user=request.user, org=org, parent_id=request.POST.get("parent"))
            elif op in {"disable", "enable"}:
                organisations.set_active(user=request.user, org=org, active=op == "enable")
            else:
                return HttpResponse(status=400)
        except ServiceError as error:
            org.refresh_from_db()
            context["path"] = organisations.path(org)
            return _refused(request, "manage/organisation.html", context, error)
        return redirect(f"{request.path}?done={op}")
    context["done"] = request.GET.get("done", "")
    return render(request, "manage/organisation.html", context)


@roles.only(roles.SYSTEM)
def organisation_export(request: Any) -> HttpResponse:
    return _download(organisations.export(), "organisations.xlsx")


def _uploaded(request: Any) -> tuple[bytes, str]:
    upload = request.FILES.get("file")
    if upload is None:
        raise sheets.FileRefused(_("请选择一个 xlsx 文件"))
    name = upload.name or "upload.xlsx"
    if upload.size > MAX_UPLOAD:
        raise sheets.FileRefused(
            _("文件 %(file)s 超过 %(mb)s MB，未读取") % {"file": name, "mb": MAX_UPLOAD >> 20}
        )
    return upload.read(), name


def _import_page(request: Any, kind: str, run: Any) -> HttpResponse:
    context: dict[str, Any] = {"kind": kind}
    if request.method == "POST":
        try:
            data, name = _uploaded(request)
            context["report"] = run(user=request.user, data=data, file=name)
        except sheets.FileRefused as refused:
            context["refused"] = str(refused)
            return render(request, "manage/import.html", context, status=422)
        except ServiceError as error:
            return _refused(request, "manage/import.html", context, error)
        status = 200 if context["report"].applied else 422
        return render(request, "manage/import.html", context, status=status)
    return render(request, "manage/import.html", context)


@roles.only(roles.SYSTEM)
@require_http_methods(["GET", "POST"])
def organisation_import(request: Any) -> HttpResponse:
    return _import_page(request, "organisations", organisations.import_tree)


# Accounts -----------------------------------------------------------------------------------

ROLE_CHOICES = [
    ("filler", "填报"),
    ("reviewer", "审核"),
    ("admin", "管理"),
    ("system", "系统管理员"),
    ("security", "安全管理员"),
    ("audit", "审计管理员"),
]


def _role_of(user: Any) -> str:
    return roles.admin_role(user) or roles.business_role(user) or ""


def _accounts_context(request: Any) -> dict:
    q = request.GET.get("q", "").strip()
    users = get_user_model().objects.select_related("membership__organisation", "admin_role")
    if q:
        users = users.filter(username__icontains=q) | users.filter(first_name__icontains=q)
    return {
        "users": [(u, _role_of(u)) for u in users.order_by("username")[:500]],
        "q": q,
        "places": [(o, organisations.path(o)) for o, _d in organisations.tree() if o.active],
        "role_choices": ROLE_CHOICES,
    }


def _organisation(value: Any) -> Organisation | None:
    return Organisation.objects.filter(pk=value).first() if str(value or "").isdigit() else None


@roles.only(roles.SECURITY)
@require_http_methods(["GET", "POST"])
def account_list(request: Any) -> HttpResponse:
    context = _accounts_context(request)
    if request.method == "POST":
        got = request.POST
        try:
            email = account_email.clean(got.get("email", ""))  # refused before anything is made
            with transaction.atomic():
                user, word = accounts.create_account(
                    actor=request.user,
                    username=got.get("username", ""),
                    name=got.get("name", ""),
                    organisation=_organisation(got.get("organisation")),
                    role=got.get("role", ""),
                )
                account_email.set_email(actor=request.user, user=user, email=email)
        except ServiceError as error:
            context["typed"] = got
            return _refused(request, "manage/accounts.html", context, error)
        context = _accounts_context(request)
        context["made"], context["password"] = user, word
        return render(request, "manage/accounts.html", context, status=201)
    return render(request, "manage/accounts.html", context)


@roles.only(roles.SECURITY)
@require_http_methods(["GET", "POST"])
def account_detail(request: Any, pk: int) -> HttpResponse:
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    context: dict[str, Any] = {
        "account": user,
        "role": _role_of(user),
        "place": getattr(getattr(user, "membership", None), "organisation_id", None),
        "places": [(o, organisations.path(o)) for o, _d in organisations.tree() if o.active],
        "role_choices": ROLE_CHOICES,
        "self": user.pk == request.user.pk,
        "failures": accounts.failed_sign_ins(user),
        "email": user.email,
    }
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "place":
                accounts.set_place(
                    actor=request.user,
                    user=user,
                    organisation=_organisation(request.POST.get("organisation")),
                    role=request.POST.get("role", ""),
                )
            elif op == "email":
                account_email.set_email(
                    actor=request.user, user=user, email=request.POST.get("email", "")
                )
            elif op in {"disable", "enable"}:
                accounts.set_active(actor=request.user, user=user, active=op == "enable")
            elif op == "unlock":
                accounts.unlock(actor=request.user, user=user, request=request)
            elif op == "reset":
                context["password"] = accounts.reset_password(actor=request.user, user=user)
                user.refresh_from_db()
                return render(request, "manage/account.html", context)
            else:
                return HttpResponse(status=400)
        except ServiceError as error:
            if op == "email":
                context["email"] = request.POST.get("email", "")
            return _refused(request, "manage/account.html", context, error)
        return redirect(f"{request.path}?done={op}")
    context["done"] = request.GET.get("done", "")
    return render(request, "manage/account.html", context)


@roles.only(roles.SECURITY)
def account_export(request: Any) -> HttpResponse:
    from . import account_sheets

    return _download(account_sheets.export(), "accounts.xlsx")


@roles.only(roles.SECURITY)
@require_http_methods(["GET", "POST"])
def account_import(request: Any) -> HttpResponse:
    from . import account_sheets

    return _import_page(request, "accounts", account_sheets.import_accounts)


# Projects -------------------------------------------------------------------------------------


def _projects_context(request: Any) -> dict:
    q = request.GET.get("q", "").strip()
    rows = Project.objects.select_related("unit__parent").order_by("code")
    if q:
        rows = rows.filter(code__icontains=q) | rows.filter(name__icontains=q)
    return {
        "projects": rows[:1000],
        "q": q,
        "units": [
            (o, organisations.path(o))
            for o, _d in organisations.tree()
            if o.kind == Organisation.Kind.UNIT and o.active
        ],
    }


@roles.only(roles.SYSTEM)
@require_http_methods(["GET", "POST"])
def project_list(request: Any) -> HttpResponse:
    context = _projects_context(request)
    if request.method == "POST":
        got = request.POST
        try:
            made = project_actions.register(
                user=request.user,
                code=got.get("code", ""),
                name=got.get("name", ""),
                unit_id=int(got["unit"]) if got.get("unit", "").isdigit() else 0,
            )
        except ServiceError as error:
            context["typed"] = got
            return _refused(request, "manage/projects.html", context, error)
        return redirect(f"{request.path}?done={made.pk}")
    context["done"] = (
        Project.objects.filter(pk=request.GET.get("done") or 0).first()
        if str(request.GET.get("done", "")).isdigit()
        else None
    )
    return render(request, "manage/projects.html", context)


@roles.only(roles.SYSTEM)
@require_http_methods(["GET", "POST"])
def project_detail(request: Any, pk: int) -> HttpResponse:
    project = Project.objects.filter(pk=pk).select_related("unit__parent").first()
    if project is None:
        raise Http404
    context = {"project": project, "path": organisations.path(project.unit)}
    if request.method == "POST":
        try:
            project_actions.rename(
                user=request.user, code=project.code, name=request.POST.get("name", "")
            )
        except ServiceError as error:
            return _refused(request, "manage/project.html", context, error)
        return redirect(f"{request.path}?done=rename")
    context["done"] = request.GET.get("done", "")
    return render(request, "manage/project.html", context)


@roles.only(roles.SYSTEM)
@require_http_methods(["GET", "POST"])
def project_import(request: Any) -> HttpResponse:
    return _import_page(request, "projects", project_library.import_library)


@roles.only(roles.SYSTEM)
def project_export(request: Any) -> HttpResponse:
    return _download(project_library.export(), "projects.xlsx")


# Templates by year and department ----------------------------------------------------------


@roles.only(roles.SYSTEM)
@require_http_methods(["GET", "POST"])
def template_list(request: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "rows": YearTemplate.objects.select_related("department"),
        "departments": Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, active=True),
        "choices": year_templates.choices(),
        "kinds": YearTemplate._meta.get_field("kind").choices,
    }
    if request.method == "POST":
        got = request.POST
        try:
            year_templates.set_template(
                user=request.user,
                year=got.get("year"),
                department_id=got.get("department"),
                template=got.get("template", ""),
                kind=got.get("kind") or "project",
            )
        except ServiceError as error:
            context["typed"] = got
            return _refused(request, "manage/templates.html", context, error)
        return redirect(f"{request.path}?done=1")
    context["done"] = bool(request.GET.get("done"))
    return render(request, "manage/templates.html", context)


# Approved targets ----------------------------------------------------------------------------


@roles.only(roles.TARGETS)
def target_list(request: Any) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    rows = access.visible_projects(request.user).order_by("code")
    if q:
        rows = rows.filter(code__icontains=q) | rows.filter(name__icontains=q)
    years: dict[int, list[int]] = {}
    for project_id, year in ApprovedTargets.objects.filter(project__in=rows).values_list(
        "project_id", "year"
    ):
        years.setdefault(project_id, []).append(year)
    if request.GET.get("project", "").isdigit() and request.GET.get("year", "").isdigit():
        return redirect(
            "manage:target", pk=int(request.GET["project"]), year=int(request.GET["year"])
        )
    return render(
        request,
        "manage/targets.html",
        {"projects": [(p, sorted(years.get(p.pk, []), reverse=True)) for p in rows[:1000]], "q": q},
    )


FIELDS = ("level1", "level2", "name", "target", "points")


def _posted_rows(post: Any) -> tuple[list[dict], dict[int, str]]:
    """The table's rows as typed (a row with every cell empty or ticked 删除 left out), each
    with its ``problem`` if it has one, and the problems by row."""
    columns = {f: post.getlist(f) for f in FIELDS}
    count = max((len(v) for v in columns.values()), default=0)
    removed = set(post.getlist("remove"))
    rows: list[dict] = []
    problems: dict[int, str] = {}
    for n in range(count):
        row = {f: (columns[f][n] if n < len(columns[f]) else "").strip() for f in FIELDS}
        if str(n) in removed or not any(row.values()):
            continue
        if not row["name"]:
            row["problem"] = problems[len(rows)] = _("三级指标（名称）不能为空")
        if row["points"]:
            try:
                points = Decimal(row["points"].replace("，", "").replace(",", ""))
                if not points.is_finite() or not 0 <= points <= 100:
                    raise InvalidOperation
            except InvalidOperation:
                row["problem"] = problems[len(rows)] = _("分值应为 0–100 之间的数")
        rows.append(row)
    return rows, problems


@roles.only(roles.TARGETS)
@require_http_methods(["GET", "POST"])
def target_detail(request: Any, pk: int, year: int) -> HttpResponse:
    project = access.visible_projects(request.user).filter(pk=pk).first()
    if project is None or not 2000 <= year <= 2100:
        raise Http404
    stored = ApprovedTargets.objects.filter(project=project, year=year).first()
    rows = [dict(r) for r in stored.indicators] if stored else []
    rows = [{f: row.get(f) or "" for f in FIELDS} for row in rows]
    context: dict[str, Any] = {"project": project, "year": year, "stored": stored}
    if request.method == "POST":
        rows, problems = _posted_rows(request.POST)
        if request.POST.get("op") == "add":
            rows.append(dict.fromkeys(FIELDS, ""))
            context.update(rows=rows)
            return render(request, "manage/target.html", context)
        if problems:
            context.update(rows=rows, error=_("有指标行填写有误，见各行说明"))
            return render(request, "manage/target.html", context, status=422)
        try:
            target_actions.approve(
                user=request.user,
                code=project.code,
                year=year,
                rows=[
                    ApprovedTarget(
                        name=r["name"],
                        target=r["target"] or None,
                        points=Decimal(r["points"].replace("，", "").replace(",", ""))
                        if r["points"]
                        else None,
                        level1=r["level1"] or None,
                        level2=r["level2"] or None,
                    )
                    for r in rows
                ],
            )
        except NotFound:
            raise Http404 from None
        except ServiceError as error:
            context.update(rows=rows or [dict.fromkeys(FIELDS, "")])
            return _refused(request, "manage/target.html", context, error)
        return redirect(f"{request.path}?done=1")
    if not rows:
        rows = [dict.fromkeys(FIELDS, "") for _n in range(3)]
    context.update(rows=rows, done=bool(request.GET.get("done")))
    return render(request, "manage/target.html", context)
