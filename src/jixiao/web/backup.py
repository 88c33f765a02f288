"""``jixiao backup`` / ``jixiao restore``: a consistent copy of the whole database.

SQLite: the online backup API (a consistent snapshot while the server runs).
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``. Restore
replaces everything; stop the server first. Every copy is written with mode 0600.

``--encrypt``: the copy encrypted with AES-256-GCM (the ``cryptography`` package) under
a key derived from a passphrase by scrypt (n=2**15, r=8, p=1, a random 16-byte salt).
The file: :data:`MAGIC`, the salt, the scrypt parameters and a 7-byte random nonce
prefix (the header, authenticated with every chunk), then chunks of at most 1 MiB,
each its length (4 bytes) and its ciphertext with the GCM tag; chunk n's nonce is the
prefix, n (4 bytes) and 1 for the last chunk, 0 for the others, so a chunk dropped,
moved or cut off at the end fails to decrypt. The plain copy exists only in a
temporary directory of mode 0700 while it is encrypted or restored.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """The copy could not be made or restored; the message says why (Chinese)."""


MAGIC = b"JIXIAO-BACKUP-AES256GCM-1\n"
CHUNK = 1 << 20
MIN_PASSPHRASE = 12
_SCRYPT = (15, 8, 1)  # log2 n, r, p: 32 MiB, about 0.1 s


def backup(file: Path, passphrase: str | None = None) -> None:
    """The whole database into ``file`` (mode 0600), encrypted when a passphrase is given."""
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"备份口令至少 {MIN_PASSPHRASE} 个字符")
    connection.ensure_connection()
    if passphrase is None:
        _dump(file)
        return
    with _private_dir() as tmp:
        plain = tmp / "plain.backup"
        _dump(plain)
        encrypt(plain, file, passphrase)


def restore(file: Path, passphrase: str | None = None) -> None:
    if not file.is_file():
        raise BackupError(f"{file}：文件不存在")
    connection.ensure_connection()
    if not is_encrypted(file):
        _load(file)
        return
    if passphrase is None:
        raise BackupError(f"{file}：备份已加密，需要口令")
    with _private_dir() as tmp:
        plain = tmp / "plain.backup"
        decrypt(file, plain, passphrase)
        _load(plain)


def _dump(file: Path) -> None:
    _private_file(file)
    if connection.vendor == "sqlite":
        with sqlite3.connect(file) as target:
            connection.connection.backup(target)
        target.close()
    elif connection.vendor == "postgresql":
        _pg("pg_dump", "--format=custom", "--no-owner", f"--file={file}")
    else:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库")
    file.chmod(0o600)


def _load(file: Path) -> None:
    if connection.vendor == "sqlite":
        _check_sqlite(file)
        with sqlite3.connect(file) as source:
            source.backup(connection.connection)
        source.close()
    elif connection.vendor == "postgresql":
        _pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(file))
    else:
        raise BackupError(f"不支持恢复 {connection.vendor} 数据库")


def _private_file(file: Path) -> None:
    """``file`` made empty with mode 0600 before anything is written to it."""
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"无法写入 {file}：{error.strerror or error}") from None
    os.fchmod(fd, 0o600)
    os.close(fd)


@contextmanager
def _private_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="jixiao-backup-") as tmp:  # mode 0700
        yield Path(tmp)


def is_encrypted(file: Path) -> bool:
    with file.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def _key(passphrase: str, salt: bytes, n_log2: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=1 << n_log2, r=r, p=p).derive(passphrase.encode())


def _nonce(prefix: bytes, n: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", n, last)


def encrypt(plain: Path, file: Path, passphrase: str) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, prefix = secrets.token_bytes(16), secrets.token_bytes(7)
    header = MAGIC + salt + bytes(_SCRYPT) + prefix
    aes = AESGCM(_key(passphrase, salt, *_SCRYPT))
    _private_file(file)
    with plain.open("rb") as source, file.open("wb") as target:
        target.write(header)
        chunk, n = source.read(CHUNK), 0
        while True:
            following = source.read(CHUNK)
            sealed = aes.encrypt(_nonce(prefix, n, not following), chunk, header)
            target.write(struct.pack(">I", len(sealed)) + sealed)
            if not following:
                break
            chunk, n = following, n + 1


def decrypt(file: Path, plain: Path, passphrase: str) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    wrong = BackupError(f"{file}：口令不对，或备份文件已损坏")
    _private_file(plain)
    with file.open("rb") as source, plain.open("wb") as target:
        header = source.read(len(MAGIC) + 16 + 3 + 7)
        if len(header) < len(MAGIC) + 26 or not header.startswith(MAGIC):
            raise wrong
        salt = header[len(MAGIC) : len(MAGIC) + 16]
        n_log2, r, p = header[len(MAGIC) + 16 : len(MAGIC) + 19]
        if n_log2 > 22 or r > 32 or p > 16:  # no file makes this machine derive for hours
            raise wrong
        prefix = header[-7:]
        aes = AESGCM(_key(passphrase, salt, n_log2, r, p))
        n = 0
        while True:
            size = source.read(4)
            if len(size) < 4:
                raise wrong  # cut off before its last chunk
            (length,) = struct.unpack(">I", size)
            if length > CHUNK + 16:
                raise wrong
            sealed = source.read(length)
            last = source.peek(1) == b""
            try:
                target.write(aes.decrypt(_nonce(prefix, n, last), sealed, header))
            except InvalidTag:
                raise wrong from None
            if last:
                return
            n += 1


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


_PG_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
"""libpq's connection options as the environment variables pg_dump and pg_restore read."""


def _pg(program: str, *args: str) -> None:
    """Run pg_dump / pg_restore against Django's database, password through the environment."""
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    # DATABASE_URL's ?sslmode=…&sslrootcert=… hold for the dump as for the server
    for option, value in (s.get("OPTIONS") or {}).items():
        if option in _PG_ENV:
            env[_PG_ENV[option]] = str(value)
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
