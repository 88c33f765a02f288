"""Scanned forms: how many fields OCR reads right, how many it gets wrong with a
problem and silently, pages per second per core and peak memory.

    python bench/bench_scans.py [--forms 23] [--printer jixiao|libreoffice|both]
                                [--engine rapidocr|tesseract|both] [--dir /tmp/jixiao-bench-scans]

The corpus: the seed forms (../shared/seeds: 23 forms of the two Shanghai
layouts; synthetic forms of both templates where the seeds are absent), each
drawn to PDF by jixiao's writer (``jixiao``) or exported to xlsx and printed to
PDF by LibreOffice (``libreoffice``, needs ``soffice``: how the held-out scans
were printed), then scanned as :mod:`tests.scans` scans (200 dpi, a red seal
over the figures, tilted 0.5–1.5°, noised, JPEG-compressed; every other one an
image PDF, the rest JPEG). The truth is what the same PDF's text layer reads to.

Each engine reads every scan in a child process of its own with one thread
(``JIXIAO_OCR_THREADS=1``): pages per second per core is the pages over that
process's CPU seconds and its children's (tesseract runs as a program; bar ≥ 1),
peak memory the larger maximum resident set of the two (bar ≤ 1 GB).

``--wrong FILE`` writes every field read wrong (with a problem and silently);
``--cache DIR`` keeps the engine's readings of each line image (for working on
what comes after the engine; its timings are then not the engine's) and
``--jobs N`` reads the files in N children (the CPU seconds are their sum).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SEEDS, footer, header

sys.path.insert(0, str(ROOT))  # tests.scans: the scanner the tests use


def corpus(count: int):
    """(name, Evaluation) of the seed forms, else synthetic ones."""
    from jixiao.readers import read_path

    forms = []
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*.txt")):
            forms += [(f"{path.name[:3]}-{n}", ev) for n, ev in enumerate(read_path(path))]
    if not forms:
        import random

        from jixiao import templates
        from jixiao.testing import synth

        rng = random.Random(6)
        forms = [
            (
                f"synth-{n}",
                synth.form(rng, templates.load("shanghai-2019" if n % 5 == 4 else "national-2020")),
            )
            for n in range(count)
        ]
    return forms[:count]


def printed(forms, printer: str, folder: Path) -> list[Path]:
    from jixiao import templates
    from jixiao.writers import Format, write_form

    out = []
    for name, ev in forms:
        pdf = folder / f"{name}.{printer}.pdf"
        if not pdf.exists():
            if printer == "jixiao":
                write_form(ev, templates.load(ev.template), Format.PDF, pdf)
            else:
                xlsx = folder / f"{name}.xlsx"
                write_form(ev, templates.load(ev.template), Format.XLSX, xlsx)
                with tempfile.TemporaryDirectory() as tmp:
                    subprocess.run(
                        [
                            "soffice",
                            "--headless",
                            "--convert-to",
                            "pdf",
                            "--outdir",
                            tmp,
                            str(xlsx),
                        ],
                        check=True,
                        capture_output=True,
                        timeout=300,
                    )
                    shutil.move(Path(tmp) / f"{name}.pdf", pdf)
        out.append(pdf)
    return out


def scanned(pdfs: list[Path], folder: Path) -> list[tuple[Path, Path, int]]:
    """(scan, its PDF, pages) of each: as tests.scans scans, every other one as a PDF."""
    from tests.scans import Damage, as_jpeg, as_pdf, make_scan

    out = []
    for n, pdf in enumerate(pdfs):
        damage = Damage(tilt=0.5 + (n % 3) * 0.5, seals=1 + n % 2)
        images = make_scan(pdf.read_bytes(), n, damage)
        kind = as_pdf if n % 2 or len(images) > 1 else as_jpeg
        path = folder / f"{pdf.stem}.scan.{'pdf' if kind is as_pdf else 'jpg'}"
        path.write_bytes(kind(images))
        out.append((path, pdf, len(images)))
    return out


class Cached:
    """An engine whose readings of a line image are kept in a folder (by the
    image's bytes and the reading's scale)."""

    def __init__(self, engine, folder: Path) -> None:
        self.name = engine.name
        self._engine = engine
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def recognise(self, lines, second: bool = False):
        import hashlib
        import pickle

        from jixiao.readers.scan_engines import Reading

        keys = [
            hashlib.blake2b(line.tobytes() + repr((line.shape, second)).encode()).hexdigest()
            for line in lines
        ]
        found: dict[str, Reading] = {}
        for key in keys:
            path = self._folder / key[:2] / key
            if path.exists():
                found[key] = pickle.loads(path.read_bytes())
        missing = [n for n, key in enumerate(keys) if key not in found]
        if missing:
            fresh = self._engine.recognise([lines[n] for n in missing], second=second)
            for n, reading in zip(missing, fresh, strict=True):
                path = self._folder / keys[n][:2] / keys[n]
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(pickle.dumps(reading))
                found[keys[n]] = reading
        return [found[key] for key in keys]


def child(files: list[str]) -> None:
    """Read the scans in this process; print one JSON line a file, then the totals."""
    from jixiao.contract.json import evaluation_dict
    from jixiao.readers import ReadError, read_path

    if os.environ.get("JIXIAO_BENCH_HEIGHTS"):  # other line heights: "28,48" (first, second)
        from jixiao.readers import scan_engines

        first, second = (int(h) for h in os.environ["JIXIAO_BENCH_HEIGHTS"].split(","))
        scan_engines.RapidEngine.HEIGHT, scan_engines.RapidEngine.SECOND_HEIGHT = first, second
    if os.environ.get("JIXIAO_BENCH_READ_TWICE"):  # every line at both heights (the baseline)
        from jixiao.readers import scan

        scan.READ_TWICE = True
    if os.environ.get("JIXIAO_BENCH_LINES"):  # lines read again: "8,16" (short, with a digit)
        from jixiao.readers import scan

        short, figure = (int(n) for n in os.environ["JIXIAO_BENCH_LINES"].split(","))
        scan.SHORT_LINE, scan.FIGURE_LINE = short, figure
    if os.environ.get("JIXIAO_BENCH_OCR_CACHE"):
        from jixiao.readers import scan_engines

        made = scan_engines.engine()
        scan_engines._MADE[made.name] = Cached(made, Path(os.environ["JIXIAO_BENCH_OCR_CACHE"]))

    cpu0, wall0 = time.process_time(), time.perf_counter()
    for file in files:
        try:
            forms = [evaluation_dict(ev) for ev in read_path(file)]
            print(json.dumps({"file": file, "forms": forms}, ensure_ascii=False), flush=True)
        except ReadError as error:
            print(json.dumps({"file": file, "error": str(error)}, ensure_ascii=False), flush=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # tesseract runs as a program
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children.ru_maxrss) / 1024
    cpu = time.process_time() - cpu0 + children.ru_utime + children.ru_stime
    wall = time.perf_counter() - wall0
    print(json.dumps({"cpu": cpu, "wall": wall, "peak_mb": peak}), flush=True)


def run(
    engine: str,
    scans: list[tuple[Path, Path, int]],
    jobs: int = 1,
    cache: Path | None = None,
    wrong: Path | None = None,
) -> None:
    from tests.scans import Score, scored

    from jixiao.contract.json import evaluation_from_dict
    from jixiao.readers import read_path

    env = {**os.environ, "JIXIAO_OCR_ENGINE": engine, "JIXIAO_OCR_THREADS": "1"}
    if cache is not None:
        env["JIXIAO_BENCH_OCR_CACHE"] = str(cache / engine)
    shares = [scans[n::jobs] for n in range(jobs)]
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", *(str(s) for s, _, _ in share)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for share in shares
        if share
    ]
    by_file: dict[str, dict] = {}
    totals = {"cpu": 0.0, "wall": 0.0, "peak_mb": 0.0}
    for process in children:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"a child failed ({process.returncode})")
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        for line in lines[:-1]:
            by_file[line["file"]] = line
        totals["cpu"] += lines[-1]["cpu"]
        totals["wall"] = max(totals["wall"], lines[-1]["wall"])
        totals["peak_mb"] = max(totals["peak_mb"], lines[-1]["peak_mb"])
    lines = [by_file[str(s)] for s, _, _ in scans]
    total = Score(wrong=[], kinds={}, doubted=[])
    listed: list[str] = []
    refused = 0
    for line, (_scan, pdf, _pages) in zip(lines, scans, strict=True):
        want = read_path(pdf)
        if "error" in line:
            refused += 1
            print(f"  {Path(line['file']).name}: refused: {line['error']}")
            got = []
        else:
            got = [evaluation_from_dict(form) for form in line["forms"]]
        score = scored(got, want)
        total.add(score)
        name = Path(line["file"]).name
        for said in score.wrong or []:
            print(f"  {name}: silently wrong: {said[:160]}")
            listed.append(f"{name}\tsilent\t{said}")
        listed += [f"{name}\tproblem\t{said}" for said in score.doubted or []]
    if wrong is not None:
        wrong.write_text("\n".join(listed) + "\n", encoding="utf-8")
    pages = sum(p for _, _, p in scans)
    print(total.by_kind())
    print(
        f"{engine}: {total}; {refused} files refused\n"
        f"{engine}: {pages} pages in {totals['cpu']:.1f} CPU s ({totals['wall']:.1f} s wall): "
        f"{pages / totals['cpu']:.2f} pages/s/core; peak memory {totals['peak_mb']:.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, default=23)
    parser.add_argument("--printer", choices=("jixiao", "libreoffice", "both"), default="jixiao")
    parser.add_argument("--engine", choices=("rapidocr", "tesseract", "both"), default="rapidocr")
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "jixiao-bench-scans"
    )
    parser.add_argument("--child", nargs="*")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="keep the engine's readings (accuracy work)")
    parser.add_argument("--wrong", type=Path, help="write every field read wrong to this file")
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    forms = corpus(args.forms)
    printers = ("jixiao", "libreoffice") if args.printer == "both" else (args.printer,)
    engines = ("rapidocr", "tesseract") if args.engine == "both" else (args.engine,)
    header(
        f"{len(forms)} forms ({'seeds' if SEEDS.is_dir() else 'synthetic'}), printed by {', '.join(printers)}"
    )
    for printer in printers:
        scans = scanned(printed(forms, printer, args.dir), args.dir)
        print(
            f"printed by {printer}: {len(scans)} files, {sum(p for _, _, p in scans)} pages",
            flush=True,
        )
        for engine in engines:
            run(engine, scans, args.jobs, args.cache, args.wrong)
    footer()


if __name__ == "__main__":
    main()
