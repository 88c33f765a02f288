"""Where the data lives: SQLite in the data directory, or ``DATABASE_URL``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


class DatabaseUrlError(ValueError):
    pass


def from_url(url: str) -> dict:
    """``postgresql://user:pass@host:5432/name?sslmode=require`` → Django's DATABASES entry."""
    parts = urlsplit(url)
    engine = _ENGINES.get(parts.scheme)
    if engine is None:
        raise DatabaseUrlError(
            f"DATABASE_URL：不支持的数据库类型 {parts.scheme!r}（可用：postgresql、sqlite）"
        )
    if parts.scheme == "sqlite":
        return {"ENGINE": engine, "NAME": unquote(parts.path) or ":memory:"}
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise DatabaseUrlError("DATABASE_URL：缺少数据库名（…/数据库名）")
    return {
        "ENGINE": engine,
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
        "CONN_MAX_AGE": 60,
    }


def sqlite_in(data_dir: Path) -> dict:
    """The default: one SQLite file in the data directory, in WAL mode for concurrent
    readers; ``secure_delete`` overwrites what a delete frees (an evidence file's bytes)
    with zeros instead of leaving it in free pages."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(data_dir / "jixiao.sqlite3"),
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }


def forget_deleted() -> None:
    """After confidential bytes were deleted (an evidence file): SQLite copies the WAL
    into the database, where ``secure_delete`` zeroed the freed pages, and truncates the
    WAL, so the old frames holding the bytes are gone from the disk too. Run after the
    commit (``transaction.on_commit``); another connection still reading an old snapshot
    can keep the checkpoint from finishing, in which case the next one does. PostgreSQL:
    nothing (its own VACUUM reclaims the space)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
