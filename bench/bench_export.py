"""Time `jixiao export`'s writers: N forms to each format, one process, one file each.

The forms are the bundled samples, repeated to N. Prints forms per second.

    .venv/bin/python bench/bench_export.py            # 1,000 forms to every format
    .venv/bin/python bench/bench_export.py -n 100 --to pdf
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

from jixiao import samples, templates
from jixiao.readers import read_path
from jixiao.writers import Format, file_names, write_form


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=1000, help="forms per format (default 1000)")
    parser.add_argument("--to", choices=[f.value for f in Format], action="append", help="format (repeatable)")
    args = parser.parse_args()
    formats = [Format(f) for f in args.to] if args.to else list(Format)

    sample_forms = [ev for path in samples.paths() for ev in read_path(path)]
    forms = list(islice(cycle(sample_forms), args.count))
    template = {ev.template: templates.load(ev.template) for ev in forms}
    print(f"{len(forms)} forms ({len(sample_forms)} bundled samples repeated), Python {platform.python_version()}")
    print(f"{'format':<6} {'seconds':>8} {'forms/s':>9} {'KB/form':>8}")
    for fmt in formats:
        with tempfile.TemporaryDirectory() as folder:
            names = file_names(forms, fmt)
            write_form(forms[0], template[forms[0].template], fmt, Path(folder) / "warm-up")  # imports, fonts
            start = time.perf_counter()
            for ev, name in zip(forms, names):
                write_form(ev, template[ev.template], fmt, Path(folder) / name)
            seconds = time.perf_counter() - start
            size = sum(p.stat().st_size for p in Path(folder).iterdir()) / len(forms) / 1024
        print(f"{fmt.value:<6} {seconds:>8.2f} {len(forms) / seconds:>9.1f} {size:>8.1f}")


if __name__ == "__main__":
    main()
