"""Time `jixiao export`'s writers: N forms to each format, one process, one file each.

The forms come from jixiao.testing.synth, half in the national 2023 layout and
half in the old Shanghai one; only writing is timed. Prints forms per second.

    python bench/bench_export.py            # 1,000 forms to every format
    python bench/bench_export.py -n 100 --to pdf
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from jixiao import templates
from jixiao.testing import synth
from jixiao.writers import Format, file_names, write_form

TEMPLATES = ("national-2020", "shanghai-2019")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", "--count", type=int, default=1000, help="forms per format (default 1000)"
    )
    parser.add_argument(
        "--to", choices=[f.value for f in Format], action="append", help="format (repeatable)"
    )
    args = parser.parse_args()
    formats = [Format(f) for f in args.to] if args.to else list(Format)

    loaded = {t: templates.load(t) for t in TEMPLATES}
    half = args.count // 2
    forms = [
        *synth.forms(args.count - half, loaded[TEMPLATES[0]]),
        *synth.forms(half, loaded[TEMPLATES[1]]),
    ]
    print(
        f"{len(forms)} synthetic forms ({' + '.join(TEMPLATES)}), Python {platform.python_version()}"
    )
    print(f"{'format':<6} {'seconds':>8} {'forms/s':>9} {'KB/form':>8}")
    for fmt in formats:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            write_form(forms[0], loaded[forms[0].template], fmt, out / "warm-up")  # imports, fonts
            (out / "warm-up").unlink()
            start = time.perf_counter()
            for ev, name in zip(forms, file_names(forms, fmt)):
                write_form(ev, loaded[ev.template], fmt, out / name)
            seconds = time.perf_counter() - start
            size = sum(p.stat().st_size for p in out.iterdir()) / len(forms) / 1024
        print(f"{fmt.value:<6} {seconds:>8.2f} {len(forms) / seconds:>9.1f} {size:>8.1f}")


if __name__ == "__main__":
    main()
