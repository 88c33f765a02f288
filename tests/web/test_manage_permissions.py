"""The permission matrix of the administration pages (#23 item 1): every route of
``jixiao.web.manage.urls`` × every account of the test tree (the eight business accounts and
the 三员) and a visitor, for GET and POST. Who may not gets 403 (a signed-in account; on the
security log) or the sign-in page (a visitor), and a refused POST changes nothing; an object
one may not see is 404. A route no rule covers fails the test."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern

from jixiao.web.evaluations.models import Event
from jixiao.web.manage import urls
from tests.web.test_permission_matrix import ROLES

pytestmark = pytest.mark.django_db

BUSINESS = list(ROLES)  # the eight accounts of the tree, as the API's matrix
TECHNICAL = ["system", "security", "audit"]
TARGETS = {"reviewer_a", "reviewer_b", "reviewer_bureau", "admin"}

# route name → who may use it (the rest: 403)
RULES = {
    "index": {"system", "security"} | TARGETS,
    "organisations": {"system"},
    "organisations_export": {"system"},
    "organisations_import": {"system"},
    "organisation": {"system"},
    "accounts": {"security"},
    "accounts_import": {"security"},
    "accounts_export": {"security"},
    "account": {"security"},
    "projects": {"system"},
    "projects_export": {"system"},
    "projects_import": {"system"},
    "project": {"system"},
    "templates": {"system"},
    "targets": TARGETS,
    "target": TARGETS,
}
NOT_SEEN = {"target": {"reviewer_b"}}  # 甲一中心's project from 乙局: 404


def _routes():
    return [p for p in urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_route_has_a_rule():
    assert {p.name for p in _routes()} == set(RULES)


def _url(name: str, tree, project) -> str:
    from django.urls import reverse

    args = {
        "organisation": [tree.unit_a1.pk],
        "account": [tree.users["filler_a1"].pk],
        "project": [project.pk],
        "target": [project.pk, 2024],
    }.get(name, [])
    return reverse(f"manage:{name}", args=args)


def _accounts(tree, admins) -> dict:
    return {**{n: tree.users[n] for n in BUSINESS}, **{n: admins[n] for n in TECHNICAL}}


STATE_OF_THE_TREE = (
    "orgs.Organisation",
    "auth.User",
    "orgs.Membership",
    "orgs.AdminRole",
    "evaluations.Project",
    "evaluations.ApprovedTargets",
    "manage.YearTemplate",
)


def _state():
    from django.apps import apps

    out = []
    for label in STATE_OF_THE_TREE:
        model = apps.get_model(label)
        out.append(sorted(map(str, model.objects.values_list())))
    return out


# What a POST would change if it were allowed (so a refusal is seen to hold something back).
POSTS = {
    "organisations": {"name": "偷建局", "kind": "department"},
    "organisation": {"op": "rename", "name": "改名了"},
    "accounts": {"username": "sneaky", "role": "filler"},
    "account": {"op": "disable"},
    "projects": {"code": "SNEAK-1", "name": "偷登记"},
    "project": {"name": "偷改名"},
    "templates": {"year": "2030", "template": "national-2020"},
    "target": {"op": "save", "name": ["偷设"], "target": ["≥1"], "points": ["10"]},
}


def test_the_matrix(tree, admins, project_a1):
    who = _accounts(tree, admins)
    leaks = []
    for pattern in _routes():
        name = pattern.name
        url = _url(name, tree, project_a1)
        anonymous = Client().get(url)
        if anonymous.status_code != 302 or "/login/" not in anonymous["Location"]:
            leaks.append((name, "visitor", anonymous.status_code))
        for account, user in who.items():
            client = Client()
            client.force_login(user)
            got = client.get(url).status_code
            if account in NOT_SEEN.get(name, set()):
                wanted = 404
            else:
                wanted = 200 if account in RULES[name] else 403
            if got != wanted:
                leaks.append((name, account, "GET", got, wanted))
            if name in POSTS and account not in RULES[name]:
                before, denials = _state(), Event.objects.filter(action="denied").count()
                refused = client.post(url, POSTS[name]).status_code
                if refused not in (403, 404) or _state() != before:
                    leaks.append((name, account, "POST", refused))
                if refused == 403 and Event.objects.filter(action="denied").count() != denials + 1:
                    leaks.append((name, account, "not on the security log"))
    assert leaks == []


def test_the_links_in_the_header_are_for_whom_they_are(tree, admins):
    links = {
        "/manage/organisations/": {"system"},
        "/manage/projects/": {"system"},
        "/manage/templates/": {"system"},
        "/manage/accounts/": {"security"},
        "/manage/targets/": TARGETS,
    }
    for account, user in _accounts(tree, admins).items():
        client = Client()
        client.force_login(user)
        page = client.get("/account/password/").content.decode()
        header = page.split("</header>")[0]
        for href, allowed in links.items():
            assert (f'href="{href}"' in header) == (account in allowed), (account, href)
