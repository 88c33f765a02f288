"""PDF import speed: `jixiao import` of N PDF forms against pdfplumber's bare
``extract_tables()`` over the same files, with 1 and 2 worker processes; where
a PDF's time goes; one long PDF.

    python bench/bench_pdf_import.py [--forms 100] [--repeat 5] [--long 500 --long-repeat 3]
                                     [--stages 50] [--dir /tmp/jixiao-bench-pdf]
                                     [--engine pdfium|pdfplumber|both]

``--engine`` says how the import reads pages (``jixiao.readers.pdf.ENGINE``):
pdfium (the default: pdfplumber only for pages pdfium's reading does not apply
to; bar ≤ 0.25× the bare extraction, goal 0.15×), pdfplumber for every page (the
reader before pdfium; bar ≤ 1.5×), or both, timed side by side in each round.

The corpus: synthetic forms of both templates (jixiao.testing.synth, rng seed 6,
4 in 5 national-2020, every 5th shanghai-2019) drawn by jixiao's PDF writer:
--distinct of them are rendered (0.2 s each, kept in --dir for the next run,
under a digest of jixiao's writers: drawn again when the writer changes),
and each is copied until N files exist, every copy made distinct by a comment
after %%EOF (PDF readers ignore it) so that the batch's duplicate check reads
them all.

Each of ``--repeat`` rounds times, in turn: the bare extraction with 1 worker
(open, then extract_tables() on every page), the full import with 1 worker
(read_batch: read, recognise, build the model) by each engine, then all with 2
workers (a process pool of that size for the bare side too). Prints the median
and min–max of each, of import/bare per engine and worker count and of the
speed-up of 2 workers over 1 (bar ≥ 1.6), each worked out round by round.

``--stages N`` reads N of the files in this process (by the first engine) with a
timer on each stage — pdfplumber: pdfminer opening the document and interpreting
each page, pdfplumber making the page's objects, finding tables, the cells' text
and the text outside the tables; pdfium: the characters and their boxes, the
path objects' rulings, the grid, the characters into cells, the cells' text —
and jixiao's own work, and prints each stage's share of the time, then the same
from cProfile (own time grouped by package). ``--long`` pages: one long
PDF (the forms' pages joined by pypdf) read alone, page cap lifted, in its own
process, ``--long-repeat`` times: seconds and peak memory (bars 60 s, 1 GiB).
``--forms 0`` or ``--long 0`` or ``--stages 0`` skips that part.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import random
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from common import (
    add_repeat,
    footer,
    header,
    interleave,
    own_time_by_package,
    ratios,
    report,
    spread,
)
from jixiao import templates
from jixiao.services.batch import read_batch
from jixiao.testing import synth
from jixiao.writers import Format, write_form

ROOT = Path(__file__).resolve().parents[1]


def writer_digest() -> str:
    """A digest of jixiao's writers (code and fonts): the rendered forms kept in
    --dir are drawn again when the PDF writer changes."""
    import jixiao.writers

    digest = hashlib.sha256()
    for path in sorted(Path(jixiao.writers.__file__).parent.rglob("*")):
        if path.is_file() and path.suffix != ".pyc":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def make_files(folder: Path, forms: int, distinct: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    national, shanghai = templates.load("national-2020"), templates.load("shanghai-2019")
    rng = random.Random(6)
    rendered = []
    for n in range(distinct):
        path = folder / f"form-{n:03}.pdf"
        if not path.exists():
            template = shanghai if n % 5 == 4 else national
            write_form(synth.form(rng, template, n), template, Format.PDF, path)
        rendered.append(path.read_bytes())
    copies = folder / f"copies-{forms}"
    copies.mkdir(exist_ok=True)
    files = []
    for n in range(forms):
        path = copies / f"{n:05}.pdf"
        if not path.exists():
            path.write_bytes(rendered[n % distinct] + f"\n% copy {n}\n".encode())
        files.append(path)
    return files


def bare_extract(path: Path) -> int:
    """What pdfplumber alone does for the same file: every page's tables."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return sum(len(page.extract_tables()) for page in pdf.pages)


