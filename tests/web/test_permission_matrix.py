"""The permission matrix, generated from the API's own routes (its OpenAPI
document), so a new endpoint is covered as soon as it exists: for every
endpoint on one form × every account in the tree × the form's state, and every
endpoint on one project × every account, the answer is the one the rules below
say. A new kind of endpoint fails ``test_every_endpoint_has_a_rule`` until a
rule is written for it.

The form endpoints run on three forms: a project form of 甲一中心, 甲一中心's own
部门整体支出 form (the same rules: its filler fills, 甲局's and the bureau's reviewers
review) and 甲局's own 部门整体支出 form (甲局's filler fills it; 甲局's accounts and the
bureau's see it, its units' do not; only the bureau's reviewers review it)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from jixiao.domain.workflow import Action
from jixiao.web.api import api
from jixiao.web.evaluations import actions

from .evidence_samples import PDF

pytestmark = pytest.mark.django_db

# Accounts of tests/web/conftest.py; the form belongs to 甲一中心 (unit_a1, under 甲局).
ROLES = {
    "filler_a1": "filler",
    "filler_dept_a": "filler",
    "filler_a2": "filler",
    "filler_b1": "filler",
    "reviewer_a": "reviewer",
    "reviewer_b": "reviewer",
    "reviewer_bureau": "reviewer",
    "admin": "admin",
}
SEES_THE_FORM = {"filler_a1", "filler_dept_a", "reviewer_a", "reviewer_bureau", "admin"}
OWNING_FILLER = "filler_a1"


@dataclass(frozen=True)
class Subject:
    """Whose form the matrix runs on: who sees it, who fills it, who reviews it."""

    sees: frozenset[str]
    filler: str
    reviewers: frozenset[str]


SUBJECTS = {
    "project": Subject(SEES_THE_FORM, OWNING_FILLER, frozenset({"reviewer_a", "reviewer_bureau"})),
    "unit-record": Subject(
        SEES_THE_FORM, OWNING_FILLER, frozenset({"reviewer_a", "reviewer_bureau"})
    ),
    "department-record": Subject(
        frozenset({"filler_dept_a", "reviewer_a", "reviewer_bureau", "admin"}),
        "filler_dept_a",
        frozenset({"reviewer_bureau"}),
    ),
}

# Endpoints about no one object, each tested on its own (test_api, test_projects, test_spot_checks).
GLOBAL = {
    ("post", "/api/auth/token"),
    ("delete", "/api/auth/token"),  # one's own tokens and password: test_accounts_matrix
    ("get", "/api/auth/tokens"),
    ("delete", "/api/auth/tokens/{token_id}"),
    ("post", "/api/auth/password"),
    ("get", "/api/evaluations"),
    ("post", "/api/spot-checks"),
    ("get", "/api/spot-checks"),
    ("get", "/api/projects"),
    ("post", "/api/projects"),
    ("get", "/api/attention"),  # test_attention
    ("post", "/api/imports"),  # the bulk import and its task: test_bulk_import's matrix
    ("get", "/api/tasks/{task_id}"),
    ("post", "/api/tasks/{task_id}/cancel"),
    ("post", "/api/exports"),  # the bulk export and its file: test_bulk_export's matrix
    ("get", "/api/tasks/{task_id}/download"),
    ("post", "/api/reviews/bulk"),  # bulk review: test_year_pages' matrix of every account
    ("get", "/api/self-evaluation-tasks"),  # the year's tasks, 催报 and 待办: test_api_year
    ("post", "/api/self-evaluation-tasks"),
    ("get", "/api/self-evaluation-tasks/{task_id}"),
    ("get", "/api/self-evaluation-tasks/{task_id}/late"),
    ("post", "/api/self-evaluation-tasks/{task_id}/remind"),
    ("get", "/api/todo"),
}
STEPS = {a.value: a for a in Action}
STEP_FROM = {
    Action.SUBMIT: {"draft", "returned"},
    Action.RETURN: {"submitted", "resubmitted"},
    Action.APPROVE: {"submitted", "resubmitted"},
    Action.WITHDRAW: {"submitted", "resubmitted"},  # 撤回 by the unit, before any review
    Action.DELETE: {"draft"},  # 删除草稿 by the unit
}


def _kind(method: str, path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    if "{pk}" in path:
        if "/evidence" in path and method in ("post", "delete"):
            return "evidence-change"
        if method == "get":
            return "read"
        if method == "put" and last == "{pk}":
            return "save"
        if method == "put" and last == "review":
            return "review"
        if method == "post" and last in STEPS:
            return last
        if method == "post" and last == "decide":
            return "decide"  # 复核 scores, comments and the decision at once: as a return
    if "{code}" in path:
        if method == "get":
            return "project-read"
        if method == "put" and path.endswith("/targets/{year}"):
            return "targets-set"
        if method == "post" and last == "evaluations":
            return "import"
        if method == "post" and path.endswith("/evaluations/blank"):
            return "blank"  # a blank form to fill in: as an import
    if "{org}" in path and method == "post" and last == "department-record":
        return "department-record"
    return "unknown"


def _endpoints() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        (method, path)
        for path, ops in paths.items()
        for method in ops
        if (method, path) not in GLOBAL
    )


def _form_endpoints() -> list[tuple[str, str]]:
    return [(m, p) for m, p in _endpoints() if "{pk}" in p]


def _project_endpoints() -> list[tuple[str, str]]:
    return [(m, p) for m, p in _endpoints() if "{code}" in p]


def _organisation_endpoints() -> list[tuple[str, str]]:
    return [(m, p) for m, p in _endpoints() if "{org}" in p]


def expected(
    kind: str, user: str, state: str, method: str = "get", subject: Subject = SUBJECTS["project"]
) -> int:
    if user not in subject.sees:
        return 404  # never reveal that another unit's form exists
    if kind == "read":
        return 200
    if kind == "evidence-change":  # upload or remove a file: as a save, answering 200 or 204
        if user != subject.filler:
            return 403
        return (204 if method == "delete" else 200) if state in {"draft", "returned"} else 409
    if kind == "save":
        if user != subject.filler:
            return 403
        return 200 if state in {"draft", "returned"} else 409
    if kind in ("review", "decide"):
        if user not in subject.reviewers:
            return 403
        return 200 if state in {"submitted", "resubmitted"} else 409
    action = STEPS[kind]
    by_unit = (Action.SUBMIT, Action.WITHDRAW, Action.DELETE)
    allowed = {subject.filler} if action in by_unit else subject.reviewers
    if user not in allowed:
        return 403
    return 200 if state in STEP_FROM[action] else 409


def expected_on_project(kind: str, user: str) -> int:
    if user not in SEES_THE_FORM:
        return 404
    role = ROLES[user]
    if kind == "project-read":
        return 200
    if kind == "targets-set":
        return 200 if role in {"reviewer", "admin"} else 403
    return 200 if user in {OWNING_FILLER, "admin"} else 403  # import, blank: the unit's filler


# POST /api/organisations/{org}/department-record on 甲局 and on 甲一中心: a filler there or an
# admin (200); other roles 403; another organisation's filler 404.
RECORD_MAKERS = {"dept_a": "filler_dept_a", "unit_a1": "filler_a1"}


def expected_on_organisation(org: str, user: str) -> int:
    if ROLES[user] == "reviewer":
        return 403
    return 200 if user in {RECORD_MAKERS[org], "admin"} else 404


def test_every_endpoint_has_a_rule():
    unknown = [(m, p) for m, p in _endpoints() if _kind(m, p) == "unknown"]
    assert unknown == [], "new endpoints need a rule in the permission matrix"
    assert len(_form_endpoints()) >= 14 and len(_project_endpoints()) >= 4
    assert _organisation_endpoints() == [("post", "/api/organisations/{org}/department-record")]
    evidence = {
        ("get", "/api/evaluations/{pk}/evidence"),
        ("post", "/api/evaluations/{pk}/evidence"),
        ("get", "/api/evaluations/{pk}/evidence/{item}"),
        ("delete", "/api/evaluations/{pk}/evidence/{item}"),
    }
    assert evidence <= set(_form_endpoints())


def _bring_to(state: str, subject: Subject, tree, draft) -> None:
    filler, reviewer = tree.users[subject.filler], tree.users["reviewer_bureau"]
    if state in {"submitted", "approved"}:
        actions.workflow.step(user=filler, pk=draft.pk, action=Action.SUBMIT)
    if state == "approved":
        actions.workflow.step(user=reviewer, pk=draft.pk, action=Action.APPROVE)


def _form_of(subject: str, tree, draft):
    """The form the matrix runs on (a draft)."""
    from tests.web.conftest import department_form

    if subject == "project":
        return draft
    owner = {"unit-record": tree.unit_a1, "department-record": tree.dept_a}[subject]
    filler = tree.users[SUBJECTS[subject].filler]
    record = actions.projects.department_record(user=filler, organisation_id=owner.pk)
    return actions.forms.create(user=filler, project=record, form=department_form(owner.name))


@pytest.mark.parametrize("subject", sorted(SUBJECTS))
@pytest.mark.parametrize("state", ["draft", "submitted", "approved"])
@pytest.mark.parametrize("user", sorted(ROLES))
def test_matrix(tree, draft, user, state, subject):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rules = SUBJECTS[subject]
    draft = _form_of(subject, tree, draft)
    indicator = draft.data["indicators"][0]["name"]
    item = actions.evidence.add(
        user=tree.users[rules.filler],
        pk=draft.pk,
        indicator=indicator,
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    _bring_to(state, rules, tree, draft)
    client = Client()
    client.force_login(tree.users[user])  # session auth; CSRF is enforced separately
    outcomes = {}
    for method, path in _form_endpoints():
        draft.refresh_from_db()
        url = path.replace("{pk}", str(draft.pk)).replace("{item}", str(item.pk))
        kind = _kind(method, path)
        body = (
            {"version": draft.version, "form": dict(draft.data, grade="良")}
            if kind == "save"
            else {"scores": {"indicators[0].score": "1.00"}}
            if kind == "review"
            else {
                "decision": "return",
                "scores": {"indicators[0].score": "1.00"},
                "comment": "矩阵测试",
            }
            if kind == "decide"
            else {"comment": "矩阵测试"}
        )
        with _rollback():
            if kind == "evidence-change" and method == "post":
                answer = client.post(
                    url, {"indicator": indicator, "file": SimpleUploadedFile("b.pdf", PDF)}
                )
            else:
                answer = (
                    getattr(client, method)(url, json.dumps(body), content_type="application/json")
                    if method != "get"
                    else client.get(url)
                )
        outcomes[(method, path)] = (
            answer.status_code,
            expected(kind, user, state, method, rules),
        )
    wrong = {k: v for k, v in outcomes.items() if v[0] != v[1]}
    assert wrong == {}, "(got, expected)"


@pytest.mark.parametrize("org", sorted(RECORD_MAKERS))
@pytest.mark.parametrize("user", sorted(ROLES))
def test_department_record_matrix(tree, user, org):
    """Who may open an organisation's own 部门整体支出 record (made on first use)."""
    client = Client()
    client.force_login(tree.users[user])
    organisation = getattr(tree, org)
    with _rollback():
        answer = client.post(f"/api/organisations/{organisation.pk}/department-record")
    assert answer.status_code == expected_on_organisation(org, user)
    if answer.status_code == 200:
        assert answer.json()["code"] == f"DEPT-{organisation.pk}"
        assert answer.json()["kind"] == "department"


