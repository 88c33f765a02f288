"""佐证材料 per indicator, for the pages and the API alike: the same limits
(:data:`~jixiao.web.pages.models.MAX_BYTES`, :data:`~jixiao.web.pages.models.TYPES`),
the same permissions (the services': another unit's form is 404, only the unit's
filler while the form is with the unit may add or remove) and each change an
event on the trail in the same transaction as the file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from jixiao.readers import sniff
from jixiao.web.evaluations import services
from jixiao.web.pages.models import MAX_BYTES, TYPES, Evidence


def of_form(user: User, pk: int) -> QuerySet[Evidence]:
    """The form's files (without their content), if ``user`` may see the form."""
    return services.get(user, pk).evidence.defer("content")


def one(user: User, pk: int, item: int) -> Evidence:
    """One file of a form ``user`` may see; :class:`services.NotFound` otherwise."""
    found = (
        services.get(user, pk).evidence.filter(pk=item).first()
        if 0 < item <= services._DB_INT
        else None
    )
    if found is None:
        raise services.NotFound(_("佐证材料 %(item)s 不存在或无权查看") % {"item": item})
    return found


def add(user: User, pk: int, indicator: str, upload: UploadedFile | None) -> Evidence:
    """Store an uploaded file for the indicator of that name, if its type and size are allowed."""
    ev = services.get(user, pk)
    names = {ind.get("name") for ind in ev.data.get("indicators") or []}
    if upload is None or indicator not in names:
        raise services.ServiceError(_("请选择指标和要上传的文件"))
    services.fits(Evidence, "indicator", indicator)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in TYPES:
        raise services.ServiceError(
            _("佐证材料只能是 %(types)s 文件") % {"types": _("、").join(TYPES)}
        )
    assert upload.size is not None  # Django's upload handlers set it
    if upload.size > MAX_BYTES:
        raise services.ServiceError(_("文件超过 %(mb)s MB") % {"mb": MAX_BYTES // 1024 // 1024})
    content = upload.read()
    if not _content_is(suffix, content):
        raise services.ServiceError(
            _("文件内容不是 %(suffix)s 文件（扩展名与内容不符），未上传")
            % {"suffix": suffix.lstrip(".")}
        )
    with transaction.atomic():  # the file and its trail event, or neither
        item = Evidence.objects.create(
            evaluation=ev,
            indicator=indicator,
            name=Path(upload.name or "").name[:200],
            content_type=TYPES[suffix],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by=user.get_username(),
        )
        services.record_evidence(user, pk, services.EVIDENCE_ADDED, trail_item(item))
    return item


_SIGNATURES = {".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}


def _content_is(suffix: str, content: bytes) -> bool:
    """Whether the file holds what its name says (by its first bytes, as the
    readers tell PDF, xlsx and docx apart): an HTML page named x.pdf is not
    kept, so no one downloads a page or a program as evidence."""
    if suffix in _SIGNATURES:
        return content.startswith(_SIGNATURES[suffix])
    return sniff(content) == suffix.lstrip(".")


def remove(user: User, pk: int, item: int) -> None:
    found = one(user, pk, item)
    with transaction.atomic():
        services.record_evidence(user, pk, services.EVIDENCE_REMOVED, trail_item(found))
        found.delete()


def trail_item(item: Evidence) -> dict:
    """What the trail records of an evidence file (the content is covered by its sha256)."""
    return {
        "indicator": item.indicator,
        "name": item.name,
        "size": item.size,
        "sha256": item.sha256,
    }


def download(item: Evidence) -> HttpResponse:
    """The file as an attachment under its own name, never sniffed into another type."""
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
