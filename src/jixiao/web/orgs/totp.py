"""The second factor of the administrator roles (等保 第三级: two kinds of authentication for
administrators): RFC 6238 TOTP — six digits from HMAC-SHA1 of the 30-second time step under a
secret the authenticator app holds. With ``JIXIAO_ADMIN_TOTP=1`` a system, security or audit
administrator who signed in with the password sees only ``/account/totp/`` until a code is
given (the first time the secret is shown to enrol); a code is accepted once, one step either
side; five wrong codes end the session. Each success and failure is on the security log. A
lost phone: the security administrator deletes the account's device in admin (logged)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

STEP = 30
DIGITS = 6
PENDING = "_jixiao_second_factor"  # the session key: a code is still owed
FAILURES = "_jixiao_totp_failures"
MAX_FAILURES = 5


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code(secret: str, step: int) -> str:
    """The code of time step ``step`` (RFC 4226 dynamic truncation)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def matching_step(secret: str, given: str, now: float | None = None) -> int | None:
    """The time step ``given`` is the code of (this one or one either side), or ``None``."""
    given = given.strip().replace(" ", "")
    current = int((time.time() if now is None else now) // STEP)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(code(secret, step), given):
            return step
    return None


def required(user) -> bool:
    """Whether ``user`` owes a second factor at sign-in (an administrator role, the setting on)."""
    role = getattr(getattr(user, "admin_role", None), "role", None)
    return bool(settings.JIXIAO_ADMIN_TOTP and role)


def on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and required(user):
        request.session[PENDING] = True


def uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app enrols from."""
    return (
        f"otpauth://totp/jixiao:{quote(username)}?secret={secret}&issuer=jixiao&digits=6&period=30"
    )


@login_required
def page(request: HttpRequest) -> HttpResponse:
    from jixiao.web.orgs import security
    from jixiao.web.orgs.models import TotpDevice

    user = request.user
    if not required(user):
        return redirect("/")
    device, _made = TotpDevice.objects.get_or_create(
        user_id=int(user.pk or 0), defaults={"secret": new_secret()}
    )
    context = {
        "enrol": not device.confirmed,
        "secret": device.secret,
        "uri": uri(device.secret, user.get_username()),
        "refused": False,
    }
    if request.method == "POST":
        step = matching_step(device.secret, request.POST.get("code", ""))
        if step is not None and (device.last_step is None or step > device.last_step):
            device.confirmed, device.last_step = True, step
            device.save(update_fields=["confirmed", "last_step"])
            request.session.pop(PENDING, None)
            request.session.pop(FAILURES, None)
            security.log("totp_ok", user=user, request=request)
            return redirect(request.GET.get("next") or "/")
        failures = request.session.get(FAILURES, 0) + 1
        security.log("totp_failed", user=user, request=request, ok=False)
        if failures >= MAX_FAILURES:
            logout(request)
            return redirect("/login/")
        request.session[FAILURES] = failures
        context["refused"] = True
        return render(request, "orgs/totp.html", context, status=422)
    return render(request, "orgs/totp.html", context)


def explain() -> str:
    return _("请输入身份验证器显示的 6 位验证码")
