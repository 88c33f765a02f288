"""A department exported to PDF by the CLI: seconds and memory at 1 and 2 workers.

    python bench/bench_export_batch.py [--forms 400] [--workers 1,2] [--repeat 5] [--to pdf]
        [--modes files,merged]

The department is N synthetic forms (jixiao.testing.synth, seed 0, national-2020),
all of one 主管部门, saved once as the JSON contract, one file a form, in a
temporary folder. Each round runs ``jixiao export FOLDER --to pdf -o OUT
--workers W`` as users do (a new process: reading, writing, the interpreter's
start), once for each W in turn (1, 2, 1, 2, …: interleaved), and times it by the
wall clock; ``--modes files,merged`` also runs ``jixiao export FOLDER --merged
OUT.pdf --workers W`` (one PDF of every form) at each W, interleaved with the files. While it runs, the resident memory of the process and its workers is
read from /proc every 50 ms, and the peak of their sum (RSS: pages the processes
share are counted in each, so it is an upper bound) is reported. Prints the
median and min–max over the rounds of the seconds, forms per second, the peak
MB and the CPU seconds (user and system of the process and its workers: on a
machine shared with others' work, CPU seconds ÷ W is what the run would take with
W free cores) for each W, and the ratio of the first W's time to each other's
round by round.
Bar (#25): 400 forms in at most 60 s with 2 workers on 2 cores (goal 30 s), at
most 500 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import jixiao.readers  # noqa: F401  (before the writers: see bench_export.py)
from common import add_repeat, footer, header, load, ratios, spread
from jixiao import templates
from jixiao.testing import synth
from jixiao.writers import Format, file_names, write_form

TEMPLATE = "national-2020"
SEED = 0
DEPARTMENT = "某市教育局"


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every process below it (its workers)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:  # gone meanwhile
            continue
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total = 0
    for pid, size in rss.items():
        at = pid
        while at and at != root:
            at = parents.get(at, 0)
        if at == root:
            total += size
    return total


def run_export(
    folder: Path, out: Path, fmt: str, workers: int, forms: int, merged: bool = False
) -> tuple[float, int, float]:
    """Seconds, peak resident bytes and CPU seconds (user and system, the workers'
    included) of one ``jixiao export`` (``--merged out/all.pdf`` if ``merged``)."""
    command = [sys.executable, "-m", "jixiao", "export", str(folder)]
    if merged:
        out.mkdir()
        command += ["--merged", str(out / "all.pdf"), "--workers", str(workers)]
    else:
        command += ["--to", fmt, "-o", str(out), "--workers", str(workers)]
    peak = 0
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(child.pid))
            done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = child.communicate()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    written = len(stdout.splitlines())
    if merged and child.returncode == 0 and "合成" in stderr and f" {forms} 张表" in stderr:
        written = forms  # one line: the merged file
    if child.returncode != 0 or written != forms:
        sys.exit(f"export failed (exit {child.returncode}, {written} of {forms} files): {stderr}")
    return seconds, peak, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=400)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--to", default="pdf", choices=[f.value for f in Format])
    parser.add_argument(
        "--modes", default="files", help="files (one a form), merged (one PDF), or both"
    )
    add_repeat(parser)
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    modes = args.modes.split(",")
    if not set(modes) <= {"files", "merged"}:
        parser.error("--modes: files, merged")
    runs = [(mode, w) for mode in modes for w in counts]  # interleaved in this order

    template = templates.load(TEMPLATE)
    forms = [
        replace(ev, project=replace(ev.project, department=DEPARTMENT))
        for ev in synth.forms(args.forms, template, seed=SEED)
    ]
    header(
        f"one department: {args.forms} synthetic forms (jixiao.testing.synth, seed {SEED}, "
        f"{TEMPLATE}, 主管部门 {DEPARTMENT}) as JSON contract files",
        f"jixiao export ({', '.join(modes)}; --to {args.to}) at workers "
        f"{', '.join(map(str, counts))} interleaved, {args.repeat} rounds; a new process each run",
    )
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        folder = Path(tmp) / "department"
        folder.mkdir()
        for ev, name in zip(forms, file_names(forms, Format.JSON)):
            write_form(ev, template, Format.JSON, folder / name)
        seconds: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        peaks: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        cpus: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        for round_ in range(args.repeat):
            for mode, w in runs:
                out = Path(tmp) / f"out-{round_}-{mode}-{w}"
                took, peak, cpu = run_export(
                    folder, out, args.to, w, args.forms, merged=mode == "merged"
                )
                seconds[mode, w].append(took)
                peaks[mode, w].append(peak / 2**20)
                cpus[mode, w].append(cpu)
                print(
                    f"  round {round_ + 1}, {mode}, {w} worker(s): {took:.1f} s, "
                    f"{peak / 2**20:.0f} MB, CPU {cpu:.1f} s, {load()}"
                )
                sys.stdout.flush()
                for path in out.iterdir():
                    path.unlink()
                out.rmdir()
    for mode, w in runs:
        print(
            f"  {mode}, {w} worker(s): {spread(seconds[mode, w]).show(1, ' s')}; "
            f"{spread([args.forms / s for s in seconds[mode, w]]).show(1)} forms/s; "
            f"peak {spread(peaks[mode, w]).show(0, ' MB')}; CPU {spread(cpus[mode, w]).show(1, ' s')}"
        )
    for mode in modes:
        for w in counts[1:]:
            both = ratios(seconds[mode, counts[0]], seconds[mode, w])
            print(f"  {mode}: time {counts[0]} / {w} worker(s): {spread(both).show(2)}")
    footer()


if __name__ == "__main__":
    main()
