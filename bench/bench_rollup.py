"""Roll-up, export and attention-list requests on a whole province, on SQLite and on
PostgreSQL in the same run, each beside the bare SQL behind it.

    python bench/bench_rollup.py [--forms 100000] [--repeat 5] [--only sqlite|postgresql]
                                 [--profile REQUEST]

For each database: a fresh data directory (PostgreSQL: a throwaway server, initdb +
pg_ctl as .ci/postgres-tests does, on a spare loopback port), ``jixiao demo --synthetic``'s
province of ``--forms`` evaluations over 2022–2024, then for each request below, through
Django's test client as the bureau admin (and as a department's reviewer where said),
``--repeat`` times, interleaved: the request, then the same SQL statements the request ran
(its SELECTs, session and permission look-ups included) replayed with the database cursor
(the bare SQL: no ORM, no templates), then the request again, …. Each timed request is a
*first view*: the cache (jixiao.web.evaluations.selectors.cached, figures kept under the
trail's head) emptied right before it, so it computes its figures; then the same request
*seen again* (answered from the cache). Prints the median and min–max of each and of the
first view's ratio to its bare SQL worked out pair by pair (bar: ≤ 2×).

Requests:
  rollup-department   GET /rollup/?year=Y&department=D  (one department's roll-up page)
  rollup-bureau       GET /rollup/?year=Y               (the whole province: its first page)
  rollup-bureau-last  GET /rollup/?year=Y&page=99999    (its last page: the deepest OFFSET)
  export-csv          GET /rollup/export/csv/?year=Y&department=D
  export-xlsx         GET /rollup/export/xlsx/?year=Y&department=D
  attention-bureau    GET /attention/?year=Y             (first page, 100 rows)
  attention-reviewer  GET /attention/?year=Y             (as the department's reviewer)
  attention-api       GET /api/attention?year=Y&limit=100
  dashboard-<name>     GET /dashboards/data/<name>/?year=Y  (each chart's figures, the whole province)
  dashboard-years     GET /dashboards/data/years/?project=SYN-000001
  dashboards-page     GET /dashboards/?year=Y

``--profile REQUEST`` (a name above) also prints where the time of 5 such requests goes
(cProfile, the 40 costliest functions by their own time) — e.g. ``--forms 20000 --only
sqlite --profile rollup-department`` while working on one.

Each database runs in its own process (Django's settings are per process). Not a test:
it prints figures; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import add_repeat, footer, header, ratios, spread

YEARS = [2022, 2023, 2024]


def dashboard_requests(year: int) -> list[tuple[str, str, dict]]:
    """The dashboards' JSON endpoints (issue 9a: jixiao.web.pages.dashboards.CHARTS, and the
    one project's ``years``), for the whole province; none if the module is absent."""
    try:
        from jixiao.web.pages.dashboards import CHARTS
    except ImportError:
        return []
    return [
        (f"dashboard-{name}", f"/dashboards/data/{name}/", {"year": year}) for name in CHARTS
    ] + [
        ("dashboard-years", "/dashboards/data/years/", {"project": "SYN-000001"}),
        ("dashboards-page", "/dashboards/", {"year": year}),
    ]


# --- in the child process: one database ------------------------------------------------------


def measure(data_dir: Path, forms: int, repeat: int, profile: str | None = None) -> dict:
    os.environ["JIXIAO_DATA_DIR"] = str(data_dir)
    from jixiao.web import server

    server.prepare(data_dir)
    server.migrate()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from jixiao.web import province
    from jixiao.web.orgs.models import ApiToken

    setup_test_environment()
    started = time.perf_counter()
    made = province.load(forms, YEARS, seed=1, slip_rate=0.05)
    load_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    users = get_user_model().objects
    admin, reviewer = users.get(username="syn-admin"), users.get(username="syn-reviewer-01")
    department = reviewer.membership.organisation_id
    year = YEARS[-1]
    token = ApiToken.issue(admin)
    requests = [
        ("rollup-department", admin, "/rollup/", {"year": year, "department": department}),
        ("rollup-bureau", admin, "/rollup/", {"year": year}),
        ("rollup-bureau-last", admin, "/rollup/", {"year": year, "page": 99999}),
        ("export-csv", admin, "/rollup/export/csv/", {"year": year, "department": department}),
        ("export-xlsx", admin, "/rollup/export/xlsx/", {"year": year, "department": department}),
        ("attention-bureau", admin, "/attention/", {"year": year}),
        ("attention-reviewer", reviewer, "/attention/", {"year": year}),
        ("attention-api", None, "/api/attention", {"year": year, "limit": 100}),
        # The floor under every page: a logged-in request that only redirects (middleware,
        # session, user and membership look-ups; no page, no figures).
        ("floor-home", reviewer, "/", {}),
    ] + [(name, admin, path, query) for name, path, query in dashboard_requests(year)]
    results = []
    for name, user, path, query in requests:
        client = Client()
        headers = {}
        if user is None:
            headers = {"Authorization": f"Bearer {token}"}
        else:
            client.force_login(user)
        answer = client.get(path, query, headers=headers)  # warm: caches, connections
        assert answer.status_code == (302 if path == "/" else 200), (name, answer.status_code)
        cache.clear()  # the first view's statements: its figures computed, not kept ones
        with CaptureQueriesContext(connection) as captured:
            client.get(path, query, headers=headers)
        # The reads: transaction control and a session's write are the request's, not its figures'.
        statements = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT")
        ]
        request_times, sql_times, again_times = [], [], []
        for _ in range(repeat):
            cache.clear()
            t0 = time.perf_counter()
            client.get(path, query, headers=headers)
            request_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            client.get(path, query, headers=headers)
            again_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
            sql_times.append(time.perf_counter() - t0)
        if name == profile:
            _profile(client, path, query, headers)
        results.append(
            {
                "name": name,
                "request_ms": [t * 1000 for t in request_times],
                "again_ms": [t * 1000 for t in again_times],
                "sql_ms": [t * 1000 for t in sql_times],
                "queries": len(statements),
            }
        )
    return {
        "vendor": connection.vendor,
        "forms": made.evaluations,
        "load_seconds": load_seconds,
        "results": results,
    }


