"""Many writers at once keep one unbroken chain (PostgreSQL only: SQLite
serialises writers, so there is no race to test there)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from django.db import connection

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event, Project

pytestmark = pytest.mark.django_db(transaction=True)

GRADES = ["良", "中", "差", "优"]


def test_concurrent_saves_keep_one_chain(tree, forms):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run .ci/postgres-tests)")
    filler = tree.users["filler_a1"]
    drafts = [
        actions.forms.create(
            user=filler,
            project=Project.objects.create(code=f"C-{i}", name=f"并发{i}", unit=tree.unit_a1),
            form=forms[0],
        )
        for i in range(6)
    ]

    def edit(draft):
        try:
            for version, grade in enumerate(GRADES, start=1):
                actions.forms.save(
                    user=filler, pk=draft.pk, version=version, form=replace(forms[0], grade=grade)
                )
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(edit, drafts))
    count, breaks, _ = actions.trail.verify()
    assert breaks == []
    assert count == Event.objects.count()  # with the accounts' events
    assert Event.objects.filter(evaluation__isnull=False).count() == 6 + 6 * len(GRADES)


def test_concurrent_creates_and_steps_keep_the_counts(tree, forms):
    """Six writers creating and submitting forms of one unit and year at once: every count kept
    (a lost ``forms + 1`` would show as a count short of the forms)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run .ci/postgres-tests)")
    from jixiao.domain.workflow import Action
    from jixiao.web.evaluations.models import FormCount

    filler = tree.users["filler_a1"]
    projects = [
        Project.objects.create(code=f"K-{i}", name=f"计数并发{i}", unit=tree.unit_a1)
        for i in range(12)
    ]

    def create_and_submit(project):
        try:
            made = actions.forms.create(user=filler, project=project, form=forms[0])
            if project.code[-1] in "02468":
                actions.workflow.step(user=filler, pk=made.pk, action=Action.SUBMIT)
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(create_and_submit, projects))
    assert FormCount.objects.kept() == FormCount.objects.fresh()
    assert FormCount.objects.kept() == {
        (tree.unit_a1.pk, forms[0].year, "draft"): 6,
        (tree.unit_a1.pk, forms[0].year, "submitted"): 6,
    }
