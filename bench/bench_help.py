"""How long ``jixiao --help`` takes, against the bare interpreter's start.

    python bench/bench_help.py [--repeat 21]

Runs, as new processes one after the other in each round (interleaved): the
interpreter doing nothing (``python -c pass``: its start, site's .pth files),
``python -c "import jixiao.cli"``, and the ``jixiao`` console script of this
interpreter's environment with ``--help`` (what a user types). Prints the median
and min–max over the rounds of each, wall clock, and of ``--help`` minus the bare
start round by round. Bar (#25): ``jixiao --help`` in at most 150 ms.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from common import add_repeat, footer, header, interleave, spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_repeat(parser, default=21)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "jixiao"
    if not script.exists():
        sys.exit(f"no jixiao console script beside {sys.executable}")
    header("none (the CLI's start)", f"{args.repeat} rounds; {script}")

    def run(*command: str):
        def side() -> None:
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

        return side

    times = interleave(
        {
            "python -c pass": run(sys.executable, "-c", "pass"),
            "import jixiao.cli": run(sys.executable, "-c", "import jixiao.cli"),
            "jixiao --help": run(str(script), "--help"),
        },
        args.repeat,
        clock=time.perf_counter,
    )
    for name, values in times.items():
        print(f"  {name:<18} {spread([v * 1000 for v in values]).show(0, ' ms')}")
    over = [h - p for h, p in zip(times["jixiao --help"], times["python -c pass"], strict=True)]
    print(f"  --help minus the bare start: {spread([v * 1000 for v in over]).show(0, ' ms')}")
    footer()


if __name__ == "__main__":
    main()
