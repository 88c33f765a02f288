"""How the login page holds up while PDFs are drawn (#21): /login/ idle against /login/
under concurrent PDF downloads, some abandoned by their clients, in one run on loopback.

    python bench/bench_render_load.py [--renderers 12] [--probes 40] [--repeat 5]

Builds a data directory with the demo tree and one form (the bundled sample
national-2023-slips.txt), starts ``jixiao serve`` (16 threads) on a free loopback port in
its own process, signs in, then runs ``--repeat`` waves; in a wave:
  idle   — ``--probes`` GET /login/ one after the other, nothing else running;
  loaded — ``--renderers`` clients each downloading the form's PDF in a loop (every
           third one closing its connection half a second in and asking again a second
           later, as an impatient user does; the others asking again a second after a
           503), while the same ``--probes`` GET /login/ are timed.
Prints p50/p95 of each per wave and the ratio loaded ÷ idle, then the median and
min–max over the waves (goal: loaded p95 ≤ 3× idle p95), and how many PDFs were
drawn, refused busy (503) or stopped.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_pages import HOST, Client, build_data, free_port, percentile
from common import add_repeat, footer, header, spread


def probe(port: int, count: int) -> list[float]:
    times = []
    for _ in range(count):
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        start = time.perf_counter()
        connection.request("GET", "/login/")
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"/login/: HTTP {response.status}")
    return times


_counting = threading.Lock()


def _count(out: dict, key: str) -> None:
    with _counting:
        out[key] = out.get(key, 0) + 1


def render_loop(
    port: int, cookies: str, form_id: int, impatient: bool, stop: threading.Event, out: dict
) -> None:
    while not stop.is_set():
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        connection.request("GET", f"/forms/{form_id}/download/pdf/", headers={"Cookie": cookies})
        if impatient:
            time.sleep(0.5)
            connection.close()  # abandoned: the server drew it for no one, until now
            _count(out, "abandoned")
            stop.wait(1.0)  # and clicks again a second later
            continue
        response = connection.getresponse()
        response.read()
        connection.close()
        _count(out, {200: "drawn", 503: "busy", 422: "stopped"}.get(response.status, "other"))
        if response.status == 503:
            stop.wait(1.0)  # "try again shortly": a second later


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderers", type=int, default=12)
    parser.add_argument("--probes", type=int, default=40)
    add_repeat(parser)
    args = parser.parse_args()
    header(
        "the demo tree (jixiao.web.demo) and the bundled sample national-2023-slips.txt, in SQLite",
        f"{args.probes} GET /login/ idle, then the same under {args.renderers} clients "
        f"downloading its PDF (every third abandoning), {args.repeat} waves; "
        "waitress 16 threads in its own process, loopback",
    )
    waves: list[dict[str, float]] = []
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        username, password, ids = build_data(data_dir, 1)
        port = free_port()
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "jixiao", "serve", "--host", HOST, "--port", str(port)),
                *("--data-dir", str(data_dir), "--threads", "16"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection((HOST, port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            client = Client(port)
            client.sign_in(username, password)
            cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            probe(port, 5)  # warm: the first page and the fork server's first PDF
            for wave in range(args.repeat):
                idle = probe(port, args.probes)
                stop = threading.Event()
                workers = [
                    threading.Thread(
                        target=render_loop,
                        args=(port, cookies, ids[0], n % 3 == 2, stop, counts),
                    )
                    for n in range(args.renderers)
                ]
                for worker in workers:
                    worker.start()
                time.sleep(1.0)  # the renders under way
                loaded = probe(port, args.probes)
                stop.set()
                for worker in workers:
                    worker.join()
                figures = {
                    "idle p50": percentile(idle, 50),
                    "idle p95": percentile(idle, 95),
                    "loaded p50": percentile(loaded, 50),
                    "loaded p95": percentile(loaded, 95),
                }
                waves.append(figures)
                print(
                    f"  wave {wave + 1}: /login/ idle p50 {figures['idle p50']:.1f} "
                    f"p95 {figures['idle p95']:.1f} ms; under renders p50 "
                    f"{figures['loaded p50']:.1f} p95 {figures['loaded p95']:.1f} ms "
                    f"(×{figures['loaded p95'] / figures['idle p95']:.2f} at p95)",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait()
    print("  over the waves, median (min–max):")
    for name in ("idle", "loaded"):
        line = f"  {name:7}"
        for q in (50, 95):
            ms = spread([w[f"{name} p{q}"] for w in waves])
            line += f"  p{q} {ms.median:7.1f} ms ({ms.low:.1f}–{ms.high:.1f})"
        print(line)
    ratio = spread([w["loaded p95"] / w["idle p95"] for w in waves])
    print(f"  loaded p95 / idle p95 ×{ratio.median:.2f} ({ratio.low:.2f}–{ratio.high:.2f})")
    print(f"  PDF requests: {dict(sorted(counts.items()))}")
    print("  goal: loaded p95 ≤ 3× idle p95")
    footer()


if __name__ == "__main__":
    main()
