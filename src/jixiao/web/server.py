"""Start-up for ``jixiao serve`` and ``verify-trail``: the data directory, the
secret key, migrations, and the waitress WSGI server."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class StartError(Exception):
    """The server cannot start; the message says why (Chinese)."""


def prepare(data_dir: Path, host: str | None = None) -> None:
    """Create the data directory and its secret key, then start Django."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        data_dir.chmod(0o700)  # the database, its WAL, the key: for this account alone
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_urlsafe(50))
        from jixiao.web import trail_key

        trail_key.make_key_file(trail_key.key_file(data_dir))
        if not os.environ.get("DATABASE_URL"):
            private_database(data_dir / "jixiao.sqlite3")
    except OSError as error:
        raise StartError(f"无法使用数据目录 {data_dir}：{error.strerror or error}") from None
    if host is not None and "JIXIAO_ALLOWED_HOSTS" not in os.environ:
        os.environ["JIXIAO_ALLOWED_HOSTS"] = allowed_hosts(host)
    from jixiao.web import setup

    setup(data_dir)


def private_database(database: Path) -> None:
    """The SQLite file made (empty) with mode 0600 before SQLite opens it, and an older
    one, with its WAL and shared-memory files, set to 0600: SQLite gives the WAL and
    the journal the database file's mode, so they stay private too."""
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        if path.exists():
            path.chmod(0o600)


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
    from django.conf import settings

    from jixiao.web.edge import MAX_BODY
    from jixiao.web.wsgi import application

    app = behind_proxies(application, settings.JIXIAO_TRUSTED_PROXIES, settings.JIXIAO_PROXY_COUNT)
    # waitress's own proxy handling trusts one address; behind_proxies does it for a
    # list, with waitress's parser, so waitress itself is told to leave the headers alone.
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="jixiao",
        clear_untrusted_proxy_headers=False,
        # a backstop for bodies without a Content-Length (chunked); jixiao.web.edge
        # refuses a declared one over MAX_BODY with its own 413
        max_request_body_size=2 * MAX_BODY,
        # read ahead on each connection, so waitress notices a client that went away
        # (waitress.client_disconnected: a PDF render for no one is stopped)
        channel_request_lookahead=5,
    )


def proxy_networks(addresses: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``JIXIAO_TRUSTED_PROXIES`` as networks (an address is a network of one)."""
    networks = []
    for address in addresses:
        try:
            networks.append(ipaddress.ip_network(address.strip("[]"), strict=False))
        except ValueError:
            raise StartError(
                f"JIXIAO_TRUSTED_PROXIES：{address!r} 不是 IP 地址或网段（如 127.0.0.1、10.0.0.0/8）"
            ) from None
    return networks


def behind_proxies(app: WSGIApp, trusted: list[str], count: int) -> WSGIApp:
    """The WSGI app as the proxies in front see it: from an address in ``trusted``
    (JIXIAO_TRUSTED_PROXIES) X-Forwarded-Proto sets the scheme and, with ``count``
    (JIXIAO_PROXY_COUNT) proxies appending to it, X-Forwarded-For sets REMOTE_ADDR to
    the client that many places from the right (what a client wrote further left is
    dropped); from any other address every X-Forwarded-* and Forwarded header is
    removed, so a client reaching the server directly cannot claim HTTPS or another
    address. Waitress's own parser (its ``trusted_proxy`` middleware) does the work."""
    from waitress.proxy_headers import proxy_headers_middleware

    networks = proxy_networks(trusted)
    headers = {"x-forwarded-proto"} | ({"x-forwarded-for"} if count else set())
    believed = proxy_headers_middleware(
        app,
        trusted_proxy="*",
        trusted_proxy_count=max(count, 1),
        trusted_proxy_headers=headers,
        clear_untrusted=True,
    )
    cleared = proxy_headers_middleware(app, trusted_proxy=None, clear_untrusted=True)

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", "").strip("[]"))
        except ValueError:
            return cleared(environ, start_response)
        trusted_peer = any(peer in network for network in networks)
        return (believed if trusted_peer else cleared)(environ, start_response)

    return application
