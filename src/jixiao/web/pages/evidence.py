"""佐证材料 served: a file as an attachment (the writes and the reads are
:mod:`jixiao.web.evaluations.actions.evidence`, for the pages and the API alike)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

from jixiao.web.evaluations.models import Evidence


def download(item: Evidence) -> HttpResponse:
    """The file as an attachment under its own name, never sniffed into another type."""
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
