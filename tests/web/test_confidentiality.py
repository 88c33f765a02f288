"""The data at rest (#21): the data directory 0700, the database, its WAL and every backup
0600; a removed evidence file's bytes gone from the database and its WAL; an encrypted
backup that hides the data and restores with its passphrase only; restore into a data
directory that does not exist yet. Real commands on real files (subprocesses)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.web.backup import MAGIC

JIXIAO = [sys.executable, "-m", "jixiao"]


def _env(**extra: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        and (not k.startswith("JIXIAO_") or k == "JIXIAO_TRAIL_KEY")  # one deployment's key
    }
    return {**clean, **extra}


def _run(*args: str, env: dict | None = None, stdin: str | None = None):
    return subprocess.run(
        [*JIXIAO, *args],
        capture_output=True,
        text=True,
        env=env or _env(),
        input=stdin,
        timeout=300,
    )


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("private") / "data"
    made = _run("demo", "--data-dir", str(where))
    assert made.returncode == 0, made.stderr
    return where


def test_the_data_directory_and_the_database_are_for_this_account_alone(data):
    assert _mode(data) == "0o700"
    assert _mode(data / "jixiao.sqlite3") == "0o600"
    assert _mode(data / "secret_key") == "0o600"
    for extra in ("-wal", "-shm"):  # left by the demo's process, or made by the next one
        wal = data / f"jixiao.sqlite3{extra}"
        if wal.exists():
            assert _mode(wal) == "0o600", extra


def test_an_existing_data_directory_is_made_private_on_start(tmp_path):
    older = tmp_path / "older"
    older.mkdir(mode=0o755)
    (older / "jixiao.sqlite3").touch(mode=0o644)
    os.chmod(older / "jixiao.sqlite3", 0o644)
    _run("doctor", "--data-dir", str(older))  # reads only: no change
    assert _mode(older) == "0o755"
    _run("verify-trail", "--data-dir", str(older))  # starts Django on it: made private
    assert _mode(older) == "0o700" and _mode(older / "jixiao.sqlite3") == "0o600"


WAL_SCRIPT = """
import sys
from pathlib import Path
from jixiao.web import server
data = Path(sys.argv[1]); marker = sys.argv[2].encode()
server.prepare(data)
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from jixiao.web.evaluations import actions
from tests.web.evidence_samples import pdf_bytes
user = get_user_model().objects.get(username="filler")
ev = actions.access.visible(user).first()
content = pdf_bytes(marker=sys.argv[2])
assert marker in content
item = actions.evidence.add(user=user, pk=ev.pk, indicator=ev.data["indicators"][0]["name"],
                            upload=SimpleUploadedFile("secret.pdf", content))
def on_disk():
    return any(marker in p.read_bytes() for p in data.glob("jixiao.sqlite3*"))
print("stored", on_disk())
actions.evidence.remove(user=user, pk=ev.pk, item=item.pk)
print("removed", on_disk())
"""


def test_a_removed_evidence_file_leaves_no_bytes_in_the_database_or_its_wal(data):
    marker = "SECRET" + secrets.token_hex(16)  # letters and digits: stored as is in the PDF
    done = subprocess.run(
        [sys.executable, "-c", WAL_SCRIPT, str(data), marker],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["stored", "True", "removed", "False"]
    assert not any(marker.encode() in p.read_bytes() for p in data.glob("jixiao.sqlite3*"))


def test_backups_are_0600_and_an_encrypted_one_restores_with_its_passphrase_only(data, tmp_path):
    plain = tmp_path / "plain.backup"
    assert _run("backup", str(plain), "--data-dir", str(data)).returncode == 0
    assert _mode(plain) == "0o600"
    assert plain.read_bytes().startswith(b"SQLite format 3")

    secret = "正确的备份口令-2026"
    sealed = tmp_path / "sealed.backup"
    made = _run(
        "backup",
        str(sealed),
        "--encrypt",
        "--data-dir",
        str(data),
        env=_env(JIXIAO_BACKUP_PASSPHRASE=secret),
    )
    assert made.returncode == 0, made.stderr
    content = sealed.read_bytes()
    assert _mode(sealed) == "0o600" and content.startswith(MAGIC)
    assert b"SQLite format 3" not in content and "示例区文化馆".encode() not in content

    short = _run(
        "backup", str(tmp_path / "x"), "--encrypt", "--data-dir", str(data),
        env=_env(JIXIAO_BACKUP_PASSPHRASE="short"),
    )  # fmt: skip
    assert short.returncode == 2 and "至少 12 个字符" in short.stderr

    fresh = tmp_path / "fresh" / "data"
    wrong = _run(
        "restore", str(sealed), "--yes", "--data-dir", str(fresh),
        env=_env(JIXIAO_BACKUP_PASSPHRASE="不是这个口令-0000"),
    )  # fmt: skip
    assert wrong.returncode == 2 and "口令不对" in wrong.stderr
    cut = tmp_path / "cut.backup"
    cut.write_bytes(content[: len(content) // 2])
    damaged = _run(
        "restore", str(cut), "--yes", "--data-dir", str(fresh),
        env=_env(JIXIAO_BACKUP_PASSPHRASE=secret),
    )  # fmt: skip
    assert damaged.returncode == 2 and "已损坏" in damaged.stderr

    restored = _run(
        "restore", str(sealed), "--yes", "--data-dir", str(fresh),
        env=_env(JIXIAO_BACKUP_PASSPHRASE=secret),
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    verified = _run("verify-trail", "--data-dir", str(fresh))
    original = _run("verify-trail", "--data-dir", str(data))
    assert verified.returncode == 0 and "审计链完整" in verified.stdout
    assert verified.stdout == original.stdout  # the same events and chain head
    assert _mode(fresh) == "0o700" and _mode(fresh / "jixiao.sqlite3") == "0o600"


def test_restore_into_a_data_directory_that_does_not_exist_makes_it_and_migrates(data, tmp_path):
    copy = tmp_path / "copy.backup"
    assert _run("backup", str(copy), "--data-dir", str(data)).returncode == 0
    fresh = tmp_path / "new" / "place"
    restored = _run("restore", str(copy), "--yes", "--data-dir", str(fresh))
    assert restored.returncode == 0, restored.stderr
    assert (fresh / "secret_key").is_file()
    assert _run("verify-trail", "--data-dir", str(fresh)).returncode == 0
    missing = _run("restore", str(tmp_path / "none.backup"), "--yes", "--data-dir", str(fresh))
    assert missing.returncode == 2 and "不存在" in missing.stderr
