"""Pages of background tasks: the bulk import (批量导入) upload, and a task's page — its
progress while it runs (polled, so it survives a refresh), then its report; cancel."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.actions import bulk_export, bulk_import
from jixiao.web.evaluations.actions.errors import ServiceError
from jixiao.web.evaluations.selectors import rollup
from jixiao.web.pages.rollup import visible_departments
from jixiao.web.pages.views import page
from jixiao.web.requests import SignedInRequest
from jixiao.web.tasks import queue
from jixiao.web.tasks.models import Output, Task

# The report's groups, in the order shown, and their headings.
GROUPS = ("filed", "duplicate", "unmatched", "refused")


@page
def import_page(request: SignedInRequest) -> HttpResponse:
    """GET: the upload form; POST: the files kept, the task queued, its page next."""
    error, status = "", 200
    if request.method == "POST":
        files = [(f.name or "", f.read()) for f in request.FILES.getlist("files")]
        try:
            made = bulk_import.start(user=request.user, files=files)
        except ServiceError as refused:  # files refused (422) or a user who may not (403)
            error, status = refused.message, refused.status
        else:
            return redirect("pages:task", pk=made.pk)
    context = {
        "error": error,
        "max_files": bulk_import.max_files(),
        "max_mb": bulk_import.max_bytes() // 1024 // 1024,
        "recent": Task.objects.filter(created_by=request.user, name=bulk_import.TASK).order_by(
            "-pk"
        )[:10],
    }
    return render(request, "pages/imports.html", context, status=status)


@page
def task_page(request: SignedInRequest, pk: int) -> HttpResponse:
    """The task: a fragment of its status when polled by htmx, else the whole page."""
    made = bulk_import.own(request.user, pk)
    result = made.result if isinstance(made.result, dict) else {}
    context = {
        "task": made,
        "finished": made.state in (Task.State.DONE, Task.State.FAILED, Task.State.CANCELLED),
        "percent": (100 * made.done // made.total) if made.total else 0,
        "groups": [(key, result.get(key, [])) for key in GROUPS],
        "counts": result.get("counts", {}),
        "output": Output.objects.filter(task=made).only("name", "size", "expires_at").first(),
        "refused": result.get("refused", []) if made.name == bulk_export.TASK else [],
        "english": (get_language() or "").startswith("en"),
    }
    fragment = request.headers.get("HX-Request") == "true"
    return render(request, "pages/_task.html" if fragment else "pages/task.html", context)


@page
@require_POST
def cancel_task(request: SignedInRequest, pk: int) -> HttpResponse:
    queue.cancel(bulk_import.own(request.user, pk))
    return redirect("pages:task", pk=pk)


@page
def export_page(request: SignedInRequest) -> HttpResponse:
    """GET: what to export (year, department, format); POST: the task queued, its page next."""
    error, status = "", 200
    years = rollup.years(actions.access.visible(request.user))
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
            department = int(request.POST["department"]) if request.POST.get("department") else None
        except ValueError:
            year, department = 0, None
        try:
            made = bulk_export.start(
                user=request.user,
                year=year,
                fmt=request.POST.get("format", ""),
                department=department,
            )
        except ServiceError as refused:
            error, status = refused.message, refused.status
        else:
            return redirect("pages:task", pk=made.pk)
    context = {
        "error": error,
        "years": years,
        "departments": visible_departments(request.user),
        "formats": bulk_export.FORMAT_LABELS.items(),
        "days": bulk_export.result_days(),
    }
    return render(request, "pages/exports.html", context, status=status)


@page
def task_download(request: SignedInRequest, pk: int) -> HttpResponse:
    output = bulk_export.download(user=request.user, pk=pk)
    response = HttpResponse(bytes(output.content), content_type=output.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(output.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
