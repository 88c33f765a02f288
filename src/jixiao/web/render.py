"""A form drawn as PDF in a process of its own, bounded in time (#21).

WeasyPrint holds the GIL and the memory of a page while it draws; a slow render in a
server thread slowed every other request (after some 450 renders, several abandoned,
``/login/`` took up to 120 s). Here each PDF is drawn by a child of a fork server
(``multiprocessing``'s forkserver, started once with the writers imported, so a child
starts in milliseconds and shares nothing with the server's threads or its database
connections): at most :data:`AT_ONCE` at a time and :data:`WAITING` more in line (any
further request is told at once that the server is busy, so PDFs never tie up the threads
the other pages need), each killed after ``JIXIAO_RENDER_SECONDS`` (default 30) or when its
client goes away. xlsx, docx, JSON and CSV are quick and drawn in the thread.

No Django at import: the fork server's children import this module.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jixiao.domain.model import Evaluation
from jixiao.writers import Format, UndrawableText, WriteError, write_form

AT_ONCE = max(1, min(4, (os.cpu_count() or 2) // 2))
"""PDFs drawn at the same time (half the cores: the pages keep the rest)."""
WAITING = 2 * AT_ONCE
"""Requests that may wait for a render slot; any beyond are told at once the server is busy,
so PDF downloads never hold more than AT_ONCE + WAITING of the server's threads."""
_slots = threading.BoundedSemaphore(AT_ONCE)
_lock = threading.Lock()
_in_flight = 0
_context: Any = None
_TICK = 0.25  # how often a wait looks whether its client has gone


class Busy(Exception):
    """Every render slot stayed taken for the whole wait."""


class TooSlow(WriteError):
    """The render took longer than it may and was stopped."""


class Abandoned(WriteError):
    """The client left before the PDF was drawn; the render was stopped."""


def seconds() -> float:
    return float(os.environ.get("JIXIAO_RENDER_SECONDS", "30"))


def _forkserver() -> Any:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["jixiao.web.render", "jixiao.writers.pdf"])
            _context = context
        return _context


def write(
    form: Evaluation,
    fmt: Format,
    path: Path,
    limit: float | None = None,
    gone: Callable[[], bool] | None = None,
) -> None:
    """``write_form`` for the web: PDF in a child process killed after ``limit`` seconds
    (:class:`TooSlow`) or as soon as ``gone()`` says the client has left (waitress's
    ``waitress.client_disconnected``; :class:`Abandoned`); :class:`Busy` when
    :data:`WAITING` requests already wait or no slot frees up within ``limit``; the
    writer's own errors (:class:`UndrawableText`, :class:`WriteError`) raised here as
    they were raised there."""
    global _in_flight
    from jixiao import templates

    if fmt is not Format.PDF:
        write_form(form, templates.load(form.template), fmt, path)
        return
    limit = seconds() if limit is None else limit
    with _lock:
        if _in_flight >= AT_ONCE + WAITING:
            raise Busy()
        _in_flight += 1
    try:
        _take_slot(limit, gone)
        try:
            outcome = _in_child(form, path, limit, gone)
        finally:
            _slots.release()
    finally:
        with _lock:
            _in_flight -= 1
    if outcome is None:
        raise TooSlow(str(path), f"导出超过 {limit:g} 秒，已停止")
    if outcome[0] == "gone":
        raise Abandoned(str(path), "客户端已断开，导出已停止")
    if outcome[0] == "undrawable":
        raise UndrawableText(str(path), outcome[1], outcome[2])
    if outcome[0] == "error":
        raise WriteError(str(path), outcome[1])


def _take_slot(limit: float, gone: Callable[[], bool] | None) -> None:
    deadline = time.monotonic() + limit
    while not _slots.acquire(timeout=min(_TICK, max(0.0, deadline - time.monotonic()))):
        if time.monotonic() >= deadline or (gone is not None and gone()):
            raise Busy()


def _in_child(
    form: Evaluation, path: Path, limit: float, gone: Callable[[], bool] | None
) -> tuple | None:
    """Draw in a fork-server child; its outcome, ``("gone",)``, or None past ``limit``."""
    context = _forkserver()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_draw, args=(form, str(path), send), daemon=True)
    child.start()
    send.close()
    deadline = time.monotonic() + limit
    outcome: tuple | None = None
    try:
        while (left := deadline - time.monotonic()) > 0:
            if gone is not None and gone():
                outcome = ("gone",)
                break
            if receive.poll(min(_TICK, left)):
                outcome = receive.recv()
                break
    except EOFError:  # the child died without a word (killed, out of memory)
        outcome = ("error", "导出进程意外退出")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    return outcome


def _draw(form: Evaluation, path: str, send: Any) -> None:
    """In the child: draw, and say how it went."""
    from jixiao import templates

    try:
        os.nice(10)  # the server's threads first: a page is a user waiting, a PDF can wait
        write_form(form, templates.load(form.template), Format.PDF, Path(path))
        send.send(("ok",))
    except UndrawableText as error:
        send.send(("undrawable", error.reason, error.chars))
    except WriteError as error:
        send.send(("error", error.reason))
    except Exception as error:  # a writer bug: reported, never a hung request
        send.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        send.close()
