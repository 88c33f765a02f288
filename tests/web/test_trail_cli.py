"""``jixiao verify-trail`` and ``jixiao trail-anchor`` end to end on a copy of the demo
database (SQLite; the same checks run in-process on PostgreSQL in test_trail_integrity.py):
untouched 0, each tampering 1 naming what differs, no key 2 (never "intact")."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

JIXIAO = [sys.executable, "-m", "jixiao"]


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*JIXIAO, *args], capture_output=True, text=True, env=env, timeout=180)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    data = tmp_path_factory.mktemp("demo") / "data"
    made = _run("demo", "--data-dir", str(data), env=env)
    assert made.returncode == 0, made.stderr
    return data, env


@pytest.fixture
def copy(demo_dir, tmp_path):
    data, env = demo_dir
    target = tmp_path / "copy"
    shutil.copytree(data, target)
    return target, env


def test_the_untouched_copy_is_intact_and_its_anchor_is_on_the_chain(copy):
    data, env = copy
    verified = _run("verify-trail", "--data-dir", str(data), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert re.search(r"审计链完整：\d+ 条事件，第 1 纪元，\d+ 个对象与链一致", verified.stdout)
    anchor = _run("trail-anchor", "--data-dir", str(data), env=env)
    head = re.search(r"链头 ([0-9a-f]{64})", anchor.stdout).group(1)
    assert re.search(r"时间 \d{4}-\d\d-\d\dT", anchor.stdout)
    assert _run("verify-trail", "--anchor", head, "--data-dir", str(data), env=env).returncode == 0
    with sqlite3.connect(data / "jixiao.sqlite3") as db:  # the head cut off
        db.execute("DELETE FROM evaluations_event WHERE hash = ?", [head])
    cut = _run("verify-trail", "--anchor", head, "--data-dir", str(data), env=env)
    assert cut.returncode == 1 and "不在链上" in cut.stdout


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        (
            "UPDATE evaluations_evaluation SET total = 12, grade = '差' WHERE id = 1",
            r"自评表 #1（.*）：grade、total 与审计链记录的不符",
        ),
        ("UPDATE evaluations_evaluation SET state = 'approved' WHERE id = 2", r"自评表 #2.*state"),
        (
            "UPDATE evaluations_approvedtargets SET indicators = '[]' WHERE id = 1",
            r"绩效目标 #1.*indicators",
        ),
        (
            "UPDATE orgs_membership SET role = 'reviewer' WHERE role = 'filler'",
            r"账号 #\d+.*membership",
        ),
        ("UPDATE evaluations_project SET unit_id = 1 WHERE id = 1", r"项目 #1.*unit"),
    ],
)
def test_each_tampering_exits_1_naming_what_differs(copy, sql, named):
    data, env = copy
    with sqlite3.connect(data / "jixiao.sqlite3") as db:
        assert db.execute(sql).rowcount >= 1
    tampered = _run("verify-trail", "--data-dir", str(data), env=env)
    assert tampered.returncode == 1, tampered.stdout
    assert re.search(named, tampered.stdout), tampered.stdout


def test_without_the_key_it_cannot_verify(copy):
    data, env = copy
    env = {k: v for k, v in env.items() if k != "JIXIAO_TRAIL_KEY"}
    env["JIXIAO_TRAIL_KEY_FILE"] = str(data / "no-such-key")
    result = _run("verify-trail", "--data-dir", str(data), env=env)
    assert result.returncode == 2 and "无法核验" in result.stderr and "完整" not in result.stdout
