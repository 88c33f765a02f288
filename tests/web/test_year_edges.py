"""The year's edges (#23): two review levels seen through the API (a form the 主管部门
approved waits for the 财政局, and the API's ``actions`` say so to each reviewer, as the
pages do); a unit disabled on the administration pages gets no draft and no reminder."""

from __future__ import annotations

import pytest

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from tests.web.test_api import as_user  # noqa: F401 (a fixture)
from tests.web.test_year_tasks import _submitted, projects  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_apis_actions_count_the_review_levels(tree, projects, forms, as_user):
    ev = _submitted(tree, projects, forms, two_levels=True)
    bureau, department = as_user("reviewer_bureau"), as_user("reviewer_a")
    assert bureau.get(f"/evaluations/{ev.pk}").json()["actions"] == []  # the department's turn
    assert set(department.get(f"/evaluations/{ev.pk}").json()["actions"]) == {"approve", "return"}
    actions.workflow.step(user=tree.users["reviewer_a"], pk=ev.pk, action=Action.APPROVE)
    seen = bureau.get(f"/evaluations/{ev.pk}").json()
    assert seen["state"] == "checked" and set(seen["actions"]) == {"approve", "return"}
    assert department.get(f"/evaluations/{ev.pk}").json()["actions"] == []


def test_a_disabled_unit_gets_no_draft_and_no_reminder(tree, projects):
    from jixiao.web.orgs.models import Organisation
    from jixiao.web.year import selectors
    from tests.web.test_year_tasks import issue

    Organisation.objects.filter(pk=tree.unit_a2.pk).update(active=False)
    issued = issue(tree)
    assert sorted(ev.project.code for ev in issued.drafts) == ["A1-001"]
    late = selectors.late_units(issued.task, tree.bureau)
    assert tree.unit_a2.pk not in {row.unit.pk for row in late}
    assert tree.unit_a1.pk in {row.unit.pk for row in late}


def test_a_project_registered_after_the_task_without_a_form_is_late(tree):
    """A project in scope with no form of the year at all (registered after the task was
    issued) is 未开始 and on the 催报 list — not left out by SQL's NULL NOT IN (…)."""
    from datetime import timedelta

    from django.utils import timezone

    from jixiao.web.evaluations.models import Project
    from jixiao.web.year import actions as year_actions
    from jixiao.web.year import selectors

    task = year_actions.issue(
        user=tree.users["admin"],
        year=2024,
        template="national-2020",
        deadline=timezone.now() + timedelta(days=5),
        scope_kind="units",
        organisations=[tree.unit_a1.pk],
    ).task
    assert selectors.late_units(task, tree.bureau) == []  # nothing in scope yet
    Project.objects.create(code="LATE-1", name="后登记项目", unit=tree.unit_a1)
    (late,) = selectors.late_units(task, tree.bureau)
    assert late.unit == tree.unit_a1
    assert [(p.code, stage) for p, stage in late.projects] == [("LATE-1", "not_started")]
    assert selectors.progress(task, tree.bureau)["not_started"] == 1
