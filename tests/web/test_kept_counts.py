"""Figures kept in the database between writes (issue #20): each form's 提交时间
(``Evaluation.submitted_at``, set by the submit step) and the forms counted per unit, year
and state (``FormCount``), kept by every writing action. After each action the kept counts
are compared with a fresh ``COUNT(*) … GROUP BY unit, year, state`` of the forms."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from jixiao import samples
from jixiao.domain.workflow import Action
from jixiao.web import demo, province
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.actions import bulk_import
from jixiao.web.evaluations.models import Evaluation, Event, FormCount, Project
from jixiao.web.tasks.worker import Worker
from jixiao.web.year import actions as year_actions

from .test_bulk_import import form_file, zipped

pytestmark = pytest.mark.django_db


def fresh() -> dict[tuple[int, int, str], int]:
    """The forms counted now, by SQL of this test's own (not the model's helper)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.unit_id, e.year, e.state, COUNT(*) FROM evaluations_evaluation e"
            " JOIN evaluations_project p ON p.id = e.project_id GROUP BY p.unit_id, e.year, e.state"
        )
        return {(unit, year, state): n for unit, year, state, n in cursor.fetchall()}


def kept() -> dict[tuple[int, int, str], int]:
    rows = FormCount.objects.exclude(forms=0).values_list("unit_id", "year", "state", "forms")
    return {(unit, year, state): n for unit, year, state, n in rows}


def agree(expected_forms: int | None = None) -> None:
    counted = fresh()
    assert kept() == counted
    if expected_forms is not None:
        assert sum(counted.values()) == expected_forms


def step(tree, who: str, ev: Evaluation, action: Action, comment: str = "") -> Evaluation:
    return actions.workflow.step(user=tree.users[who], pk=ev.pk, action=action, comment=comment)


def test_every_writing_action_keeps_the_counts(tree, forms, project_a1):
    agree(0)
    ev = actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[0])
    agree(1)
    assert kept() == {(tree.unit_a1.pk, ev.year, "draft"): 1}
    ev = actions.forms.save(
        user=tree.users["filler_a1"], pk=ev.pk, version=ev.version, form=forms[0]
    )
    agree(1)
    ev = step(tree, "filler_a1", ev, Action.SUBMIT)
    agree(1)
    assert kept() == {(tree.unit_a1.pk, ev.year, "submitted"): 1}
    ev = step(tree, "filler_a1", ev, Action.WITHDRAW)
    agree(1)
    ev = step(tree, "filler_a1", ev, Action.SUBMIT)
    ev = step(tree, "reviewer_a", ev, Action.RETURN, "请补充佐证")
    agree(1)
    ev = step(tree, "filler_a1", ev, Action.SUBMIT)
    assert ev.state == "resubmitted"
    agree(1)
    ev = step(tree, "reviewer_a", ev, Action.APPROVE)
    agree(1)
    assert kept() == {(tree.unit_a1.pk, ev.year, "approved"): 1}
    # a draft deleted: counted as deleted (the lists leave it out)
    other = Project.objects.create(code="A1-002", name="另一项目", unit=tree.unit_a1)
    draft = actions.forms.create(user=tree.users["filler_a1"], project=other, form=forms[0])
    agree(2)
    step(tree, "filler_a1", draft, Action.DELETE)
    agree(2)
    assert kept()[(tree.unit_a1.pk, draft.year, "deleted")] == 1


def test_a_refused_step_changes_no_count(tree, forms, project_a1):
    ev = actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[0])
    with pytest.raises(actions.errors.ServiceError):
        step(tree, "reviewer_a", ev, Action.APPROVE)  # a draft is not approved
    with pytest.raises(actions.errors.ServiceError):  # the transaction rolled back whole
        step(tree, "reviewer_a", ev, Action.RETURN)  # no comment
    agree(1)
    assert kept() == {(tree.unit_a1.pk, ev.year, "draft"): 1}


def test_imports_keep_the_counts(tree, project_a1, forms):
    sample = samples.paths()[0]  # the markdown sample: forms[0]'s 示例项目 of 甲一中心
    filler = Client()
    filler.force_login(tree.users["filler_a1"])
    with sample.open("rb") as upload:  # the page's upload (web import)
        answer = filler.post(
            "/forms/new/",
            {"start": "upload", "project": project_a1.code, "file": upload, "confirm_project": "1"},
        )
    assert answer.status_code == 302, answer.content.decode()[:500]
    agree(1)
    other = Project.objects.create(code="A1-003", name="示例项目", unit=tree.unit_a2)
    reader = Client()
    reader.force_login(tree.users["filler_a2"])
    with sample.open("rb") as upload:  # the REST API's import
        answer = reader.post(
            f"/api/projects/{other.code}/evaluations", {"file": upload, "confirm": "true"}
        )
    assert answer.status_code == 200, answer.content.decode()[:500]
    agree(2)
    # the bulk import (a background task): files filed under their projects by name and unit
    Project.objects.create(code="B1-101", name="乡村道路养护", unit=tree.unit_b1)
    bulk_import.start(
        user=tree.users["admin"],
        files=[("一批.zip", zipped(("道路.json", form_file("乡村道路养护", "乙一站"))))],
    )
    while Worker(name="test").run_once() is not None:
        pass
    agree(3)
    assert kept()[(tree.unit_b1.pk, 2023, "draft")] == 1


