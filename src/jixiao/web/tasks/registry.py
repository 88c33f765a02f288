"""The task functions a worker may run, by name: ``@task("trail.verify")``.

A task function takes a :class:`Context` and the task's arguments (JSON values) and
returns a JSON value (its result, kept on the row). It reports progress through the
context, which also renews the worker's lease and says whether a cancel was asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class Context(Protocol):
    @property
    def task_id(self) -> int: ...

    def progress(self, done: int, total: int, note: str = "") -> None: ...

    def cancelled(self) -> bool: ...


TaskFunction = Callable[..., Any]


@dataclass(frozen=True)
class Registered:
    name: str
    function: TaskFunction
    max_attempts: int
    timeout: int  # seconds


REGISTRY: dict[str, Registered] = {}


def task(
    name: str, *, max_attempts: int = 3, timeout: int = 600
) -> Callable[[TaskFunction], TaskFunction]:
    """Register ``function`` under ``name`` (stable: rows in the queue name it)."""

    def register(function: TaskFunction) -> TaskFunction:
        if name in REGISTRY and REGISTRY[name].function is not function:
            raise ValueError(f"duplicate task name {name!r}")
        REGISTRY[name] = Registered(name, function, max_attempts, timeout)
        return function

    return register


class UnknownTask(LookupError):
    pass


def registered(name: str) -> Registered:
    from jixiao.web.tasks import builtin  # registers the tasks jixiao ships

    builtin.load_all()

    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownTask(f"没有名为 {name!r} 的后台任务") from None
