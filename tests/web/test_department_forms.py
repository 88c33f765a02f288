"""部门整体支出 forms in the web: each organisation's own record (a project of kind
department, code DEPT-<id>), filled by its filler, reviewed by its department's reviewers
(a unit's) or by the bureau's (a department's own), through the same workflow and trail."""

from __future__ import annotations

import pytest

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project
from tests.web.conftest import department_form
from tests.web.test_api import Api, as_user  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _record(tree, api: Api, org) -> str:
    answer = api.post(f"/organisations/{org.pk}/department-record")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "code": f"DEPT-{org.pk}",
        "name": org.name,
        "unit": org.pk,
        "unit_name": org.name,
        "kind": "department",
    }
    return answer.json()["code"]


def test_a_department_form_walks_the_workflow_with_the_trail_intact(tree, as_user):
    filler, reviewer_a, bureau = (
        as_user("filler_dept_a"),
        as_user("reviewer_a"),
        as_user("reviewer_bureau"),
    )
    code = _record(tree, filler, tree.dept_a)
    assert _record(tree, filler, tree.dept_a) == code  # one record per organisation
    record = Project.objects.get(code=code)
    ev = actions.forms.create(
        user=tree.users["filler_dept_a"], project=record, form=department_form("甲局")
    )
    got = filler.get(f"/evaluations/{ev.pk}").json()
    assert got["kind"] == "department" and got["form"]["project"]["name"] is None
    assert got["form"]["project"]["department"] == "甲局" and got["actions"] == ["submit", "delete"]

    form = dict(got["form"], goals={**got["form"]["goals"], "actual": "低保、特困供养按月发放。"})
    saved = filler.put(f"/evaluations/{ev.pk}", {"version": got["version"], "form": form})
    assert saved.status_code == 200, saved.content
    assert filler.post(f"/evaluations/{ev.pk}/submit").status_code == 200

    # 甲局's own reviewers see their department's form but do not review it.
    seen = reviewer_a.get(f"/evaluations/{ev.pk}").json()
    assert seen["actions"] == []
    refused = reviewer_a.post(f"/evaluations/{ev.pk}/approve")
    assert refused.status_code == 403 and "财政局" in refused.json()["detail"]
    assert bureau.get(f"/evaluations/{ev.pk}").json()["actions"] == ["return", "approve"]

    returned = bureau.post(
        f"/evaluations/{ev.pk}/return", {"field_comments": {"indicators[0].score": "请核实"}}
    )
    assert returned.status_code == 200, returned.content
    again = filler.get(f"/evaluations/{ev.pk}").json()
    form = dict(again["form"], goals={**again["form"]["goals"], "actual": "全部按月发放，已核实。"})
    assert (
        filler.put(f"/evaluations/{ev.pk}", {"version": again["version"], "form": form}).status_code
        == 200
    )
    assert filler.post(f"/evaluations/{ev.pk}/submit").json()["state"] == "resubmitted"
    assert bureau.post(f"/evaluations/{ev.pk}/approve").json()["state"] == "approved"

    trail = [e["action"] for e in filler.get(f"/evaluations/{ev.pk}/trail").json()]
    assert trail == ["create", "save", "submit", "return", "save", "submit", "approve"]
    _count, breaks, _head = actions.trail.verify()
    assert actions.trail.check().form_events == 7 and breaks == []


def test_a_units_department_form_is_reviewed_by_its_department(tree, as_user):
    code = _record(tree, as_user("filler_a1"), tree.unit_a1)
    ev = actions.forms.create(
        user=tree.users["filler_a1"],
        project=Project.objects.get(code=code),
        form=department_form("甲一中心"),
    )
    actions.workflow.step(user=tree.users["filler_a1"], pk=ev.pk, action=Action.SUBMIT)
    approved = actions.workflow.step(user=tree.users["reviewer_a"], pk=ev.pk, action=Action.APPROVE)
    assert approved.state == "approved"


def test_forms_go_to_the_record_of_their_kind(tree, project_a1, forms):
    filler = tree.users["filler_a1"]
    record = actions.projects.department_record(user=filler, organisation_id=tree.unit_a1.pk)
    with pytest.raises(actions.errors.Invalid, match="部门整体支出"):
        actions.forms.create(user=filler, project=project_a1, form=department_form())
    with pytest.raises(actions.errors.Invalid, match="部门整体支出"):
        actions.forms.create(user=filler, project=record, form=forms[0])
    ev = actions.forms.create(user=filler, project=record, form=department_form("甲一中心"))
    with pytest.raises(actions.errors.Invalid):
        actions.forms.save(user=filler, pk=ev.pk, version=ev.version, form=forms[0])
    # a department's filler makes no project forms for its units
    with pytest.raises(actions.errors.Forbidden):
        actions.forms.create(user=tree.users["filler_dept_a"], project=project_a1, form=forms[0])


