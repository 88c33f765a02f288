"""Background tasks (jixiao.web.tasks): the queue's compare-and-set steps, retries with a
limit, time limits, leases that run out, schedules with a clock the test controls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jixiao.web.tasks import process, queue
from jixiao.web.tasks.models import Schedule, Task
from jixiao.web.tasks.registry import UnknownTask
from jixiao.web.tasks.worker import Worker

pytestmark = pytest.mark.django_db
State = Task.State


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_a_task_runs_and_keeps_its_result_and_progress():
    task = queue.enqueue("selftest.sleep", {"seconds": 0.05, "steps": 5})
    assert task.state == State.QUEUED
    ran = Worker(name="w1").run_once()
    assert ran is not None and ran.pk == task.pk
    task.refresh_from_db()
    assert task.state == State.DONE and task.result == {"slept": 0.05}
    assert (task.done, task.total, task.note) == (5, 5, "第 5 步")
    assert task.attempts == 1 and task.worker == "w1" and task.finished_at is not None
    assert Worker(name="w1").run_once() is None  # nothing left


def test_a_failing_task_is_retried_up_to_its_limit_then_failed_with_its_reason():
    task = queue.enqueue("selftest.fail", {"message": "表格读不出"})
    assert task.max_attempts == 3
    for attempt in (1, 2, 3):
        claimed = queue.claim("w1", now=later(60 * attempt))  # past each retry's wait
        assert claimed is not None and claimed.attempts == attempt
        Worker(name="w1").execute(claimed)
        task.refresh_from_db()
        assert task.state == (State.FAILED if attempt == 3 else State.QUEUED)
    assert "表格读不出" in task.error
    assert queue.claim("w1", now=later(3600)) is None


def test_a_task_past_its_time_limit_is_stopped():
    task = queue.enqueue("selftest.sleep", {"seconds": 5, "steps": 50})
    Task.objects.filter(pk=task.pk).update(timeout=1, max_attempts=1)
    Worker(name="w1").run_once()
    task.refresh_from_db()
    assert task.state == State.FAILED and "超过时限 1 秒" in task.error
    assert task.done < 50


def test_a_dead_workers_task_is_taken_again_when_its_lease_runs_out(settings):
    settings.JIXIAO_TASK_LEASE = 30
    task = queue.enqueue("selftest.sleep", {"seconds": 0.01, "steps": 1})
    first = queue.claim("dead", now=timezone.now())
    assert first is not None and first.attempts == 1
    assert queue.claim("alive", now=later(10)) is None  # the lease still runs
    again = queue.claim("alive", now=later(31))
    assert again is not None and again.pk == task.pk and again.attempts == 2
    assert not queue.finish(first, "dead", {"late": True})  # no longer its task
    Worker(name="alive").execute(again)
    task.refresh_from_db()
    assert task.state == State.DONE and task.result == {"slept": 0.01} and task.worker == "alive"


def test_a_task_whose_worker_died_on_its_last_attempt_fails_saying_so(settings):
    settings.JIXIAO_TASK_LEASE = 30
    task = queue.enqueue("selftest.sleep")
    Task.objects.filter(pk=task.pk).update(max_attempts=1)
    assert queue.claim("dead", now=timezone.now()) is not None
    assert queue.claim("alive", now=later(31)) is None
    task.refresh_from_db()
    assert task.state == State.FAILED and "执行进程在任务运行中退出" in task.error


def test_only_one_of_two_claims_of_one_task_wins():
    task = queue.enqueue("selftest.sleep")
    now = timezone.now()
    assert queue.claim("a", now=now).pk == task.pk
    assert queue.claim("b", now=now) is None
    assert Task.objects.get(pk=task.pk).worker == "a"


def test_cancel_a_queued_task_and_ask_a_running_one_to_stop():
    queued = queue.enqueue("selftest.sleep")
    queue.cancel(queued)
    queued.refresh_from_db()
    assert queued.state == State.CANCELLED and queue.claim("w", now=later(1)) is None
    running = queue.enqueue("selftest.sleep", {"seconds": 1, "steps": 10})
    claimed = queue.claim("w")
    queue.cancel(claimed)
    Worker(name="w").execute(claimed)
    running.refresh_from_db()
    assert running.result == {"cancelled_at": 0}


def test_an_unknown_task_is_refused_when_queued_and_failed_when_run():
    with pytest.raises(UnknownTask, match="没有名为 'nope' 的后台任务"):
        queue.enqueue("nope")
    task = queue.enqueue("selftest.sleep")
    Task.objects.filter(pk=task.pk).update(name="gone.since")
    Worker(name="w").run_once()
    task.refresh_from_db()
    assert task.state == State.FAILED and "gone.since" in task.error and task.attempts == 1


def test_a_schedule_enqueues_each_run_once_and_does_not_catch_up():
    start = timezone.now()
    made = queue.schedule("nightly", "selftest.sleep", 3600, first=start + timedelta(minutes=5))
    assert queue.enqueue_due(now=start) == []
    due = start + timedelta(minutes=6)
    assert [t.name for t in queue.enqueue_due(now=due)] == ["selftest.sleep"]
    assert queue.enqueue_due(now=due) == []  # a second worker at the same moment
    made.refresh_from_db()
    assert made.next_run == start + timedelta(minutes=65)
    three_days = start + timedelta(days=3)
    assert len(queue.enqueue_due(now=three_days)) == 1  # missed runs are not caught up
    assert Task.objects.filter(schedule=made).count() == 2
    queue.schedule("nightly", "selftest.fail", 60, first=start)  # made once: kept as it is
    assert Schedule.objects.get(key="nightly").name == "selftest.sleep"


def test_the_nightly_trail_check_is_scheduled_at_two_in_beijing_time():
    process.ensure_schedules()
    nightly = Schedule.objects.get(key="trail.verify.nightly")
    beijing = nightly.next_run.astimezone(process.SHANGHAI)
    assert (beijing.hour, beijing.minute, nightly.every) == (2, 0, 86400)
    assert nightly.next_run > timezone.now()
    task = queue.enqueue("trail.verify")
    Worker(name="w").run_once()
    task.refresh_from_db()
    assert task.state == State.DONE and task.result["intact"] is True


@pytest.mark.django_db(transaction=True)  # a backup reads the database from outside a transaction
def test_the_nightly_backup_where_a_folder_is_set(settings, tmp_path):
    assert not Schedule.objects.filter(key="backup.nightly").exists()
    process.ensure_schedules()
    assert not Schedule.objects.filter(key="backup.nightly").exists()  # off by default
    settings.JIXIAO_BACKUP_DIR = str(tmp_path / "copies")
    settings.JIXIAO_BACKUP_KEEP = 2
    process.ensure_schedules()
    nightly = Schedule.objects.get(key="backup.nightly")
    assert nightly.next_run.astimezone(process.SHANGHAI).hour == 3
    (tmp_path / "copies").mkdir()
    for stamp in ("20200101-0300", "20200102-0300"):
        (tmp_path / "copies" / f"jixiao-{stamp}.backup").write_bytes(b"old")
    task = queue.enqueue("backup.nightly")
    Worker(name="w").run_once()
    task.refresh_from_db()
    assert task.state == State.DONE, task.error
    made = Path(task.result["file"])
    assert made.is_file() and made.stat().st_mode & 0o777 == 0o600 and task.result["bytes"] > 0
    left = sorted(p.name for p in (tmp_path / "copies").iterdir())
    assert left == ["jixiao-20200102-0300.backup", made.name]  # the oldest gone
