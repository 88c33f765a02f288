"""The audit trail: every write appends its event here, in the write's own transaction.

The chain (:mod:`jixiao.domain.trail`): each event stores ``hash = HMAC-SHA256(key, prev_hash +
canonical JSON of its content)`` under the trail key, which lives outside the database
(``JIXIAO_TRAIL_KEY``, or the file ``JIXIAO_TRAIL_KEY_FILE``, mode 0600: :func:`keyring`).
``prev_hash`` is unique and appends are serialised (SQLite's write lock; a PostgreSQL advisory
lock, :func:`lock_chain`), so the chain never forks.

Epochs: the first keyed event is an ``epoch`` event naming its key's id; a database whose
events predate keys (epoch 0, plain sha256) gets it with one ``anchor`` event for every
stored object, recording its state as found (:func:`start_epoch`, run after ``migrate``). A
new key (``jixiao trail-rotate``) starts the next epoch, its event signed by the old key as
well (``handover``).

Each event names its object (``subject``) and the hashes of that object's state after it
(:mod:`jixiao.web.evaluations.states`): :func:`append` for a form's events, :func:`record`
for accounts, organisations, projects and approved targets (called by the model signals of
:mod:`jixiao.web.orgs.audit`, so Django admin's changes are on the trail too), :func:`append_many`
and :func:`record_many` for the synthetic province's bulk loader. :func:`check` walks the chain
and compares every stored object with its last event (``jixiao verify-trail``)."""

from __future__ import annotations

import contextlib
import contextvars
import hmac
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils import timezone

from jixiao.domain import trail
from jixiao.web import trail_key
from jixiao.web.evaluations import states
from jixiao.web.evaluations.models import Evaluation, Event, Evidence
from jixiao.web.trail_key import TrailKeyError

CHAIN_LOCK = 0x6A69786961_6F  # "jixiao": the advisory lock that orders appends on PostgreSQL
ANCHOR = "anchor"
EPOCHS = "epoch"  # the subject of the epoch events (indexed: found without a scan)
NOT_OBJECTS = {EPOCHS, "security"}  # subjects that are not stored objects


def keyring() -> tuple[dict[str, bytes], str]:
    """The trail keys (key id → key) and the current one's id (:mod:`jixiao.web.trail_key`)."""
    return trail_key.keyring(Path(settings.JIXIAO_TRAIL_KEY_FILE))


# Who acts when a model signal records a change (Django admin, the CLI): set by the
# middleware from the request's user, by the CLI and by the actions (``acting``).
_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("jixiao_trail_actor", default=None)


@contextlib.contextmanager
def acting(who: Any) -> Iterator[None]:
    """Changes recorded inside are by ``who`` (a user, or a name such as "cli:root")."""
    token = _actor.set(who)
    try:
        yield
    finally:
        _actor.reset(token)


class Actor:
    """Middleware: the signed-in user is who acts in the signals' events of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(request):
            return self.get_response(request)


def _who() -> tuple[User | None, str]:
    who = _actor.get()
    if who is not None and hasattr(who, "user") and hasattr(who, "META"):  # a request
        who = getattr(who, "user", None)
    if who is None or (hasattr(who, "is_authenticated") and not who.is_authenticated):
        return None, "system"
    if isinstance(who, str):
        return None, who
    return who, who.get_username()


def lock_chain() -> None:
    """Writers append one at a time until they commit. SQLite's write lock
    already does this; PostgreSQL takes a transaction-level advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _head() -> tuple[str, int]:
    last = Event.objects.order_by("-id").values_list("hash", "epoch").first()
    return last if last else (trail.GENESIS, 0)


def _epoch() -> tuple[int, bytes]:
    """The chain's current epoch and its key, starting epoch 1 if there is none; refuses
    to write under a key that is not the current epoch's."""
    ring, current = keyring()
    last = Event.objects.filter(subject=EPOCHS, action=trail.EPOCH).order_by("-epoch").first()
    if last is None:
        return start_epoch(), ring[current]
    recorded = trail.epoch_key(last.content())
    if recorded != current:
        raise TrailKeyError(
            f"本服务器的留痕密钥（{current}）不是审计链第 {last.epoch} 纪元的密钥（{recorded}）："
            "各应用服务器应使用同一密钥；更换密钥请运行 jixiao trail-rotate"
        )
    return last.epoch, ring[current]


def _chain(items: Sequence[Event], epoch: int, key: bytes) -> None:
    prev, _ = _head()
    at = timezone.now().astimezone(UTC)
    for n, item in enumerate(items):
        item.at, item.prev_hash, item.epoch = at + timedelta(microseconds=n), prev, epoch
        item.hash = prev = trail.event_mac(key, prev, item.content())
    Event.objects.bulk_create(items)


