"""What each family of the audit costs a form: synthetic forms are read once,
then audited again and again with the families added one by one, so each line
is what that family adds (the first: recomputing the figures).

    python bench/audit_parts.py [--forms 2000] [--repeat 9] [--template national-2020]

CPU time of the process, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_check import core_build, write_forms
from jixiao import templates
from jixiao.domain.audit import CHECKS, audit
from jixiao.readers import read_path


def ms_per_form(forms, template, families, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for form in forms:
            audit(form, template, families)
        best = min(best, time.process_time() - start)
    return best / len(forms) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--template", default="national-2020", choices=templates.ids())
    args = parser.parse_args()
    template = templates.load(args.template)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        forms = [
            f for p in write_forms(Path(tmp), args.forms, 100, args.template) for f in read_path(p)
        ]
    before = 0.0
    for count in range(len(CHECKS) + 1):
        total = ms_per_form(forms, template, CHECKS[:count], args.repeat)
        name = "recompute" if count == 0 else CHECKS[count - 1].__name__.rsplit(".", 1)[1]
        print(f"{name:<13}{total - before:7.3f} ms/form")
        before = total
    print(
        f"{'whole audit':<13}{before:7.3f} ms/form ({len(forms)} {args.template} forms, best of {args.repeat}, "
        f"{core_build()})"
    )


if __name__ == "__main__":
    main()
