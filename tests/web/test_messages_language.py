"""The services' refusals in the request's language: Chinese by default, English
when the API's client asks for it (Accept-Language) or the page is switched."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao.web.orgs.models import ApiToken

pytestmark = pytest.mark.django_db

HAN = __import__("re").compile(r"[\u3400-\u9fff]")


def api(tree, name: str, language: str | None = None):
    headers = {"Authorization": f"Bearer {ApiToken.issue(tree.users[name])}"}
    if language:
        headers["Accept-Language"] = language
    client = Client()

    def call(method: str, path: str, body: dict | None = None):
        if method == "get":
            return client.get(f"/api{path}", headers=headers)
        return getattr(client, method)(
            f"/api{path}", json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return call


def refusals(tree, draft, language: str | None) -> dict[str, tuple[int, str]]:
    """One refusal of each kind the services give, as the API answers it."""
    filler, reviewer = api(tree, "filler_a1", language), api(tree, "reviewer_a", language)
    url = f"/evaluations/{draft.pk}"
    answers = {
        "stale": filler("put", url, {"version": 99, "form": draft.data}),
        "nul": filler("put", url, {"version": 1, "form": {**draft.data, "grade": "良\x00"}}),
        "role": reviewer("put", url, {"version": 1, "form": draft.data}),
        "workflow": reviewer("post", f"{url}/approve", {}),
        "not_found": api(tree, "filler_b1", language)("get", url),
        "submit": filler("post", f"{url}/return", {"comment": "x"}),
    }
    return {kind: (answer.status_code, answer.json()["detail"]) for kind, answer in answers.items()}


def test_api_refusals_are_chinese_by_default(tree, draft):
    got = refusals(tree, draft, None)
    assert got["stale"] == (
        409,
        "自评表已被他人修改：您编辑的是第 99 版，当前为第 1 版。请重新打开后再修改，您的改动未保存。",
    )
    assert (
        got["nul"][0] == 422 and "含有空字符（NUL）" in got["nul"][1] and "grade" in got["nul"][1]
    )
    assert got["role"] == (403, "修改自评表需要填报人员角色，当前角色为审核人员")
    assert got["workflow"] == (409, "自评表当前为“草稿”，不能“通过”")
    assert got["not_found"] == (404, f"自评表 {draft.pk} 不存在或无权查看")
    assert got["submit"] == (403, "“退回”只能由审核人员操作，当前角色为填报人员")


def test_api_refusals_in_english_on_accept_language(tree, draft):
    got = refusals(tree, draft, "en-GB,en;q=0.8")
    assert got["stale"] == (
        409,
        (
            "Someone else changed the form: you edited version 99, it is now version 1. "
            "Open it again and make your changes there; your changes were not saved."
        ),
    )
    assert (
        got["nul"][0] == 422
        and "contains a NUL character" in got["nul"][1]
        and "grade" in got["nul"][1]
    )
    assert got["role"] == (403, "Changing a form needs the role filler; your role is reviewer")
    assert got["workflow"] == (
        409,
        "The form is \u201cDraft\u201d: \u201capprove\u201d is not possible",
    )
    assert got["not_found"] == (404, f"Form {draft.pk} does not exist or you may not see it")
    assert got["submit"] == (
        403,
        "\u201creturn\u201d is for the role reviewer only; your role is filler",
    )
    assert not [detail for _status, detail in got.values() if HAN.search(detail)]


def test_api_login_and_unsubmittable_errors_in_english(tree, draft):
    wrong = Client().post(
        "/api/auth/token",
        json.dumps({"username": "filler_a1", "password": "x"}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 401 and wrong.json() == {"detail": "Wrong account or password"}
    draft.data = {**draft.data, "grade": "良"}  # an error-level finding: grade-differs
    filler = api(tree, "filler_a1", "en")
    saved = filler("put", f"/evaluations/{draft.pk}", {"version": 1, "form": draft.data})
    refused = filler(
        "post", f"/evaluations/{draft.pk}/submit", {"version": saved.json()["version"]}
    )
    detail = refused.json()["detail"]
    assert refused.status_code == 409 and detail.startswith(
        "1 errors are neither corrected nor explained"
    )
    assert "grade-differs@grade: " in detail and not HAN.search(
        detail.replace("良", "").replace("优", "")
    )


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/forms/"})
    return client


def test_page_refusals_in_the_pages_language(tree, draft):
    chinese, client = Client(), Client()
    chinese.force_login(tree.users["filler_a1"])
    client.force_login(tree.users["filler_a1"])
    english(client)
    stale = {"version": "7", "rows": "0"}
    assert "您编辑的是第 7 版" in chinese.post(f"/forms/{draft.pk}/edit/", stale).content.decode()
    page = client.post(f"/forms/{draft.pk}/edit/", stale)
    assert (
        page.status_code == 409
        and "you edited version 7, it is now version 1" in page.content.decode()
    )
    bad = client.post(
        f"/forms/{draft.pk}/evidence/",
        {
            "indicator": draft.data["indicators"][0]["name"],
            "file": SimpleUploadedFile("a.exe", b"MZ"),
        },
    )
    assert bad.status_code == 400 and "Evidence can only be" in bad.content.decode()
    reviewer = Client()
    reviewer.force_login(tree.users["reviewer_a"])
    english(reviewer)
    refused = reviewer.post(f"/forms/{draft.pk}/approve/")
    assert (
        refused.status_code == 409
        and "\u201capprove\u201d is not possible" in refused.content.decode()
    )


def test_the_lockout_message_in_english(tree):
    client = Client()
    for _ in range(5):
        client.post(
            "/api/auth/token",
            json.dumps({"username": "filler_a1", "password": "wrong"}),
            content_type="application/json",
        )
    locked = client.post(
        "/api/auth/token",
        json.dumps({"username": "filler_a1", "password": "x"}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert locked.status_code == 429 and locked.json()["detail"].startswith(
        "Too many failed logins"
    )
