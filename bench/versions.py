"""One bench under two versions of jixiao, run alternately: a before-and-after
figure measured in one run.

    python bench/versions.py --before /tmp/venv-old/bin/python [--rounds 5] \\
        -- bench/bench_import.py --forms 5000 --repeat 1

Runs the bench script with the ``--before`` interpreter (an environment where
the earlier jixiao is installed, e.g. a worktree of the earlier commit put on
its path) and with this one, alternating A B, B A, … for ``--rounds`` rounds,
so that a change in the machine's load, and which runs first, falls on both. Each run's last
"N forms/s" figure is taken; prints both medians, their spread and the ratio
after/before, round by round.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys

_RATE = re.compile(r"([\d,]+(?:\.\d+)?)(?: \([^)]*\))? (?:forms|files|pages)/s")


def rate(python: str, script: list[str]) -> tuple[float, str]:
    out = subprocess.run([python, *script], capture_output=True, text=True, check=True).stdout
    found = _RATE.findall(out)
    if not found:
        raise SystemExit(f"no forms/s figure in the output of {python} {' '.join(script)}:\n{out}")
    return float(found[-1].replace(",", "")), out.splitlines()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the interpreter of the earlier version")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("script", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    script = [a for a in args.script if a != "--"]
    before, after, ratios = [], [], []
    for n in range(args.rounds):
        if n % 2 == 0:  # which goes first alternates: A B, B A, … (no order effect)
            b, head_b = rate(args.before, script)
            a, head_a = rate(sys.executable, script)
        else:
            a, head_a = rate(sys.executable, script)
            b, head_b = rate(args.before, script)
        before.append(b)
        after.append(a)
        ratios.append(a / b)
        if n == 0:
            print("before:", head_b)
            print("after: ", head_a)
        print(f"  round {n + 1}: before {b:,.0f}/s, after {a:,.0f}/s, after/before {a / b:.3f}")

    def show(values: list[float]) -> str:
        return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"

    print(f"  before {show(before)}/s;  after {show(after)}/s")
    print(f"  after/before {statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