def test_the_years_task_and_bulk_review_keep_the_counts(tree, forms):
    for n, unit in enumerate((tree.unit_a1, tree.unit_a1, tree.unit_b1)):
        Project.objects.create(code=f"T-{n}", name=f"任务项目{n}", unit=unit)
    issued = year_actions.issue(
        user=tree.users["admin"],
        year=2024,
        template="national-2020",
        deadline=timezone.now() + timedelta(days=5),
    )
    assert issued.task.pk
    agree(3)
    made = list(Evaluation.objects.filter(year=2024).select_related("project"))
    for ev in made:
        filler = {tree.unit_a1.pk: "filler_a1", tree.unit_b1.pk: "filler_b1"}
        reasons = {f["key"]: "空表试报" for f in ev.findings if f["severity"] == "error"}
        actions.workflow.step(
            user=tree.users[filler[ev.project.unit_id]],
            pk=ev.pk,
            action=Action.SUBMIT,
            acknowledgements=reasons,
        )
    agree(3)
    mine = [ev.pk for ev in made if ev.project.unit_id == tree.unit_a1.pk]
    year_actions.bulk_step(user=tree.users["reviewer_a"], pks=mine, action=Action.APPROVE)
    agree(3)
    assert kept()[(tree.unit_a1.pk, 2024, "approved")] == 2


def test_demo_loading_and_the_synthetic_province_keep_the_counts(db):
    demo.load()
    assert Evaluation.objects.exists()
    agree(Evaluation.objects.count())
    made = province.load(60, [2023, 2024], seed=3, slip_rate=0.1)
    agree(Evaluation.objects.count())
    assert made.evaluations == 60
    # every form the province moved past a submit has its 提交时间, as its trail says
    submitted = Evaluation.objects.exclude(state__in=("draft",)).filter(code__startswith="SYN-")
    assert submitted.exists() and not submitted.filter(submitted_at=None).exists()
    for ev in submitted[:20]:
        last = Event.objects.filter(evaluation=ev, action="submit").order_by("-id").first()
        assert ev.submitted_at == last.at


def test_recount_puts_drifted_counts_right(tree, forms, project_a1):
    from typer.testing import CliRunner

    from jixiao import cli

    actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[0])
    Evaluation.objects.update(state="approved")  # around the actions: the counts drift
    FormCount.objects.create(unit=tree.unit_b1, year=1999, state="draft", forms=7)
    assert kept() != fresh()
    setup = cli._database
    try:
        cli._database = lambda data_dir: None  # Django already runs on the test database
        answer = CliRunner().invoke(cli.app, ["recount"])
    finally:
        cli._database = setup
    assert answer.exit_code == 0, answer.output
    assert "已重新统计" in answer.output
    agree(1)
    assert kept() == {(tree.unit_a1.pk, 2023, "approved"): 1}


def test_a_project_moved_to_another_unit_moves_its_counts(tree, forms, project_a1):
    actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[0])
    project_a1.unit = tree.unit_a2  # as the Django admin may
    project_a1.save()
    agree(1)
    assert kept() == {(tree.unit_a2.pk, 2023, "draft"): 1}


# --- 提交时间 -------------------------------------------------------------------------------


def test_submit_sets_the_submitted_time_and_a_resubmit_moves_it(tree, forms, project_a1):
    ev = actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[0])
    assert ev.submitted_at is None
    ev = step(tree, "filler_a1", ev, Action.SUBMIT)
    first = Event.objects.filter(evaluation=ev, action="submit").latest("id").at
    assert ev.submitted_at == first
    assert Evaluation.objects.get(pk=ev.pk).submitted_at == first
    ev = step(tree, "reviewer_a", ev, Action.RETURN, "请补充")
    assert Evaluation.objects.get(pk=ev.pk).submitted_at == first  # kept while returned
    ev = step(tree, "filler_a1", ev, Action.SUBMIT)
    again = Event.objects.filter(evaluation=ev, action="submit").latest("id").at
    assert again > first
    assert Evaluation.objects.get(pk=ev.pk).submitted_at == again
    ev = step(tree, "reviewer_a", ev, Action.APPROVE)
    assert Evaluation.objects.get(pk=ev.pk).submitted_at == again  # the last submit, approved


