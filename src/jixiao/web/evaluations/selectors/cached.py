"""Reads kept between requests until the data changes: the figures of a dashboard, the years
a scope spans, a list's count — cached under the **data version**, so a repeated view costs
one indexed look-up instead of its aggregates.

The version is the trail's head: the id and hash of the latest event
(:class:`jixiao.web.evaluations.models.Event`). Every write that changes a form, a project,
an organisation, an account or a target appends an event in its own transaction, and
appends are serialised until commit (SQLite's write lock, PostgreSQL's advisory lock in
:func:`jixiao.web.evaluations.actions.trail.lock_chain`), so a committed change is always a
new head — in the database, which every server process and machine reads. Nothing has to be
told to forget: a cache entry names the version it was computed at, and a later version
simply asks for other keys (old entries age out of the cache). The hash keeps a restored
older copy of the database, whose head id may come round again, from meeting entries of
the other. The cache itself is Django's (``CACHES`` in settings: per process by default;
a shared one such as Redis or memcached works the same, the keys being the same)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from jixiao.web.evaluations.models import Event

T = TypeVar("T")

TIMEOUT = 3600
"""Seconds an entry is kept at most (a version that stays the head keeps being read)."""


def data_version() -> str:
    """The trail's head as ``id:hash`` (``0`` on an empty trail): one look-up by primary key."""
    head = Event.objects.order_by("-id").values_list("id", "hash").first()
    return version_of(*head) if head else version_of(None, None)


HEAD = Event.objects.order_by("-id")
"""The trail's head as a subquery (``HEAD.values("id")[:1]``): for a query that reads it
beside something else (:func:`jixiao.web.pages.views.page`, with the account)."""


def version_of(head_id: int | None, head_hash: str | None) -> str:
    """The data version of a trail whose head is ``head_id`` and ``head_hash`` (none: empty)."""
    return "0" if head_id is None or head_hash is None else f"{head_id}:{head_hash[:16]}"


def keep_version(request: Any, version: str) -> None:
    """``version`` as the request's (:func:`request_version`), read with another query: only
    for a request that writes nothing before it reads its figures (a GET)."""
    request._jixiao_data_version = version


def request_version(request: Any) -> str:
    """:func:`data_version`, read once a request (kept on it)."""
    version = getattr(request, "_jixiao_data_version", None)
    if version is None:
        version = data_version()
        request._jixiao_data_version = version
    return version


def cached(kind: str, parts: tuple[Hashable, ...], compute: Callable[[], T], version: str) -> T:
    """``compute()``, kept under ``kind``, ``parts`` (the scope and what was asked), the
    request's language and the data ``version``."""
    asked = "\x1f".join([get_language() or "", *map(repr, parts)])
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    key = f"jixiao:{kind}:{version}:{digest}"  # ASCII, short: any cache backend takes it
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value


_MISSING = object()
