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
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jixiao.domain.model import Evaluation
from jixiao.readers import ReadError, Skipped, read_file

if TYPE_CHECKING:
    from jixiao.writers import Format
    from jixiao.writers.layout import Grid
    from jixiao.writers.pdf import Fonts


T = TypeVar("T")


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
    pages: int = 0  # the pages it takes in a merged PDF (write_merged)


def _refusal(path: str, write: Callable[..., None], *args: Any) -> Written:
    """``write(*args)`` writing ``path``; its refusal as the reason."""
    from jixiao.writers import UndrawableText, WriteError

    try:
        write(*args)
    except UndrawableText as error:
        return Written(path, str(error), undrawable=True)
    except WriteError as error:
        return Written(path, str(error))
    return Written(path)


def write_one(form: Evaluation, fmt: Format, path: str) -> Written:
    """Write one form in its template's layout; a refusal becomes the reason."""
    from jixiao import templates
    from jixiao.writers import write_form

    return _refusal(path, write_form, form, templates.load(form.template), fmt, Path(path))


def _draw_one(grid: Grid, fonts: Fonts, path: str) -> Written:
    """One PDF of a batch: a form laid out before, drawn with the batch's fonts."""
    from jixiao.writers import draw_pdf

    return _refusal(path, draw_pdf, grid, path, fonts)


def _writer_start(fmt: Format, fonts: Fonts | None = None) -> None:
    """A worker of an export: Ctrl-C left to the parent, the collector relaxed, the
    writer's libraries and (for PDF) the fonts loaded once before the first form."""
    _worker_start()
    from jixiao.writers import Format

    if fmt is Format.PDF:
        from jixiao.writers import pdf

        pdf.warm(fonts)


def write_batch(
    jobs: list[tuple[Evaluation, str]], fmt: Format, workers: int = 1
) -> Iterator[Written]:
    """Each (form, path) written, results in order. ``workers`` > 1 writes in that many
    processes. PDFs: every form is laid out here first and the shipped fonts cut once
    to the batch's characters (:meth:`jixiao.writers.pdf.Fonts.for_batch`), so that each
    PDF subsets a font of the batch's few hundred glyphs, not of 10,603; a form then
    costs about a seventh of a second, most of it WeasyPrint's layout."""
    from jixiao.writers import Format

    if fmt is Format.PDF:
        yield from _write_pdfs(jobs, workers)
        return
    if workers <= 1 or len(jobs) < 2:
        for form, path in jobs:
            yield write_one(form, fmt, path)
        return
    forms, paths = [f for f, _ in jobs], [p for _, p in jobs]
    yield from _pool_map(write_one, [forms, [fmt] * len(jobs), paths], workers, (fmt,))


def _write_pdfs(jobs: list[tuple[Evaluation, str]], workers: int) -> Iterator[Written]:
    from jixiao.writers import Format
    from jixiao.writers.pdf import Fonts

    laid = _laid_out(jobs)
    grids: list[Grid] = []
    paths: list[str] = []
    for grid, (_, path) in zip(laid, jobs):
        if not isinstance(grid, Written):
            grids.append(grid)
            paths.append(path)
    with tempfile.TemporaryDirectory(prefix="jixiao-fonts-") as folder:
        fonts = Fonts.for_batch(grids, Path(folder))
        every = [fonts] * len(grids)
        if workers <= 1 or len(grids) < 2:
            drawn: Iterator[Written] = map(_draw_one, grids, every, paths)
        else:
            drawn = _pool_map(_draw_one, [grids, every, paths], workers, (Format.PDF, fonts))
        for grid in laid:
            yield grid if isinstance(grid, Written) else next(drawn)


def _laid_out(jobs: list[tuple[Evaluation, str]]) -> list[Grid | Written]:
    """Each form's layout grid, or why it has none (its template's layout cannot draw it)."""
    from jixiao import templates
    from jixiao.writers import WriteError, lay_out

    laid: list[Grid | Written] = []
    for form, path in jobs:
        try:
            laid.append(lay_out(form, templates.load(form.template), path))
        except WriteError as error:
            laid.append(Written(path, str(error)))
    return laid


