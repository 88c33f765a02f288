"""Damaged files through every reader: N mutations each (truncation, byte
flips, both), counting crashes (any exception but ReadError) and hangs (a read
over --timeout seconds).

    python bench/bench_mutations.py [--count 10000] [--workers 2] [--timeout 20]

The sources are committed fixtures (tests/fixtures/files). Mutations are
seeded, so a run can be repeated; each crash or hang prints its reader, seed
and error. Prints, per reader: mutations, refused (ReadError), read anyway,
crashes, hangs, seconds. Crashes and hangs must be 0.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench_check import core_build  # times the installed jixiao, not src/
from jixiao.readers import ReadError, read_bytes

ROOT = Path(__file__).resolve().parents[1]

FILES = ROOT / "tests" / "fixtures" / "files"
SOURCES = {
    "pdf": FILES / "synth-national.pdf",
    "xlsx": FILES / "three-forms.xlsx",
    "docx": FILES / "synth-shanghai.docx",
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


def run(kind: str, seeds: range, timeout: int) -> tuple[Counter, list[str]]:
    signal.signal(signal.SIGALRM, _alarm)
    data = SOURCES[kind].read_bytes()
    counts, failures = Counter(), []
    for seed in seeds:
        mutated = mutate(data, random.Random(f"{kind}-{seed}"))
        signal.alarm(timeout)
        try:
            read_bytes(mutated, f"mutated.{kind}", f".{kind}")
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--readers", default="pdf,xlsx,docx")
    args = parser.parse_args()
    bad = 0
    import jixiao

    print(f"jixiao from {Path(jixiao.__file__).parent} ({core_build()})")
    print(
        f"{'reader':6} {'mutations':>9} {'refused':>8} {'read':>6} {'crashes':>8} {'hangs':>6} {'seconds':>8}"
    )
    for kind in args.readers.split(","):
        started = time.perf_counter()
        chunks = [range(start, min(start + 250, args.count)) for start in range(0, args.count, 250)]
        total, failures = Counter(), []
        with ProcessPoolExecutor(args.workers) as pool:
            for counts, fails in pool.map(
                run, [kind] * len(chunks), chunks, [args.timeout] * len(chunks)
            ):
                total.update(counts)
                failures += fails
        for line in failures:
            print("  ", line)
        bad += total["crashes"] + total["hangs"]
        print(
            f"{kind:6} {args.count:9,} {total['refused']:8,} {total['read']:6,} {total['crashes']:8} "
            f"{total['hangs']:6} {time.perf_counter() - started:8.1f}",
            flush=True,
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
