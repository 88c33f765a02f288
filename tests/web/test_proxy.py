"""``jixiao serve`` behind a real nginx (Debian's nginx-light), as docs/web.md sets it up:
nginx terminates TLS (here it listens on plain HTTP and says ``X-Forwarded-Proto: https``,
as it does after terminating TLS) and appends the client's address to X-Forwarded-For.

Through it a login answers 302 with a Secure session cookie, HSTS is sent, and five bad
passwords from one client do not lock the account for another. The two clients are two
loopback addresses: the test connects to nginx from 127.0.0.2 and from 127.0.0.1 (Linux
routes all of 127.0.0.0/8 to the loopback), so nginx's ``$remote_addr`` differs as it would
for two machines, and jixiao sees each client's own address in its lockout records."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from tests.conftest import need_tool

JIXIAO = [sys.executable, "-m", "jixiao"]
HOST = "jx.example.test"
PASSWORD = "Proxy-test-Pass-2026"

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
error_log {tmp}/error.log info;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"} and not k.startswith("JIXIAO_")
    }
    return {**clean, **extra}


def _up(port: int, process: subprocess.Popen, what: str) -> None:
    for _ in range(300):  # up to a minute: a bound, not a speed check
        if process.poll() is not None:
            pytest.fail(f"{what} exited: {process.stderr.read() if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not answer on port {port}")


class Browser:
    """One client at one source address, keeping its cookies (as a browser would)."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[http.client.HTTPResponse, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        self.set_cookies = response.headers.get_all("Set-Cookie") or []
        for line in self.set_cookies:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response, text

    def login(self, password: str, headers: dict | None = None) -> http.client.HTTPResponse:
        _page, html = self.request("GET", "/login/", headers=headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, html[:500]
        response, _ = self.request(
            "POST",
            "/login/",
            {"username": "filler", "password": password, "csrfmiddlewaretoken": token.group(1)},
            {"Origin": f"https://{HOST}", **(headers or {})},
        )
        return response


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    nginx = need_tool(shutil.which("nginx") or "/usr/sbin/nginx", "nginx-light")
    tmp = tmp_path_factory.mktemp("proxy")
    data = tmp / "data"
    env = _env()
    made = subprocess.run(
        [*JIXIAO, "demo", "--data-dir", str(data)], capture_output=True, text=True, env=env
    )
    assert made.returncode == 0, made.stderr
    passwd = subprocess.run(
        [*JIXIAO, "passwd", "filler", "--stdin", "--data-dir", str(data)],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
    )
    assert passwd.returncode == 0, passwd.stderr
    with sqlite3.connect(data / "jixiao.sqlite3") as db:  # a reset must be changed at first
        db.execute("UPDATE orgs_passwordstate SET must_change = 0")  # login: not tested here

    app_port, port = _spare_port(), _spare_port()
    server = subprocess.Popen(
        [*JIXIAO, "serve", "--port", str(app_port), "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(JIXIAO_HTTPS="1", JIXIAO_PROXY_COUNT="1", JIXIAO_ALLOWED_HOSTS=HOST),
    )
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, app_port=app_port))
    proxy = subprocess.Popen(
        [nginx, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _up(app_port, server, "jixiao serve")
        _up(port, proxy, "nginx")
        yield port, app_port, data
    finally:
        for process in (proxy, server):
            process.terminate()
            process.wait(timeout=30)


def test_a_login_through_nginx_answers_302_with_a_secure_session_and_hsts(proxied):
    port, _app_port, _data = proxied
    browser = Browser(port, "127.0.0.1")
    page, _ = browser.request("GET", "/login/")
    assert page.status == 200
    assert "max-age=31536000" in (page.headers["Strict-Transport-Security"] or "")
    response = browser.login(PASSWORD)
    assert response.status == 302, response.headers
    session = [c for c in browser.set_cookies if c.startswith("sessionid=")]
    assert session and "Secure" in session[0] and "HttpOnly" in session[0]
    forms, _ = browser.request("GET", "/forms/")
    assert forms.status == 200


def test_five_bad_passwords_from_one_address_do_not_lock_the_account_for_another(proxied):
    port, _app_port, data = proxied
    attacker = Browser(port, "127.0.0.2")
    for _ in range(4):
        assert attacker.login("wrong-password").status == 200  # the form again, with an error
    assert attacker.login("wrong-password").status == 429  # the fifth locks it
    assert attacker.login(PASSWORD).status == 429  # for this address, even the right password
    # What the attacker writes in X-Forwarded-For is not believed: nginx appends the
    # address it saw, and jixiao counts only that one.
    forged = Browser(port, "127.0.0.2").login(PASSWORD, {"X-Forwarded-For": "192.0.2.1"})
    assert forged.status == 429

    assert Browser(port, "127.0.0.1").login(PASSWORD).status == 302
    with sqlite3.connect(data / "jixiao.sqlite3") as db:
        addresses = {
            row[0]
            for row in db.execute(
                "SELECT ip_address FROM axes_accessattempt WHERE username = 'filler'"
            )
        }
    assert addresses == {"127.0.0.2"}  # the client nginx saw, not nginx's own address


def test_headers_from_a_client_reaching_the_server_directly_are_not_believed(proxied):
    """Only the proxies of JIXIAO_TRUSTED_PROXIES (here this machine, 127.0.0.1) may say
    HTTPS: from 127.0.0.2 straight to waitress, X-Forwarded-Proto is dropped."""
    _port, app_port, _data = proxied
    direct = Browser(app_port, "127.0.0.2")
    page, _ = direct.request("GET", "/login/", headers={"X-Forwarded-Proto": "https"})
    assert page.status == 200 and page.headers["Strict-Transport-Security"] is None
    # the request is http:// to Django, so an https:// origin is refused
    claimed = direct.login(PASSWORD, {"X-Forwarded-Proto": "https"})
    assert claimed.status == 403


def test_a_pdf_downloads_through_the_server_drawn_in_its_own_process(proxied):
    """The PDF is drawn by a child of the fork server (jixiao.web.render) of the real
    `jixiao serve`, started as `python -m jixiao`: the child must not run the CLI again."""
    port, _app_port, _data = proxied
    browser = Browser(port, "127.0.0.1")
    assert browser.login(PASSWORD).status == 302
    _, listing = browser.request("GET", "/forms/")
    form = re.search(r'href="/forms/(\d+)/"', listing)
    assert form, listing[:500]
    started = time.monotonic()
    response, _ = browser.request("GET", f"/forms/{form.group(1)}/download/pdf/")
    assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert time.monotonic() - started < 60  # a bound, not a speed check
