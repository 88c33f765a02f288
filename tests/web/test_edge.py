"""What every answer carries (jixiao.web.edge): no-store on each kind of dynamic answer,
the static files still cacheable, a Content-Security-Policy with no inline script or
style (and templates that need none), and JSON errors under /api."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from jixiao.web import edge
from jixiao.web.evaluations import actions

TEMPLATES = Path(edge.__file__).parent / "pages" / "templates"


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def bearer(name: str) -> dict:
    answer = Client().post(
        "/api/auth/token",
        json.dumps({"username": name, "password": f"{name}-口令-2026"}),
        content_type="application/json",
    )
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _no_store(response) -> None:
    cache = response.get("Cache-Control", "")
    assert "no-store" in cache and "private" in cache, (response.status_code, cache)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def _evidence(tree, draft) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .evidence_samples import pdf_bytes

    item = actions.evidence.add(
        user=tree.users["filler_a1"],
        pk=draft.pk,
        indicator=draft.data["indicators"][0]["name"],
        upload=SimpleUploadedFile("记录.pdf", pdf_bytes()),
    )
    return item.pk


def test_every_kind_of_dynamic_answer_is_no_store_with_the_policy(tree, draft):
    filler = signed_in(tree, "filler_a1")
    item = _evidence(tree, draft)
    answers = {
        "login page": Client().get("/login/"),
        "signed-in list": filler.get("/forms/"),
        "form page": filler.get(f"/forms/{draft.pk}/"),
        "edit page": filler.get(f"/forms/{draft.pk}/edit/"),
        "xlsx download": filler.get(f"/forms/{draft.pk}/download/xlsx/"),
        "evidence download": filler.get(f"/forms/{draft.pk}/evidence/{item}/"),
        "roll-up export": filler.get("/rollup/export/csv/"),
        "api list": Client().get("/api/evaluations", headers=bearer("filler_a1")),
        "api evidence": Client().get(
            f"/api/evaluations/{draft.pk}/evidence/{item}", headers=bearer("filler_a1")
        ),
        "api refusal": Client().get("/api/evaluations"),
        "admin": signed_in(tree, "admin").get("/admin/login/"),
    }
    for kind, response in answers.items():
        assert response.status_code in {200, 302, 401}, (kind, response.status_code)
        _no_store(response)


def test_static_files_stay_cacheable():
    response = Client().get("/static/pages/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


INLINE = [
    (r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", "inline <script>"),
    (r"<style\b", "<style> element"),
    (r"\sstyle\s*=", "style= attribute"),
    (r"\son[a-z]+\s*=", "event handler attribute"),
    (r"javascript:", "javascript: URL"),
    (r"hx-on|hx-vars|js:", "htmx evaluated attribute"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_has_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE if re.search(pattern, text, re.IGNORECASE)]
    assert not found, found


def test_rendered_pages_have_no_inline_script_or_style_and_htmx_is_configured_for_it(tree, draft):
    filler = signed_in(tree, "filler_a1")
    for path in (
        f"/forms/{draft.pk}/",
        f"/forms/{draft.pk}/edit/",
        "/dashboards/",
        "/rollup/",
        "/forms/new/",
    ):
        page = filler.get(path).content.decode()
        found = [what for pattern, what in INLINE if re.search(pattern, page, re.IGNORECASE)]
        assert not found, (path, found)
        scripts = re.findall(r'<script src="([^"]+)"', page)
        assert scripts and all(s.startswith("/static/") for s in scripts)  # served from self
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page)
    assert config
    settings = json.loads(config.group(1))
    assert settings["includeIndicatorStyles"] is False and settings["allowEval"] is False


def test_api_errors_are_json(tree):
    client = Client()
    headers = bearer("filler_a1")
    cases = [
        (404, client.get("/api/no-such-thing", headers=headers)),
        (405, client.get("/api/auth/token")),
        (
            413,
            client.post(
                "/api/evaluations/1/save",
                b"{" + b" " * (edge.MAX_BODY + 1) + b"}",
                content_type="application/json",
                headers=headers,
            ),
        ),
        # over Django's 2.5 MB for a body held in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but
        # under MAX_BODY: Django's RequestDataTooBig, a 413 as well
        (
            413,
            client.post(
                "/api/projects",
                json.dumps({"code": "X", "name": "x" * (3 << 20), "unit": tree.unit_a1.pk}),
                content_type="application/json",
                headers=headers,
            ),
        ),
    ]
    for status, response in cases:
        assert response.status_code == status, (status, response.content[:200])
        assert response["Content-Type"].startswith("application/json"), status
        assert response.json()["detail"], status
    assert f"{edge.MAX_BODY >> 20} MB" in cases[2][1].json()["detail"]


def test_a_server_error_under_the_api_is_json_and_a_page_error_stays_html():
    from django.views import defaults

    middleware = edge.Edge(lambda request: defaults.server_error(request))
    api = middleware(RequestFactory().get("/api/evaluations"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert json.loads(api.content)["detail"] == "服务器内部错误，请稍后再试或联系管理员"
    page = middleware(RequestFactory().get("/forms/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    english = middleware(RequestFactory().get("/api/x", HTTP_ACCEPT_LANGUAGE="en"))
    assert json.loads(english.content)["detail"].startswith("Server error")


def test_an_oversized_page_upload_is_refused_before_it_is_read(tree):
    response = signed_in(tree, "filler_a1").post(
        "/forms/new/",
        b"x" * (edge.MAX_BODY + 1),
        content_type="application/octet-stream",
    )
    assert response.status_code == 413 and "MB" in response.content.decode()