def bare(files: list[Path], workers: int) -> int:
    if workers == 1:
        return sum(bare_extract(path) for path in files)
    with ProcessPoolExecutor(workers) as pool:
        chunk = max(1, len(files) // (workers * 8))
        return sum(pool.map(bare_extract, files, chunksize=chunk))


def full_import(files: list[Path], workers: int, engine: str) -> tuple[int, int]:
    from jixiao.readers import pdf as pdf_reader

    pdf_reader.ENGINE = engine  # the pool's processes are forked from this one: they read so too
    results = list(read_batch(files, workers=workers))
    return sum(len(r.forms) for r in results), sum(r.rejected for r in results)


def read_long(path: Path, pages: int) -> tuple[float, int, int]:
    """Seconds, forms and peak memory (MB) of reading one long PDF, page cap lifted."""
    import resource

    from jixiao.readers import pdf as pdf_reader
    from jixiao.readers import read_path

    pdf_reader.MAX_PAGES = pages
    started = time.perf_counter()
    forms = len(read_path(path))
    elapsed = time.perf_counter() - started
    return elapsed, forms, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def long_pdf(files: list[Path], pages: int, folder: Path) -> Path:
    """One PDF of ``pages`` pages: the files' pages one after another, the files
    taken again from the first when there are too few (pypdf; each file read anew,
    so every page keeps its own fonts, as in a real joined file)."""
    from pypdf import PdfReader, PdfWriter

    path = folder / f"long-{pages}.pdf"
    if path.exists() and len(PdfReader(path).pages) == pages:
        return path
    writer = PdfWriter()
    for source in itertools.cycle(files):
        for page in PdfReader(source).pages:
            if len(writer.pages) < pages:
                writer.add_page(page)
        if len(writer.pages) >= pages:
            break
    with path.open("wb") as handle:
        writer.write(handle)
    return path


class Stages:
    """Own time of each stage: a stage called inside another is taken out of it."""

    def __init__(self) -> None:
        self.own: Counter = Counter()
        self._inner: list[float] = []
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner, attr: str, stage: str) -> None:
        original = owner.__dict__[attr]
        is_property = isinstance(original, property)
        function = original.fget if is_property else original

        @functools.wraps(function)
        def timed(*args, **kwargs):
            self._inner.append(0.0)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                self.own[stage] += elapsed - self._inner.pop()
                if self._inner:
                    self._inner[-1] += elapsed

        setattr(owner, attr, property(timed) if is_property else timed)
        self._undo.append((owner, attr, original))

    def undo(self) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)


