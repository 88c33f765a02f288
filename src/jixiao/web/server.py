"""Start-up for ``jixiao serve`` and ``verify-trail``: the data directory, the
secret key, migrations, and the waitress WSGI server."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class StartError(Exception):
    """The server cannot start; the message says why (Chinese)."""


def prepare(data_dir: Path, host: str | None = None) -> None:
    """Create the data directory and its secret key, then start Django."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_urlsafe(50))
    except OSError as error:
        raise StartError(f"无法使用数据目录 {data_dir}：{error.strerror or error}") from None
    if host is not None and "JIXIAO_ALLOWED_HOSTS" not in os.environ:
        os.environ["JIXIAO_ALLOWED_HOSTS"] = allowed_hosts(host)
    from jixiao.web import setup

    setup(data_dir)


def allowed_hosts(host: str) -> str:
    """The host names the server answers to when ``JIXIAO_ALLOWED_HOSTS`` is not set:
    the address it listens on, or on every address (0.0.0.0) this machine's own
    names, and localhost; never "*", which would answer any Host header."""
    import socket

    if host in {"0.0.0.0", "::", ""}:
        names = dict.fromkeys([socket.gethostname(), socket.getfqdn()])
        return ",".join([*names, "localhost", "127.0.0.1", "[::1]"])
    return f"{host},localhost,127.0.0.1,[::1]"


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def has_tables() -> bool:
    from django.db import connection

    from jixiao.web.evaluations.models import Event

    return Event._meta.db_table in connection.introspection.table_names()


def serve(host: str, port: int, threads: int) -> None:
    import waitress

    from jixiao.web.wsgi import application

    waitress.serve(application, host=host, port=port, threads=threads, ident="jixiao")
