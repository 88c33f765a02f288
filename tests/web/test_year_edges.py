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
