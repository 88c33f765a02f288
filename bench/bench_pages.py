"""How the form page and the draft save hold up under concurrent users, against
a trivial page of the same app, in one run on loopback.

    python bench/bench_pages.py [--clients 8] [--requests 20] [--repeat 5] [--threads 8]

Builds a data directory with the demo tree (jixiao.web.demo) and one form per
client (the bundled sample national-2023-slips.txt, so the page shows findings),
starts ``jixiao serve`` (the same Python, so the same jixiao) on a free loopback
port in its own process, signs every client in as the unit's filler, then runs
``--repeat`` waves; in a wave each client, in turn and ``--requests`` times each:
  trivial — GET /login/ (a template, no database work);
  page    — GET /forms/{id}/ (the form with its figures and findings);
  save    — POST /forms/{id}/edit/ with the version (a real change each time,
            so every save writes the form and appends to the trail).
Prints, for each wave, p50/p95 in ms of each and the ratios to the trivial page;
then the median and min–max over the waves (goals at p95: page ≤ 3×, save ≤ 5×).

    python bench/bench_pages.py --province 20000 [--repeat 5] [--data-dir DIR] [--only dashboard]

The lists at a province's size (issue 20): ``jixiao demo --synthetic``'s province of
``--province`` forms over 2022–2024 in a fresh SQLite data directory (or the one given, kept
for another run; ``DATABASE_URL`` for PostgreSQL), then through Django's test client in this
process, ``--repeat`` rounds, each request of a round right after its own ``/login/`` (the
trivial page: a template, no database), interleaved:
  first  — the page with the cache emptied (every figure read from the database);
  again  — the page seen again (its figures kept under the data version: one look-up);
for /forms/, /review/ (a department's reviewer and the bureau's), /rollup/, /attention/,
/progress/, /forms/ sorted by 总分 and its last page, each dashboard's JSON; the CSV exports
of the whole list (/forms/export/?format=csv, /attention/?format=csv) are timed whole, read
to the end. Prints each page's size, its median time and the median and min–max of its
ratio to /login/ worked out round by round, and the first view against its own SELECTs
replayed bare on the cursor (bars: a list page ≤ 200 KB and ≤ 3×; a dashboard seen again
≤ 2× /login/, its first view ≤ 2× its bare SQL). ``--cpu``: timed by the CPU time of the
bench's thread instead of the wall clock (SQLite: the whole request; steadier on a shared
machine).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from common import add_repeat, footer, header, ratios, spread

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def build_data(data_dir: Path, clients: int) -> tuple[str, str, list[int]]:
    """The demo tree plus one slips form per client, for the demo's filler."""
    os.environ["JIXIAO_DATA_DIR"] = str(data_dir)
    from jixiao.web import server

    server.prepare(data_dir)
    server.migrate()
    from django.contrib.auth import get_user_model

    from jixiao import samples
    from jixiao.readers import read_path
    from jixiao.web import demo
    from jixiao.web.evaluations.actions import forms
    from jixiao.web.evaluations.models import Project

    accounts = demo.load()
    filler = next(a for a in accounts if a.username == "filler")
    user = get_user_model().objects.get(username="filler")
    unit = user.membership.organisation
    slips = read_path(next(p for p in samples.paths() if p.name == "national-2023-slips.txt"))[0]
    ids = []
    for n in range(clients):
        project = Project.objects.create(code=f"BENCH-{n:03d}", name=f"压测项目 {n}", unit=unit)
        ids.append(forms.create(user=user, project=project, form=slips).pk)
    return filler.username, filler.password, ids


