"""Automatic reminders (#24 item 4): the daily schedule made when a task is issued; each run
reminds the units still late for a task whose deadline is within its remind_days — once per
task and unit, in-app and by mail — with a clock the test controls (the scheduler's ``now``)
and the worker loop as tests/web/test_tasks.py runs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event, Project
from jixiao.web.tasks import queue
from jixiao.web.tasks.models import Schedule, Task
from jixiao.web.tasks.worker import Worker
from jixiao.web.year import actions as year
from jixiao.web.year import reminders
from jixiao.web.year.models import Notice

pytestmark = pytest.mark.django_db


def run_at(now):
    """What a worker does at ``now``: due schedules enqueued, then the task run."""
    queued = queue.enqueue_due(now=now)
    for _ in queued:
        task = queue.claim("w1", now=now)
        assert task is not None
        Worker(name="w1").execute(task)
    return [Task.objects.get(pk=t.pk) for t in queued]


def test_a_scheduled_reminder_reaches_the_late_units_once(tree, forms):
    tree.users["filler_a1"].email = "a1@example.cn"
    tree.users["filler_a1"].save()
    a1 = Project.objects.create(code="A1-001", name="甲一项目", unit=tree.unit_a1)
    a2 = Project.objects.create(code="A2-001", name="甲二项目", unit=tree.unit_a2)
    done = actions.forms.create(user=tree.users["filler_a2"], project=a2, form=forms[0])
    actions.workflow.step(user=tree.users["filler_a2"], pk=done.pk, action=Action.SUBMIT)
    deadline = timezone.now() + timedelta(days=10)
    issued = year.issue(
        user=tree.users["admin"],
        year=2023,
        template="national-2020",
        deadline=deadline,
        scope_kind="departments",
        organisations=[tree.dept_a.pk],
        remind_days=3,
    )
    assert [ev.project for ev in issued.drafts] == [a1]
    schedule = Schedule.objects.get(key=reminders.KEY)
    first = schedule.next_run
    assert schedule.name == "year.reminders" and schedule.every == 24 * 3600
    assert first.astimezone(year.SHANGHAI).hour == 9
    # seven days before the deadline: too early, nothing sent
    [early] = run_at(first)
    assert early.state == Task.State.DONE and early.result["sent"] == 0
    assert not Notice.objects.exists() and mail.outbox == []
    # within three days of it: 甲一中心 is late (a draft), 甲二所 has submitted
    [due] = run_at(first + timedelta(days=8))
    assert due.state == Task.State.DONE and due.result["sent"] == 1
    notice = Notice.objects.get()
    assert notice.organisation == tree.unit_a1 and notice.kind == "auto"
    assert notice.task == issued.task and "A1-001" in notice.text
    assert [m.to for m in mail.outbox] == [["a1@example.cn"]]
    assert Event.objects.filter(
        subject=f"notice#{notice.pk}", actor_name="system:reminders"
    ).exists()
    assert "A1-001" in mail.outbox[0].body
    # the next day: the same unit is not reminded again
    [later] = run_at(first + timedelta(days=9))
    assert later.result["sent"] == 0 and Notice.objects.count() == 1 and len(mail.outbox) == 1
    # past the deadline: no more automatic reminders
    [past] = run_at(first + timedelta(days=11))
    assert past.result["sent"] == 0
    assert actions.trail.check().intact


def test_a_task_without_automatic_reminders_sends_none(tree, forms):
    Project.objects.create(code="A1-001", name="甲一项目", unit=tree.unit_a1)
    year.issue(
        user=tree.users["admin"],
        year=2023,
        template="national-2020",
        deadline=timezone.now() + timedelta(days=2),
        remind_days=0,
    )
    assert reminders.due(timezone.now()) == 0 and not Notice.objects.exists()
