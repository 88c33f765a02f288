"""PDF import speed: `jixiao import` of N PDF forms against pdfplumber's bare
``extract_tables()`` over the same files, with 1 and 2 worker processes.

    python bench/bench_pdf_import.py [--forms 1000] [--dir /tmp/jixiao-bench-pdf]

The PDFs are synthetic forms of both templates (jixiao.testing.synth, 4 in 5
national-2020) drawn by jixiao's PDF writer: --distinct of them are rendered
(0.2 s each, kept in --dir for the next run), and each is copied until N files
exist, every copy made distinct by a comment after %%EOF (PDF readers ignore
it) so that the batch's duplicate check reads them all.

Prints for each worker count: forms/s of the full import (read_batch: read,
recognise, build the model), forms/s of the bare extraction (open, then
extract_tables() on every page, in a process pool of the same size), and
their ratio; then one long PDF (--long pages, the forms' pages joined by
pypdf) read alone with the page cap lifted: seconds and peak memory. Bars: full import ≤ 1.5× the bare extraction at equal workers;
2 workers ≥ 1.6× faster than 1.
"""

from __future__ import annotations

import argparse
import random
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench_check import core_build  # times the installed jixiao, not src/
from jixiao import templates
from jixiao.services.batch import read_batch
from jixiao.testing import synth
from jixiao.writers import Format, write_form

ROOT = Path(__file__).resolve().parents[1]


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


def time_bare(files: list[Path], workers: int) -> float:
    started = time.perf_counter()
    if workers == 1:
        for path in files:
            bare_extract(path)
    else:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(bare_extract, files, chunksize=max(1, len(files) // (workers * 8))))
    return time.perf_counter() - started


def time_import(files: list[Path], workers: int) -> tuple[float, int, int]:
    started = time.perf_counter()
    results = list(read_batch(files, workers=workers))
    elapsed = time.perf_counter() - started
    return elapsed, sum(len(r.forms) for r in results), sum(r.rejected for r in results)


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
    """One PDF of ``pages`` pages: the forms' pages one after another (pypdf)."""
    from pypdf import PdfReader, PdfWriter

    path = folder / f"long-{pages}.pdf"
    if not path.exists():
        writer = PdfWriter()
        for source in files:
            for page in PdfReader(source).pages:
                if len(writer.pages) < pages:
                    writer.add_page(page)
            if len(writer.pages) >= pages:
                break
        with path.open("wb") as handle:
            writer.write(handle)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--distinct", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/jixiao-bench-pdf"))
    parser.add_argument(
        "--long", type=int, default=500, help="pages of the long PDF read alone (0: skip)"
    )
    args = parser.parse_args()
    files = make_files(args.dir, args.forms, args.distinct)
    print(f"jixiao from {Path(templates.__file__).parents[1]} ({core_build()})")
    print(f"files: {len(files)} ({args.distinct} distinct forms rendered by jixiao's PDF writer)")
    full_rates = {}
    for workers in (1, 2):
        bare = time_bare(files, workers)
        full, forms, rejected = time_import(files, workers)
        full_rates[workers] = forms / full
        print(
            f"workers {workers}: import {forms} forms ({rejected} rejected) in {full:.1f} s = {forms / full:.1f} forms/s; "
            f"bare extract_tables() {len(files) / bare:.1f} files/s; import/bare time ratio {full / bare:.2f} (bar ≤ 1.5)",
            flush=True,
        )
    print(f"2 workers vs 1: {full_rates[2] / full_rates[1]:.2f}× faster (bar ≥ 1.6)")
    if args.long:
        path = long_pdf(files, args.long, args.dir)
        with ProcessPoolExecutor(1) as pool:  # its own process: its own peak memory
            seconds, forms, peak = pool.submit(read_long, path, args.long).result()
        print(
            f"one {args.long}-page PDF ({path.stat().st_size // 1024} KB), page cap lifted: "
            f"{forms} forms in {seconds:.1f} s, peak memory {peak} MB (bar: 60 s, 1 GiB)"
        )


if __name__ == "__main__":
    main()