def _pool_map(
    function: Callable[..., T], arguments: list[list], workers: int, initargs: tuple
) -> Iterator[T]:
    """``function`` over the argument lists in ``workers`` export processes, in order."""
    from concurrent.futures import ProcessPoolExecutor  # here: the CLI's help imports this module

    count = len(arguments[0])
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_writer_start, initargs=initargs
    ) as pool:
        try:
            # small chunks: a form takes long enough that sending it costs nothing,
            # and the workers finish together
            chunk = max(1, min(8, count // (workers * 16)))
            yield from pool.map(function, *arguments, chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def write_merged(forms: list[Evaluation], path: str, workers: int = 1) -> Iterator[Written]:
    """The forms as one PDF at ``path``, in their order, to print (``jixiao export
    --merged``; the web's bulk export of a PDF to print). Yields each form's result in
    order as it is drawn: the ``pages`` it takes, or why it is left out (a layout
    that cannot draw it, a character no font here has: the others are printed). The
    file is written when the iterator is exhausted; stopped before, nothing is
    written; no file either when no form could be drawn. Raises WriteError if it
    cannot be written then.

    The forms are laid out here and the fonts cut once to the batch's characters;
    every :data:`jixiao.writers.pdf.CHUNK` forms are drawn as one part (each form
    numbering its own pages; the characters checked there, in the workers, so that
    this process never loads the fonts' character maps its workers would inherit),
    ``workers`` > 1 drawing parts in that many processes; the parts are joined last
    (:func:`jixiao.writers.pdf.join`)."""
    from jixiao.writers import Format, WriteError
    from jixiao.writers import pdf as drawing

    # a refusal names the form: 「out.pdf（第 3 张：某项目）: 原因」
    names = [f"{path}（第 {n} 张：{f.subject or '未命名项目'}）" for n, f in enumerate(forms, 1)]
    laid = _laid_out(list(zip(forms, names)))
    grids = [(grid, name) for grid, name in zip(laid, names) if not isinstance(grid, Written)]
    with tempfile.TemporaryDirectory(prefix="jixiao-merged-") as folder:
        fonts = drawing.Fonts.for_batch((grid for grid, _ in grids), Path(folder))
        size = max(1, min(drawing.CHUNK, -(-len(grids) // max(1, workers))))
        chunks = [grids[at : at + size] for at in range(0, len(grids), size)]
        parts = [str(Path(folder) / f"part-{n:05}.pdf") for n in range(len(chunks))]
        every = [fonts] * len(chunks)
        if workers <= 1 or len(chunks) < 2:
            drawn: Iterator[list[int | str]] = map(_draw_part, chunks, every, parts)
        else:
            drawn = _pool_map(_draw_part, [chunks, every, parts], workers, (Format.PDF, fonts))
        done: list[int | str] = []
        printed = 0
        for grid in laid:
            if isinstance(grid, Written):
                yield Written(path, grid.error)
                continue
            if not done:
                done = list(next(drawn))
            result = done.pop(0)
            if isinstance(result, str):
                yield Written(path, result, undrawable=True)
            else:
                printed += 1
                yield Written(path, pages=result)
        if not printed:
            return
        try:
            drawing.join([part for part in parts if Path(part).exists()], path)
        except OSError as error:
            raise WriteError(path, f"无法写入：{error.strerror or error}") from None


def _draw_part(chunk: list[tuple[Grid, str]], fonts: Fonts, part: str) -> list[int | str]:
    """A part of a merged PDF, written at ``part`` (not at all if no form in it can be
    drawn): each form's number of pages, or why it is left out (its ``UndrawableText``
    message, naming the form as its string says)."""
    from jixiao.writers import UndrawableText
    from jixiao.writers import pdf as drawing
    from jixiao.writers.fonts import NoGlyphs, check_drawable

    results: list[int | str] = []
    drawable = []
    for grid, name in chunk:
        try:
            check_drawable(drawing.texts(grid))
        except NoGlyphs as error:
            results.append(str(UndrawableText(name, error.reason, error.chars)))
            continue
        drawable.append(grid)
        results.append(0)
    if drawable:
        content, pages = drawing.write_chunk(drawable, fonts)
        Path(part).write_bytes(content)
        counts = iter(pages)
        results = [r if isinstance(r, str) else next(counts) for r in results]
    return results
