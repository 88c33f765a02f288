"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE), and
whose address a failure counts against (AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

MESSAGE = _("登录失败次数过多，该账号已暂时锁定 30 分钟，请稍后再试或联系管理员。")


def locked_out(request, credentials=None, *args, **kwargs) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(MESSAGE)}, status=429)
    return HttpResponse(str(MESSAGE), status=429, content_type="text/plain; charset=utf-8")


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``JIXIAO_PROXY_COUNT`` proxies
    the address the outermost one saw (that many places from the right of
    X-Forwarded-For; what a client writes further left is not trusted). Without
    it every login behind a proxy would share the proxy's address and one
    client's failures would lock the account for all."""
    count = settings.JIXIAO_PROXY_COUNT
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class AccountLockout(ModelBackend):
    """An authentication backend listed first: an account with ``JIXIAO_ACCOUNT_FAILURE_LIMIT``
    failed logins within the cool-off, summed over every address (django-axes counts per
    account and address), is locked for all addresses until the cool-off passes."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from datetime import timedelta

        from axes.models import AccessAttempt
        from django.core.exceptions import PermissionDenied
        from django.db.models import Sum
        from django.utils import timezone

        if request is None or not username:
            return None
        since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
        failures = (
            AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
                n=Sum("failures_since_start")
            )["n"]
            or 0
        )
        if failures >= settings.JIXIAO_ACCOUNT_FAILURE_LIMIT:
            request.axes_locked_out = True
            raise PermissionDenied(str(MESSAGE))
        return None  # the other backends authenticate (get_user is ModelBackend's)
