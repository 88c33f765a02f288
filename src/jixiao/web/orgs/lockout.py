"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE)."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

MESSAGE = _("登录失败次数过多，该账号已暂时锁定 30 分钟，请稍后再试或联系管理员。")


def locked_out(request, credentials=None, *args, **kwargs) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(MESSAGE)}, status=429)
    return HttpResponse(str(MESSAGE), status=429, content_type="text/plain; charset=utf-8")