class Client:
    """One signed-in browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, text

    def sign_in(self, username: str, password: str) -> None:
        self.request("GET", "/login/")
        status, _ = self.request("POST", "/login/", {"username": username, "password": password})
        if status != 302:
            raise SystemExit(f"sign-in failed: HTTP {status}")


def run(
    client: Client, form_id: int, requests: int, first: int, out: dict, lock: threading.Lock
) -> None:
    """One client's part of a wave: ``requests`` rounds of trivial, page, save
    (round numbers from ``first`` on, so that each save changes the score)."""
    _, page = client.request("GET", f"/forms/{form_id}/edit/")
    version = int(re.search(r'name="version" value="(\d+)"', page)[1])
    times: dict[str, list[float]] = {"trivial": [], "page": [], "save": []}
    for n in range(first, first + requests):
        for name, method, path, form in (
            ("trivial", "GET", "/login/", None),
            ("page", "GET", f"/forms/{form_id}/", None),
            (
                "save",
                "POST",
                f"/forms/{form_id}/edit/",
                {"version": version, "indicators[1].score": "20.00" if n % 2 == 0 else "19.00"},
            ),
        ):
            start = time.perf_counter()
            status, _ = client.request(method, path, form)
            times[name].append(time.perf_counter() - start)
            if status not in (200, 302):
                raise RuntimeError(f"{method} {path}: HTTP {status}")
            if name == "save":
                version += 1
    with lock:
        for name, values in times.items():
            out.setdefault(name, []).extend(values)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


KINDS = ("trivial", "page", "save")


LIST_PAGES = [
    ("forms", "syn-admin", "/forms/", {}),
    ("forms sorted by 总分", "syn-admin", "/forms/", {"sort": "-total"}),
    ("forms, last page", "syn-admin", "/forms/", {"page": 99999}),
    ("review (department)", "syn-reviewer-01", "/review/", {}),
    ("review (bureau)", "syn-admin", "/review/", {}),
    ("rollup", "syn-admin", "/rollup/", {}),
    ("rollup (department)", "syn-reviewer-01", "/rollup/", {}),
    ("attention", "syn-admin", "/attention/", {}),
    ("progress", "syn-admin", "/progress/", {}),
]
DASHBOARDS = ["grades", "rates", "scores", "budget", "findings", "indicators", "years"]
EXPORTS = [
    ("forms CSV", "syn-admin", "/forms/export/", {"format": "csv"}),
    ("attention CSV", "syn-admin", "/attention/", {"format": "csv"}),
]


def lists(
    forms: int, repeat: int, data_dir: Path | None, only: str = "", clock=time.perf_counter
) -> None:
    """The lists of a synthetic province against /login/, first and seen again, timed by
    ``clock`` (wall time; or ``time.thread_time``, the CPU of this thread: on SQLite, which
    runs in it, that is the whole request, SQL included, and much less swayed by other jobs
    on a shared machine; on PostgreSQL it leaves out the server's part)."""
    with tempfile.TemporaryDirectory() as folder:
        target = data_dir or Path(folder) / "data"
        os.environ["JIXIAO_DATA_DIR"] = str(target)
        from jixiao.web import server

        server.prepare(target)
        server.migrate()
        from django.contrib.auth import get_user_model
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client as TestClient
        from django.test.utils import setup_test_environment

        from jixiao.web import province
        from jixiao.web.evaluations.models import Evaluation

        setup_test_environment()
        if not Evaluation.objects.exists():
            started = time.perf_counter()
            province.load(forms, [2022, 2023, 2024], seed=1, slip_rate=0.05)
            print(f"  province loaded in {time.perf_counter() - started:.1f} s", flush=True)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        print(
            f"  {Evaluation.objects.count():,} forms on {connection.vendor}; "
            f"{repeat} rounds, each page after its own /login/",
            flush=True,
        )
        users = get_user_model().objects
        signed: dict[str, TestClient] = {}
        for name in {who for _n, who, _p, _q in [*LIST_PAGES, *EXPORTS]}:
            signed[name] = TestClient()
            signed[name].force_login(users.get(username=name))
        trivial = TestClient()
        pages = [*LIST_PAGES] + [
            (f"dashboard {name}", "syn-admin", f"/dashboards/data/{name}/", {})
            for name in DASHBOARDS
        ]

        def timed(client, path, query, streamed=False) -> tuple[float, int]:
            t0 = clock()
            answer = client.get(path, query)
            body = b"".join(answer.streaming_content) if streamed else answer.content
            took = clock() - t0
            assert answer.status_code == 200, (path, answer.status_code)
            return took, len(body)

        if only:  # e.g. "dashboard": the pages whose name starts so
            pages = [row for row in pages if row[0].startswith(only)]
        from django.test.utils import CaptureQueriesContext

        statements: dict[str, list[str]] = {}
        for name, who, path, query in pages:  # warm: templates, connections; the SQL it runs
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                timed(signed[who], path, query)
            statements[name] = [
                q["sql"]
                for q in captured.captured_queries
                if q["sql"].lstrip().upper().startswith("SELECT")
            ]

        def bare(sqls: list[str]) -> float:
            """The first view's SELECTs replayed on the cursor: no ORM, no template."""
            t0 = clock()
            with connection.cursor() as cursor:
                for sql in sqls:
                    cursor.execute(sql)
                    cursor.fetchall()
            return clock() - t0

        rows: dict[str, dict[str, list[float]]] = {}
        sizes: dict[str, int] = {}
        for _round in range(repeat):
            for name, who, path, query in pages:
                got = rows.setdefault(
                    name, {"first": [], "again": [], "l1": [], "l2": [], "sql": []}
                )
                got["l1"].append(timed(trivial, "/login/", {})[0])
                cache.clear()
                took, sizes[name] = timed(signed[who], path, query)
                got["first"].append(took)
                got["sql"].append(bare(statements[name]))
                got["l2"].append(timed(trivial, "/login/", {})[0])
                got["again"].append(timed(signed[who], path, query)[0])
        login = spread([t for r in rows.values() for t in r["l1"] + r["l2"]])
        print(
            f"  /login/ (trivial): {login.median * 1000:.1f} ms ({login.low * 1000:.1f}–"
            f"{login.high * 1000:.1f})"
        )
        print(
            f"  {'page':24} {'KB':>7}  {'first ms':>9}  {'×login':>16}  {'again ms':>9}  {'×login':>16}"
        )
        for name, got in rows.items():
            first, again = spread(got["first"]), spread(got["again"])
            r1 = spread(ratios(got["first"], got["l1"]))
            r2 = spread(ratios(got["again"], got["l2"]))
            r3 = spread(ratios(got["first"], got["sql"]))
            print(
                f"  {name:24} {sizes[name] / 1024:7.1f}  {first.median * 1000:9.1f}  "
                f"×{r1.median:5.2f} ({r1.low:.2f}–{r1.high:.2f})  {again.median * 1000:9.1f}  "
                f"×{r2.median:5.2f} ({r2.low:.2f}–{r2.high:.2f})  "
                f"first/SQL ×{r3.median:.2f} ({r3.low:.2f}–{r3.high:.2f})",
                flush=True,
            )
        for name, who, path, query in EXPORTS if not only else []:
            took = [timed(signed[who], path, query, streamed=True) for _ in range(repeat)]
            whole = spread([t for t, _size in took])
            print(
                f"  {name:24} {took[0][1] / 1024:7.1f} KB streamed, whole in "
                f"{whole.median:.2f} s ({whole.low:.2f}–{whole.high:.2f})",
                flush=True,
            )
        print("  bars: a list page ≤ 200 KB and ≤ 3× /login/; a dashboard seen again ≤ 2×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--province", type=int, default=0, help="time the lists of a synthetic province this size"
    )
    parser.add_argument("--data-dir", type=Path, help="with --province: the province's folder")
    parser.add_argument("--only", default="", help="with --province: pages whose name starts so")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="with --province: time by this thread's CPU (time.thread_time), not the wall clock",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20, help="rounds of each client a wave")
    add_repeat(parser)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if args.province:
        header(
            f"jixiao demo --synthetic {args.province} (seed 1, 2022–2024, slip rate 0.05)",
            "the list pages, first and seen again, each after its own /login/; the CSV exports; "
            + ("CPU time of the bench's thread" if args.cpu else "wall time"),
        )
        clock = time.thread_time if args.cpu else time.perf_counter
        lists(args.province, args.repeat, args.data_dir, args.only, clock)
        footer()
        return
    header(
        f"the demo tree (jixiao.web.demo) and {args.clients} copies of the bundled sample "
        "national-2023-slips.txt, one a client, in SQLite",
        f"{args.clients} clients × {args.requests} rounds (trivial, page, save) a wave, "
        f"{args.repeat} waves; waitress {args.threads} threads in its own process, loopback",
    )
    waves: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        username, password, ids = build_data(data_dir, args.clients)
        port = free_port()
        jixiao = [
            sys.executable,
            "-m",
            "jixiao",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--threads",
            str(args.threads),
        ]
        server = subprocess.Popen(jixiao, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection((HOST, port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            clients = []
            for _ in range(args.clients):
                client = Client(port)
                client.sign_in(username, password)
                clients.append(client)
            for wave in range(args.repeat):
                out: dict[str, list[float]] = {}
                lock = threading.Lock()
                workers = [
                    threading.Thread(
                        target=run,
                        args=(clients[n], ids[n], args.requests, wave * args.requests, out, lock),
                    )
                    for n in range(args.clients)
                ]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                if set(out) != set(KINDS):
                    raise SystemExit("a client failed: see its error above")
                figures = {
                    f"{name} p{q}": percentile(out[name], q) for name in KINDS for q in (50, 95)
                }
                waves.append(figures)
                print(
                    f"  wave {wave + 1}: "
                    + "  ".join(
                        f"{name} p50 {figures[f'{name} p50']:.1f} p95 {figures[f'{name} p95']:.1f} ms"
                        for name in KINDS
                    )
                    + f"  ({len(out['trivial'])} requests of each)",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait()
    print("  over the waves, median (min–max):")
    for name in KINDS:
        line = f"  {name:8}"
        for q in (50, 95):
            ms = spread([w[f"{name} p{q}"] for w in waves])
            line += f"  p{q} {ms.median:6.1f} ms ({ms.low:.1f}–{ms.high:.1f})"
        if name != "trivial":
            for q in (50, 95):
                times = spread([w[f"{name} p{q}"] / w[f"trivial p{q}"] for w in waves])
                line += f"  p{q}/trivial ×{times.median:.2f} ({times.low:.2f}–{times.high:.2f})"
        print(line)
    print("  goals at p95: page ≤ 3× trivial, save ≤ 5×")
    footer()


if __name__ == "__main__":
    main()
