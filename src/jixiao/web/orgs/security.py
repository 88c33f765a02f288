"""The security log (安全审计): sign-ins, sign-outs, failures, lockouts, permission denials,
password and role changes, token creation and revocation, administrative changes.

Each entry is an event on the trail's keyed chain (``subject`` ``security``), so it is chained
like the trail, checked by ``jixiao verify-trail``, and never deleted: no page, route or admin
deletes an event (Django admin's events are read-only), so entries are kept as long as the
database (at least 180 days: :data:`KEEP_DAYS`, nothing removes them earlier). The audit
administrator reads and exports it (``/security-log/``, CSV); role, account and password
changes are also on the trail as account events (:mod:`jixiao.web.orgs.audit`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SUBJECT = "security"
KEEP_DAYS = 180


def _address(request: Any) -> str:
    if request is None:
        return ""
    from jixiao.web.orgs.lockout import client_address

    return client_address(request) or ""


def log(
    action: str,
    *,
    user: Any = None,
    username: str = "",
    detail: str = "",
    request: Any = None,
    ok: bool = True,
) -> None:
    """One entry, chained at the head in its own transaction (inside the caller's, if any)."""
    from django.db import transaction

    from jixiao.web.evaluations.actions import trail

    name = username or (user.get_username() if user is not None else "")
    diff = [{"path": "result", "new": "成功" if ok else "失败"}]
    if address := _address(request):
        diff.append({"path": "address", "new": address})
    if request is not None and getattr(request, "path", None):
        diff.append({"path": "path", "new": f"{request.method} {request.path}"[:300]})
    with transaction.atomic():
        trail.security(
            action=action,
            user=user if user is not None and getattr(user, "pk", None) else None,
            name=name or "anonymous",
            diff=diff,
            comment=detail,
        )


def on_login(sender, request, user, **kwargs) -> None:
    log("login", user=user, request=request)


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        log("logout", user=user, request=request)


def on_failed(sender, credentials, request=None, **kwargs) -> None:
    log(
        "login_failed",
        username=str(credentials.get("username", ""))[:150],
        request=request,
        ok=False,
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    log(
        "lockout",
        username=str(username or "")[:150],
        request=request,
        ok=False,
        detail=f"锁定（{ip_address or ''}）",
    )


class Denials:
    """Middleware: every answer 403 (a page, the API, admin) is a ``denied`` entry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            log("denied", user=user if signed_in else None, request=request, ok=False)
        return response


def is_auditor(user: Any) -> bool:
    role = getattr(getattr(user, "admin_role", None), "role", None)
    return bool(user.is_authenticated and role == "audit")


COLUMNS = ["id", "at", "actor", "action", "result", "address", "path", "detail"]


def rows(limit: int | None = None) -> list[list[str]]:
    from jixiao.web.evaluations.models import Event

    events = Event.objects.filter(subject=SUBJECT).order_by("-id")
    if limit:
        events = events[:limit]
    out = []
    for e in events:
        facts = {c.get("path"): c.get("new") for c in e.diff if isinstance(c, dict)}
        out.append(
            [
                str(e.pk),
                e.at.isoformat(),
                e.actor_name,
                e.action,
                str(facts.get("result", "")),
                str(facts.get("address", "")),
                str(facts.get("path", "")),
                e.comment,
            ]
        )
    return out


@login_required
def page(request: HttpRequest) -> HttpResponse:
    """The audit administrator's view of the log (the latest 500), and its CSV export."""
    if not is_auditor(request.user):
        return HttpResponse("403", status=403)
    log("log_view", user=request.user, request=request)
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(rows())
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="security-log.csv"'
        return response
    return render(request, "orgs/security_log.html", {"rows": rows(500), "columns": COLUMNS})
