"""What every answer carries at the edge (``jixiao.web.edge.Edge``, a middleware):

* ``Cache-Control: no-store`` (and ``private``) on everything Django answers — signed-in
  pages, the API, downloads, the login page — so no browser or proxy cache keeps a form,
  an evidence file or a token; the static files (htmx, ECharts, CSS), which WhiteNoise
  answers before this middleware, stay cacheable;
* a Content-Security-Policy that allows scripts, styles, images and connections from this
  server only, no inline script or style (the templates have none: htmx is configured from
  its ``<meta>`` not to add its indicator ``<style>`` nor to evaluate attributes), no
  plugins, no framing, forms posting here only;
* a body larger than :data:`MAX_BODY` refused with 413 before it is read;
* under ``/api/`` every error in JSON ``{"detail": …}`` — Django's 404 and 500 pages,
  405 for a method the path does not take, 413 for an oversized body — so an API client
  never has to parse HTML.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from jixiao.web.evaluations.uploads import MAX_UPLOAD

MAX_BODY = MAX_UPLOAD + 1024 * 1024
"""Bytes of a request body: the largest upload (a form file, 20 MB) with room for its
multipart wrapping; an evidence file (10 MB) and any JSON fit well inside."""

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # the favicon is data:, (none to fetch)
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _messages() -> dict[int, str]:
    return {
        400: _("请求无效"),
        403: _("无权执行此操作"),
        404: _("未找到"),
        405: _("不支持该请求方法"),
        413: _("请求内容过大（上限 %(mb)d MB）") % {"mb": MAX_BODY // 1024 // 1024},
        500: _("服务器内部错误，请稍后再试或联系管理员"),
    }


def api_error(status: int) -> JsonResponse:
    detail = _messages().get(status) or _messages()[500 if status >= 500 else 400]
    return JsonResponse({"detail": detail}, status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/") or request.path_info == "/api"


def _too_big(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return api_error(413)
    return HttpResponse(_messages()[413], status=413, content_type="text/plain; charset=utf-8")


class Edge:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > body_limit(request):
            with translation.override(translation.get_language_from_request(request)):
                response = _too_big(request)
        else:
            response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            with translation.override(translation.get_language_from_request(request)):
                response = api_error(response.status_code)
        add_never_cache_headers(response)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


BULK_PATHS = ("/imports/", "/api/imports")
"""Where a bulk import's files are posted: their body may be as large as the bulk
import allows (``JIXIAO_BULK_BYTES``), every other body :data:`MAX_BODY`."""


def body_limit(request: HttpRequest) -> int:
    if request.path_info in BULK_PATHS:
        return int(getattr(settings, "JIXIAO_BULK_BYTES", MAX_BODY)) + 1024 * 1024
    return MAX_BODY


def _is_json(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        return isinstance(json.loads(response.content), dict)
    except (ValueError, AttributeError):
        return False


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400: a body over Django's own limits (RequestDataTooBig) is a 413."""
    from django.views import defaults

    if isinstance(exception, RequestDataTooBig):
        return _too_big(request)
    return defaults.bad_request(request, exception)
