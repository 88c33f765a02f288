"""How long ``jixiao --help`` takes, against the bare interpreter's start.

    python bench/bench_help.py [--repeat 21] [--before /tmp/venv-old/bin/python] [--clock wall|cpu]

Runs, as new processes one after the other in each round (interleaved): the
interpreter doing nothing (``python -c pass``: its start, site's .pth files),
``python -c "import jixiao.cli"``, and the ``jixiao`` console script of this
interpreter's environment with ``--help`` (what a user types). Prints the median
and min–max over the rounds of each, wall clock, and of ``--help`` minus the bare
start round by round; with ``--before PYTHON``, also ``python -m jixiao --help``
under that interpreter (an earlier version) and this one, and their ratio round by
round. ``--clock cpu`` times each by the CPU seconds (user and system) of the
process it starts instead of the wall clock: steadier on a machine shared with
others' jobs, and what a free core would take. Bar (#25): ``jixiao --help`` in at most 150 ms.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import add_repeat, footer, header, interleave, ratios, spread


def _children_cpu() -> float:
    """CPU seconds of the processes started and waited for so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_repeat(parser, default=21)
    parser.add_argument(
        "--before",
        help="the interpreter of an earlier version: its python -m jixiao --help timed beside",
    )
    parser.add_argument("--clock", default="wall", choices=("wall", "cpu"))
    args = parser.parse_args()
    script = Path(sys.executable).parent / "jixiao"
    # an environment without the console script (jixiao put on the path by a .pth
    # file, an earlier version's tree): python -m jixiao, which the console script runs
    help_command = [str(script)] if script.exists() else [sys.executable, "-m", "jixiao"]
    header(
        "none (the CLI's start)",
        f"{args.repeat} rounds, {args.clock} clock; {' '.join(help_command)} --help",
    )

    def run(*command: str):
        def side() -> None:
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

        return side

    sides = {
        "python -c pass": run(sys.executable, "-c", "pass"),
        "import jixiao.cli": run(sys.executable, "-c", "import jixiao.cli"),
        "jixiao --help": run(*help_command, "--help"),
    }
    if args.before:
        sides["before: -m jixiao --help"] = run(args.before, "-m", "jixiao", "--help")
        sides["now: -m jixiao --help"] = run(sys.executable, "-m", "jixiao", "--help")
    times = interleave(
        sides, args.repeat, clock=_children_cpu if args.clock == "cpu" else time.perf_counter
    )
    for name, values in times.items():
        print(f"  {name:<18} {spread([v * 1000 for v in values]).show(0, ' ms')}")
    over = [h - p for h, p in zip(times["jixiao --help"], times["python -c pass"], strict=True)]
    print(f"  --help minus the bare start: {spread([v * 1000 for v in over]).show(0, ' ms')}")
    if args.before:
        now = ratios(times["now: -m jixiao --help"], times["before: -m jixiao --help"])
        print(f"  now / before (python -m jixiao --help): {spread(now).show(2)}")
    footer()


if __name__ == "__main__":
    main()
