"""The queue's writes: enqueue, claim, renew, finish, fail, cancel, and the schedules.

Every change of a task's state is one conditional UPDATE (``filter(…).update(…)``, a
compare-and-set the database does atomically on SQLite and PostgreSQL alike): of two
workers claiming one task, or moving one schedule on, exactly one row count is 1."""

from __future__ import annotations

import traceback
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jixiao.web.tasks.models import Schedule, Task
from jixiao.web.tasks.registry import registered

State = Task.State


def lease_seconds() -> int:
    """How long a worker holds a task without renewing it (``JIXIAO_TASK_LEASE``)."""
    return int(getattr(settings, "JIXIAO_TASK_LEASE", 60))


def enqueue(
    name: str,
    args: dict[str, Any] | None = None,
    *,
    by: Any = None,
    run_after: datetime | None = None,
    schedule: Schedule | None = None,
) -> Task:
    """A task queued to run ``name`` with ``args`` (the function must be registered)."""
    spec = registered(name)
    return Task.objects.create(
        name=name,
        args=args or {},
        max_attempts=spec.max_attempts,
        timeout=spec.timeout,
        run_after=run_after or timezone.now(),
        created_by=by,
        schedule=schedule,
    )


def claim(worker: str, now: datetime | None = None) -> Task | None:
    """The next task due, taken by ``worker`` for one lease: a queued one, or a running
    one whose worker's lease ran out (the worker died). None when there is none."""
    now = now or timezone.now()
    due = Q(state=State.QUEUED, run_after__lte=now) | Q(state=State.RUNNING, lease_until__lt=now)
    for pk, state, lease in (
        Task.objects.filter(due)
        .order_by("run_after", "pk")
        .values_list("pk", "state", "lease_until")[:20]
    ):
        taken = Task.objects.filter(pk=pk, state=state, lease_until=lease).update(
            state=State.RUNNING,
            worker=worker,
            lease_until=now + timedelta(seconds=lease_seconds()),
            started_at=now,
        )
        if taken:
            task = Task.objects.get(pk=pk)
            if task.attempts >= task.max_attempts:  # died on its last attempt
                fail(task, worker, "执行进程在任务运行中退出，已达最多尝试次数", retry=False)
                continue
            Task.objects.filter(pk=pk).update(attempts=task.attempts + 1)
            task.attempts += 1
            return task
    return None


def renew(task: Task, worker: str) -> bool:
    """Extend the lease; False when the task is no longer this worker's."""
    until = timezone.now() + timedelta(seconds=lease_seconds())
    return bool(
        Task.objects.filter(pk=task.pk, state=State.RUNNING, worker=worker).update(
            lease_until=until
        )
    )


def progress(task: Task, worker: str, done: int, total: int, note: str = "") -> bool:
    until = timezone.now() + timedelta(seconds=lease_seconds())
    return bool(
        Task.objects.filter(pk=task.pk, state=State.RUNNING, worker=worker).update(
            done=done, total=total, note=note[:300], lease_until=until
        )
    )


def finish(task: Task, worker: str, result: Any) -> bool:
    """Done, if the task is still this worker's (a worker whose lease ran out and whose
    task was taken again does not overwrite the new run)."""
    return bool(
        Task.objects.filter(pk=task.pk, state=State.RUNNING, worker=worker).update(
            state=State.DONE, result=result, finished_at=timezone.now(), lease_until=None
        )
    )


def fail(task: Task, worker: str, error: str, *, retry: bool = True) -> bool:
    """Failed this attempt: queued again (after a short wait) while attempts remain,
    else failed for good with the reason."""
    again = retry and task.attempts < task.max_attempts
    now = timezone.now()
    changes: dict[str, Any] = {"error": error[-4000:], "lease_until": None}
    if again:
        changes |= {"state": State.QUEUED, "run_after": now + timedelta(seconds=2**task.attempts)}
    else:
        changes |= {"state": State.FAILED, "finished_at": now}
    return bool(
        Task.objects.filter(pk=task.pk, state=State.RUNNING, worker=worker).update(**changes)
    )


def cancel(task: Task) -> None:
    """A queued task is cancelled at once; a running one is asked to stop (its function
    sees ``context.cancelled()``; what it did so far stays)."""
    if not Task.objects.filter(pk=task.pk, state=State.QUEUED).update(
        state=State.CANCELLED, finished_at=timezone.now()
    ):
        Task.objects.filter(pk=task.pk, state=State.RUNNING).update(cancel_requested=True)


def error_text(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error)).strip()


def schedule(
    key: str, name: str, every: int, *, first: datetime, args: dict | None = None
) -> Schedule:
    """A schedule made once (kept as it is when it exists: an administrator may have
    changed it)."""
    registered(name)
    made, _ = Schedule.objects.get_or_create(
        key=key, defaults={"name": name, "every": every, "next_run": first, "args": args or {}}
    )
    return made


def enqueue_due(now: datetime | None = None) -> list[Task]:
    """Enqueue the run of every schedule that is due, each once: the worker that moves a
    schedule's ``next_run`` on enqueues it."""
    now = now or timezone.now()
    queued = []
    for made in Schedule.objects.filter(enabled=True, next_run__lte=now):
        following = made.next_run
        while following <= now:  # runs missed while no worker ran are not caught up
            following += timedelta(seconds=made.every)
        if Schedule.objects.filter(pk=made.pk, next_run=made.next_run).update(next_run=following):
            queued.append(enqueue(made.name, made.args, schedule=made))
    return queued
