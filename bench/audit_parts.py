"""What each family of the audit costs a form: synthetic forms are read once,
then audited again and again with the families added one by one, so each line
is what that family adds (the first: recomputing the figures).

    python bench/audit_parts.py [--forms 2000] [--repeat 9] [--template national-2020]

CPU time of the process. Each round times every step (recompute only, then one
family more, …, the whole audit) one after the other, so the steps are
interleaved; a part's cost is worked out round by round (this step minus the
one before) and printed as the median of the rounds with its min–max.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_check import SEED, write_forms
from common import add_repeat, footer, header, interleave, spread, synth_corpus
from jixiao import templates
from jixiao.domain.audit import CHECKS, audit
from jixiao.readers import read_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    add_repeat(parser, 9)
    parser.add_argument("--template", default="national-2020", choices=templates.ids())
    args = parser.parse_args()
    header(
        synth_corpus(args.forms, args.template, SEED) + ", read once from tab-separated text",
        f"{args.forms:,} forms, {len(CHECKS) + 1} steps × {args.repeat} rounds, CPU clock",
    )
    template = templates.load(args.template)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        forms = [
            f for p in write_forms(Path(tmp), args.forms, 100, args.template) for f in read_path(p)
        ]

    def step(families):
        def run():
            for form in forms:
                audit(form, template, families)

        return run

    names = ["recompute"] + [family.__name__.rsplit(".", 1)[1] for family in CHECKS]
    times = interleave(
        {name: step(CHECKS[:count]) for count, name in enumerate(names)},
        args.repeat,
        time.process_time,
    )
    per_form = {name: [t / len(forms) * 1000 for t in times[name]] for name in names}
    print("  part          ms/form added, median (min–max)")
    before = [0.0] * args.repeat
    for name in names:
        added = spread([now - was for now, was in zip(per_form[name], before)])
        print(f"  {name:<13} {added.median:6.3f} ({added.low:.3f}–{added.high:.3f})")
        before = per_form[name]
    whole = spread(per_form[names[-1]])
    print(f"  {'whole audit':<13} {whole.median:6.3f} ({whole.low:.3f}–{whole.high:.3f})")
    footer()


if __name__ == "__main__":
    main()
