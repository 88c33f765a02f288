"""Review without losing work: 复核 scores, comments and the decision in one form and one
submit; a bad score keeps every other typed value and is marked at its field; an approval
is confirmed first; the 复核总分 is on the form page. Pages and API, on the test database."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def submitted(tree, forms) -> Evaluation:
    project = Project.objects.create(code="A1-002", name=forms[1].project.name, unit=tree.unit_a1)
    ev = actions.forms.create(user=tree.users["filler_a1"], project=project, form=forms[1])
    reasons = {f["key"]: "已核实" for f in ev.findings if f["severity"] == "error"}
    actions.workflow.step(
        user=tree.users["filler_a1"], pk=ev.pk, action=Action.SUBMIT, acknowledgements=reasons
    )
    ev.refresh_from_db()
    return ev


def test_the_review_page_is_one_form(tree, submitted):
    page = _client(tree.users["reviewer_a"]).get(f"/forms/{submitted.pk}/review/").content.decode()
    assert page.count("<form id=") == 1 and 'id="review-form"' in page
    assert 'form="review-form"' in page and 'form="scores-form"' not in page
    for decision in ("save", "return", "approve"):
        assert f'name="decision" value="{decision}"' in page
    assert "data-unsaved=" in page


def test_a_bad_score_keeps_every_other_value_and_is_marked(tree, submitted):
    reviewer = _client(tree.users["reviewer_a"])
    posted = {
        "version": str(submitted.version),
        "decision": "return",
        "review:funding.score": "9.50",
        "review:indicators[0].score": "1,2,0",
        "review:indicators[1].score": "-3",
        "review:indicators[2].score": "8.00",
        "comment": "请补充佐证材料",
        "comment:indicators[2]": "完成值无依据",
    }
    refused = reviewer.post(f"/forms/{submitted.pk}/review/", posted)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert page.count('class="field-error"') == 2
    assert 'id="review-err-f-indicators-0-score"' in page
    assert 'id="review-err-f-indicators-1-score"' in page
    assert 'value="9.50"' in page and 'value="8.00"' in page and 'value="1,2,0"' in page
    assert "请补充佐证材料" in page and 'value="完成值无依据"' in page
    assert "有 2 处填写有误" in page
    submitted.refresh_from_db()
    assert submitted.state == "submitted" and submitted.review_scores == {}  # nothing stored
    # corrected, the same one submit stores the scores and returns the form with its comments
    fixed = {**posted, "review:indicators[0].score": "15", "review:indicators[1].score": "3"}
    done = reviewer.post(f"/forms/{submitted.pk}/review/", fixed)
    assert done.status_code == 302 and done["Location"] == f"/forms/{submitted.pk}/?done=returned"
    submitted.refresh_from_db()
    assert submitted.state == "returned"
    assert submitted.review_scores == {
        "funding.score": "9.50",
        "indicators[0].score": "15",
        "indicators[1].score": "3",
        "indicators[2].score": "8.00",
    }
    last = Event.objects.filter(evaluation=submitted).order_by("-id")[:2]
    assert [e.action for e in last] == ["return", "review_score"]
    assert last[0].comment == "请补充佐证材料"
    assert last[0].field_comments == {"indicators[2]": "完成值无依据"}


def test_approval_is_confirmed_and_the_review_total_is_on_the_form(tree, submitted):
    reviewer = _client(tree.users["reviewer_a"])
    url = f"/forms/{submitted.pk}/review/"
    posted = {
        "version": str(submitted.version),
        "decision": "approve",
        "review:indicators[0].score": "15.00",
    }
    asked = reviewer.post(url, posted)
    assert asked.status_code == 200 and "确认审核通过？" in asked.content.decode()
    assert 'value="15.00"' in asked.content.decode()  # kept while asking
    submitted.refresh_from_db()
    assert submitted.state == "submitted" and submitted.review_scores == {}
    done = reviewer.post(url, {**posted, "confirmed": "1"})
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == "approved" and submitted.review_scores == {
        "indicators[0].score": "15.00"
    }
    page = reviewer.get(f"/forms/{submitted.pk}/").content.decode()
    assert 'id="review-total"' in page and str(submitted.review_total) in page


def test_a_return_without_a_comment_stores_no_score(tree, submitted):
    reviewer = _client(tree.users["reviewer_a"])
    posted = {
        "version": str(submitted.version),
        "decision": "return",
        "review:indicators[0].score": "15.00",
    }
    refused = reviewer.post(f"/forms/{submitted.pk}/review/", posted)
    assert refused.status_code == 400 and "退回时请填写意见" in refused.content.decode()
    assert 'value="15.00"' in refused.content.decode()
    submitted.refresh_from_db()
    assert submitted.review_scores == {} and submitted.state == "submitted"


def test_the_api_decides_in_one_request(tree, submitted):
    reviewer = _client(tree.users["reviewer_a"])
    url = f"/api/evaluations/{submitted.pk}/decide"

    def send(body):
        return reviewer.post(url, json.dumps(body), content_type="application/json")

    bad = send(
        {"decision": "approve", "scores": {"indicators[0].score": "abc", "funding.score": "99"}}
    )
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {
        "indicators[0].score",
        "funding.score",
    }
    assert send({"decision": "maybe"}).status_code == 422
    saved = send({"decision": "save", "scores": {"indicators[0].score": "15.00"}})
    assert saved.status_code == 200 and saved.json()["state"] == "submitted"
    approved = send({"decision": "approve", "scores": {"indicators[1].score": "4"}})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["review_scores"] == {
        "indicators[0].score": "15.00",
        "indicators[1].score": "4",
    }
    filler = _client(tree.users["filler_a1"])
    assert (
        filler.post(
            url, json.dumps({"decision": "save"}), content_type="application/json"
        ).status_code
        == 403
    )
