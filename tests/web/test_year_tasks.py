"""任务下达 (#23 item 2): the bureau issues a year's task; each unit in scope finds its forms
waiting as drafts, from last year's form where one exists; the task is on the trail and
protected by verify-trail; two review levels where the task asks for them (item 6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.actions.errors import Conflict, Forbidden, Invalid
from jixiao.web.evaluations.models import Evaluation, Event, Project
from jixiao.web.year import actions as year
from jixiao.web.year.models import SelfEvaluationTask

pytestmark = pytest.mark.django_db


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def projects(tree, forms):
    made = {
        "A1-001": Project.objects.create(code="A1-001", name="示例项目", unit=tree.unit_a1),
        "A2-001": Project.objects.create(code="A2-001", name="甲二项目", unit=tree.unit_a2),
        "B1-001": Project.objects.create(code="B1-001", name="乙一项目", unit=tree.unit_b1),
    }
    actions.forms.create(user=tree.users["filler_a1"], project=made["A1-001"], form=forms[0])
    return made


def next_week():
    return (timezone.now() + timedelta(days=7)).astimezone(SHANGHAI).replace(tzinfo=None)


def issue(tree, **kw):
    args = {
        "user": tree.users["admin"],
        "year": 2024,
        "template": "national-2020",
        "deadline": next_week(),
        "scope_kind": "departments",
        "organisations": [tree.dept_a.pk],
    }
    return year.issue(**(args | kw))


def test_issuing_makes_drafts_in_scope_from_last_year_where_there_is_one(tree, projects):
    issued = issue(tree)
    made = {ev.project.code: ev for ev in issued.drafts}
    assert sorted(made) == ["A1-001", "A2-001"]  # 乙局's unit is outside the scope
    assert issued.carried == 1 and issued.existing == 0
    carried = made["A1-001"]
    assert carried.year == 2024 and carried.state == "draft" and carried.origin == "filled"
    last = Evaluation.objects.get(project=projects["A1-001"], year=2023)
    names = [row["name"] for row in carried.data["indicators"]]
    assert names == [row["name"] for row in last.data["indicators"]]  # the table carried over
    assert made["A2-001"].data["indicators"] == []  # blank in the task's template
    assert not Evaluation.objects.filter(project=projects["B1-001"]).exists()
    # the deadline was entered in Beijing time and is stored aware
    task = issued.task
    assert task.deadline.astimezone(SHANGHAI).replace(tzinfo=None) == next_week().replace(
        second=task.deadline.astimezone(SHANGHAI).second,
        microsecond=task.deadline.astimezone(SHANGHAI).microsecond,
    )
    assert Event.objects.filter(subject=f"yeartask#{task.pk}", action="task_issue").exists()
    assert Event.objects.filter(evaluation=carried, action="create").count() == 1
    # issued twice: the forms are there, nothing new is made
    again = issue(tree)
    assert again.drafts == [] and again.existing == 2


def test_the_task_is_protected_by_the_trail(tree, projects):
    issued = issue(tree)
    assert actions.trail.check().intact
    SelfEvaluationTask.objects.filter(pk=issued.task.pk).update(two_levels=True)
    report = actions.trail.check()
    assert any("自评任务" in d and "two_levels" in d for d in report.differences)


def test_only_the_bureau_admin_issues_and_bad_input_is_refused(tree, projects):
    for name in ("filler_a1", "reviewer_a", "reviewer_bureau"):
        with pytest.raises(Forbidden):
            issue(tree, user=tree.users[name])
    with pytest.raises(Invalid):
        issue(tree, template="no-such")
    with pytest.raises(Invalid):
        issue(tree, deadline=datetime(2020, 1, 1))
    with pytest.raises(Invalid):
        issue(tree, organisations=[tree.unit_a1.pk])  # a unit where departments are asked
    assert not SelfEvaluationTask.objects.exists()


def test_units_and_projects_scopes(tree, projects):
    by_units = issue(tree, scope_kind="units", organisations=[tree.unit_b1.pk])
    assert [ev.project.code for ev in by_units.drafts] == ["B1-001"]
    by_projects = issue(tree, year=2025, scope_kind="projects", projects=["A2-001"])
    assert [ev.project.code for ev in by_projects.drafts] == ["A2-001"]


def _submitted(tree, projects, forms, two_levels):
    issue(tree, two_levels=two_levels, year=2023)  # last year's form: in scope, two levels
    ev = Evaluation.objects.get(project=projects["A1-001"], year=2023)
    actions.workflow.step(
        user=tree.users["filler_a1"],
        pk=ev.pk,
        action=Action.SUBMIT,
        acknowledgements={f["key"]: "说明" for f in ev.findings if f["severity"] == "error"},
    )
    return ev


def test_two_levels_department_then_bureau_and_a_return_goes_back_one_level(tree, projects, forms):
    ev = _submitted(tree, projects, forms, two_levels=True)
    bureau, dept = tree.users["reviewer_bureau"], tree.users["reviewer_a"]
    with pytest.raises(Conflict, match="主管部门"):
        actions.workflow.step(user=bureau, pk=ev.pk, action=Action.APPROVE)
    assert actions.workflow.steps_open(bureau, ev) == []
    from jixiao.web.year import selectors

    assert list(selectors.waiting(dept)) == [ev] and list(selectors.waiting(bureau)) == []
    ev = actions.workflow.step(user=dept, pk=ev.pk, action=Action.APPROVE)
    assert ev.state == "checked"
    assert list(selectors.waiting(dept)) == [] and list(selectors.waiting(bureau)) == [ev]
    assert actions.workflow.steps_open(dept, ev) == []
    assert actions.workflow.steps_open(bureau, ev) == [Action.APPROVE, Action.RETURN]
    with pytest.raises(Conflict, match="财政局复审"):
        actions.workflow.step(user=dept, pk=ev.pk, action=Action.RETURN, comment="再看")
    ev = actions.workflow.step(user=bureau, pk=ev.pk, action=Action.RETURN, comment="金额不符")
    assert ev.state == "submitted"  # back with the department, not the unit
    ev = actions.workflow.step(user=dept, pk=ev.pk, action=Action.APPROVE)
    actions.review.set_scores(
        user=bureau, pk=ev.pk, version=ev.version, scores={"indicators[0].score": "1"}
    )
    ev = actions.workflow.step(user=bureau, pk=ev.pk, action=Action.APPROVE)
    assert ev.state == "approved"
    steps = list(ev.events.values_list("action", "state_to"))
    assert steps[-5:] == [
        ("approve", "checked"),
        ("return", "submitted"),
        ("approve", "checked"),
        ("review_score", "checked"),
        ("approve", "approved"),
    ]
    assert actions.trail.check().intact


def test_one_level_tasks_keep_one_approval(tree, projects, forms):
    ev = _submitted(tree, projects, forms, two_levels=False)
    from jixiao.web.year import selectors

    assert list(selectors.waiting(tree.users["reviewer_bureau"])) == [ev]  # one level: both
    ev = actions.workflow.step(user=tree.users["reviewer_a"], pk=ev.pk, action=Action.APPROVE)
    assert ev.state == "approved"


def test_a_task_defaults_to_the_years_template_and_each_department_to_its_own(tree, projects):
    """任务下达 without a template takes the year's setting (manage.YearTemplate), naming it;
    a blank draft of a department with its own setting of that kind is in that template."""
    from jixiao.web.manage.models import YearTemplate

    YearTemplate.objects.create(year=2024, template="hebei-2020")
    YearTemplate.objects.create(year=2024, department=tree.dept_b, template="sichuan-2023")
    issued = issue(tree, template="", scope_kind="all", organisations=[])
    assert issued.task.template == "hebei-2020"
    assert "2024" in issued.source and "全部主管部门" in issued.source
    made = {ev.project.code: ev for ev in issued.drafts}
    assert made["A2-001"].template == "hebei-2020"  # 甲局 has no setting: the year's
    assert made["B1-001"].template == "sichuan-2023"  # 乙局's own
    assert issued.by_department == 1 and issued.carried == 1
    # a template chosen still wins for the task; the department's setting for its drafts
    chosen = issue(tree, year=2025, template="shanghai-2019", scope_kind="all", organisations=[])
    assert chosen.task.template == "shanghai-2019" and chosen.source == "所选模板"


def test_no_setting_falls_back_to_the_bundled_default_and_says_so(tree, projects):
    issued = issue(tree, template="")
    assert issued.task.template == "national-2020"
    assert "未设置模板" in issued.source


def test_the_issue_form_names_where_its_default_template_comes_from(tree, projects):
    from django.test import Client

    from jixiao.web.manage.models import YearTemplate

    this_year = timezone.now().astimezone(SHANGHAI).year
    YearTemplate.objects.create(year=this_year, template="sichuan-2023")
    client = Client()
    client.force_login(tree.users["admin"])
    page = client.get("/year/tasks/").content.decode()
    assert f"默认：sichuan-2023（{this_year} 年度模板设置（全部主管部门））" in page
    assert '<option value="" selected>按所填年度的模板设置</option>' in page
    deadline = next_week().strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        "/year/tasks/",
        {"year": this_year, "template": "", "deadline": deadline, "scope": "all"},
    )
    assert answer.status_code == 200
    assert SelfEvaluationTask.objects.get().template == "sichuan-2023"
    assert "模板：sichuan-2023" in answer.content.decode()
    english = client.get("/year/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Default: sichuan-2023" in english and "template settings of" in english


def test_a_new_form_starts_in_the_template_set_for_its_department(tree, project_a1):
    # /forms/new/: the blank draft's template preselected from the year's setting of the
    # filler's 主管部门, the page saying where it came from; "按所填年度的模板设置" posts ""
    from django.test import Client

    from jixiao.web.manage.models import YearTemplate

    last_year = timezone.localdate().year - 1
    YearTemplate.objects.create(year=last_year, template="national-2020")
    YearTemplate.objects.create(year=last_year, department=tree.dept_a, template="sichuan-2023")
    client = Client()
    client.force_login(tree.users["filler_a1"])
    page = client.get("/forms/new/").content.decode()
    assert '<option value="sichuan-2023" selected>' in page
    assert f"默认：{last_year} 年度甲局的模板设置" in page
    assert '<option value="">按所填年度的模板设置</option>' in page
    answer = client.post(
        "/forms/new/",
        {"start": "blank", "project": project_a1.code, "year": last_year, "template": ""},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    made = Evaluation.objects.get(project=project_a1, year=last_year)
    assert made.template == "sichuan-2023"
    # another department's filler is offered the year's own setting
    other = Client()
    other.force_login(tree.users["filler_b1"])
    assert '<option value="national-2020" selected>' in other.get("/forms/new/").content.decode()
    english = client.get("/forms/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Default:" in english and "As set for the year entered" in english
