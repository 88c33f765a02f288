"""Batch import and export: folders of forms read in parallel, every file
accounted for; forms written to files in parallel (``write_batch``).

Each input file ends as exactly one of: read (its forms), rejected (with a
one-line reason), or a duplicate of an earlier file with the same content
(counted once). Nothing is dropped silently: a workbook's sheets that are not
forms are listed with the file (``skipped``), each with its reason.
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jixiao.domain.model import Evaluation
from jixiao.readers import ReadError, Skipped, read_file

if TYPE_CHECKING:
    from jixiao.writers import Format


@dataclass(frozen=True, slots=True)
class FileResult:
    """What became of one input file."""

    path: str
    forms: tuple[Evaluation, ...] = ()
    error: str | None = None  # why the file was rejected
    duplicate_of: str | None = None  # an earlier file with the same content
    skipped: tuple[Skipped, ...] = ()  # a workbook's sheets that are not forms, and why

    @property
    def rejected(self) -> bool:
        return self.error is not None


@dataclass
class Tally:
    """Running counts for the progress bar and the closing summary."""

    files: int = 0
    forms: int = 0
    rejected: int = 0
    duplicates: int = 0
    sheets_skipped: int = 0  # sheets of workbooks that are not forms
    ignored: list[str] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.forms += len(result.forms)
        self.rejected += result.rejected
        self.duplicates += result.duplicate_of is not None
        self.sheets_skipped += len(result.skipped)


def collect(inputs: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """The files named or found in the named folders, in a stable order; and
    the hidden files left out (a folder's .DS_Store, ~$ lock files)."""
    files: list[Path] = []
    ignored: list[str] = []
    for item in inputs:
        if not item.is_dir():
            files.append(item)  # a missing file is rejected by the reader, with its reason
            continue
        for root, dirs, names in os.walk(item):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                path = Path(root) / name
                (ignored.append(str(path)) if _hidden(name) else files.append(path))
    return files, ignored


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def digest(path: Path) -> str | None:
    """The sha256 of a file's content, or None when it cannot be opened."""
    sha = hashlib.sha256()
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
    except OSError:
        return None
    return sha.hexdigest()


def read_one(path: str, template_id: str | None) -> FileResult:
    """Read one file; any failure becomes a rejection with its reason."""
    if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
        return FileResult(path, error="不是普通文件（管道、设备等），未读取")
    try:
        reading = read_file(path, template_id)
        return FileResult(path, tuple(reading.forms), skipped=reading.skipped)
    except ReadError as error:
        return FileResult(path, error=error.reason)
    except Exception as error:  # a reader bug must not stop the batch; it is reported
        return FileResult(path, error=f"读取时出错（{type(error).__name__}: {error}）")


GC_YOUNG = 20_000
"""Objects made (less those freed) between two collections of the youngest generation
while a batch is read; Python's default is 700. A batch makes many objects that live
(the forms, every value with its Source) and few cycles: at 700, collecting the old
generations again and again took about a fifth of a large import."""


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Garbage collection relaxed while a batch is read: what is alive now (the modules,
    the templates) frozen out of every collection, and the youngest generation
    collected after ``GC_YOUNG`` objects instead of 700. Restored after."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(GC_YOUNG, threshold[0]), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _worker_start() -> None:
    # Workers leave Ctrl-C to the parent, which stops the pool cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker is forked from the parent: the objects it inherits are frozen (a
    # collection would touch, and so copy, every page of them); it collects less.
    gc.freeze()
    gc.set_threshold(max(GC_YOUNG, gc.get_threshold()[0]), *gc.get_threshold()[1:])


def read_batch(
    files: list[Path], template_id: str | None = None, workers: int = 1
) -> Iterator[FileResult]:
    """Results in input order; identical files read once. ``workers`` > 1
    reads in that many processes."""
    first_seen: dict[str, str] = {}
    unique: list[str] = []
    order: list[tuple[str, str | None]] = []  # (path, duplicate_of)
    for path in files:
        key = digest(path)
        if key is not None and key in first_seen:
            order.append((str(path), first_seen[key]))
            continue
        if key is not None:
            first_seen[key] = str(path)
        unique.append(str(path))
        order.append((str(path), None))

    with relaxed_gc():
        results = _read_all(unique, template_id, workers)
        for name, duplicate_of in order:
            yield FileResult(name, duplicate_of=duplicate_of) if duplicate_of else next(results)


def _read_all(paths: list[str], template_id: str | None, workers: int) -> Iterator[FileResult]:
    if workers <= 1 or len(paths) < 2:
        for path in paths:
            yield read_one(path, template_id)
        return
    from concurrent.futures import ProcessPoolExecutor  # here: the CLI's help imports this module

    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
        try:
            chunk = max(1, min(64, len(paths) // (workers * 8)))
            yield from pool.map(read_one, paths, [template_id] * len(paths), chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


# --- export ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    """What became of one form to write: its file, or why it was not written."""

    path: str
    error: str | None = None  # WriteError's message: the file could not be written
    undrawable: bool = False  # refused before drawing: a character no font here has


def write_one(form: Evaluation, fmt: Format, path: str) -> Written:
    """Write one form in its template's layout; a refusal becomes the reason."""
    from jixiao import templates
    from jixiao.writers import UndrawableText, WriteError, write_form

    try:
        write_form(form, templates.load(form.template), fmt, Path(path))
    except UndrawableText as error:
        return Written(path, str(error), undrawable=True)
    except WriteError as error:
        return Written(path, str(error))
    return Written(path)


def _writer_start(fmt: Format) -> None:
    """A worker of an export: Ctrl-C left to the parent, the collector relaxed, the
    writer's libraries and (for PDF) the fonts loaded once before the first form."""
    _worker_start()
    from jixiao.writers import Format

    if fmt is Format.PDF:
        from jixiao.writers import pdf

        pdf.warm()


def write_batch(
    jobs: list[tuple[Evaluation, str]], fmt: Format, workers: int = 1
) -> Iterator[Written]:
    """Each (form, path) written, results in order. ``workers`` > 1 writes in that many
    processes (a PDF costs a fifth of a second; most of it WeasyPrint's layout)."""
    if workers <= 1 or len(jobs) < 2:
        for form, path in jobs:
            yield write_one(form, fmt, path)
        return
    from concurrent.futures import ProcessPoolExecutor

    forms, paths = [f for f, _ in jobs], [p for _, p in jobs]
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_writer_start, initargs=(fmt,)
    ) as pool:
        try:
            # small chunks: a form takes long enough that sending it costs nothing,
            # and the workers finish together
            chunk = max(1, min(8, len(jobs) // (workers * 16)))
            yield from pool.map(write_one, forms, [fmt] * len(jobs), paths, chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