def stages(files: list[Path], engine: str) -> None:
    """Where the time of reading PDFs goes, by stage and by package."""
    import pdfplumber.page
    import pdfplumber.pdf
    import pdfplumber.table

    import jixiao.readers.pdf as reader
    import jixiao.readers.pdfium as pdfium_reader
    from jixiao.readers import read_path

    reader.ENGINE = engine
    timer = Stages()
    timer.wrap(pdfium_reader, "read_document", "pdfium: open the document, load and close pages")
    timer.wrap(pdfium_reader, "_chars", "pdfium: the characters and their boxes")
    timer.wrap(pdfium_reader, "_rulings", "pdfium: the path objects' rulings, snapped and joined")
    timer.wrap(pdfium_reader, "_tables", "jixiao: the grid and merged cells from the rulings")
    timer.wrap(pdfium_reader, "_place", "jixiao: each character into its cell")
    timer.wrap(pdfium_reader, "text_of", "jixiao: the cells' text and the lines outside")
    timer.wrap(pdfium_reader, "_lines", "jixiao: the cells' text and the lines outside")
    opening = "pdfminer: open the document, xref and page tree"
    timer.wrap(pdfplumber.pdf.PDF, "__init__", opening)
    timer.wrap(pdfplumber.pdf.PDF, "pages", opening)
    timer.wrap(pdfplumber.page.Page, "layout", "pdfminer: interpret each page (fonts, text, paths)")
    timer.wrap(
        pdfplumber.page.Page, "parse_objects", "pdfplumber: the page's objects from pdfminer's"
    )
    timer.wrap(pdfplumber.page.Page, "find_tables", "pdfplumber: find the tables")
    timer.wrap(pdfplumber.table.Table, "extract", "pdfplumber: the text of each cell")
    outside = "pdfplumber: the lines of text outside the tables"
    timer.wrap(pdfplumber.page.Page, "outside_bbox", outside)
    timer.wrap(pdfplumber.page.Page, "extract_text_lines", outside)
    timer.wrap(pdfplumber.page.Page, "close", "pdfplumber: close pages and file")
    timer.wrap(pdfplumber.pdf.PDF, "close", "pdfplumber: close pages and file")
    timer.wrap(reader, "read_grid", "jixiao: recognise the form, build the model")
    started = time.perf_counter()
    try:
        for path in files:
            read_path(path)
    finally:
        timer.undo()
    total = time.perf_counter() - started
    timer.own["jixiao: the PDF reader's own (cells to rows, sources)"] = total - sum(
        timer.own.values()
    )
    print(f"stages of reading {len(files)} PDFs in one process ({engine}): {total:.2f} s")
    for stage, seconds in timer.own.most_common():
        print(f"  {100 * seconds / total:5.1f}%  {seconds:6.2f} s  {stage}")

    print(f"the same {len(files)} files again, under cProfile:")
    own_time_by_package(
        lambda: [read_path(path) for path in files],
        ("pdfminer", "pdfplumber", "pypdfium2", "jixiao"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=100, help="PDF files (0: skip the ratio)")
    parser.add_argument("--distinct", type=int, default=50)
    add_repeat(parser)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/jixiao-bench-pdf"))
    parser.add_argument("--stages", type=int, default=50, help="files read with stage timers")
    parser.add_argument(
        "--long", type=int, default=500, help="pages of the long PDF read alone (0: skip)"
    )
    parser.add_argument("--long-repeat", type=int, default=3)
    parser.add_argument(
        "--engine",
        choices=("pdfium", "pdfplumber", "both"),
        default="pdfium",
        help="how the import reads pages (default pdfium; both: each timed in every round)",
    )
    args = parser.parse_args()
    engines = ["pdfium", "pdfplumber"] if args.engine == "both" else [args.engine]
    folder = args.dir / f"writers-{writer_digest()}"
    files = make_files(folder, max(args.forms, args.stages, args.distinct), args.distinct)
    header(
        f"synthetic forms (jixiao.testing.synth, rng seed 6; 4 in 5 national-2020, 1 in 5 "
        f"shanghai-2019): {args.distinct} drawn by jixiao's PDF writer, copied to {len(files)} "
        f"distinct files, one form each (in {folder})",
        f"ratio: {args.forms} files × {args.repeat} rounds (bare, then the import by "
        f"{' and '.join(engines)}; 1 worker, then 2); stages: {args.stages} files; "
        f"long PDF: {args.long} pages × {args.long_repeat}",
    )
    if args.forms:
        ratio_files = files[: args.forms]
        sides = {}
        for workers in (1, 2):
            sides[f"bare-{workers}"] = functools.partial(bare, ratio_files, workers)
            for engine in engines:
                sides[f"import-{engine}-{workers}"] = functools.partial(
                    full_import, ratio_files, workers, engine
                )

        def seen(name: str, result) -> None:
            if name.startswith("import"):
                forms, rejected = result
                assert (forms, rejected) == (len(ratio_files), 0), (name, forms, rejected)

        times = interleave(sides, args.repeat, after=seen)
        print("seconds and files/s (bare) or forms/s (import):")
        report(times, per=len(ratio_files), what="files or forms")
        bars = {"pdfium": "bar ≤ 0.25, goal 0.15", "pdfplumber": "bar ≤ 1.5"}
        for engine in engines:
            for workers in (1, 2):
                both = spread(ratios(times[f"import-{engine}-{workers}"], times[f"bare-{workers}"]))
                print(
                    f"  import ({engine}) / bare, {workers} worker(s): {both.show(3)}"
                    f"  ({bars[engine]})"
                )
            speedup = spread(ratios(times[f"import-{engine}-1"], times[f"import-{engine}-2"]))
            print(
                f"  import ({engine}), 2 workers against 1: {speedup.show(2, '×')} faster"
                "  (bar ≥ 1.6)"
            )
        sys_stdout_flush()
    if args.stages:
        stages(files[: args.stages], engines[0])
        sys_stdout_flush()
    if args.long:
        path = long_pdf(files, args.long, folder)
        runs = []
        from jixiao.readers import pdf as pdf_reader

        pdf_reader.ENGINE = engines[0]
        for _ in range(args.long_repeat):
            with ProcessPoolExecutor(1) as pool:  # its own process: its own peak memory
                runs.append(pool.submit(read_long, path, args.long).result())
        seconds, peaks = spread([r[0] for r in runs]), spread([r[2] for r in runs])
        print(
            f"one {args.long}-page PDF ({path.stat().st_size // 1024:,} KB, {engines[0]}), "
            "page cap lifted, "
            f"{runs[0][1]} forms: {seconds.show(1, ' s')}, peak memory {peaks.show(0, ' MB')} "
            "(bars: 60 s, 1 GiB)"
        )
    footer()


def sys_stdout_flush() -> None:
    import sys

    sys.stdout.flush()


if __name__ == "__main__":
    main()
