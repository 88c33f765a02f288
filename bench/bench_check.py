"""How much the audit adds to reading: ``jixiao check`` against the bare import
of the same forms, in one run.

    python bench/bench_check.py [--forms 10000] [--per-file 100] [--repeat 3] [--template national-2020]
                                [--clock wall|cpu]

Writes synthetic forms (jixiao.testing.synth) as tab-separated text files in a
temporary folder, then times, alternately and ``--repeat`` times each:
  import — read every file into forms (what ``jixiao import`` does);
  check  — read every file and audit every form (what ``jixiao check`` does).
Prints the best time of each and the ratio check / import (goal: ≤ 1.20).
``--clock cpu`` times both with the process's CPU time instead of the wall
clock: steadier on a machine shared with other jobs.

It times the jixiao it imports: the compiled core of ``pip install .`` (what
users run), or plain Python from an editable install; the first line says which.
The ratio moves by a few hundredths from one process to the next (memory
layout): compare the median of several runs.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from jixiao import templates
from jixiao.domain.audit import Severity, audit
from jixiao.readers import read_path
from jixiao.testing import synth


def write_forms(folder: Path, count: int, per_file: int, template_id: str) -> list[Path]:
    template = templates.load(template_id)
    forms = list(synth.forms(count, template, seed=2024))
    paths = []
    for start in range(0, count, per_file):
        path = folder / f"forms-{start // per_file:04d}.txt"
        path.write_text(synth.render_text(forms[start : start + per_file]), encoding="utf-8")
        paths.append(path)
    return paths


def core_build() -> str:
    """Whether the audit runs compiled (a wheel, setup.py) or as plain Python
    (an editable install): the figures differ about twofold."""
    import jixiao.domain.audit.text as text

    return "plain Python" if text.__file__.endswith(".py") else "compiled (mypyc)"


def bare_import(paths: list[Path]) -> tuple[int, Counter]:
    return sum(len(read_path(p)) for p in paths), Counter()


def check(paths: list[Path]) -> tuple[int, Counter]:
    forms, levels = 0, Counter()
    for path in paths:
        for form in read_path(path):
            forms += 1
            levels.update(f.severity.value for f in audit(form, templates.load(form.template)))
    return forms, levels


def timed(run, paths: list[Path], clock=time.perf_counter) -> tuple[float, int, Counter]:
    start = clock()
    forms, levels = run(paths)
    return clock() - start, forms, levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10000)
    parser.add_argument("--per-file", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--template", default="national-2020", choices=templates.ids())
    parser.add_argument("--clock", default="wall", choices=("wall", "cpu"))
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        paths = write_forms(Path(tmp), args.forms, args.per_file, args.template)
        best = {"import": float("inf"), "check": float("inf")}
        levels: Counter = Counter()
        for _ in range(args.repeat):
            for name, run in (("import", bare_import), ("check", check)):
                seconds, forms, found = timed(run, paths, clock)
                assert forms == args.forms, f"{name} read {forms} forms of {args.forms}"
                best[name] = min(best[name], seconds)
                levels = found or levels
    ratio = best["check"] / best["import"]
    audit_ms = (best["check"] - best["import"]) / args.forms * 1000
    print(
        f"python {platform.python_version()} on {platform.machine()}, {args.forms} {args.template} forms "
        f"in {len(paths)} files, best of {args.repeat}, {args.clock} clock, domain core {core_build()}"
    )
    print(f"import  {best['import']:7.2f} s  ({best['import'] / args.forms * 1000:.3f} ms/form)")
    print(
        f"check   {best['check']:7.2f} s  ({best['check'] / args.forms * 1000:.3f} ms/form; audit {audit_ms:.3f} ms/form)"
    )
    print(f"ratio   {ratio:7.3f}  (check adds {100 * (ratio - 1):.1f}%; goal ≤ 20%)")
    print("findings: " + ", ".join(f"{s.value} {levels[s.value]}" for s in Severity))
    if levels[Severity.ERROR.value]:
        sys.exit("synthetic forms gave error-level findings: the generator or the audit is wrong")


if __name__ == "__main__":
    main()
