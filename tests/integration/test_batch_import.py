"""Batch import of folders: every file read, rejected with a reason, or
counted once as a duplicate; parallel workers give the same result."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from jixiao import samples
from jixiao.services import batch

SAMPLES = [p for p in samples.paths()]
TAB = next(p for p in SAMPLES if p.name == "national-2023-tab.txt")


def _folder(tmp_path: Path) -> Path:
    """A reviewer's inbox: forms in sub-folders, a copy, junk, a hidden file."""
    inbox = tmp_path / "inbox"
    (inbox / "unit-a").mkdir(parents=True)
    (inbox / "unit-b").mkdir()
    for sample in SAMPLES:
        (inbox / "unit-a" / sample.name).write_bytes(sample.read_bytes())
    (inbox / "unit-b" / "copy-of-tab.txt").write_bytes(TAB.read_bytes())
    (inbox / "unit-b" / "empty.txt").write_bytes(b"")
    (inbox / "unit-b" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a form")
    (inbox / "unit-b" / "=cmd|calc.txt").write_text("没有表格的文字", encoding="utf-8")
    (inbox / ".DS_Store").write_bytes(b"\x00\x00")
    return inbox


def jixiao(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_folder_is_walked_and_every_file_accounted_for(tmp_path):
    inbox = _folder(tmp_path)
    out, rejects = tmp_path / "forms.jsonl", tmp_path / "rejects.csv"
    run = jixiao("import", inbox, "--json-out", out, "--rejects", rejects)
    assert run.returncode == 2  # some files could not be read
    forms = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(forms) == 5  # 2 + 1 + 1 + 1 forms in the four samples; the copy counted once
    rows = list(csv.reader(rejects.open(encoding="utf-8")))
    assert rows[0] == ["文件", "原因"]
    reasons = {Path(file).name: reason for file, reason in rows[1:]}
    assert set(reasons) == {
        "copy-of-tab.txt",
        "empty.txt",
        "photo.jpg",
        "=cmd|calc.txt",
        ".DS_Store",
    }
    assert (
        "内容相同" in reasons["copy-of-tab.txt"]
        and "national-2023-tab.txt" in reasons["copy-of-tab.txt"]
    )
    assert reasons["empty.txt"] == "空文件"
    assert ".jpg" in reasons["photo.jpg"]
    assert "共 8 个文件：读出 5 张表；拒收 3 个；重复 1 个；隐藏文件 1 个未读" in run.stderr
    assert "Traceback" not in run.stderr


def test_two_workers_read_the_same_as_one(tmp_path):
    inbox = _folder(tmp_path)
    files, _ = batch.collect([inbox])
    one = list(batch.read_batch(files, workers=1))
    two = list(batch.read_batch(files, workers=2))
    assert [(r.path, r.error, r.duplicate_of) for r in one] == [
        (r.path, r.error, r.duplicate_of) for r in two
    ]
    assert [r.forms for r in one] == [r.forms for r in two]


def test_collection_is_relaxed_while_a_batch_is_read_and_restored_after(tmp_path):
    import gc

    files, _ = batch.collect([_folder(tmp_path)])
    before = gc.get_threshold()
    during = []
    for result in batch.read_batch(files, workers=1):
        during.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))
        assert result.path
    assert during and all(young >= batch.GC_YOUNG and frozen for young, frozen in during)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_pipe_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "stuck.txt"
    os.mkfifo(fifo)
    (result,) = batch.read_batch([fifo])
    assert result.rejected and "不是普通文件" in result.error


def test_ctrl_c_stops_cleanly_and_says_what_was_done(tmp_path):
    text = TAB.read_text("utf-8")
    inbox = tmp_path / "many"
    inbox.mkdir()
    for n in range(20000):  # distinct content, so none is a duplicate
        (inbox / f"{n:05}.txt").write_text(text + f"\n{n}\n", encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jixiao",
            "import",
            str(inbox),
            "--workers",
            "2",
            "--json-out",
            str(tmp_path / "out.jsonl"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell's background job ignores SIGINT, and a child inherits that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    out = tmp_path / "out.jsonl"
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size == 0) and time.monotonic() < deadline:
        time.sleep(0.05)  # interrupt once forms are being written, however slow the machine
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "已中断" in stderr and "Traceback" not in stderr
    written = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    assert all(json.loads(line)["project"]["name"] for line in written)  # no half-written line


def test_rejects_csv_defuses_formulas(tmp_path):
    bad = Path("=HYPERLINK(1).txt")
    cwd = tmp_path
    (cwd / bad).write_text("", encoding="utf-8")
    jixiao("import", bad, "--rejects", "r.csv", cwd=cwd)
    rows = list(csv.reader((cwd / "r.csv").open(encoding="utf-8")))
    assert rows[1] == ["'=HYPERLINK(1).txt", "空文件"]


def test_the_rejects_csv_holds_what_was_refused_when_the_import_is_killed(tmp_path):
    """Three refused files first, then slow ones (2 MB of rows without a form each, about
    a second apiece): once the three rows are in the CSV the import is killed (SIGKILL,
    nothing runs after it) and the CSV still holds them, each row whole."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(3):
        (inbox / f"a-{n}.txt").write_text(f"没有表格的文字 {n}", encoding="utf-8")
    rows = "".join(f"项目名称\t项目{i}\n年度资金总额\t100\t90\t80\n" for i in range(40_000))
    for n in range(8):
        (inbox / f"z-{n}.txt").write_text(f"{n}\n{rows}", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "import", str(inbox), "--rejects", str(rejects)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):  # up to a minute: a bound, not a speed check
            if rejects.exists() and len(rejects.read_text("utf-8").splitlines()) >= 4:
                break
            assert proc.poll() is None, "the import ended before it could be killed"
            time.sleep(0.1)
        assert proc.poll() is None, "the import ended before it could be killed"
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    written = list(csv.reader(rejects.open(encoding="utf-8")))
    assert written[0] == ["文件", "原因"]
    assert [Path(row[0]).name for row in written[1:4]] == ["a-0.txt", "a-1.txt", "a-2.txt"]
    assert all(len(row) == 2 and row[1] for row in written[1:])
    assert len(written) < 1 + 3 + 8  # killed before the end
