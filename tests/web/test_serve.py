"""``jixiao serve --demo`` and ``jixiao verify-trail`` end to end: a real
waitress server on a spare port, the demo data, and a tampered trail."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from jixiao import samples
from jixiao.readers import read_path

JIXIAO = [sys.executable, "-m", "jixiao"]


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):  # up to a minute: a bound, not a speed check
        if process.poll() is not None:
            pytest.fail(f"jixiao serve exited: {process.stderr.read()}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("jixiao serve did not answer")


@pytest.fixture
def served(tmp_path: Path):
    port = _spare_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    process = subprocess.Popen(
        [*JIXIAO, "serve", "--demo", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/admin/login/", process)
        yield f"http://127.0.0.1:{port}", tmp_path / "data", process, env
    finally:
        process.terminate()
        process.wait(timeout=30)


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*JIXIAO, *args], capture_output=True, text=True, env=env, timeout=120)


def test_serve_demo_then_verify_and_tamper(served):
    base, data_dir, process, env = served
    assert _get(f"{base}/admin/login/") == 200
    assert _get(f"{base}/static/admin/css/base.css") == 200
    assert (data_dir / "jixiao.sqlite3").is_file()
    assert oct((data_dir / "secret_key").stat().st_mode & 0o777) == "0o600"

    verified = _run("verify-trail", "--data-dir", str(data_dir), env=env)
    assert verified.returncode == 0, verified.stderr
    forms = sum(len(read_path(p)) for p in samples.paths())
    assert re.search(r"审计链完整：\d+ 条事件", verified.stdout) and forms  # with accounts

    copy = data_dir.parent / "copy.backup"
    made = _run("backup", str(copy), "--data-dir", str(data_dir), env=env)
    assert made.returncode == 0 and copy.is_file(), made.stderr

    with sqlite3.connect(data_dir / "jixiao.sqlite3") as db:
        db.execute("UPDATE evaluations_event SET actor_name = 'someone' WHERE id = 2")
    tampered = _run("verify-trail", "--data-dir", str(data_dir), env=env)
    assert tampered.returncode == 1
    assert "事件 #2" in tampered.stdout and "被修改" in tampered.stdout

    process.terminate()
    process.wait(timeout=30)
    restored = _run("restore", str(copy), "--yes", "--data-dir", str(data_dir), env=env)
    assert restored.returncode == 0, restored.stderr
    assert _run("verify-trail", "--data-dir", str(data_dir), env=env).returncode == 0


@pytest.mark.parametrize(
    "command", [["verify-trail"], ["backup", "x.backup"], ["restore", "x.backup", "--yes"]]
)
def test_commands_without_data(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = _run(*command, "--data-dir", str(tmp_path / "none"), env=env)
    assert result.returncode == 2 and "不存在" in result.stderr


def test_passwd_sets_a_new_password_that_signs_in(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    data = str(tmp_path / "data")
    assert _run("demo", "--data-dir", data, env=env).returncode == 0
    again = _run("demo", "--data-dir", data, env=env)
    assert "jixiao passwd" in again.stderr  # a lost demo password: the way out is named
    account = (
        sqlite3.connect(tmp_path / "data" / "jixiao.sqlite3")
        .execute(
            "SELECT username, password FROM auth_user WHERE NOT is_superuser ORDER BY id LIMIT 1"
        )
        .fetchone()
    )
    username, old_hash = account

    def passwd(password: str, name: str = username) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*JIXIAO, "passwd", name, "--stdin", "--data-dir", data],
            input=password + "\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    weak = passwd("12345678")
    assert weak.returncode == 1 and "口令未修改" in weak.stderr
    assert passwd("x", name="nobody").returncode == 1
    done = passwd("Jixiao-new-Pass-2026")
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from jixiao.web import server;"
            f"server.prepare(Path({data!r}));"
            "from django.contrib.auth import get_user_model;"
            f"user = get_user_model().objects.get(username={username!r});"
            "sys.exit(0 if user.check_password('Jixiao-new-Pass-2026') else 1)",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    new_hash = (
        sqlite3.connect(tmp_path / "data" / "jixiao.sqlite3")
        .execute("SELECT password FROM auth_user WHERE username = ?", (username,))
        .fetchone()[0]
    )
    assert new_hash != old_hash