def test_the_lists_sort_by_the_submitted_time(tree, forms):
    """Three forms submitted in an order other than their codes': sorted by 提交时间 either way,
    and the queue longest waiting first — by the column, the trail aside."""
    made = []
    for code in ("S-1", "S-2", "S-3"):
        project = Project.objects.create(code=code, name=f"排序{code}", unit=tree.unit_a1)
        made.append(
            actions.forms.create(user=tree.users["filler_a1"], project=project, form=forms[0])
        )
    for ev in (made[1], made[2], made[0]):  # S-2 first, then S-3, then S-1
        step(tree, "filler_a1", ev, Action.SUBMIT)
    Event.objects.filter(action="submit").update(at=timezone.now())  # the trail says nothing
    reviewer = Client()
    reviewer.force_login(tree.users["reviewer_a"])

    def codes(path: str, query: dict, who: Client = reviewer) -> list[str]:
        cache.clear()
        return re.findall(r"<tr><td>(S-\d)</td>", who.get(path, query).content.decode())

    assert codes("/forms/", {"sort": "submitted"}) == ["S-2", "S-3", "S-1"]
    assert codes("/forms/", {"sort": "-submitted"}) == ["S-1", "S-3", "S-2"]
    assert codes("/review/", {}) == ["S-2", "S-3", "S-1"]  # longest waiting first
    admin = Client()
    admin.force_login(tree.users["admin"])  # the bureau's wide list walks the index
    assert codes("/forms/", {"sort": "submitted"}, admin) == ["S-2", "S-3", "S-1"]
    assert codes("/forms/", {"sort": "-submitted"}, admin) == ["S-1", "S-3", "S-2"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_submitted_time_and_the_counts(tree, forms, project_a1):
    """Migrated from 0013: each form's 提交时间 from its latest submit event, and the counts."""
    from django.db.migrations.executor import MigrationExecutor

    ev = actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[0])
    step(tree, "filler_a1", ev, Action.SUBMIT)
    step(tree, "reviewer_a", ev, Action.RETURN, "再改")
    step(tree, "filler_a1", ev, Action.SUBMIT)
    last = Event.objects.filter(evaluation=ev, action="submit").latest("id").at
    executor = MigrationExecutor(connection)
    executor.migrate([("evaluations", "0013_list_code_index")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Evaluation.objects.get(pk=ev.pk).submitted_at == last
    agree(1)
    assert kept() == {(tree.unit_a1.pk, 2023, "resubmitted"): 1}


def test_a_list_reads_its_count_from_the_kept_counts(tree, forms):
    """Filters the counts know (year, unit, department, state) answer 共 N 份 from them; a
    search by name falls back to counting the forms, with the same figure."""
    for n, unit in enumerate((tree.unit_a1, tree.unit_a2, tree.unit_b1, tree.unit_b1)):
        project = Project.objects.create(code=f"C-{n}", name=f"计数{n}", unit=unit)
        filler = {tree.unit_a1: "filler_a1", tree.unit_a2: "filler_a2", tree.unit_b1: "filler_b1"}
        ev = actions.forms.create(
            user=tree.users[filler[unit]], project=project, form=replace(forms[0], year=2023)
        )
        if n % 2:
            step(tree, filler[unit], ev, Action.SUBMIT)
    admin = Client()
    admin.force_login(tree.users["admin"])
    expect = {
        (): 4,
        (("department", tree.dept_a.pk),): 2,
        (("unit", tree.unit_b1.pk),): 2,
        (("state", "submitted"),): 2,
        (("state", "draft"), ("department", tree.dept_b.pk)): 1,
        (("year", 2022),): 0,
        (("q", "计数"),): 4,  # not kept: counted over the forms
    }
    for query, n in expect.items():
        page = admin.get("/forms/", dict(query)).content.decode()
        assert f"共 {n} 份" in page, (query, n)
    reviewer = Client()
    reviewer.force_login(tree.users["reviewer_b"])
    assert "共 1 份" in reviewer.get("/review/").content.decode()


def test_postgresql_has_the_descending_indexes_the_lists_sort_by(db):
    """`DESC NULLS LAST` of 总分 and 提交时间: indexes of their own on PostgreSQL (SQLite's
    descending order reads the ascending ones backwards)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (run .ci/postgres-tests)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'evaluations_evaluation'"
        )
        found = dict(cursor.fetchall())
    assert "total DESC NULLS LAST" in found["evaluation_total_desc"]
    assert "submitted_at DESC NULLS LAST" in found["evaluation_submitted_desc"]
