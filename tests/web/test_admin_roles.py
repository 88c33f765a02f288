"""三员分立 and the security log (#22): the system, security and audit administrators, one role
an account and none beside a business role; Django admin for the system and security
administrators only, each its own models, every change on the trail; the security log chained,
never deletable, read and exported by the audit administrator; and the matrix of every account
(business and technical) × the new routes, with the 三员 accounts × every form route."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import clear_url_caches

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event
from jixiao.web.orgs.models import AdminRole, Membership

pytestmark = pytest.mark.django_db
TECHNICAL = ("system", "security", "audit")


@pytest.fixture
def three(tree):
    made = {}
    for role in TECHNICAL:
        user = get_user_model().objects.create_user(f"{role}_admin", password=f"{role}-口令-2026")
        AdminRole.objects.create(user=user, role=role)
        made[role] = get_user_model().objects.get(pk=user.pk)
    return made


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_no_account_holds_two_administrator_roles_nor_one_beside_a_business_role(tree, three):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdminRole.objects.create(user=three["system"], role="audit")
    with pytest.raises(ValidationError, match="业务角色"):
        AdminRole.objects.create(user=tree.users["admin"], role="security")
    with pytest.raises(ValidationError, match="业务角色"):
        Membership.objects.create(user=three["audit"], organisation=tree.bureau, role="admin")
    assert three["system"].is_staff and three["security"].is_staff and not three["audit"].is_staff
    assert not any(u.is_superuser for u in three.values())


def test_django_admin_is_for_the_system_and_security_administrators_each_its_own(tree, three):
    system, security = _client(three["system"]), _client(three["security"])
    assert system.get("/admin/orgs/organisation/").status_code == 200
    assert system.get("/admin/auth/user/").status_code == 403
    assert security.get("/admin/auth/user/").status_code == 200
    assert security.get("/admin/orgs/membership/").status_code == 200
    assert security.get("/admin/orgs/organisation/").status_code == 403
    assert security.get("/admin/evaluations/evaluation/").status_code == 403
    for name in ("audit",):
        assert _client(three[name]).get("/admin/").status_code == 302  # to admin's sign-in
    for business in ("admin", "reviewer_a", "filler_a1"):
        assert _client(tree.users[business]).get("/admin/").status_code == 302
    form = security.get(f"/admin/auth/user/{tree.users['filler_a1'].pk}/change/").content.decode()
    assert (
        'name="username"' in form and "is_superuser" not in form and "user_permissions" not in form
    )


def test_the_superuser_only_until_a_security_administrator_exists(tree):
    root = get_user_model().objects.create_superuser("root", password="Root-setup-口令-1")
    assert _client(root).get("/admin/").status_code == 200
    user = get_user_model().objects.create_user("sec", password="Sec-口令-2026-x")
    AdminRole.objects.create(user=user, role="security")
    assert _client(root).get("/admin/").status_code == 302


def test_an_admin_role_change_is_on_the_trail_and_the_security_log(tree, three):
    clerk = Membership.objects.get(user=tree.users["filler_a2"])
    answer = _client(three["security"]).post(
        f"/admin/orgs/membership/{clerk.pk}/change/",
        {"user": clerk.user_id, "organisation": tree.dept_a.pk, "role": "reviewer"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    event = Event.objects.filter(subject=f"account#{clerk.user_id}").latest("id")
    assert event.actor_name == "security_admin" and event.action == "account_change"
    assert {"path": "membership.role", "old": "filler", "new": "reviewer"} in event.diff
    logged = Event.objects.filter(subject="security", action="role_change").latest("id")
    assert "filler" in logged.comment and "reviewer" in logged.comment
    assert actions.trail.check().intact


def test_admin_can_be_turned_off(settings):
    from django.urls import Resolver404, resolve

    import jixiao.web.urls as urls

    settings.JIXIAO_ADMIN = False
    try:
        importlib.reload(urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/admin/", urlconf=urls)
    finally:
        settings.JIXIAO_ADMIN = True
        importlib.reload(urls)
        clear_url_caches()
    assert resolve("/admin/", urlconf=urls)


def test_the_security_log_keeps_failures_denials_and_is_read_by_the_auditor(tree, three, draft):
    from jixiao.domain.workflow import Action

    Client().post("/login/", {"username": "filler_a1", "password": "wrong-口令"})
    Client().post("/login/", {"username": "filler_a1", "password": "filler_a1-口令-2026"})
    filler = _client(tree.users["filler_a1"])
    actions.workflow.step(user=tree.users["filler_a1"], pk=draft.pk, action=Action.SUBMIT)
    refused = filler.post(
        f"/api/evaluations/{draft.pk}/approve", {}, content_type="application/json"
    )
    assert refused.status_code in (401, 403)
    assert _client(tree.users["admin"]).get("/security-log/").status_code == 403
    logged = list(Event.objects.filter(subject="security").values_list("action", flat=True))
    assert {"login_failed", "login", "denied"} <= set(logged)
    auditor = _client(three["audit"])
    page = auditor.get("/security-log/")
    assert page.status_code == 200 and "login_failed" in page.content.decode()
    exported = auditor.get("/security-log/", {"format": "csv"})
    text = exported.content.decode("utf-8-sig")
    assert exported["Content-Disposition"].startswith("attachment")
    assert text.splitlines()[0] == "id,at,actor,action,result,address,path,detail"
    assert "login_failed" in text and "filler_a1" in text
    assert actions.trail.check().intact  # chained like the trail


def test_no_page_or_route_deletes_a_security_log_entry(tree, three):
    from jixiao.web.api import api

    Client().post("/login/", {"username": "filler_a1", "password": "wrong-口令"})
    entry = Event.objects.filter(subject="security").latest("id")
    deletes = [
        path
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
        if method == "delete"
    ]
    assert all("evidence" in p or "token" in p for p in deletes), deletes
    root = get_user_model().objects.create_superuser("root", password="Root-setup-口令-1")
    for who in (root, three["security"], three["system"]):
        client = _client(who)
        assert client.get(f"/admin/evaluations/event/{entry.pk}/delete/").status_code in (
            302,
            403,
        )
        client.post(
            "/admin/evaluations/event/",
            {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        )
        client.post("/admin/axes/accesslog/", {"action": "delete_selected", "post": "yes"})
    assert Event.objects.filter(pk=entry.pk).exists()


NEW_ROUTES = {
    # route → the accounts answered 200 (others: the status said)
    ("get", "/security-log/"): ({"audit"}, 403),
    ("get", "/admin/"): ({"system", "security"}, 302),
    ("get", "/account/password/"): (None, None),  # every signed-in account
    ("get", "/api/auth/tokens"): (None, None),
}


@pytest.mark.parametrize(
    "user",
    ["filler_a1", "filler_dept_a", "reviewer_a", "reviewer_bureau", "admin", *TECHNICAL],
)
def test_the_matrix_of_the_new_routes(tree, three, user, draft):
    account = three[user] if user in TECHNICAL else tree.users[user]
    client = _client(account)
    wrong = {}
    for (method, path), (allowed, otherwise) in NEW_ROUTES.items():
        got = getattr(client, method)(path).status_code
        want = 200 if allowed is None or user in allowed else otherwise
        if got != want:
            wrong[path] = (got, want)
    if user in TECHNICAL:  # no business role: no form, project or list shows anything
        for path in (
            f"/api/evaluations/{draft.pk}",
            f"/api/evaluations/{draft.pk}/trail",
            "/api/evaluations",
            "/api/projects",
            f"/forms/{draft.pk}/",
        ):
            answer = client.get(path)
            if (
                answer.status_code not in (403, 404)
                or draft.project.code in answer.content.decode()
            ):
                wrong[path] = (answer.status_code, "403/404 without the form")
    assert wrong == {}, "(got, expected)"
