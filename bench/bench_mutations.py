"""Damaged files through every reader: N mutations each (truncation, byte
flips, both), counting crashes (any exception but ReadError) and hangs (a read
over --timeout seconds).

    python bench/bench_mutations.py [--count 1000] [--repeat 5] [--workers 2] [--timeout 20]

The corpus is committed fixtures: tests/fixtures/files (synth-national.pdf,
three-forms.xlsx, synth-shanghai.docx) and the text and web-page shapes of real
pages in tests/fixtures/shapes (cells between pipes padded, one cell a line,
running lines, everything run together, a saved web page). Mutations are seeded, so a run can be
repeated; each round mutates ``--count`` new seeds of every reader in turn
(round r: seeds r·count … (r+1)·count − 1), so ``--repeat`` rounds try
count × repeat mutations of each. Each crash or hang prints its reader, seed and
error. Prints, per reader: mutations, refused (ReadError), read anyway,
crashes, hangs, and seconds a round (median, min–max). Crashes and hangs must be 0.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from common import add_repeat, footer, header, interleave, spread
from jixiao.readers import ReadError, read_bytes

ROOT = Path(__file__).resolve().parents[1]

FILES = ROOT / "tests" / "fixtures" / "files"
SHAPES = ROOT / "tests" / "fixtures" / "shapes"
SOURCES = {  # reader → the fixture it damages
    "pdf": FILES / "synth-national.pdf",
    "xlsx": FILES / "three-forms.xlsx",
    "docx": FILES / "synth-shanghai.docx",
    "pipes": SHAPES / "transfer-pipes-padded.txt",
    "cells": SHAPES / "sichuan-one-cell-a-line.txt",
    "running": SHAPES / "hebei-running.txt",
    "glued": SHAPES / "transfer-glued.txt",
    "html": SHAPES / "department.html",
}


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    how = rng.random()
    if how < 0.4:  # truncated
        del out[rng.randrange(len(out)) :]
    if how >= 0.3:  # bytes flipped: one to 16, anywhere
        for _ in range(rng.randint(1, 16)):
            if out:
                out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


_INSERTS = [
    "|",
    " | ",
    "\n",
    "\t",
    "0",
    "9",
    ".",
    "%",
    "≥",
    "(10分)",
    "其中:",
    "总分",
    "<td>",
    "</tr>",
]


def mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Text damaged as text: spans deleted, repeated or moved, separators and figures
    put in, lines joined; half the time the bytes too."""
    text = data.decode("utf-8")
    for _ in range(rng.randint(1, 12)):
        if not text:
            break
        at = rng.randrange(len(text))
        span = rng.randint(1, 40)
        how = rng.random()
        if how < 0.3:
            text = text[:at] + text[at + span :]
        elif how < 0.5:
            text = text[:at] + text[at : at + span] * 2 + text[at + span :]
        elif how < 0.8:
            text = text[:at] + rng.choice(_INSERTS) + text[at:]
        else:
            text = text.replace("\n", "", 1) if rng.random() < 0.5 else text.replace("|", "", 3)
    out = text.encode("utf-8")
    return mutate(out, rng) if rng.random() < 0.5 else out


def run_chunk(kind: str, seeds: range, timeout: int) -> tuple[Counter, list[str]]:
    signal.signal(signal.SIGALRM, _alarm)
    data = SOURCES[kind].read_bytes()
    counts, failures = Counter(), []
    for seed in seeds:
        rng = random.Random(f"{kind}-{seed}")
        textual = SOURCES[kind].suffix in (".txt", ".html")
        mutated = mutate_text(data, rng) if textual else mutate(data, rng)
        signal.alarm(timeout)
        try:
            suffix = SOURCES[kind].suffix
            read_bytes(mutated, f"mutated-{kind}{suffix}", suffix)
            counts["read"] += 1
        except ReadError:
            counts["refused"] += 1
        except Hang:
            counts["hangs"] += 1
            failures.append(f"{kind} seed {seed}: hang (> {timeout} s)")
        except BaseException as error:
            counts["crashes"] += 1
            failures.append(f"{kind} seed {seed}: {type(error).__name__}: {error}"[:300])
        finally:
            signal.alarm(0)
    return counts, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="mutations of each reader a round")
    add_repeat(parser)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--readers", default=",".join(SOURCES))
    args = parser.parse_args()
    kinds = args.readers.split(",")
    header(
        "committed fixtures (tests/fixtures/files, tests/fixtures/shapes): "
        + ", ".join(SOURCES[kind].name for kind in kinds),
        f"{args.count:,} mutations of each a round × {args.repeat} rounds, readers in turn, "
        f"{args.workers} worker processes, timeout {args.timeout} s",
    )
    totals = {kind: Counter() for kind in kinds}
    failures: list[str] = []
    done: Counter = Counter()  # rounds done of each reader

    def mutations(kind: str):
        def run() -> None:
            first = done[kind] * args.count
            done[kind] += 1
            chunks = [
                range(start, min(start + 250, first + args.count))
                for start in range(first, first + args.count, 250)
            ]
            with ProcessPoolExecutor(args.workers) as pool:
                for counts, fails in pool.map(
                    run_chunk, [kind] * len(chunks), chunks, [args.timeout] * len(chunks)
                ):
                    totals[kind].update(counts)
                    failures.extend(fails)

        return run

    times = interleave({kind: mutations(kind) for kind in kinds}, args.repeat)
    for line in failures:
        print("  ", line)
    print(
        f"  {'reader':6} {'mutations':>9} {'refused':>8} {'read':>6} {'crashes':>8} {'hangs':>6}"
        "  seconds a round, median (min–max)"
    )
    bad = 0
    for kind in kinds:
        total, seconds = totals[kind], spread(times[kind])
        bad += total["crashes"] + total["hangs"]
        print(
            f"  {kind:6} {args.count * args.repeat:9,} {total['refused']:8,} {total['read']:6,} "
            f"{total['crashes']:8} {total['hangs']:6}  {seconds.median:.1f} "
            f"({seconds.low:.1f}–{seconds.high:.1f})"
        )
    footer()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
