"""The web's bulk import (批量导入) against the CLI's batch reader on the same files, in one run.

    python bench/bench_bulk_import.py [--files 1000] [--format xlsx|txt|json|pdf]
                                      [--workers 1,2] [--repeat 5] [--saves 200]

Makes a synthetic province of ``--files`` projects (``jixiao demo --synthetic``, year
2023) and one file per project for 2024 in ``--format`` (written by jixiao's writers,
each form under its project's name), then times, interleaved round by round and for
each worker count:
  cli — ``jixiao import FOLDER --workers W --json`` (reading only);
  web — the same files started as a bulk import (``bulk_import.start``) and run by
        ``jixiao worker --once`` with ``JIXIAO_IMPORT_WORKERS=W``: reading, matching
        each form to its project, creating it with its audit and trail event; on a
        fresh copy of the database each round.
Prints files per second and the ratio web / cli per worker count (bar: ≤ 1.3). With
``--saves N`` it also times N draft saves (``actions.forms.save``) idle and while a
bulk import runs, and prints their p95 and the ratio (bar: ≤ 3).

It times the jixiao installed (bench/common.py says which build).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import add_repeat, footer, header, ratios, spread

JIXIAO = [sys.executable, "-m", "jixiao"]
PRISTINE = "pristine.sqlite3"


def env(**extra: str) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return {**clean, **extra}


def django(data: Path, code: str, **extra: str) -> str:
    script = (
        "from pathlib import Path\nfrom jixiao.web import server\n"
        f"server.prepare(Path({str(data)!r}))\nserver.migrate()\n" + code
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env(**extra), capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr)
    return done.stdout.strip()


MAKE_FILES = """
import json
from jixiao import templates
from jixiao.contract.json import evaluation_from_dict
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.writers import Format, write_form
folder = Path({folder!r})
for ev in Evaluation.objects.filter(year=2023).select_related("project"):
    name = ev.project.name + "（" + ev.project.code + "）"  # synthetic names repeat
    Project.objects.filter(pk=ev.project.pk).update(name=name)
    data = {{**ev.data, "year": 2024, "project": {{**ev.data["project"], "name": name}}}}
    path = folder / (ev.project.code + ".{suffix}")
    if "{fmt}" == "json":
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        continue
    form = evaluation_from_dict(data, path.name)
    write_form(form, templates.load(form.template), Format("{fmt}"), path)
"""

START = """
from django.contrib.auth import get_user_model
from jixiao.web.evaluations.actions import bulk_import
files = [(p.name, p.read_bytes()) for p in sorted(Path({folder!r}).iterdir())]
admin = get_user_model().objects.get(username="syn-admin")
print(bulk_import.start(user=admin, files=files).pk)
"""

SAVES = """
import time, json
from django.contrib.auth import get_user_model
from jixiao.contract.json import evaluation_from_dict
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation
ev = Evaluation.objects.filter(year=2023, state="draft").select_related("project__unit").first()
filler = get_user_model().objects.filter(membership__organisation=ev.project.unit, membership__role="filler").first()
form = actions.forms.form_of(ev)
seconds = []
for n in range({saves}):
    ev.refresh_from_db()
    started = time.perf_counter()
    actions.forms.save(user=filler, pk=ev.pk, version=ev.version, form=form)
    seconds.append(time.perf_counter() - started)
print(json.dumps(seconds))
"""


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--format", default="xlsx", choices=("xlsx", "txt", "json", "pdf"))
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--saves", type=int, default=0)
    add_repeat(parser)
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    suffix = {"txt": "txt", "xlsx": "xlsx", "json": "json", "pdf": "pdf"}[args.format]
    header(
        f"synthetic province, {args.files:,} forms written as {args.format} (jixiao's writers)",
        f"{args.repeat} rounds, workers {counts}, each round cli then web per worker count",
    )
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-bulk-") as tmp:
        data, folder = Path(tmp) / "data", Path(tmp) / "files"
        folder.mkdir()
        made = subprocess.run(
            [
                *JIXIAO,
                "demo",
                "--synthetic",
                str(args.files),
                "--years",
                "2023",
                "--data-dir",
                str(data),
            ],
            env=env(),
            capture_output=True,
            text=True,
        )
        if made.returncode:
            sys.exit(made.stderr)
        django(data, MAKE_FILES.format(folder=str(folder), suffix=suffix, fmt=args.format))
        shutil.copy(data / "jixiao.sqlite3", Path(tmp) / PRISTINE)
        times: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for w in counts:
                started = time.perf_counter()
                subprocess.run(
                    [*JIXIAO, "import", str(folder), "--workers", str(w), "--json"],
                    env=env(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )
                times.setdefault(f"cli {w}", []).append(time.perf_counter() - started)
                fresh(data, Path(tmp))
                started = time.perf_counter()
                pk = django(data, START.format(folder=str(folder)))
                subprocess.run(
                    [*JIXIAO, "worker", "--once", "--data-dir", str(data)],
                    env=env(JIXIAO_IMPORT_WORKERS=str(w)),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )
                times.setdefault(f"web {w}", []).append(time.perf_counter() - started)
                check_done(data, int(pk), args.files)
        for side, values in times.items():
            s = spread(values)
            print(
                f"  {side:6}  {s.median:8.2f} s (min–max {s.low:.2f}–{s.high:.2f}, n={s.n});  "
                f"{args.files / s.median:,.1f} files/s"
            )
        for w in counts:
            r = spread(ratios(times[f"web {w}"], times[f"cli {w}"]))
            print(
                f"  web / cli at {w} worker(s): {r.median:.3f} ({r.low:.3f}–{r.high:.3f}), "
                f"bar ≤ 1.3 {'met' if r.median <= 1.3 else 'NOT met'}"
            )
        if args.saves:
            saves(data, Path(tmp), folder, args.saves)
    footer()


def fresh(data: Path, tmp: Path) -> None:
    for extra in ("jixiao.sqlite3-wal", "jixiao.sqlite3-shm"):
        (data / extra).unlink(missing_ok=True)
    shutil.copy(tmp / PRISTINE, data / "jixiao.sqlite3")


def check_done(data: Path, pk: int, files: int) -> None:
    import json
    import sqlite3

    with sqlite3.connect(data / "jixiao.sqlite3") as db:
        state, result = db.execute(
            "select state, result from tasks_task where id = ?", (pk,)
        ).fetchone()
    counts = json.loads(result)["counts"] if result else {}
    if state != "done" or counts.get("filed") != files:
        sys.exit(f"the bulk import did not file every form: {state} {counts}")


def saves(data: Path, tmp: Path, folder: Path, count: int) -> None:
    import json

    fresh(data, tmp)
    idle = json.loads(django(data, SAVES.format(saves=count)))
    pk = django(data, START.format(folder=str(folder)))
    worker = subprocess.Popen(
        [*JIXIAO, "worker", "--once", "--data-dir", str(data)],
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2)  # the worker started and importing
    busy = json.loads(django(data, SAVES.format(saves=count)))
    still = worker.poll() is None
    worker.wait()
    check_done(data, int(pk), len(list(folder.iterdir())))
    print(
        f"  draft save p95: idle {1000 * p95(idle):.1f} ms, during the import {1000 * p95(busy):.1f} ms "
        f"({p95(busy) / p95(idle):.2f}×, bar ≤ 3){'' if still else ' — the import ended before the saves did: use more files'}"
    )


if __name__ == "__main__":
    main()
