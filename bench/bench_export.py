"""Time `jixiao export`'s writers: N forms to each format, one file each.

    python bench/bench_export.py [-n 100] [--repeat 5] [--to FORMAT ...] [--profile FORMAT]

The forms come from jixiao.testing.synth (seed 0), half in the national 2020
template's layout and half in the old Shanghai 2019 one, made once; only writing
is timed. Each round writes all N forms to every format in turn (xlsx, docx,
pdf, …: the formats interleaved, a fresh folder each time) after one warm-up
form per format (imports, fonts); prints per format the median and min–max over
the rounds of seconds and forms per second, and the size of a form's file.
``--profile pdf`` then writes the forms once more under cProfile and prints the
own time of the functions grouped by package (WeasyPrint, fontTools, jixiao, …).
"""

from __future__ import annotations

import argparse
import ctypes.util
import tempfile
from importlib import metadata
from pathlib import Path

# The readers before the writers: since f09ced1, importing jixiao.writers first is a
# circular import (writers → contract.json → readers → readers.contract → contract.json).
import jixiao.readers  # noqa: F401
from common import add_repeat, footer, header, interleave, own_time_by_package, spread
from jixiao import templates
from jixiao.testing import synth
from jixiao.writers import Format, file_names, write_form

TEMPLATES = ("national-2020", "shanghai-2019")
SEED = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", "--count", type=int, default=100, help="forms per format (default 100)"
    )
    parser.add_argument(
        "--to", choices=[f.value for f in Format], action="append", help="format (repeatable)"
    )
    add_repeat(parser)
    parser.add_argument(
        "--profile", choices=[f.value for f in Format], help="then where that format's time goes"
    )
    args = parser.parse_args()
    formats = [Format(f) for f in args.to] if args.to else list(Format)

    loaded = {t: templates.load(t) for t in TEMPLATES}
    half = args.count // 2
    forms = [
        *synth.forms(args.count - half, loaded[TEMPLATES[0]], seed=SEED),
        *synth.forms(half, loaded[TEMPLATES[1]], seed=SEED),
    ]
    subset = (
        "found" if ctypes.util.find_library("harfbuzz-subset") else "NOT found (slow fontTools)"
    )
    header(
        f"synthetic forms (jixiao.testing.synth, seed {SEED}): {args.count - half} {TEMPLATES[0]} "
        f"+ {half} {TEMPLATES[1]}",
        f"{len(forms)} forms to each of {', '.join(f.value for f in formats)}, {args.repeat} rounds; "
        f"WeasyPrint {metadata.version('weasyprint')}, openpyxl {metadata.version('openpyxl')}, "
        f"python-docx {metadata.version('python-docx')}, libharfbuzz-subset {subset}",
    )
    sizes: dict[Format, float] = {}

    def writer(fmt: Format):
        def run() -> None:
            with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as folder:
                out = Path(folder)
                for ev, name in zip(forms, file_names(forms, fmt)):
                    write_form(ev, loaded[ev.template], fmt, out / name)
                sizes[fmt] = sum(p.stat().st_size for p in out.iterdir()) / len(forms) / 1024

        return run

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as folder:
        for fmt in formats:  # warm-up: imports, fonts, caches
            write_form(
                forms[0], loaded[forms[0].template], fmt, Path(folder) / f"warm-up-{fmt.value}"
            )
    times = interleave({fmt.value: writer(fmt) for fmt in formats}, args.repeat)
    print("  format: seconds and forms/s, median (min–max over the rounds); KB a form's file")
    for fmt in formats:
        seconds = spread(times[fmt.value])
        rate = spread([len(forms) / t for t in times[fmt.value]])
        print(
            f"  {fmt.value:<5} {seconds.median:8.2f} s ({seconds.low:.2f}–{seconds.high:.2f})"
            f"  {rate.median:8.1f} forms/s ({rate.low:.1f}–{rate.high:.1f})  {sizes[fmt]:6.1f} KB"
        )
    if args.profile:
        print(f"{len(forms)} forms to {args.profile} again:")
        packages = ("weasyprint", "fontTools", "pydyf", "tinycss2", "cssselect2", "html5lib")
        own_time_by_package(writer(Format(args.profile)), (*packages, "openpyxl", "docx", "jixiao"))
    footer()


if __name__ == "__main__":
    main()