def _profile(client, path: str, query: dict, headers: dict) -> None:
    """Where 5 requests spend their time, to stderr (stdout carries the figures)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(path, query, headers=headers)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(40)


# --- in the parent: the databases -----------------------------------------------------------


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL server in a temp dir (as .ci/postgres-tests starts one)."""

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not found:
            raise SystemExit("PostgreSQL not installed (apt-get install postgresql)")
        self.bin, self.dir, self.port = found[-1], Path(tempfile.mkdtemp()), spare_port()

    def _as_postgres(self, command: str) -> None:
        argv = (
            ["su", "postgres", "-s", "/bin/bash", "-c", command]
            if os.getuid() == 0
            else ["bash", "-c", command]
        )
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    def __enter__(self) -> str:
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._as_postgres(
            f"'{self.bin}/initdb' -D '{self.dir}/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8"
        )
        self._as_postgres(
            f"'{self.bin}/pg_ctl' -D '{self.dir}/data' -o '-p {self.port} -k {self.dir} "
            f"-c listen_addresses=127.0.0.1' -l '{self.dir}/log' -w start"
        )
        self._as_postgres(f"'{self.bin}/createdb' -h 127.0.0.1 -p {self.port} -U postgres jixiao")
        return f"postgresql://postgres@127.0.0.1:{self.port}/jixiao"

    def __exit__(self, *exc) -> None:
        try:
            self._as_postgres(f"'{self.bin}/pg_ctl' -D '{self.dir}/data' -m fast stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def run_child(
    vendor: str, forms: int, repeat: int, url: str | None, profile: str | None = None
) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    if url:
        env["DATABASE_URL"] = url
    with tempfile.TemporaryDirectory() as data_dir:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                data_dir,
                "--forms",
                str(forms),
                "--repeat",
                str(repeat),
                *(["--profile", profile] if profile else []),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"{vendor}: {done.stderr[-3000:]}")
    if profile:
        print(f"{vendor}: {profile}\n{done.stderr}", file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(run: dict) -> None:
    """One database's figures (printed as soon as it is measured: the next may fail)."""
    print(
        f"\n{run['vendor']}: {run['forms']:,} evaluations loaded in {run['load_seconds']:.1f} s; "
        "median (min–max) of the repeats",
        flush=True,
    )
    print(
        f"  {'request':<20}{'first view ms':>22}{'bare SQL ms':>22}{'first/SQL':>22}"
        f"{'queries':>8}{'seen again ms':>22}"
    )
    for r in run["results"]:
        request, sql = spread(r["request_ms"]), spread(r["sql_ms"])
        again = spread(r["again_ms"])
        ratio = spread(ratios(r["request_ms"], r["sql_ms"])) if min(r["sql_ms"]) > 0 else None
        shown = "-" if ratio is None else f"{ratio.median:.2f}× ({ratio.low:.2f}–{ratio.high:.2f})"
        over = r["name"] != "floor-home" and (ratio is None or ratio.median > 2)
        mark = "  > 2×" if over else ""
        print(
            f"  {r['name']:<20}{_ms(request):>22}{_ms(sql):>22}{shown:>22}{r['queries']:>8}"
            f"{_ms(again):>22}{mark}",
            flush=True,
        )


def _ms(value) -> str:
    return f"{value.median:.1f} ({value.low:.1f}–{value.high:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, default=100_000)
    add_repeat(parser)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--profile", metavar="REQUEST", help="print where that request's time goes (cProfile)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child), args.forms, args.repeat, args.profile)))
        return
    header(
        f"a synthetic province (jixiao.web.province.load, what `jixiao demo --synthetic` loads): "
        f"{args.forms:,} evaluations over {YEARS[0]}–{YEARS[-1]}, seed 1, 5% planted slips; "
        f"requests on the latest year",
        f"{args.forms:,} forms, {args.repeat} repeats of each request and its SQL, "
        f"{args.only + ' only' if args.only else 'SQLite, then PostgreSQL'}",
    )
    if args.only in (None, "sqlite"):
        report(run_child("sqlite", args.forms, args.repeat, None, args.profile))
    if args.only in (None, "postgresql"):
        with Postgres() as url:
            report(run_child("postgresql", args.forms, args.repeat, url, args.profile))
    footer()


if __name__ == "__main__":
    main()