@transaction.atomic
def start_epoch(comment: str = "") -> int:
    """Begin the next epoch under the current key: its event names the key (and, after
    a rotation, carries an HMAC of the new key's id and the head under the old key). The
    first epoch anchors every stored object as found: from then on each is checked
    against the chain; what they held before cannot be proved by the keyed chain (only
    the old events' own consistency, by their public hash)."""
    lock_chain()
    ring, current = keyring()
    prev, _ = _head()
    last = Event.objects.filter(subject=EPOCHS, action=trail.EPOCH).order_by("-epoch").first()
    diff: list[dict] = [{"path": "key", "new": current}]
    if last is not None:
        old = trail.epoch_key(last.content()) or ""
        if old == current:
            raise TrailKeyError("当前留痕密钥与上一纪元相同：先在密钥文件末尾加入新密钥")
        if old not in ring:
            raise TrailKeyError(f"密钥文件中没有上一纪元的密钥（{old}），无法交接")
        handover = hmac.new(ring[old], (current + prev).encode(), sha256).hexdigest()
        diff += [{"path": "previous_key", "new": old}, {"path": "handover", "new": handover}]
    epoch = last.epoch + 1 if last else 1
    user, name = _who()
    made = [
        Event(
            actor=user,
            actor_name=name,
            action=trail.EPOCH,
            subject=EPOCHS,
            state_to="",
            version=0,
            diff=diff,
            comment=comment
            or (
                "审计链启用密钥；此前的事件只由公开哈希相连，锚定记录各对象此刻的状态"
                if last is None
                else "更换留痕密钥"
            ),
        )
    ]
    if last is None:
        made += [
            Event(
                actor=user,
                actor_name=name,
                action=ANCHOR,
                state_to=state.get("state", ""),
                version=state.get("version", 0),
                subject=subject,
                evaluation_id=int(subject.partition("#")[2])
                if subject.startswith("evaluation#")
                else None,
                state=trail.state_hashes(state),
            )
            for subject, _label, state in states.every()
        ]
    _chain(made, epoch, ring[current])
    return epoch


def anchor_after_migrate(**kwargs: Any) -> None:
    """post_migrate: a database with events or objects from before keys is re-anchored
    (epoch 1) as soon as it is migrated, if a key is there; otherwise at its first write."""
    if Event.objects.filter(subject=EPOCHS, action=trail.EPOCH).exists():
        return
    if not Event.objects.exists() and not any(True for _ in states.every()):
        return
    with contextlib.suppress(TrailKeyError), acting("migrate"):
        start_epoch()


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
        subject=f"evaluation#{evaluation.pk}",
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
    """Add one event of a form at the chain's head, with the form's state as stored
    now (read back, so the hashes are of what the database holds). ``prev_hash`` is
    unique as well, so a fork is impossible even if the lock were missing. Call it
    inside the write's transaction, after the write."""
    lock_chain()
    epoch, key = _epoch()
    added = event(
        evaluation=evaluation,
        user=user,
        action=action,
        state_from=state_from,
        diff=diff,
        comment=comment,
        field_comments=field_comments,
    )
    added.state = trail.state_hashes(states.of(added.subject))
    _chain([added], epoch, key)
    return added


def append_many(*, events: Sequence[Event]) -> None:
    """Chain ``events`` (from :func:`event`, in order) from the head, a microsecond apart,
    and store them in one statement; a form's last event carries its stored state. Call
    it inside the write's transaction, after the forms are stored."""
    lock_chain()
    epoch, key = _epoch()
    last = {item.evaluation_id or 0: item for item in events}
    stored = Evaluation.objects.in_bulk(list(last))
    files = states.files_of(Evidence.objects.filter(evaluation_id__in=list(last)))
    for pk, item in last.items():
        item.state = trail.state_hashes(states.evaluation(stored[pk], files.get(pk, [])))
    _chain(events, epoch, key)


def _recorded(subject: str) -> dict | None:
    found = (
        Event.objects.filter(subject=subject, epoch__gt=0)
        .order_by("-id")
        .values_list("state", flat=True)
        .first()
    )
    return found


def record(obj: models.Model | str, *, action: str, diff: list | None = None) -> Event | None:
    """An event for a change of an account, organisation, project or approved targets
    (``obj``, or its subject name after a delete), by whoever acts (:func:`acting`), with
    the object's state as stored now; none when that state is already the recorded one."""
    subject = obj if isinstance(obj, str) else states.subject(obj)
    lock_chain()
    epoch, key = _epoch()
    now = trail.state_hashes(states.of(subject))
    if now == _recorded(subject):
        return None
    user, name = _who()
    added = Event(
        actor=user,
        actor_name=name,
        action=action,
        state_to="",
        version=0,
        subject=subject,
        state=now,
        diff=diff or [],
    )
    _chain([added], epoch, key)
    return added


