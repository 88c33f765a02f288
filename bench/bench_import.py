"""Import speed: the text reader over the seed forms repeated to N forms.

    python bench/bench_import.py [--forms 10000] [--seeds ../shared/seeds]

Reads each 2023 seed file (19 forms in 3 files) from memory again and again on
one core until N forms are read, and prints forms per second. The bundled
samples stand in when the seeds are absent.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from jixiao import samples
from jixiao.readers import decode
from jixiao.readers.text import read_text

ROOT = Path(__file__).resolve().parents[1]


def corpus(seeds: Path) -> list[tuple[str, str]]:
    files = sorted(seeds.glob("00[123]_*.txt")) if seeds.is_dir() else []
    files = files or [p for p in samples.paths() if "slips" not in p.name]
    return [(str(p), decode(p.read_bytes(), str(p))) for p in files]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=10_000)
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args()
    texts = corpus(args.seeds)
    read = 0
    started = time.perf_counter()
    while read < args.forms:
        for name, text in texts:
            read += len(read_text(text, name))
    elapsed = time.perf_counter() - started
    print(
        f"files per round: {len(texts)}; forms read: {read}; seconds: {elapsed:.2f}; "
        f"forms/s: {read / elapsed:,.0f}"
    )


if __name__ == "__main__":
    main()
