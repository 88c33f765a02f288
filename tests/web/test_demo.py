"""The demo data of ``jixiao serve --demo``."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jixiao.web import demo
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.orgs.models import Organisation
from jixiao.web.year.models import SelfEvaluationTask
from tests.web.conftest import sample_forms

pytestmark = pytest.mark.django_db


def test_demo_tree_accounts_and_forms():
    assert not demo.exists()
    accounts = demo.load()
    assert demo.exists()
    assert [a.role.value for a in accounts] == ["admin", "filler", "reviewer"]
    users = {a.username: get_user_model().objects.get(username=a.username) for a in accounts}
    for account in accounts:
        assert users[account.username].check_password(account.password)
    kinds = Organisation.Kind
    assert Organisation.objects.filter(kind=kinds.BUREAU).count() == 1
    forms = sample_forms()
    units = {form.project.unit for form in forms}
    assert set(Organisation.objects.filter(kind=kinds.UNIT).values_list("name", flat=True)) == units
    departments = Organisation.objects.filter(kind=kinds.DEPARTMENT)
    assert sorted(departments.values_list("name", flat=True)) == sorted([demo.CULTURE, demo.CITY])
    assert {d.parent.name for d in departments} == {demo.BUREAU}
    assert all(d.children.count() >= 2 for d in departments)
    assert len(units) >= 4
    # the samples' forms, and the next year's task issued: a draft for every project
    latest = max(form.year for form in forms)
    [task] = SelfEvaluationTask.objects.all()
    assert task.year == latest + 1 and task.deadline > timezone.now()
    issued = Evaluation.objects.filter(year=latest + 1)
    assert issued.count() == Project.objects.count() == len(forms)
    carried = [ev for ev in issued if ev.data["indicators"]]
    assert len(carried) == sum(form.year == latest for form in forms)  # from last year's form
    assert Evaluation.objects.count() == 2 * len(forms)
    assert set(Evaluation.objects.values_list("state", flat=True)) == {"draft"}
    assert actions.access.visible(users["admin"]).count() == 2 * len(forms)
    assert actions.access.visible(users["filler"]).count() == 2
    culture = Evaluation.objects.filter(project__unit__parent__name=demo.CULTURE).count()
    assert actions.access.visible(users["reviewer"]).count() == culture == 4
    samples_years = Evaluation.objects.exclude(year=latest + 1)
    assert all(ev.targets and not ev.target_reasons for ev in samples_years)
    check = actions.trail.check()
    assert (check.form_events, actions.trail.verify()[1]) == (2 * len(forms), [])
