"""The year through the REST API (#23): 任务下达 (``/api/self-evaluation-tasks``; ``/api/tasks``
are the background tasks), 待办 (``GET /api/todo``, as /todo/ shows it) and 催报 — with the
pages' permissions, every write on the trail, errors as the API's ``{"detail"}``; and the
permission matrix of these routes over every account of test_permission_matrix.ROLES, the
三员 and no one signed in, GET and POST: no leak, and a refused write changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from jixiao.domain.workflow import Action
from jixiao.web.api import api
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project
from jixiao.web.manage.models import YearTemplate
from jixiao.web.year import actions as year
from jixiao.web.year.models import Notice, SelfEvaluationTask
from tests.web.test_permission_matrix import ROLES

pytestmark = pytest.mark.django_db


SHANGHAI = ZoneInfo("Asia/Shanghai")

BUSINESS = list(ROLES)
ACCOUNTS = [*BUSINESS, "system", "security", "audit", "anonymous"]
SEES_A1 = {"filler_a1", "filler_dept_a", "reviewer_a", "reviewer_bureau", "admin"}
REVIEWERS = {"reviewer_a", "reviewer_b", "reviewer_bureau"}
ROUTES = {
    ("get", "/api/self-evaluation-tasks"),
    ("post", "/api/self-evaluation-tasks"),
    ("get", "/api/self-evaluation-tasks/{task_id}"),
    ("get", "/api/self-evaluation-tasks/{task_id}/late"),
    ("post", "/api/self-evaluation-tasks/{task_id}/remind"),
    ("get", "/api/todo"),
}


@pytest.fixture
def world(tree, forms, admins):
    """Two forms of 甲一中心 (one approved, one submitted), a project without a form, a
    project of 乙一站, and a 2023 task over every unit (issued: its drafts)."""
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
    Project.objects.create(code="B-1", name="乙一项目", unit=tree.unit_b1)
    task = year.issue(
        user=tree.users["admin"],
        year=2023,
        template="national-2020",
        deadline=timezone.now() + timedelta(days=5),
    ).task
    users = dict(tree.users) | admins
    return {"approved": rows[0], "submitted": rows[1], "task": task, "users": users, "tree": tree}


def client_for(world, name: str) -> Client:
    client = Client()
    if name != "anonymous":
        client.force_login(world["users"][name])
    return client


def post(client: Client, path: str, body: dict, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def next_week() -> str:
    return (timezone.now() + timedelta(days=7)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


# --- what the routes do ---------------------------------------------------------------------


def test_the_bureau_issues_a_task_in_the_years_template_on_the_trail(world):
    admin = client_for(world, "admin")
    YearTemplate.objects.create(year=2024, template="hebei-2020")
    before = Event.objects.count()
    deadline = next_week()
    answer = post(admin, "/api/self-evaluation-tasks", {"year": 2024, "deadline": deadline})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    task = SelfEvaluationTask.objects.get(year=2024)
    assert body["task"]["id"] == task.pk and body["task"]["template"] == "hebei-2020"
    assert "2024" in body["template_source"] and body["task"]["scope"] == "all"
    # a naive deadline is Beijing time
    assert task.deadline.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") == deadline
    drafts = Evaluation.objects.filter(year=2024)
    assert sorted(body["drafts"]) == sorted(drafts.values_list("pk", flat=True))
    assert body["carried"] == 4 and body["existing"] == 0  # each from its 2023 form
    assert Event.objects.filter(subject=f"yeartask#{task.pk}", action="task_issue").exists()
    assert Event.objects.count() == before + 1 + len(body["drafts"])  # the task and each draft
    assert body["task"]["progress"]["draft"] == len(body["drafts"])
    # listed and read back
    listed = admin.get("/api/self-evaluation-tasks?year=2024").json()
    assert [t["id"] for t in listed] == [task.pk]
    one = admin.get(f"/api/self-evaluation-tasks/{task.pk}").json()
    assert one == listed[0] and one["days_left"] in (6, 7)
    assert actions.trail.check().intact


def test_refusals_answer_the_apis_error_shape_in_the_requests_language(world):
    admin = client_for(world, "admin")
    bad = post(
        admin,
        "/api/self-evaluation-tasks",
        {"year": 2024, "deadline": next_week(), "template": "no-such"},
    )
    assert bad.status_code == 422 and "没有模板" in bad.json()["detail"]
    past = post(admin, "/api/self-evaluation-tasks", {"year": 2024, "deadline": "2020-01-01T00:00"})
    assert past.status_code == 422 and past.json() == {"detail": "截止时间应晚于现在"}
    english = post(
        admin,
        "/api/self-evaluation-tasks",
        {"year": 2024, "deadline": "2020-01-01T00:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 422 and "now" in english.json()["detail"]
    refused = post(
        client_for(world, "reviewer_bureau"),
        "/api/self-evaluation-tasks",
        {"year": 2024, "deadline": next_week()},
    )
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    missing = admin.get("/api/self-evaluation-tasks/999999")
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]
    assert admin.get(f"/api/self-evaluation-tasks/{2**63}").status_code == 404
    assert not SelfEvaluationTask.objects.filter(year=2024).exists()


def test_todo_is_what_the_todo_page_shows(world):
    tree = world["tree"]
    filler = client_for(world, "filler_a1")
    todo = filler.get("/api/todo").json()
    page = filler.get("/todo/").content.decode()
    assert todo["role"] == "filler" and [t["id"] for t in todo["tasks"]] == [world["task"].pk]
    assert [r["project_code"] for r in todo["to_fill"]] == ["M-9"]  # the task's draft
    assert todo["to_fill"][0]["task"] == world["task"].pk
    assert todo["to_fill"][0]["days_left"] in (4, 5)
    for row in todo["to_fill"]:
        assert f"{row['project_code']} {row['project_name']}" in page
    assert todo["returned"] == [] and todo["waiting"] == [] and todo["progress"] == []
    reviewer = client_for(world, "reviewer_a").get("/api/todo").json()
    assert [r["id"] for r in reviewer["waiting"]] == [world["submitted"].pk]
    assert reviewer["waiting"][0]["days_waiting"] == 0 and reviewer["to_fill"] == []
    admin = client_for(world, "admin").get("/api/todo").json()
    (progress,) = admin["progress"]
    assert progress["task"] == world["task"].pk and progress["late_units"] == 2  # 甲一, 乙一
    assert progress["progress"]["approved"] == 1 and progress["progress"]["submitted"] == 1
    other = client_for(world, "filler_b1").get("/api/todo").json()
    assert [r["project_code"] for r in other["to_fill"]] == ["B-1"]
    assert tree.unit_a1.name not in str(other)


def test_remind_through_the_api_mails_and_is_on_the_trail(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tree, task = world["tree"], world["task"]
    tree.users["filler_a1"].email = "a1@example.cn"
    tree.users["filler_a1"].save()
    reviewer = client_for(world, "reviewer_a")
    late = reviewer.get(f"/api/self-evaluation-tasks/{task.pk}/late").json()
    assert [u["unit"] for u in late] == [tree.unit_a1.pk]  # 乙一站 is not 甲局's
    assert [(p["code"], p["stage"]) for p in late[0]["projects"]] == [("M-9", "draft")]
    answer = post(
        reviewer, f"/api/self-evaluation-tasks/{task.pk}/remind", {"units": [tree.unit_a1.pk]}
    )
    assert answer.status_code == 200, answer.content
    (notice,) = answer.json()
    assert notice["organisation"] == tree.unit_a1.pk and notice["emailed"] == 1
    assert notice["kind"] == "manual" and "M-9" in notice["text"]
    assert [m.to for m in mail.outbox] == [["a1@example.cn"]]
    assert Event.objects.filter(subject=f"notice#{notice['id']}", action="remind").exists()
    # the unit sees it in its 待办
    todo = client_for(world, "filler_a1").get("/api/todo").json()
    assert [n["id"] for n in todo["notices"]] == [notice["id"]]
    # a unit not late, or not seen, is refused and nothing is sent
    outside = post(
        reviewer, f"/api/self-evaluation-tasks/{task.pk}/remind", {"units": [tree.unit_b1.pk]}
    )
    assert outside.status_code == 404 and "detail" in outside.json()
    empty = post(reviewer, f"/api/self-evaluation-tasks/{task.pk}/remind", {"units": []})
    assert empty.status_code == 400
    assert Notice.objects.count() == 1 and len(mail.outbox) == 1
    assert actions.trail.check().intact


# --- the permission matrix -------------------------------------------------------------------


def test_the_year_routes_are_these():
    paths = api.get_openapi_schema()["paths"]
    year_routes = {
        (m, p)
        for p, ops in paths.items()
        for m in ops
        if p.startswith(("/api/self-evaluation-tasks", "/api/todo"))
    }
    assert year_routes == ROUTES


PROJECTS_SEEN = {  # of the task's four projects: M-0, M-1, M-9 of 甲一中心 and B-1 of 乙一站
    "filler_a1": 3,
    "filler_dept_a": 3,
    "filler_a2": 0,
    "filler_b1": 1,
    "reviewer_a": 3,
    "reviewer_b": 1,
    "reviewer_bureau": 4,
    "admin": 4,
}


def expected_get(path: str, name: str) -> int:
    if name == "anonymous":
        return 401
    if name not in BUSINESS:
        return 403  # the 三员 hold no business role
    if path.endswith("/late"):
        return 200 if name in REVIEWERS | {"admin"} else 403
    return 200


@pytest.mark.parametrize("name", ACCOUNTS)
def test_get_every_year_route(world, name):
    client, task = client_for(world, name), world["task"]
    leaks = []
    for path in ("/api/self-evaluation-tasks", "/api/todo"):
        got = client.get(path)
        if got.status_code != expected_get(path, name):
            leaks.append((path, got.status_code))
    for path in (
        "/api/self-evaluation-tasks/{task_id}",
        "/api/self-evaluation-tasks/{task_id}/late",
    ):
        got = client.get(path.format(task_id=task.pk))
        if got.status_code != expected_get(path, name):
            leaks.append((path, got.status_code))
        if got.status_code == 200 and path.endswith("/late"):
            units = {u["unit"] for u in got.json()}
            seen = {world["tree"].unit_a1.pk} if name in SEES_A1 else set()
            seen |= (
                {world["tree"].unit_b1.pk}
                if name in {"reviewer_b", "reviewer_bureau", "admin"}
                else set()
            )
            if units != seen:
                leaks.append((path, units, seen))
    if name in BUSINESS:
        todo = client.get("/api/todo").json()
        shown = {r["project_code"] for key in ("to_fill", "returned", "waiting") for r in todo[key]}
        if name not in SEES_A1 and shown & {"M-0", "M-1", "M-9"}:
            leaks.append(("/api/todo", shown))
        progress = {p["task"]: p["progress"]["projects"] for p in todo["progress"]}
        if name == "admin" and progress != {task.pk: 4}:
            leaks.append(("/api/todo progress", progress))
        # a task's progress counts the projects seen from one's place only
        listed = client.get("/api/self-evaluation-tasks").json()
        seen = PROJECTS_SEEN[name]
        if [t["progress"]["projects"] for t in listed] != [seen]:
            leaks.append(("/api/self-evaluation-tasks progress", listed, seen))
    assert leaks == []


@pytest.mark.parametrize("name", ACCOUNTS)
def test_post_every_year_write(world, name):
    client, tree, task = client_for(world, name), world["tree"], world["task"]
    refused = 401 if name == "anonymous" else 403
    written = Event.objects.exclude(subject="security")  # a refusal is on the security log
    events, notices = written.count(), Notice.objects.count()
    leaks = []
    issued = post(client, "/api/self-evaluation-tasks", {"year": 2030, "deadline": next_week()})
    if issued.status_code != (200 if name == "admin" else refused):
        leaks.append(("issue", issued.status_code))
    made = SelfEvaluationTask.objects.filter(year=2030).exists()
    assert made == (name == "admin"), name
    may_remind = name in {"admin", "reviewer_a", "reviewer_bureau"}
    hidden = name == "reviewer_b"  # 甲一中心 is not on its list: not found
    reminded = post(
        client, f"/api/self-evaluation-tasks/{task.pk}/remind", {"units": [tree.unit_a1.pk]}
    )
    want = 200 if may_remind else 404 if hidden else refused
    if reminded.status_code != want:
        leaks.append(("remind", reminded.status_code, want))
    assert Notice.objects.count() == notices + may_remind, name
    if not (made or may_remind):
        assert written.count() == events, name  # a refused write changes nothing
    if reminded.status_code not in (200, 401):
        assert set(reminded.json()) == {"detail"}
    assert leaks == []
    assert actions.trail.check().intact


def test_a_blank_form_without_a_template_takes_the_years_setting(world):
    """``POST /api/projects/{code}/evaluations/blank`` without ``template``: the template set
    for the year at the project's department (else the year's, else the bundled one of the
    record's kind) — what /forms/new/ offers first."""
    tree = world["tree"]
    filler = client_for(world, "filler_a1")
    Project.objects.create(code="M-5", name="新项目", unit=tree.unit_a1)
    url = "/api/projects/M-5/evaluations/blank"
    bundled = post(filler, url, {"year": 2031})
    assert bundled.status_code == 200 and bundled.json()["template"] == "national-2020"
    YearTemplate.objects.create(year=2032, template="hebei-2020")
    YearTemplate.objects.create(year=2032, department=tree.dept_a, template="sichuan-2023")
    own = post(filler, url, {"year": 2032})
    assert own.status_code == 200 and own.json()["template"] == "sichuan-2023"
    chosen = post(filler, url, {"year": 2033, "template": "shanghai-2019"})
    assert chosen.json()["template"] == "shanghai-2019"
    record = post(filler, f"/api/organisations/{tree.unit_a1.pk}/department-record", {})
    code = record.json()["code"]
    made = post(filler, f"/api/projects/{code}/evaluations/blank", {"year": 2031})
    assert made.status_code == 200 and made.json()["template"] == "national-department"


def test_a_task_names_only_the_projects_its_reader_may_see(world):
    # A task scoped to projects of two departments: each reader is told of its own only.
    task = year.issue(
        user=world["users"]["admin"],
        year=2024,
        template="national-2020",
        deadline=timezone.now() + timedelta(days=5),
        scope_kind=SelfEvaluationTask.Scope.PROJECTS,
        projects=["M-9", "B-1"],
    ).task
    seen = {}
    for name in ("admin", "filler_a1", "filler_b1"):
        answer = client_for(world, name).get(f"/api/self-evaluation-tasks/{task.pk}")
        assert answer.status_code == 200, (name, answer.content)
        seen[name] = answer.json()["projects"]
    assert seen == {"admin": ["B-1", "M-9"], "filler_a1": ["M-9"], "filler_b1": ["B-1"]}
    listed = client_for(world, "filler_a1").get("/api/self-evaluation-tasks?year=2024").json()
    assert [t["projects"] for t in listed] == [["M-9"]]
