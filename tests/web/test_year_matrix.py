"""The permission matrix of the year's pages (#23): every route of jixiao.web.year × every
account of tests/web/conftest.py (the eight business accounts, the 三员, no one signed in),
GET and POST, against the answer the rules say — and a write refused changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project, SpotCheck
from jixiao.web.year import actions as year
from jixiao.web.year.models import LedgerEntry, LedgerPolicy, Notice, SelfEvaluationTask
from tests.web.test_permission_matrix import ROLES

pytestmark = pytest.mark.django_db

BUSINESS = list(ROLES)  # the eight accounts of the tree, as the API's matrix
ACCOUNTS = [*BUSINESS, "system", "security", "audit", "anonymous"]
SEES_A1 = {"filler_a1", "filler_dept_a", "reviewer_a", "reviewer_bureau", "admin"}
REVIEWS_A1 = {"reviewer_a", "reviewer_bureau"}
REVIEWERS = {"reviewer_a", "reviewer_b", "reviewer_bureau"}
ROUTES = {
    "year:todo",
    "year:tasks",
    "year:late",
    "year:review",
    "year:spot_checks",
    "year:recheck",
    "year:ledger",
    "year:ledger_export",
}


@pytest.fixture
def world(tree, forms, admins):
    filler, reviewer = tree.users["filler_a1"], tree.users["reviewer_a"]
    rows = []
    for i in range(2):
        project = Project.objects.create(code=f"M-{i}", name=f"矩阵项目{i}", unit=tree.unit_a1)
        rows.append(
            actions.forms.create(
                user=filler,
                project=project,
                form=replace(forms[0], project=replace(forms[0].project, name=project.name)),
            )
        )
        actions.workflow.step(user=filler, pk=rows[-1].pk, action=Action.SUBMIT)
    actions.workflow.step(user=reviewer, pk=rows[0].pk, action=Action.APPROVE)
    Project.objects.create(code="M-9", name="未填项目", unit=tree.unit_a1)
    task = year.issue(
        user=tree.users["admin"],
        year=2023,
        template="national-2020",
        deadline=timezone.now() + timedelta(days=5),
    ).task
    actions.spot_checks.draw(user=tree.users["admin"], year=2023, size=1)
    users = dict(tree.users) | admins
    return {"approved": rows[0], "submitted": rows[1], "task": task, "users": users, "tree": tree}


def client_for(world, name: str) -> Client:
    client = Client()
    if name != "anonymous":
        client.force_login(world["users"][name])
    return client


def expected_get(route: str, name: str) -> int:
    if name == "anonymous":
        return 302  # to the sign-in page
    if name not in BUSINESS:
        return 403  # the 三员 hold no business role
    if route == "year:late":
        return 200 if name in REVIEWERS | {"admin"} else 403
    if route == "year:review":
        return 200 if name in REVIEWERS else 403
    if route == "year:recheck":
        if name not in SEES_A1:
            return 404
        return 200 if name in REVIEWS_A1 else 403
    return 200


def test_every_route_is_in_the_matrix():
    from jixiao.web.year import urls

    names = {f"year:{p.name}" for p in urls.urlpatterns}
    assert names == ROUTES


def _url(world, route: str) -> str:
    return {
        "year:todo": "/todo/",
        "year:tasks": "/year/tasks/",
        "year:late": f"/year/tasks/{world['task'].pk}/late/",
        "year:review": "/year/review/",
        "year:spot_checks": "/year/spot-checks/",
        "year:recheck": f"/year/recheck/{world['approved'].pk}/",
        "year:ledger": "/year/ledger/?year=2023",
        "year:ledger_export": "/year/ledger/export/csv/?year=2023",
    }[route]


@pytest.mark.parametrize("name", ACCOUNTS)
def test_get_every_page(world, name):
    client = client_for(world, name)
    leaks = []
    for route in sorted(ROUTES):
        got = client.get(_url(world, route)).status_code
        if got != expected_get(route, name):
            leaks.append((route, got, expected_get(route, name)))
        if route == "year:ledger_export" and got == 200:
            body = client.get(_url(world, route)).content.decode("utf-8-sig")
            assert ("M-0" in body) == (name in SEES_A1), name
    assert leaks == []


@pytest.mark.parametrize("name", ACCOUNTS)
def test_post_every_write(world, name):
    client = client_for(world, name)
    tree, approved, submitted = world["tree"], world["approved"], world["submitted"]
    business = name in BUSINESS
    refused = 302 if name == "anonymous" else 403

    def check(url, data, allowed, ok=200, hidden=False):
        got = client.post(url, data).status_code
        want = ok if allowed else (404 if hidden and business else refused)
        return [] if got == want else [(url, got, want)]

    leaks = []
    deadline = (timezone.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    leaks += check(
        "/year/tasks/",
        {"year": 2030, "template": "national-2020", "deadline": deadline, "scope": "all"},
        name == "admin",
    )
    assert SelfEvaluationTask.objects.filter(year=2030).exists() == (name == "admin")
    late = f"/year/tasks/{world['task'].pk}/late/"
    may_remind = name in {"admin", "reviewer_a", "reviewer_bureau"}
    leaks += check(
        late,
        {"unit": [tree.unit_a1.pk]},
        may_remind,
        hidden=name == "reviewer_b" or (name in REVIEWERS and not may_remind),
    )
    assert Notice.objects.exists() == may_remind
    got = client.post("/year/review/", {"pk": [submitted.pk], "decision": "approve"})
    want = 200 if name in REVIEWERS else refused
    if got.status_code != want:
        leaks.append(("/year/review/", got.status_code, want))
    submitted.refresh_from_db()
    assert (submitted.state == "approved") == (name in REVIEWS_A1), name
    leaks += check("/year/spot-checks/", {"year": 2023, "rate": "50"}, name == "admin")
    assert SpotCheck.objects.count() == (2 if name == "admin" else 1)
    sampled = SpotCheck.objects.order_by("pk").first().evaluations.get()
    recheck = {"version": sampled.version, "score:funding.score": "1"}
    leaks += check(
        f"/year/recheck/{sampled.pk}/",
        recheck,
        name in REVIEWS_A1,
        ok=302,
        hidden=name not in SEES_A1,
    )
    sampled.refresh_from_db()
    assert bool(sampled.review_scores) == (name in REVIEWS_A1)
    rules = {"what": "rules", "year": 2023} | {f"action:{g}": "keep" for g in "优良中差"}
    leaks += check("/year/ledger/", rules, name == "admin", ok=302)
    leaks += check(
        "/year/ledger/",
        {"year": 2023, "form": approved.pk, "done": "保持"},
        name == "admin",
        ok=302,
    )
    assert LedgerPolicy.objects.exists() == LedgerEntry.objects.exists() == (name == "admin")
    assert leaks == []
    assert actions.trail.check().intact
    assert Evaluation.objects.filter(state="deleted").count() == 0