@pytest.mark.parametrize("user", sorted(ROLES))
def test_project_matrix(tree, user):
    """On a project of 甲一中心 without forms yet: targets and the upload of a form."""
    from jixiao import samples
    from jixiao.web.evaluations.models import Project

    Project.objects.create(code="A1-002", name="另一项目", unit=tree.unit_a1)
    client = Client()
    client.force_login(tree.users[user])
    targets = {"indicators": [{"name": "更新设备数量", "target": "≥30(台)", "points": "20"}]}
    outcomes = {}
    for method, path in _project_endpoints():
        url = path.replace("{code}", "A1-002").replace("{year}", "2023")
        kind = _kind(method, path)
        with _rollback():
            if kind == "import":
                with samples.paths()[0].open("rb") as upload:
                    answer = client.post(url, {"file": upload, "confirm": "true"})
            elif method == "get":
                answer = client.get(url)
            elif kind == "blank":
                answer = client.post(
                    url,
                    json.dumps({"year": 2023, "template": "national-2020"}),
                    content_type="application/json",
                )
            else:
                answer = getattr(client, method)(
                    url, json.dumps(targets), content_type="application/json"
                )
        outcomes[(method, path)] = (answer.status_code, expected_on_project(kind, user))
    wrong = {k: v for k, v in outcomes.items() if v[0] != v[1]}
    assert wrong == {}, "(got, expected)"


class _rollback:
    """Each request of the matrix runs against the same starting state."""

    def __enter__(self):
        from django.db import transaction

        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        from django.db import transaction

        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        return False
