"""An uploaded form file kept with the form it became.

:func:`jixiao.web.evaluations.uploads.read_upload` (the API's and the pages' upload)
hands the file to :func:`pending`; when the form read from it is stored (the
``create`` action saves a new :class:`~jixiao.web.evaluations.models.Evaluation` whose
source is that file), :func:`kept` stores the file beside it in the same transaction,
with its own event on the trail (``source_keep``: name, size, sha256). What no form
took by the end of the request (a refused upload) is forgotten (:func:`forget`)."""

from __future__ import annotations

import contextvars
import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Pending:
    name: str
    content: bytes
    sha256: str


_pending: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
    "jixiao_source_pending", default=None
)


def pending(name: str, content: bytes) -> None:
    """The file just read for an upload (at most ``uploads.MAX_UPLOAD`` bytes, which
    the upload checked): kept with the form stored from it, if any."""
    _pending.set(Pending(name, content, hashlib.sha256(content).hexdigest()))


def forget(**_kwargs: Any) -> None:
    _pending.set(None)


def kept(sender: Any, instance: Any, created: bool, **_kwargs: Any) -> None:
    """post_save of a form: a new one read from the pending upload keeps that file."""
    found = _pending.get()
    if not created or found is None:
        return
    source = (instance.data or {}).get("source") or {}
    if source.get("file") != found.name:
        return
    from jixiao.web.evaluations.actions import trail
    from jixiao.web.sources.models import SourceFile

    _pending.set(None)
    item = SourceFile.objects.create(
        evaluation=instance,
        name=found.name[:200],
        size=len(found.content),
        sha256=found.sha256,
        content=found.content,
    )
    trail.record(item, action="source_keep", diff=[{"path": "source_file", "new": state(item)}])


def state(item: Any) -> dict:
    """What the trail records of a kept file (its content is covered by its sha256)."""
    return {
        "evaluation": item.evaluation_id,
        "name": item.name,
        "size": item.size,
        "sha256": item.sha256,
    }