def record_many(objs: Sequence[models.Model], *, action: str = "create") -> None:
    """One event each for objects stored by ``bulk_create`` (no signals), in one statement."""
    if not objs:
        return
    lock_chain()
    epoch, key = _epoch()
    user, name = _who()
    made = []
    for obj in objs:
        subject = states.subject(obj)
        made.append(
            Event(
                actor=user,
                actor_name=name,
                action=action,
                state_to="",
                version=0,
                subject=subject,
                state=trail.state_hashes(states.of(subject)),
            )
        )
    _chain(made, epoch, key)


@dataclass
class Report:
    """What ``verify-trail`` found."""

    count: int = 0
    breaks: list[trail.Break] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    unverifiable: list[int] = field(default_factory=list)
    key_error: str = ""
    head: str = trail.GENESIS
    head_at: datetime | None = None
    epoch: int = 0
    legacy: int = 0

    objects: int = 0
    form_events: int = 0  # the events of forms (the rest: accounts, targets, the security log)
    hashes: set[str] = field(default_factory=set)

    def has(self, head: str) -> bool:
        """Whether ``head`` (a hash kept outside) is an event reached on the chain."""
        return head.strip() in self.hashes

    @property
    def intact(self) -> bool:
        return not (self.breaks or self.differences or self.unverifiable or self.key_error)


def check() -> Report:
    """Walk the chain under the keys there are, then compare every stored object with
    the state its last event recorded, and every evidence file with its sha256."""
    report = Report()
    try:
        ring, current = keyring()
    except TrailKeyError as error:
        ring, current, report.key_error = {}, "", str(error)
    rows = list(Event.objects.order_by("id"))
    report.count = len(rows)
    links = [trail.Link(e.id, e.prev_hash, e.hash, e.content(), e.epoch) for e in rows]
    report.breaks = list(trail.verify_chain(links, ring, report.unverifiable))
    chain, _hanging = trail.walk(links)
    report.hashes = {link.hash for link in chain}
    by_id = {e.id: e for e in rows}
    recorded: dict[str, dict] = {}
    last_key = None
    for link in chain:
        event = by_id[link.id]
        report.legacy += event.epoch == 0
        report.form_events += event.evaluation_id is not None
        if event.action == trail.EPOCH and event.epoch:
            last_key, report.epoch = trail.epoch_key(link.content), event.epoch
        if event.epoch and event.subject and event.subject not in NOT_OBJECTS:
            recorded[event.subject] = event.state or {}
    if chain:
        report.head, report.head_at = chain[-1].hash, by_id[chain[-1].id].at
    if ring and last_key not in (None, current):
        report.key_error = f"审计链最后一个纪元的密钥（{last_key}）不是当前密钥（{current}）"
    if ring and last_key is None and (rows or recorded):
        report.key_error = "审计链没有以密钥开始的纪元：其哈希任何人都能重算，无法证明未被改动"
    seen = set()
    for subject, label, state in states.every():
        seen.add(subject)
        report.objects += 1
        if subject not in recorded:
            report.differences.append(f"{label}：不在审计链上（未经系统写入）")
        elif fields := trail.differing(recorded[subject], trail.state_hashes(state)):
            report.differences.append(f"{label}：{'、'.join(fields)} 与审计链记录的不符")
    for subject, state in recorded.items():
        if subject not in seen and state != states.DELETED:
            report.differences.append(f"{subject}：审计链上有记录，数据库中已不存在（被删除）")
    for form, pk, name in states.evidence_mismatches():
        report.differences.append(
            f"自评表 #{form} 的佐证材料 #{pk}（{name}）：内容与其 sha256 不符"
        )
    return report


def verify() -> tuple[int, list[trail.Break], str]:
    """How many events there are, where the chain breaks, and its head hash."""
    report = check()
    return report.count, report.breaks, report.head


def head_now() -> tuple[str, datetime | None, int, int]:
    """The chain's head hash, its time, how many events and the epoch (``trail-anchor``)."""
    rows = Event.objects.values_list("id", "prev_hash", "hash", "epoch", "at")
    by_prev = {r[1]: r for r in rows}
    prev, last = trail.GENESIS, None
    while prev in by_prev:
        last = by_prev.pop(prev)
        prev = last[2]
    count = len(rows)
    return prev, last[4] if last else None, count, last[3] if last else 0


def rotate() -> int:
    """A new key at the end of the key file (when the keys are in a file), then the next
    epoch under it (``jixiao trail-rotate``)."""
    if not os.environ.get("JIXIAO_TRAIL_KEY"):
        trail_key.add_key(Path(settings.JIXIAO_TRAIL_KEY_FILE))
    with acting("cli"):
        return start_epoch()


def security(*, action: str, user: User | None, name: str, diff: list, comment: str = "") -> Event:
    """A security-log entry (:mod:`jixiao.web.orgs.security`) chained at the head."""
    lock_chain()
    epoch, key = _epoch()
    added = Event(
        actor=user,
        actor_name=name[:150],
        action=action[:16],
        state_to="",
        version=0,
        subject="security",
        diff=diff,
        comment=comment,
    )
    _chain([added], epoch, key)
    return added
