"""What every bench shares: the header that says what was timed, the repeated
and interleaved timing of the sides of a ratio, and median and spread.

Every bench imports jixiao as installed (an editable install: ``src/`` as it is;
a wheel: the compiled core), never by putting ``src/`` first on ``sys.path``,
and its first lines say which jixiao, whether its domain core is compiled, the
Python, the machine, its load and the corpus timed.

Sides of a ratio are timed in one process, from the same place (the same data
in memory or the same files), one after the other within each round — A, B, A,
B, … — for ``--repeat`` rounds (at least 5 by default), so that a change of the
machine's load falls on both; a ratio is worked out per round (A of round n over
B of round n) and reported as the median of the rounds with their min–max.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
"""The 23 published forms the project was made from (text pulled out of PDFs, in
5 files), beside the project at ../shared/seeds; not in the repository."""


def core_build() -> str:
    """Whether the domain core runs compiled (a wheel built with mypyc) or as
    plain Python (an editable install): the audit's figures differ about twofold."""
    import jixiao.domain.audit.text as text

    return "plain Python" if text.__file__.endswith(".py") else "compiled (mypyc)"


def installed() -> str:
    """Where jixiao comes from and how it is installed; a warning when the module
    imported is not the installed distribution's (``src/`` put on the path by hand)."""
    from importlib import metadata

    import jixiao

    here = Path(jixiao.__file__).resolve().parent
    try:
        dist = metadata.distribution("jixiao")
    except metadata.PackageNotFoundError:
        return f"{here} (NOT INSTALLED: not what users run)"
    how = "wheel"
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct.get("dir_info", {}).get("editable"):
        how = "editable install"
    elif direct.get("url"):
        source = Path(direct["url"].removeprefix("file://"))
        how = f"wheel built from {source}{source_state(source, 'now ')}"
    where = f"{here} ({how}{source_state(here)})"
    if how == "wheel":
        expected = Path(str(dist.locate_file("jixiao"))).resolve()
        if expected != here:
            where += f" WARNING: the installed wheel is {expected}, not the module imported"
    return where


def source_state(folder: Path, when: str = "") -> str:
    """The commit of the work tree ``folder`` is in, and whether ``folder`` differs from it
    (for a wheel: its source folder as it is now, not necessarily as it was built)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return ""
    changed = git("status", "--porcelain", "--", str(folder)).splitlines()
    state = f"uncommitted changes in {len(changed)} of its files" if changed else "clean"
    return f", {when}at git commit {commit}, {state}"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def header(corpus: str, sizes: str = "") -> None:
    """The lines every bench starts with: jixiao, its core, the machine, the corpus."""
    import jixiao

    print(f"jixiao {jixiao.__version__} from {installed()}; domain core {core_build()}")
    print(
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, {load()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"corpus: {corpus}")
    if sizes:
        print(f"sizes: {sizes}")
    sys.stdout.flush()


def footer() -> None:
    print(f"done, {load()}", flush=True)


def add_repeat(parser: argparse.ArgumentParser, default: int = 5) -> None:
    parser.add_argument(
        "--repeat",
        type=int,
        default=default,
        help=f"rounds, each side timed once a round (default {default}; at least 5 for a figure)",
    )


def seeds(folder: Path = SEEDS) -> Path:
    """The seeds folder, or exit saying where it was looked for."""
    if not folder.is_dir() or not any(folder.glob("*.txt")):
        sys.exit(
            f"the seeds (the 23 published forms, ../shared/seeds beside the project) are not at "
            f"{folder}: pass --seeds DIR, or --corpus samples for the bundled samples"
        )
    return folder


def synth_corpus(count: int, template: str, seed: int) -> str:
    return f"synthetic forms (jixiao.testing.synth): {count:,} {template}, seed {seed}"


# --- timing ------------------------------------------------------------------------------------


def interleave(
    sides: dict[str, Callable[[], object]],
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
    after: Callable[[str, object], None] | None = None,
) -> dict[str, list[float]]:
    """Seconds of each side, ``repeat`` rounds of every side in turn (A, B, A, B, …).
    ``after(name, result)`` sees what each run returned (to check it read everything)."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, run in sides.items():
            start = clock()
            result = run()
            times[name].append(clock() - start)
            if after is not None:
                after(name, result)
    return times


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float
    n: int

    def show(self, digits: int = 2, unit: str = "") -> str:
        f = f"{{:,.{digits}f}}"
        return (
            f"{f.format(self.median)}{unit} (min–max {f.format(self.low)}–{f.format(self.high)}"
            f"{unit}, n={self.n})"
        )


def spread(values: Sequence[float]) -> Spread:
    return Spread(statistics.median(values), min(values), max(values), len(values))


def ratios(top: Sequence[float], bottom: Sequence[float]) -> list[float]:
    """Round by round: top[n] / bottom[n]."""
    return [a / b for a, b in zip(top, bottom, strict=True)]


def report(
    times: dict[str, list[float]],
    per: int | None = None,
    what: str = "forms",
    ratio: tuple[str, str] | None = None,
    bar: str = "",
) -> Spread | None:
    """Median and min–max of each side (seconds, and ``what``/s when ``per`` is
    given), then of the ratio ``ratio[0] / ratio[1]`` round by round."""
    width = max(len(name) for name in times)
    for name, values in times.items():
        line = f"  {name:<{width}}  {spread(values).show(3, ' s')}"
        if per:
            line += f";  {spread([per / v for v in values]).show(1)} {what}/s"
        print(line)
    if ratio is None:
        return None
    result = spread(ratios(times[ratio[0]], times[ratio[1]]))
    print(f"  ratio {ratio[0]} / {ratio[1]}: {result.show(3)}{'  ' + bar if bar else ''}")
    return result


def own_time_by_package(run: Callable[[], object], packages: Sequence[str]) -> None:
    """cProfile ``run()`` and print the own time of its functions grouped by the
    first of ``packages`` in each function's file path (else built-ins or other)."""
    import cProfile
    import pstats
    from collections import Counter

    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    totals: Counter = Counter()
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, own, cum, callers)}
    for (file, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.items():
        parts = Path(file).parts
        package = next((p for p in packages if p in parts), None)
        totals[package or ("Python's built-ins" if file == "~" else "stdlib and other")] += own
    whole = sum(totals.values())
    print(f"cProfile, own time by package ({whole:.2f} s profiled):")
    for package, seconds in totals.most_common():
        print(f"  {100 * seconds / whole:5.1f}%  {package}")
