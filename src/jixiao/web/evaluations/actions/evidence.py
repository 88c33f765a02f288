"""佐证材料 per indicator, for the pages and the API alike: the same limits
(:data:`~jixiao.web.evaluations.models.MAX_BYTES`, :data:`~jixiao.web.evaluations.models.TYPES`;
the content parsed as its type, active content refused: :mod:`..evidence_check`),
the same permissions (another unit's form is 404, only the unit's filler while the form is
with the unit may add or remove) and each change an event on the trail in the same
transaction as the file (``evidence_add`` / ``evidence_remove``, the diff naming the file)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from jixiao.domain import workflow
from jixiao.domain.workflow import Role
from jixiao.web.database import forget_deleted
from jixiao.web.evaluations import evidence_check
from jixiao.web.evaluations.models import MAX_BYTES, TYPES, Event, Evidence

from . import access, checks
from . import trail as events
from .errors import Conflict, Forbidden, Invalid, NotFound, ServiceError

ADDED, REMOVED = "evidence_add", "evidence_remove"


def of_form(user: User, pk: int) -> QuerySet[Evidence]:
    """The form's files (without their content), if ``user`` may see the form."""
    return access.get(user, pk).evidence.defer("content")


def one(user: User, pk: int, item: int) -> Evidence:
    """One file of a form ``user`` may see; :class:`NotFound` otherwise."""
    found = access.get(user, pk).evidence.filter(pk=item).first() if checks.db_id(item) else None
    if found is None:
        raise NotFound(_("佐证材料 %(item)s 不存在或无权查看") % {"item": item})
    return found


def add(*, user: User, pk: int, indicator: str, upload: UploadedFile | None) -> Evidence:
    """Store an uploaded file for the indicator of that name, if its type and size are allowed."""
    ev = access.get(user, pk)
    names = {ind.get("name") for ind in ev.data.get("indicators") or []}
    if upload is None or indicator not in names:
        raise ServiceError(_("请选择指标和要上传的文件"))
    checks.fits(Evidence, "indicator", indicator)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in TYPES:
        raise ServiceError(_("佐证材料只能是 %(types)s 文件") % {"types": _("、").join(TYPES)})
    assert upload.size is not None  # Django's upload handlers set it
    if upload.size > MAX_BYTES:
        raise ServiceError(_("文件超过 %(mb)s MB") % {"mb": MAX_BYTES // 1024 // 1024})
    content = upload.read()
    if (reason := evidence_check.refusal(suffix, content)) is not None:
        raise ServiceError(reason)
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
        _record(user=user, pk=pk, action=ADDED, item=trail_item(item))
        _within_limits(ev.pk, indicator)  # counted under _record's lock of the form
    return item


MAX_PER_INDICATOR = 20
MAX_PER_FORM = 100
MAX_FORM_BYTES = 200 * 1024 * 1024
"""佐证材料 of one form: files per indicator, files in all, and their bytes in all."""


def _within_limits(pk: int, indicator: str) -> None:
    files = Evidence.objects.filter(evaluation_id=pk)
    if files.filter(indicator=indicator).count() > MAX_PER_INDICATOR:
        raise Invalid(
            _("每个指标最多 %(limit)s 个佐证材料，请先删除不需要的文件")
            % {"limit": MAX_PER_INDICATOR}
        )
    totals = files.aggregate(n=Count("id"), size=Sum("size"))
    if totals["n"] > MAX_PER_FORM:
        raise Invalid(
            _("每张自评表最多 %(limit)s 个佐证材料，请先删除不需要的文件") % {"limit": MAX_PER_FORM}
        )
    if (totals["size"] or 0) > MAX_FORM_BYTES:
        raise Invalid(
            _("每张自评表的佐证材料合计不能超过 %(mb)s MB，请先删除不需要的文件")
            % {"mb": MAX_FORM_BYTES // 1024 // 1024}
        )


@transaction.atomic
def remove(*, user: User, pk: int, item: int) -> None:
    """Delete one file of the form, with its ``evidence_remove`` event."""
    found = one(user, pk, item)
    removed = trail_item(found)
    found.delete()  # before its event, whose state is the form's without it (refused: undone)
    _record(user=user, pk=pk, action=REMOVED, item=removed)
    transaction.on_commit(forget_deleted)  # the bytes out of the WAL as well


def _record(*, user: User, pk: int, action: str, item: dict) -> Event:
    """The file added or removed on the trail: only the unit's filler (403 for others),
    while the form is with the unit (409 otherwise); the event names the file (``item``:
    indicator, name, size, sha256), so the hash chain covers the files as well. Called in
    the transaction that stores or deletes the file."""
    evaluation = access.get(user, pk, for_update=True)
    place = access.membership(user)
    if place.role_enum is not Role.FILLER or evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以上传或删除佐证材料"))
    if not workflow.editable(evaluation.state_enum):
        raise Conflict(
            _("只有本单位填报人员在草稿或退回状态下可以上传佐证材料")
            if action == ADDED
            else _("只有本单位填报人员在草稿或退回状态下可以删除佐证材料")
        )
    change = {"path": "evidence", "new" if action == ADDED else "old": item}
    return events.append(
        evaluation=evaluation, user=user, action=action, state_from=evaluation.state, diff=[change]
    )


def trail_item(item: Evidence) -> dict:
    """What the trail records of an evidence file (the content is covered by its sha256)."""
    return {
        "indicator": item.indicator,
        "name": item.name,
        "size": item.size,
        "sha256": item.sha256,
    }
