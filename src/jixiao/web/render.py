"""A form drawn as PDF in a process of its own, bounded in time (#21).

WeasyPrint holds the GIL and the memory of a page while it draws; a slow render in a
server thread slowed every other request (after some 450 renders, several abandoned,
``/login/`` took up to 120 s). Here each PDF is drawn by a child of a fork server
(``multiprocessing``'s forkserver, started once with the writers imported, so a child
starts in milliseconds and shares nothing with the server's threads or its database
connections): at most :data:`AT_ONCE` at a time, each killed after
``JIXIAO_RENDER_SECONDS`` (default 30); a request waiting that long for a free slot is
told the server is busy. xlsx, docx, JSON and CSV are quick and drawn in the thread.

No Django at import: the fork server's children import this module.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

from jixiao.domain.model import Evaluation
from jixiao.writers import Format, UndrawableText, WriteError, write_form

AT_ONCE = max(1, min(4, (os.cpu_count() or 2) // 2))
_slots = threading.BoundedSemaphore(AT_ONCE)
_lock = threading.Lock()
_context: Any = None


class Busy(Exception):
    """Every render slot stayed taken for the whole wait."""


class TooSlow(WriteError):
    """The render took longer than it may and was stopped."""


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


def write(form: Evaluation, fmt: Format, path: Path, limit: float | None = None) -> None:
    """``write_form`` for the web: PDF in a child process killed after ``limit`` seconds
    (:class:`TooSlow`), :class:`Busy` if no slot frees up in that time; the writer's own
    errors (:class:`UndrawableText`, :class:`WriteError`) raised here as they were there."""
    from jixiao import templates

    if fmt is not Format.PDF:
        write_form(form, templates.load(form.template), fmt, path)
        return
    limit = seconds() if limit is None else limit
    if not _slots.acquire(timeout=limit):
        raise Busy()
    try:
        context = _forkserver()
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_draw, args=(form, str(path), send), daemon=True)
        child.start()
        send.close()
        try:
            done = receive.poll(limit)
            outcome = receive.recv() if done else None
        except EOFError:  # the child died without a word (killed, out of memory)
            outcome = ("error", "导出进程意外退出")
        finally:
            receive.close()
            if child.is_alive():
                child.kill()
            child.join()
    finally:
        _slots.release()
    if outcome is None:
        raise TooSlow(str(path), f"导出超过 {limit:g} 秒，已停止")
    if outcome[0] == "undrawable":
        raise UndrawableText(str(path), outcome[1], outcome[2])
    if outcome[0] == "error":
        raise WriteError(str(path), outcome[1])


def _draw(form: Evaluation, path: str, send: Any) -> None:
    """In the child: draw, and say how it went."""
    from jixiao import templates

    try:
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
