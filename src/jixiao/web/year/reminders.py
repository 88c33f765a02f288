"""Automatic reminders (自动催报, #24 item 4): a schedule runs ``year.reminders`` every day
at 09:00 Beijing time; each run reminds, once per task and unit, the units still late for a
task whose deadline is at most ``remind_days`` days away (and not past). The schedule is
made when the first task is issued (:func:`ensure_schedule`).

A run acts for the moment its schedule came due (the schedule's slot: ``next_run`` less one
interval after the scheduler moved it on), so what it sends depends on the clock the
scheduler was given — a test's — not on when a worker happened to take it up."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jixiao.web.tasks.registry import Context, task

NAME = "year.reminders"
KEY = "year.reminders.daily"
DAY = 24 * 3600


def ensure_schedule() -> None:
    """The daily schedule of automatic reminders, made once (09:00 Beijing time)."""
    from jixiao.web.tasks import process, queue

    queue.schedule(KEY, NAME, DAY, first=process.next_at(9))


def _slot(context: Context) -> datetime:
    from jixiao.web.tasks.models import Task

    run = Task.objects.select_related("schedule").get(pk=context.task_id)
    if run.schedule is not None:
        return run.schedule.next_run - timedelta(seconds=run.schedule.every)
    return timezone.now()


@task(NAME, max_attempts=2, timeout=1800)
def send_due(context: Context, at: str = "") -> dict[str, Any]:
    """The reminders due at the run's moment (``at``, ISO time, for a run by hand)."""
    now = parse_datetime(at) if at else _slot(context)
    assert now is not None
    return {"at": now.isoformat(), "sent": due(now)}


def due(now: datetime) -> int:
    """Remind, once per task and unit, the late units of every task whose deadline is
    within its ``remind_days`` of ``now``; how many notices were sent."""
    from jixiao.web.orgs.models import Organisation
    from jixiao.web.year import actions, selectors
    from jixiao.web.year.models import Notice, SelfEvaluationTask

    bureau = Organisation.objects.filter(kind=Organisation.Kind.BUREAU).first()
    if bureau is None:
        return 0
    sent = 0
    for chosen in SelfEvaluationTask.objects.filter(remind_days__gt=0, deadline__gt=now):
        if chosen.deadline - timedelta(days=chosen.remind_days) > now:
            continue
        reminded = set(
            Notice.objects.filter(task=chosen, kind=Notice.Kind.AUTO).values_list(
                "organisation_id", flat=True
            )
        )
        for late in selectors.late_units(chosen, bureau):
            if late.unit.pk in reminded:
                continue
            with transaction.atomic():
                actions.notify(
                    organisation=late.unit,
                    task=chosen,
                    text=actions.reminder_text(chosen, late.unit, late.missing),
                    kind=Notice.Kind.AUTO,
                    sender=None,
                )
            sent += 1
    return sent
