"""The account pages: change one's own password (``/account/password/``), and the
middleware that sends an account whose password must be changed there first."""

from __future__ import annotations

from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jixiao.web import accounts

MUST_CHANGE = "_jixiao_must_change"  # the session key, set at sign-in


@login_required
def password(request: HttpRequest) -> HttpResponse:
    context = {
        "forced": request.session.get(MUST_CHANGE, False),
        "help_texts": password_validation.password_validators_help_texts(),
        "reasons": [],
        "done": False,
    }
    if request.method == "POST":
        new = request.POST.get("new_password", "")
        if new != request.POST.get("again", ""):
            context["reasons"] = [_("两次输入的新密码不一致")]
        else:
            try:
                accounts.change_own(request.user, old=request.POST.get("old_password", ""), new=new)
            except accounts.PasswordRefused as refused:
                context["reasons"] = str(refused).split(_("；"))
            else:
                # this session stays, the account's others end (their hash is the old password's)
                update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
                request.session.pop(MUST_CHANGE, None)
                context.update(done=True, forced=False)
        status = 200 if not context["reasons"] else 422
        return render(request, "orgs/password.html", context, status=status)
    return render(request, "orgs/password.html", context)


def on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: whether this session must change its password before anything else."""
    if request is not None and hasattr(request, "session"):
        request.session[MUST_CHANGE] = accounts.must_change(user)


OPEN = ("/account/password/", "/logout/", "/static/", "/i18n/", "/api/")
TOTP_OPEN = ("/account/totp/", "/logout/", "/static/", "/i18n/")  # the second factor first


class MustChange:
    """Middleware (after AuthenticationMiddleware): a session that still owes its second factor
    sees only ``/account/totp/`` (jixiao.web.orgs.totp); one whose password must be changed only
    the change page (the API answers 403 itself: jixiao.web.api)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from jixiao.web.orgs.totp import PENDING

        session = getattr(request, "session", None)
        if session is not None and session.get(PENDING) and not request.path.startswith(TOTP_OPEN):
            return redirect(reverse("totp"))
        if session is not None and session.get(MUST_CHANGE) and not request.path.startswith(OPEN):
            return redirect(reverse("password"))
        return self.get_response(request)
