"""Workers as real processes on a real SQLite data directory: ``kill -9`` of a worker in
the middle of a task, and the task finished once by another; ``jixiao serve`` runs a
worker beside the server and stops it with itself."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.web.test_serve import _spare_port

JIXIAO = [sys.executable, "-m", "jixiao"]


def env(**extra: str) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return {**clean, **extra}


def django(data: Path, code: str) -> str:
    """Python run in a process of its own with Django on ``data`` (migrated)."""
    script = (
        "from pathlib import Path\n"
        "from jixiao.web import server\n"
        f"server.prepare(Path({str(data)!r}))\n"
        "server.migrate()\n" + code
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def row(data: Path, pk: int) -> dict:
    with sqlite3.connect(data / "jixiao.sqlite3", timeout=10) as db:
        state, attempts, done, worker, result = db.execute(
            "select state, attempts, done, worker, result from tasks_task where id = ?", (pk,)
        ).fetchone()
    return {"state": state, "attempts": attempts, "done": done, "worker": worker, "result": result}


def worker(data: Path, **extra: str) -> subprocess.Popen:
    """``jixiao worker`` on ``data``, polling often, quiet."""
    return subprocess.Popen(
        [*JIXIAO, "worker", "--data-dir", str(data), "--poll", "0.1"],
        env=env(**extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait(what, seconds: float = 60):
    end = time.monotonic() + seconds  # a bound, not a speed check
    while time.monotonic() < end:
        if found := what():
            return found
        time.sleep(0.1)
    pytest.fail("waited in vain")


def test_kill_9_of_a_worker_mid_task_loses_nothing(tmp_path):
    data, marker = tmp_path / "data", tmp_path / "runs.txt"
    pk = int(
        django(
            data,
            "from jixiao.web.tasks import queue\n"
            f"print(queue.enqueue('selftest.sleep', {{'seconds': 4, 'steps': 40, "
            f"'marker': {str(marker)!r}}}).pk)",
        )
    )
    first = worker(data, JIXIAO_TASK_LEASE="2")
    try:
        wait(lambda: row(data, pk)["done"] >= 5)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    dead = row(data, pk)
    assert dead["state"] == "running" and dead["done"] < 40 and not marker.exists()
    second = worker(data, JIXIAO_TASK_LEASE="2")
    try:
        finished = wait(lambda: (r := row(data, pk))["state"] == "done" and r)
    finally:
        second.terminate()
        second.wait(30)
    assert finished["attempts"] == 2 and finished["worker"] != dead["worker"]
    assert json.loads(finished["result"]) == {"slept": 4}
    assert marker.read_text().splitlines() == ["done"]  # finished once


def test_serve_runs_a_worker_and_stops_it_with_itself(tmp_path):
    data = tmp_path / "data"
    django(data, "")
    serve = subprocess.Popen(
        [*JIXIAO, "serve", "--port", "0", "--data-dir", str(data)],
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pk = int(
            django(
                data,
                "from jixiao.web.tasks import queue\n"
                "print(queue.enqueue('selftest.sleep', {'seconds': 0.1, 'steps': 2}).pk)",
            )
        )
        assert wait(lambda: row(data, pk)["state"] == "done")
        children = subprocess.run(
            ["pgrep", "-P", str(serve.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 1
    finally:
        serve.terminate()
        serve.wait(60)
    time.sleep(0.5)
    assert not Path(f"/proc/{children[0]}").exists()  # the worker went with the server


def test_kill_9_mid_bulk_import_files_every_form_once(tmp_path):
    """A bulk import of 200 files whose worker is killed part-way: another worker takes the
    task again, and every form is filed exactly once (the first run's as duplicates)."""
    data = tmp_path / "data"
    demo = subprocess.run(
        [*JIXIAO, "demo", "--synthetic", "200", "--years", "2023", "--data-dir", str(data)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert demo.returncode == 0, demo.stderr
    pk = int(
        django(
            data,
            "import json\n"
            "from django.contrib.auth import get_user_model\n"
            "from jixiao.web.evaluations.actions import bulk_import\n"
            "from jixiao.web.evaluations.models import Evaluation, Project\n"
            "files = []\n"
            "for ev in Evaluation.objects.filter(year=2023).select_related('project'):\n"
            "    name = ev.project.name + '（' + ev.project.code + '）'  # synthetic names repeat\n"
            "    Project.objects.filter(pk=ev.project.pk).update(name=name)\n"
            "    project = {**ev.data['project'], 'name': name}\n"
            "    form = {**ev.data, 'year': 2024, 'project': project}\n"
            "    files.append((ev.project.code + '.json', json.dumps(form).encode()))\n"
            "admin = get_user_model().objects.get(username='syn-admin')\n"
            "print(bulk_import.start(user=admin, files=files).pk)\n",
        )
    )
    first = worker(data, JIXIAO_TASK_LEASE="2")
    try:
        wait(lambda: row(data, pk)["done"] >= 20, seconds=300)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert row(data, pk)["done"] < 200
    second = worker(data, JIXIAO_TASK_LEASE="2")
    try:
        finished = wait(lambda: (r := row(data, pk))["state"] == "done" and r, seconds=600)
    finally:
        second.terminate()
        second.wait(30)
    report = json.loads(finished["result"])
    assert finished["attempts"] == 2
    counts = report["counts"]
    assert counts["filed"] + counts["duplicate"] == 200 and counts["duplicate"] >= 20
    assert counts["unmatched"] == counts["refused"] == 0
    assert {d["reason"] for d in report["duplicate"]} == {"已导入（内容相同）"}
    with sqlite3.connect(data / "jixiao.sqlite3") as db:
        ((forms, projects),) = db.execute(
            "select count(*), count(distinct project_id) from evaluations_evaluation where year = 2024"
        ).fetchall()
    assert forms == projects == 200


@pytest.fixture
def postgres_database():
    """A database of its own on the PostgreSQL server of ``DATABASE_URL`` (the CI's
    throwaway server), dropped after; skipped without one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs DATABASE_URL of a PostgreSQL server (.ci/postgres-tests sets one)")
    import uuid

    import psycopg

    name = f"jixiao_multi_{uuid.uuid4().hex[:8]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_two_servers_and_two_workers_on_postgresql_file_every_form_once(
    tmp_path, postgres_database
):
    """2,000 files posted in four imports through two ``jixiao serve`` processes, with
    one import of 500 of them again, run by two workers against one PostgreSQL: every
    form filed exactly once."""
    import requests

    data, folder = tmp_path / "data", tmp_path / "files"
    folder.mkdir()
    shared = env(DATABASE_URL=postgres_database)
    demo = subprocess.run(
        [*JIXIAO, "demo", "--synthetic", "2000", "--years", "2023", "--data-dir", str(data)],
        env=shared,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert demo.returncode == 0, demo.stderr
    script = (
        "import json\nfrom pathlib import Path\nfrom jixiao.web import server\n"
        f"server.prepare(Path({str(data)!r}))\n"
        "from django.contrib.auth import get_user_model\n"
        "from jixiao.web.evaluations.models import Evaluation, Project\n"
        "from jixiao.web.orgs.models import ApiToken\n"
        "for ev in Evaluation.objects.filter(year=2023).select_related('project'):\n"
        "    name = ev.project.name + '（' + ev.project.code + '）'\n"
        "    Project.objects.filter(pk=ev.project.pk).update(name=name)\n"
        "    form = {**ev.data, 'year': 2024, 'project': {**ev.data['project'], 'name': name}}\n"
        f"    Path({str(folder)!r}, ev.project.code + '.json').write_text(json.dumps(form))\n"
        "print(ApiToken.issue(get_user_model().objects.get(username='syn-admin')))\n"
    )
    made = subprocess.run(
        [sys.executable, "-c", script], env=shared, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    ports = [_spare_port(), _spare_port()]
    processes = [
        subprocess.Popen(
            [*JIXIAO, "serve", "--no-worker", "--port", str(port), "--data-dir", str(data)],
            env=shared,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ] + [
        subprocess.Popen(
            [*JIXIAO, "worker", "--poll", "0.2", "--data-dir", str(data)],
            env=shared,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        headers = {"Authorization": f"Bearer {token}"}
        for port in ports:
            wait(lambda port=port: _answers(port), seconds=120)
        files = sorted(folder.iterdir())
        assert len(files) == 2000
        chunks = [files[n : n + 500] for n in range(0, 2000, 500)] + [files[:500]]
        tasks = []
        for n, chunk in enumerate(chunks):
            posted = requests.post(
                f"http://127.0.0.1:{ports[n % 2]}/api/imports",
                headers=headers,
                files=[("files", (p.name, p.read_bytes(), "application/json")) for p in chunk],
                timeout=120,
            )
            assert posted.status_code == 202, posted.text
            tasks.append(posted.json()["id"])

        def finished():
            states = [
                requests.get(
                    f"http://127.0.0.1:{ports[0]}/api/tasks/{pk}", headers=headers, timeout=30
                ).json()
                for pk in tasks
            ]
            return states if all(s["state"] in ("done", "failed") for s in states) else None

        states = wait(finished, seconds=1200)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(60)
    assert [s["state"] for s in states] == ["done"] * 5, [s["error"] for s in states]
    counts = [s["result"]["counts"] for s in states]
    assert sum(c["filed"] for c in counts) == 2000, counts
    assert sum(c["duplicate"] for c in counts) == 500
    assert all(c["unmatched"] == c["refused"] == 0 for c in counts)
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path\nfrom jixiao.web import server\n"
            f"server.prepare(Path({str(data)!r}))\n"
            "from django.db.models import Count\n"
            "from jixiao.web.evaluations.models import Evaluation\n"
            "rows = Evaluation.objects.filter(year=2024)\n"
            "print(rows.count(), rows.values('project').distinct().count())\n",
        ],
        env=shared,
        capture_output=True,
        text=True,
    )
    assert count.stdout.split() == ["2000", "2000"], count.stderr


def _answers(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5):
            return True
    except OSError:
        return False
