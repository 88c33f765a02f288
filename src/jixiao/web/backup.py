"""``jixiao backup`` / ``jixiao restore``: a consistent copy of the whole database.

SQLite: the online backup API (a consistent snapshot while the server runs).
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``. Restore
replaces everything; stop the server first.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """The copy could not be made or restored; the message says why (Chinese)."""


def backup(file: Path) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with sqlite3.connect(file) as target:
            connection.connection.backup(target)
        target.close()
    elif connection.vendor == "postgresql":
        _pg("pg_dump", "--format=custom", "--no-owner", f"--file={file}")
    else:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库")


def restore(file: Path) -> None:
    if not file.is_file():
        raise BackupError(f"{file}：文件不存在")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _check_sqlite(file)
        with sqlite3.connect(file) as source:
            source.backup(connection.connection)
        source.close()
    elif connection.vendor == "postgresql":
        _pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(file))
    else:
        raise BackupError(f"不支持恢复 {connection.vendor} 数据库")


def _check_sqlite(file: Path) -> None:
    """Refuse anything but a jixiao SQLite backup before overwriting the database."""
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as db:
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        db.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{file}：不是 SQLite 备份文件（{error}）") from None
    if "evaluations_event" not in tables:
        raise BackupError(f"{file}：不是 jixiao 的备份（缺少自评表数据）")


def _pg(program: str, *args: str) -> None:
    """Run pg_dump / pg_restore against Django's database, password through the environment."""
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    where = [f"--dbname={s['NAME']}"]
    if s.get("HOST"):
        where.append(f"--host={s['HOST']}")
    if s.get("PORT"):
        where.append(f"--port={s['PORT']}")
    if s.get("USER"):
        where.append(f"--username={s['USER']}")
    try:
        done = subprocess.run([program, *where, *args], env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"找不到 {program}（请安装 postgresql-client）") from None
    if done.returncode != 0:
        raise BackupError(f"{program} 失败：{done.stderr.strip()}")
