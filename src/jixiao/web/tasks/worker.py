"""A worker (``jixiao worker``): enqueues what the schedules say is due, claims a task,
runs it under its time limit while a thread renews the lease, and records the result.

One task at a time a process; start several processes (on one machine or many against
one PostgreSQL) for more. A worker killed outright (kill -9) stops renewing its lease;
when the lease runs out another worker takes the task again (attempts counted), so a
task function must be safe to run again: the bulk import files a form once by its
content hash."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from types import FrameType

from django.db import close_old_connections, connection, connections

from jixiao.web.tasks import queue
from jixiao.web.tasks.models import Task
from jixiao.web.tasks.registry import UnknownTask, registered


class TimeLimit(Exception):
    """A task ran past its ``timeout``."""


class _Context:
    """What a task function sees: progress (which renews the lease) and cancellation."""

    def __init__(self, task: Task, worker: str) -> None:
        self.task, self.worker = task, worker

    @property
    def task_id(self) -> int:
        return self.task.pk

    def progress(self, done: int, total: int, note: str = "") -> None:
        queue.progress(self.task, self.worker, done, total, note)

    def cancelled(self) -> bool:
        return Task.objects.filter(pk=self.task.pk, cancel_requested=True).exists()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(self, name: str | None = None, poll: float = 1.0) -> None:
        self.name = name or worker_name()
        self.poll = poll
        self.stopping = threading.Event()

    def run_once(self) -> Task | None:
        """Enqueue due schedules, then run one task if any is due; the task run, or None."""
        if not connection.in_atomic_block:  # (a test's transaction: its connection stays)
            close_old_connections()  # a connection the database dropped while idle
        queue.enqueue_due()
        task = queue.claim(self.name)
        if task is not None:
            self.execute(task)
        return task

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Work until SIGTERM/SIGINT (the task in hand is finished first) or ``until()``."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        while not self.stopping.is_set() and not (until and until()):
            if self.run_once() is None:
                self.stopping.wait(self.poll)

    def execute(self, task: Task) -> None:
        stop = threading.Event()
        beat = threading.Thread(target=self._renew, args=(task, stop), daemon=True)
        beat.start()
        try:
            spec = registered(task.name)
            with _time_limit(task.timeout):
                result = spec.function(_Context(task, self.name), **task.args)
        except TimeLimit:
            queue.fail(task, self.name, f"超过时限 {task.timeout} 秒，已停止")
        except UnknownTask as error:
            queue.fail(task, self.name, str(error), retry=False)
        except Exception as error:  # a task's failure is recorded, the worker goes on
            queue.fail(task, self.name, queue.error_text(error))
        else:
            queue.finish(task, self.name, result)
        finally:
            stop.set()
            beat.join()

    def _renew(self, task: Task, stop: threading.Event) -> None:
        every = max(queue.lease_seconds() / 3, 0.2)
        try:
            while not stop.wait(every):
                if not queue.renew(task, self.name):
                    return
        finally:
            connections.close_all()  # this thread's connection


class _time_limit:
    """SIGALRM after ``seconds`` raises :class:`TimeLimit` in the task (main thread only:
    elsewhere, in tests' threads, the lease alone bounds a task)."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.armed = threading.current_thread() is threading.main_thread()

    def __enter__(self) -> None:
        if self.armed:
            signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)

    @staticmethod
    def _expired(signum: int, frame: FrameType | None) -> None:
        raise TimeLimit


def wait_for(task: Task, seconds: float = 30) -> Task:
    """The task once it has finished (done, failed or cancelled), polling: for tests and
    the CLI."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        task.refresh_from_db()
        if task.state in (Task.State.DONE, Task.State.FAILED, Task.State.CANCELLED):
            return task
        time.sleep(0.1)
    return task
