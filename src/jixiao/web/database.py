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
    """The default: one SQLite file in the data directory, in WAL mode for concurrent readers."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(data_dir / "jixiao.sqlite3"),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
    }
