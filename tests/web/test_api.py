"""The REST API driven as a client would: tokens, visibility, the whole
workflow path, stale saves, locking, the trail and the OpenAPI document."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class Api:
    """A client speaking JSON with one user's bearer token."""

    def __init__(self, client: Client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str):
        return self.client.get(f"/api{path}", headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            f"/api{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )

    def put(self, path: str, body: dict):
        return self.client.put(
            f"/api{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def as_user(tree, client):
    def make(name: str) -> Api:
        answer = client.post(
            "/api/auth/token",
            json.dumps({"username": name, "password": f"{name}-口令-2026"}),
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        return Api(Client(), answer.json()["token"])

    return make


def test_token_needs_the_right_password(tree, client):
    answer = client.post(
        "/api/auth/token",
        json.dumps({"username": "filler_a1", "password": "wrong"}),
        content_type="application/json",
    )
    assert answer.status_code == 401 and answer.json()["detail"] == "账号或口令不正确"


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_in_the_credentials_is_wrong_credentials_not_an_error(tree, client, field):
    """PostgreSQL refuses a NUL in a query (schemathesis found it as a 500 there)."""
    body = {"username": "filler_a1", "password": "filler_a1-口令-2026"}
    body[field] = body[field][:3] + "\x00" + body[field][3:]
    answer = client.post("/api/auth/token", json.dumps(body), content_type="application/json")
    assert answer.status_code == 401 and answer.json()["detail"] == "账号或口令不正确"


def test_no_token_or_a_wrong_one_is_refused(tree, draft, client):
    assert client.get("/api/evaluations").status_code == 401
    assert Api(client, "not-a-token").get("/evaluations").status_code == 401


def test_list_and_detail_follow_the_tree(as_user, draft):
    assert [e["id"] for e in as_user("reviewer_a").get("/evaluations").json()] == [draft.pk]
    assert as_user("filler_b1").get("/evaluations").json() == []
    assert as_user("filler_b1").get(f"/evaluations/{draft.pk}").status_code == 404
    detail = as_user("filler_a1").get(f"/evaluations/{draft.pk}").json()
    assert detail["state"] == "draft" and detail["version"] == 1 and detail["total"] == "97.85"
    assert detail["actions"] == ["submit", "delete"]  # a draft: submitted or deleted (#19)
    assert detail["form"] == draft.data


def test_whole_workflow_through_the_api(as_user, draft):
    filler, reviewer, other = as_user("filler_a1"), as_user("reviewer_a"), as_user("reviewer_b")
    url = f"/evaluations/{draft.pk}"
    form = dict(draft.data, grade="良")
    saved = filler.put(url, {"version": 1, "form": form})
    assert (
        saved.status_code == 200 and saved.json()["version"] == 2 and saved.json()["grade"] == "良"
    )

    stale = filler.put(url, {"version": 1, "form": dict(form, grade="中")})
    assert stale.status_code == 409 and "第 1 版" in stale.json()["detail"]

    refused = filler.post(
        f"{url}/submit", {"version": 2}
    )  # 97.85 is 优, not 良: an error-level finding
    assert refused.status_code == 409 and "grade-differs@grade" in refused.json()["detail"]
    assert "grade-differs@grade" in [f["key"] for f in saved.json()["findings"]]
    ack = {"grade-differs@grade": "主管部门核定为良"}
    assert (
        filler.post(f"{url}/submit", {"version": 2, "acknowledgements": ack}).json()["state"]
        == "submitted"
    )
    seen = reviewer.get(url).json()["findings"]
    assert [(f["key"], f["acknowledged"]) for f in seen if f["severity"] == "error"] == [
        ("grade-differs@grade", "主管部门核定为良")
    ]
    assert filler.put(url, {"version": 3, "form": form}).status_code == 409
    assert filler.post(f"{url}/approve").status_code == 403
    assert other.post(f"{url}/approve").status_code == 404
    assert reviewer.post(f"{url}/return").status_code == 400
    returned = reviewer.post(f"{url}/return", {"comment": "请核对执行数"})
    assert returned.json()["state"] == "returned"
    assert filler.put(url, {"version": 4, "form": dict(form, grade="优")}).status_code == 200
    assert filler.post(f"{url}/submit").json()["state"] == "resubmitted"
    approved = reviewer.post(f"{url}/approve", {"version": 6})
    assert approved.json()["state"] == "approved" and approved.json()["actions"] == []
    locked = filler.put(url, {"version": 7, "form": form})
    assert locked.status_code == 409 and "锁定" in locked.json()["detail"]

    events = reviewer.get(f"{url}/trail").json()
    assert [e["action"] for e in events] == [
        "create",
        "save",
        "submit",
        "return",
        "save",
        "submit",
        "approve",
    ]
    assert events[1]["diff"] == [{"path": "grade", "old": "优", "new": "良"}]
    assert events[3]["comment"] == "请核对执行数"


def test_bad_form_json_names_the_field(as_user, draft):
    form = dict(draft.data, total=97.85)
    answer = as_user("filler_a1").put(f"/evaluations/{draft.pk}", {"version": 1, "form": form})
    assert answer.status_code == 422 and "total" in answer.json()["detail"]


def test_an_unknown_template_is_refused(as_user, draft):
    answer = as_user("filler_a1").put(
        f"/evaluations/{draft.pk}", {"version": 1, "form": dict(draft.data, template="x")}
    )
    assert answer.status_code == 422 and "template" in answer.json()["detail"]


def test_absurd_figures_are_saved_and_found_not_a_crash(as_user, draft):
    # A budget of 1e-30 is a slip in the form: saved, and the audit says the rate contradicts it.
    form = dict(draft.data, funding=dict(draft.data["funding"], annual_budget="1e-30"))
    answer = as_user("filler_a1").put(f"/evaluations/{draft.pk}", {"version": 1, "form": form})
    assert answer.status_code == 200
    saved = as_user("filler_a1").get(f"/evaluations/{draft.pk}").json()
    assert saved["version"] == 2
    assert "execution-rate-differs@funding.execution_rate" in {f["key"] for f in saved["findings"]}


def test_filters(as_user, draft):
    api = as_user("admin")
    assert len(api.get("/evaluations?year=2023&state=draft").json()) == 1
    assert api.get("/evaluations?year=2022").json() == []
    assert api.get("/evaluations?state=approved").json() == []
    assert api.get("/evaluations?state=nonsense").status_code == 422


def test_openapi_document_and_docs(client, draft):
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "jixiao 绩效自评 API"
    assert {
        "/api/evaluations/{pk}",
        "/api/evaluations/{pk}/approve",
        "/api/evaluations/{pk}/trail",
    } <= set(spec["paths"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    # Offline intranets: every script and stylesheet comes from this server (a
    # random CSRF token may well contain "cdn", so look at the addresses).
    addresses = re.findall(r'(?:src|href)="([^"]*)"', docs.content.decode())
    assert addresses and all(a.startswith("/") for a in addresses), addresses


def test_session_auth_needs_csrf(tree, draft):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tree.users["filler_a1"])
    assert browser.get("/api/evaluations").status_code == 200
    refused = browser.post(
        f"/api/evaluations/{draft.pk}/submit", "{}", content_type="application/json"
    )
    assert refused.status_code == 403


def test_repeated_wrong_passwords_lock_the_account(tree, client):
    def token(password: str):
        return client.post(
            "/api/auth/token",
            json.dumps({"username": "filler_a1", "password": password}),
            content_type="application/json",
        )

    for _ in range(4):
        assert token("wrong").status_code == 401
    assert token("wrong").status_code == 429  # the fifth failure locks
    locked = token("filler_a1-口令-2026")
    assert locked.status_code == 429 and "锁定" in locked.json()["detail"]


def test_return_with_comments_on_fields(as_user, draft):
    filler, reviewer = as_user("filler_a1"), as_user("reviewer_a")
    url = f"/evaluations/{draft.pk}"
    filler.post(f"{url}/submit")
    wrong = reviewer.post(f"{url}/return", {"field_comments": {"indicators[99].score": "?"}})
    assert wrong.status_code == 400 and "indicators[99].score" in wrong.json()["detail"]
    comments = {"indicators[1].score": "得分高于分值", "funding.executed": "与决算数不符"}
    assert (
        reviewer.post(f"{url}/return", {"field_comments": comments}).json()["state"] == "returned"
    )
    assert filler.get(f"{url}/trail").json()[-1]["field_comments"] == comments
