"""Workers as processes: the one ``jixiao serve`` starts beside the web server (the
embedded default: one command runs everything), and the schedules jixiao sets up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from jixiao.web.tasks import queue

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 24 * 3600
PARENT = "JIXIAO_WORKER_PARENT"  # the pid of the jixiao serve that started a worker


def start_worker(data_dir: Path) -> subprocess.Popen:
    """``jixiao worker`` as a child process on the same data directory (and the same
    ``DATABASE_URL``, inherited)."""
    return subprocess.Popen(
        [sys.executable, "-m", "jixiao", "worker", "--data-dir", str(data_dir)],
        env={**os.environ, PARENT: str(os.getpid())},
    )


def parent_gone() -> Callable[[], bool] | None:
    """For a worker ``jixiao serve`` started: whether that server has gone (killed
    outright, it could not stop its worker), so the worker stops too."""
    parent = os.environ.get(PARENT)
    if not parent:
        return None
    return lambda: os.getppid() != int(parent)


def stop_worker(child: subprocess.Popen, seconds: float = 30) -> None:
    """SIGTERM (the worker finishes the task in hand), then SIGKILL after ``seconds``
    (its lease then runs out and another worker takes the task again)."""
    child.terminate()
    try:
        child.wait(seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def next_at(hour: int, now: datetime | None = None) -> datetime:
    """The next ``hour``:00 in Beijing time (where the offices are), as an aware time."""
    here = (now or timezone.now()).astimezone(SHANGHAI)
    at = datetime.combine(here.date(), time(hour), SHANGHAI)
    return at if at > here else at + timedelta(days=1)


def ensure_schedules() -> None:
    """The schedules every deployment has, made once: the audit trail verified nightly
    at 02:00 Beijing time; with ``JIXIAO_BACKUP_DIR`` set, a backup at 03:00; expired task
    files swept at 04:00."""
    queue.schedule("trail.verify.nightly", "trail.verify", DAY, first=next_at(2))
    queue.schedule("tasks.sweep.nightly", "tasks.sweep", DAY, first=next_at(4))
    if getattr(settings, "JIXIAO_BACKUP_DIR", ""):
        queue.schedule("backup.nightly", "backup.nightly", DAY, first=next_at(3))