def _department_draft(tree) -> Evaluation:
    filler = tree.users["filler_dept_a"]
    record = actions.projects.department_record(user=filler, organisation_id=tree.dept_a.pk)
    return actions.forms.create(user=filler, project=record, form=department_form("甲局"))


def test_the_pages_show_and_download_a_department_form(tree, client):
    ev = _department_draft(tree)
    client.force_login(tree.users["filler_dept_a"])
    for path in ("", "edit/", "history/"):
        answer = client.get(f"/forms/{ev.pk}/{path}")
        assert answer.status_code == 200, path
        assert "甲局" in answer.content.decode()
    for fmt in ("xlsx", "pdf", "docx"):
        answer = client.get(f"/forms/{ev.pk}/download/{fmt}/")
        assert answer.status_code == 200, fmt
    listed = client.get("/forms/").content.decode()
    assert "甲局" in listed and "部门整体支出" in listed
    client.force_login(tree.users["filler_a1"])
    assert client.get(f"/forms/{ev.pk}/").status_code == 404  # a unit does not see it


def test_the_review_queue_holds_only_what_one_may_review(tree, client):
    ev = _department_draft(tree)
    actions.workflow.step(user=tree.users["filler_dept_a"], pk=ev.pk, action=Action.SUBMIT)
    client.force_login(tree.users["reviewer_a"])
    assert f"/forms/{ev.pk}/" not in client.get("/review/").content.decode()
    client.force_login(tree.users["reviewer_bureau"])
    assert f"/forms/{ev.pk}/" in client.get("/review/").content.decode()


def test_a_blank_department_form_from_the_new_form_page(tree, client):
    """A department's filler starts its own form before its record exists (made on first use)."""
    client.force_login(tree.users["filler_dept_a"])
    offered = client.get("/forms/new/").content.decode()
    assert 'value="@department"' in offered
    answer = client.post(
        "/forms/new/",
        {
            "start": "blank",
            "project": "@department",
            "year": "2024",
            "template": "national-department",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    record = Project.objects.get(code=f"DEPT-{tree.dept_a.pk}", kind="department")
    ev = Evaluation.objects.get(project=record, year=2024)
    assert ev.data["project"]["name"] is None and ev.data["project"]["department"] == "甲局"
    assert 'value="@department"' not in client.get("/forms/new/").content.decode()
    refused = client.post(
        "/forms/new/",
        {"start": "blank", "project": record.code, "year": "2024", "template": "national-2020"},
    )
    assert refused.status_code == 422


def test_approved_targets_of_a_department_are_the_bureaus(tree):
    from decimal import Decimal

    from jixiao.domain.approved_targets import ApprovedTarget

    record = actions.projects.department_record(
        user=tree.users["filler_dept_a"], organisation_id=tree.dept_a.pk
    )
    rows = [ApprovedTarget(name="城乡低保对象保障人数", target="≥3200人", points=Decimal(20))]
    with pytest.raises(actions.errors.Forbidden):
        actions.targets.approve(
            user=tree.users["reviewer_a"], code=record.code, year=2023, rows=rows
        )
    assert actions.targets.approve(
        user=tree.users["reviewer_bureau"], code=record.code, year=2023, rows=rows
    )


def test_a_department_form_rolls_up_in_its_department(tree, draft, client):
    from jixiao.web.evaluations.selectors import rollup

    own = _department_draft(tree)  # 甲局's own, beside 甲一中心's project form
    own.year = draft.year
    own.save()
    bureau = actions.access.visible(tree.users["admin"])
    chosen = rollup.rows(bureau, draft.year, department=tree.dept_a.pk)
    assert {ev.pk for ev in chosen} == {draft.pk, own.pk}
    lines = rollup.table(chosen)
    forms = [line.form for line in lines if line.form is not None]
    assert forms[0]["pk"] == own.pk  # the department's own form first in it
    assert {f["department_name"] for f in forms} == {"甲局"}
    assert forms[0]["project_kind"] == "department" and forms[0]["unit_name"] == "甲局"
    departments = [line.group for line in lines if line.kind == "department"]
    assert [(g.name, g.count) for g in departments if g is not None] == [("甲局", 2)]
    client.force_login(tree.users["reviewer_a"])
    page = client.get(f"/rollup/?year={draft.year}").content.decode()
    assert "甲局（部门整体支出）" in page
    listed = client.get(f"/forms/?department={tree.dept_a.pk}").content.decode()
    assert f"/forms/{own.pk}/" in listed and f"/forms/{draft.pk}/" in listed
    attention = client.get(f"/api/attention?department={tree.dept_a.pk}&year={draft.year}")
    assert attention.status_code == 200


def test_progress_and_attention_pages_take_department_forms(tree, draft, client):
    _department_draft(tree)
    client.force_login(tree.users["admin"])
    for path in (
        "/progress/",
        "/attention/",
        "/dashboards/data/budget/",
        "/dashboards/data/indicators/",
    ):
        assert client.get(path).status_code == 200, path
