"""Drafts and submissions: 撤回 (withdraw) a submission not yet reviewed, a new workflow
step; a confirmation after submit; the returned comment names the reviewer and is gone
once the form is resubmitted. Pages and API on the test database."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _submit(tree, ev):
    ev.refresh_from_db()
    reasons = {f["key"]: "已核实" for f in ev.findings if f["severity"] == "error"}
    actions.workflow.step(
        user=tree.users["filler_a1"], pk=ev.pk, action=Action.SUBMIT, acknowledgements=reasons
    )
    ev.refresh_from_db()


def test_a_submission_is_withdrawn_on_the_page_and_is_on_the_trail(tree, draft):
    filler = _client(tree.users["filler_a1"])
    _submit(tree, draft)
    page = filler.get(f"/forms/{draft.pk}/").content.decode()
    assert "withdraw" in page and "data-confirm=" in page and "撤回" in page
    done = filler.post(f"/forms/{draft.pk}/withdraw/", {"version": str(draft.version)})
    assert done.status_code == 302 and done["Location"].endswith("?done=withdraw")
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert "已撤回，可修改后重新提交" in filler.get(done["Location"]).content.decode()
    last = Event.objects.filter(evaluation=draft).order_by("-id").first()
    assert (last.action, last.state_from, last.state_to) == ("withdraw", "submitted", "draft")
    assert "撤回" in filler.get(f"/forms/{draft.pk}/history/").content.decode()


def test_withdraw_is_refused_once_a_review_began_and_to_others(tree, draft):
    _submit(tree, draft)
    actions.review.set_scores(
        user=tree.users["reviewer_a"], pk=draft.pk, version=None, scores={"funding.score": "9"}
    )
    api = _client(tree.users["filler_a1"])
    refused = api.post(
        f"/api/evaluations/{draft.pk}/withdraw", json.dumps({}), content_type="application/json"
    )
    assert refused.status_code == 409 and "已开始复核" in refused.json()["detail"]
    reviewer = _client(tree.users["reviewer_a"])
    assert (
        reviewer.post(
            f"/api/evaluations/{draft.pk}/withdraw", json.dumps({}), content_type="application/json"
        ).status_code
        == 403
    )


def test_a_resubmission_withdrawn_is_back_with_the_unit_as_returned(tree, draft):
    _submit(tree, draft)
    actions.workflow.step(
        user=tree.users["reviewer_a"], pk=draft.pk, action=Action.RETURN, comment="补充材料"
    )
    _submit(tree, draft)
    assert draft.state == "resubmitted"
    api = _client(tree.users["filler_a1"])
    back = api.post(
        f"/api/evaluations/{draft.pk}/withdraw", json.dumps({}), content_type="application/json"
    )
    assert back.status_code == 200 and back.json()["state"] == "returned"


def test_submit_is_confirmed_and_the_return_names_the_reviewer_until_resubmitted(tree, draft):
    reviewer_user = tree.users["reviewer_a"]
    reviewer_user.first_name, reviewer_user.last_name = "审核员", "王"
    reviewer_user.save()
    filler = _client(tree.users["filler_a1"])
    draft.refresh_from_db()
    reasons = {f"ack:{f['key']}": "已核实" for f in draft.findings if f["severity"] == "error"}
    sent = filler.post(f"/forms/{draft.pk}/submit/", {"version": str(draft.version), **reasons})
    assert sent.status_code == 302 and sent["Location"].endswith("?done=submit")
    assert "已提交审核。审核前可以撤回。" in filler.get(sent["Location"]).content.decode()
    actions.workflow.step(user=reviewer_user, pk=draft.pk, action=Action.RETURN, comment="请补充")
    page = filler.get(f"/forms/{draft.pk}/").content.decode()
    assert "甲局 王审核员 退回的意见" in page or "甲局 审核员 王 退回的意见" in page
    assert "reviewer_a 退回的意见" not in page
    _submit(tree, draft)
    page = filler.get(f"/forms/{draft.pk}/").content.decode()
    assert "退回的意见" not in page and "请补充" not in page


def test_a_draft_is_deleted_kept_with_its_trail_and_its_year_free(tree, draft, forms):
    from jixiao.web.evaluations.models import Evaluation

    filler = _client(tree.users["filler_a1"])
    page = filler.get(f"/forms/{draft.pk}/").content.decode()
    assert "删除草稿" in page and f'action="/forms/{draft.pk}/delete/"' in page
    gone = filler.post(f"/forms/{draft.pk}/delete/", {"version": str(draft.version)})
    assert gone.status_code == 302 and gone["Location"] == "/forms/?deleted=1"
    assert "草稿已删除" in filler.get(gone["Location"]).content.decode()
    draft.refresh_from_db()
    assert draft.state == "deleted"  # the row and its trail stay …
    last = Event.objects.filter(evaluation=draft).order_by("-id").first()
    assert (last.action, last.state_from, last.state_to) == ("delete", "draft", "deleted")
    # … seen by no one, on no page and in no list or API answer
    for name in ("filler_a1", "reviewer_a", "admin"):
        client = _client(tree.users[name])
        assert client.get(f"/forms/{draft.pk}/").status_code == 404
        assert client.get(f"/api/evaluations/{draft.pk}").status_code == 404
        assert draft.pk not in [e["id"] for e in client.get("/api/evaluations").json()]
    # the year is free again: the same project's form of that year can be made anew
    again = actions.forms.create(user=tree.users["filler_a1"], project=draft.project, form=forms[0])
    assert (
        again.year == draft.year and Evaluation.objects.filter(project=draft.project).count() == 2
    )
    _count, breaks, _head = actions.trail.verify()
    assert breaks == []


def test_only_a_draft_is_deleted_and_only_by_its_unit(tree, draft):
    api = _client(tree.users["filler_a2"])  # another unit: does not see it
    url = f"/api/evaluations/{draft.pk}/delete"
    assert api.post(url, json.dumps({}), content_type="application/json").status_code == 404
    reviewer = _client(tree.users["reviewer_a"])
    assert reviewer.post(url, json.dumps({}), content_type="application/json").status_code == 403
    _submit(tree, draft)
    filler = _client(tree.users["filler_a1"])
    refused = filler.post(url, json.dumps({}), content_type="application/json")
    assert refused.status_code == 409
    draft.refresh_from_db()
    assert draft.state == "submitted"
