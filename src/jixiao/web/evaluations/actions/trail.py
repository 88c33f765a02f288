"""The audit trail: every write appends its event here, in the write's own transaction.

Each event stores ``hash = sha256(prev_hash + canonical JSON of its content)``
(:mod:`jixiao.domain.trail`); ``prev_hash`` is unique and appends are serialised (SQLite's
write lock; a PostgreSQL advisory lock, :func:`lock_chain`), so the chain never forks.
:func:`append` adds one event, :func:`append_many` a batch (the synthetic province's bulk
loader), :func:`verify` walks the chain (``jixiao verify-trail``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from jixiao.domain import trail
from jixiao.web.evaluations.models import Evaluation, Event

CHAIN_LOCK = 0x6A69786961_6F  # "jixiao": the advisory lock that orders appends on PostgreSQL


def lock_chain() -> None:
    """Writers append one at a time until they commit. SQLite's write lock
    already does this; PostgreSQL takes a transaction-level advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _head() -> str:
    return Event.objects.order_by("-id").values_list("hash", flat=True).first() or trail.GENESIS


def event(
    *,
    evaluation: Evaluation,
    user: User,
    action: str,
    state_from: str,
    diff: list,
    state_to: str | None = None,
    version: int | None = None,
    comment: str = "",
    field_comments: dict[str, str] | None = None,
) -> Event:
    """An event not yet on the chain (no time, no hashes): the form's state and version
    unless others are given (the bulk loader writes a form's past steps)."""
    return Event(
        evaluation=evaluation,
        actor=user,
        actor_name=user.get_username(),
        action=action,
        state_from=state_from,
        state_to=evaluation.state if state_to is None else state_to,
        version=evaluation.version if version is None else version,
        diff=diff,
        comment=comment,
        field_comments=field_comments or {},
    )


def append(
    *,
    evaluation: Evaluation,
    user: User,
    action: str,
    state_from: str,
    diff: list,
    comment: str = "",
    field_comments: dict[str, str] | None = None,
) -> Event:
    """Add one event at the chain's head (``prev_hash`` is unique as well, so a
    fork is impossible even if the lock were missing). Call it inside the write's
    transaction."""
    lock_chain()
    prev = _head()
    added = event(
        evaluation=evaluation,
        user=user,
        action=action,
        state_from=state_from,
        diff=diff,
        comment=comment,
        field_comments=field_comments,
    )
    added.at = timezone.now().astimezone(UTC)
    added.prev_hash = prev
    added.hash = trail.event_hash(prev, added.content())
    added.save()
    return added


def append_many(*, events: Sequence[Event]) -> None:
    """Chain ``events`` (from :func:`event`, in order) from the head, a microsecond apart,
    and store them in one statement. Call it inside the write's transaction."""
    lock_chain()
    prev = _head()
    at = timezone.now()
    for n, item in enumerate(events):
        item.at, item.prev_hash = at + timedelta(microseconds=n), prev
        item.hash = prev = trail.event_hash(prev, item.content())
    Event.objects.bulk_create(events)


def verify() -> tuple[int, list[trail.Break], str]:
    """How many events there are, where the chain breaks, and its head hash."""
    links = [
        trail.Link(e.id, e.prev_hash, e.hash, e.content()) for e in Event.objects.order_by("id")
    ]
    return len(links), list(trail.verify_chain(links)), trail.head(links)
