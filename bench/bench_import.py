"""Import speed: the text reader over a corpus of forms repeated to N forms.

    python bench/bench_import.py [--forms 10000] [--repeat 5] [--corpus seeds|samples]
                                 [--seeds ../shared/seeds] [--clock wall|cpu]

Reads every file of the corpus from memory (decoded once) again and again on one
core until N forms are read; each of ``--repeat`` rounds does that once, and the
median and min–max of forms per second over the rounds are printed (goal:
≥ 1,000 forms/s). The corpus is the seeds (the 23 published forms in 5 text
files at ../shared/seeds: exits if they are absent) or, with ``--corpus
samples``, the bundled samples of jixiao.samples (without the one with slips).
``--clock cpu`` times the rounds by the process's CPU time instead of the wall
clock: forms per second of one core, steadier on a machine shared with others' jobs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import SEEDS, add_repeat, footer, header, interleave, report, seeds
from jixiao import samples
from jixiao.readers import decode
from jixiao.readers.text import read_text


def corpus(kind: str, folder: Path) -> tuple[str, list[tuple[str, str]], int]:
    if kind == "seeds":
        files = sorted(seeds(folder).glob("*.txt"))
        what = f"the seeds ({folder})"
    else:
        files = [p for p in samples.paths() if "slips" not in p.name]
        what = "the bundled samples (jixiao.samples: " + ", ".join(p.name for p in files) + ")"
    texts = [(str(p), decode(p.read_bytes(), str(p))) for p in files]
    forms = sum(len(read_text(text, name)) for name, text in texts)
    return f"{what}: {forms} forms in {len(files)} files", texts, forms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10_000)
    add_repeat(parser)
    parser.add_argument("--corpus", choices=("seeds", "samples"), default="seeds")
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--clock", default="wall", choices=("wall", "cpu"))
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    what, texts, per_round = corpus(args.corpus, args.seeds)
    rounds_of_corpus = -(-args.forms // per_round)
    read = rounds_of_corpus * per_round
    header(
        what,
        f"{read:,} forms a round (the corpus {rounds_of_corpus} times), {args.repeat} rounds, "
        f"{args.clock} clock",
    )

    def run() -> int:
        count = 0
        for _ in range(rounds_of_corpus):
            for name, text in texts:
                count += len(read_text(text, name))
        return count

    def seen(_name: str, count: int) -> None:
        assert count == read, f"read {count} forms, expected {read}"

    report(interleave({"import": run}, args.repeat, clock=clock, after=seen), per=read)
    footer()


if __name__ == "__main__":
    main()
