"""Pages of background tasks: the bulk import (批量导入) upload, and a task's page — its
progress while it runs (polled, so it survives a refresh), then its report; cancel."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.web.evaluations.actions import bulk_import
from jixiao.web.evaluations.actions.errors import ServiceError
from jixiao.web.pages.views import page
from jixiao.web.requests import SignedInRequest
from jixiao.web.tasks import queue
from jixiao.web.tasks.models import Task

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
    }
    fragment = request.headers.get("HX-Request") == "true"
    return render(request, "pages/_task.html" if fragment else "pages/task.html", context)


@page
@require_POST
def cancel_task(request: SignedInRequest, pk: int) -> HttpResponse:
    queue.cancel(bulk_import.own(request.user, pk))
    return redirect("pages:task", pk=pk)
