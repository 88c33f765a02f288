"""How much the audit adds to reading: ``jixiao check`` against the bare import
of the same forms, in one run.

    python bench/bench_check.py [--forms 10000] [--per-file 100] [--repeat 5]
                                [--template national-2020] [--clock wall|cpu]

Writes synthetic forms (jixiao.testing.synth, seed 2024) as tab-separated text
files in a temporary folder, then times, interleaved (import, check, import,
check, …) ``--repeat`` rounds:
  import — read every file into forms (what ``jixiao import`` does);
  check  — read every file and audit every form, one by one;
  held   — check as ``jixiao check`` runs it: every form kept until the end;
  batch  — held and the batch's own checks over all the forms (跨表: texts copied
           across projects, targets unchanged; what ``jixiao check`` does now).
Prints the median and min–max of each, and the ratios check / import (bar: ≤ 1.20)
and batch / held (#18: the batch checks add ≤ 20%), worked out round by round. ``--clock cpu`` times both with the process's
CPU time instead of the wall clock: steadier on a machine shared with other jobs.

It times the jixiao installed: the compiled core of ``pip install .`` (what
users run), or plain Python from an editable install; the header says which
(bench/common.py).
The ratio moves by a few hundredths from one process to the next (memory
layout): compare the median of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import add_repeat, footer, header, interleave, ratios, report, spread, synth_corpus
from jixiao import templates
from jixiao.domain.audit import Severity, audit, audit_batch
from jixiao.readers import read_path
from jixiao.testing import synth

SEED = 2024


def write_forms(folder: Path, count: int, per_file: int, template_id: str) -> list[Path]:
    template = templates.load(template_id)
    forms = list(synth.forms(count, template, seed=SEED))
    paths = []
    for start in range(0, count, per_file):
        path = folder / f"forms-{start // per_file:04d}.txt"
        path.write_text(synth.render_text(forms[start : start + per_file]), encoding="utf-8")
        paths.append(path)
    return paths


def bare_import(paths: list[Path]) -> tuple[int, Counter]:
    return sum(len(read_path(p)) for p in paths), Counter()


def check(paths: list[Path]) -> tuple[int, Counter]:
    forms, levels = 0, Counter()
    for path in paths:
        for form in read_path(path):
            forms += 1
            levels.update(f.severity.value for f in audit(form, templates.load(form.template)))
    return forms, levels


def check_held(paths: list[Path], across: bool = False) -> tuple[int, Counter]:
    """As ``jixiao check`` does: every form read and kept (the CLI prints them at the end),
    each audited; ``across``: the batch's own checks over them too."""
    forms = [form for path in paths for form in read_path(path)]
    levels = Counter(
        f.severity.value for form in forms for f in audit(form, templates.load(form.template))
    )
    if across:
        for found in audit_batch(forms, lambda form: templates.load(form.template)):
            levels.update(f.severity.value for f in found)
    return len(forms), levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10000)
    parser.add_argument("--per-file", type=int, default=100)
    add_repeat(parser)
    parser.add_argument("--template", default="national-2020", choices=templates.ids())
    parser.add_argument("--clock", default="wall", choices=("wall", "cpu"))
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    header(
        synth_corpus(args.forms, args.template, SEED) + ", as tab-separated text",
        f"{args.forms:,} forms in files of {args.per_file}, {args.repeat} rounds "
        f"(import, check, import, …), {args.clock} clock",
    )
    levels: Counter = Counter()

    def seen(name: str, result: tuple[int, Counter]) -> None:
        forms, found = result
        assert forms == args.forms, f"{name} read {forms} forms of {args.forms}"
        if name == "batch":  # every finding jixiao check gives
            levels.update(found)

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        paths = write_forms(Path(tmp), args.forms, args.per_file, args.template)
        times = interleave(
            {
                "import": lambda: bare_import(paths),
                "check": lambda: check(paths),
                "held": lambda: check_held(paths),
                "batch": lambda: check_held(paths, across=True),
            },
            args.repeat,
            clock,
            seen,
        )
    ratio = report(times, per=args.forms, ratio=("check", "import"), bar="(bar ≤ 1.20)")
    audit_ms = [(c - i) / args.forms * 1000 for c, i in zip(times["check"], times["import"])]
    print(
        f"  the audit adds {statistics.median(audit_ms):.3f} ms a form (median), "
        f"check adds {100 * (ratio.median - 1):.1f}%: bar {'met' if ratio.median <= 1.20 else 'NOT met'}"
    )
    batch = spread(ratios(times["batch"], times["held"]))
    print(
        f"  batch / held {batch.median:.3f} ({batch.low:.3f}–{batch.high:.3f}): the batch checks "
        f"add {100 * (batch.median - 1):.1f}%, bar ≤ 20% {'met' if batch.median <= 1.20 else 'NOT met'}"
    )
    print(
        "  findings of one round of jixiao check (the batch side): "
        + ", ".join(f"{s.value} {levels[s.value] // args.repeat}" for s in Severity)
    )
    footer()
    if levels[Severity.ERROR.value]:
        sys.exit("synthetic forms gave error-level findings: the generator or the audit is wrong")


if __name__ == "__main__":
    main()
