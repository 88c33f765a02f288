"""Submission progress (催报): per department the projects and units in each stage, the
not-started projects as defined (a form last year, 绩效目标 approved this year, or registered
and never filled), the list of units to chase, the xlsx export and the scope of each user."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import ApprovedTargets, Evaluation, Project
from jixiao.web.evaluations.selectors import progress

from .conftest import edited

YEAR = 2023


@pytest.fixture
def year_of_work(tree, forms):
    """甲一中心: P-1 draft, P-2 submitted, P-3 only a 2022 form (not started), P-4 only a 2021
    form (ended: not due); 甲二所: P-5 returned, P-6 绩效目标 approved for 2023 (not started),
    P-7 registered, never filled (not started); 乙一站: P-8 approved, P-9 resubmitted."""

    def project(code, unit):
        return Project.objects.create(code=code, name=f"项目{code}", unit=unit)

    def form(code, unit, year, state):
        filler = {tree.unit_a1: "filler_a1", tree.unit_a2: "filler_a2", tree.unit_b1: "filler_b1"}[
            unit
        ]
        p = Project.objects.filter(code=code).first() or project(code, unit)
        ev = actions.forms.create(
            user=tree.users[filler], project=p, form=edited(forms[1], year=year)
        )
        Evaluation.objects.filter(pk=ev.pk).update(state=state)

    form("P-1", tree.unit_a1, YEAR, "draft")
    form("P-2", tree.unit_a1, YEAR, "submitted")
    form("P-3", tree.unit_a1, YEAR - 1, "approved")
    form("P-4", tree.unit_a1, YEAR - 2, "approved")
    form("P-5", tree.unit_a2, YEAR, "returned")
    p6 = project("P-6", tree.unit_a2)
    ApprovedTargets.objects.create(project=p6, year=YEAR, indicators=[])
    project("P-7", tree.unit_a2)
    form("P-8", tree.unit_b1, YEAR, "approved")
    form("P-9", tree.unit_b1, YEAR, "resubmitted")
    actions.counts.rebuild()  # the states were set around the actions: counted again


def test_not_started_as_defined(tree, year_of_work):
    idle = progress.not_started(tree.bureau.units(), YEAR)
    assert sorted(idle.values_list("code", flat=True)) == ["P-3", "P-6", "P-7"]
    # The year after: every project with a 2023 form is due 2024 and so are the never filled
    # (P-6, P-7); P-3 and P-4, whose last forms are older, are not.
    later = progress.not_started(tree.bureau.units(), YEAR + 1)
    assert sorted(later.values_list("code", flat=True)) == [
        "P-1",
        "P-2",
        "P-5",
        "P-6",
        "P-7",
        "P-8",
        "P-9",
    ]


def test_counts_per_department(tree, year_of_work):
    rows = {r["name"]: r for r in progress.by_department(tree.bureau.units(), YEAR)}
    a, b = rows[tree.dept_a.name], rows[tree.dept_b.name]
    stages = ("not_started", "draft", "submitted", "returned", "approved")
    assert [a[s] for s in stages] == [3, 1, 1, 1, 0]
    assert [a[f"{s}_units"] for s in stages] == [2, 1, 1, 1, 0]
    assert [b[s] for s in stages] == [0, 0, 1, 0, 1]  # 已重新提交 counts as 已提交
    total = progress.totals(list(rows.values()))
    assert [total[s] for s in stages] == [3, 1, 2, 1, 1]


def test_the_units_to_chase_and_what_they_miss(tree, year_of_work):
    chase = progress.to_chase(tree.bureau.units(), YEAR)
    assert [r["name"] for r in chase] == [
        tree.unit_a1.name,
        tree.unit_a2.name,
    ]  # 乙一站 has nothing to do
    a1, a2 = chase
    assert (a1["not_started"], a1["draft"], a1["returned"]) == (1, 1, 0)
    assert [(p["code"], p["stage"]) for p in a1["projects"]] == [
        ("P-1", "draft"),
        ("P-3", "not_started"),
    ]
    assert [(p["code"], p["stage"]) for p in a2["projects"]] == [
        ("P-5", "returned"),
        ("P-6", "not_started"),
        ("P-7", "not_started"),
    ]


def test_the_page_and_its_export(client, tree, year_of_work):
    client.force_login(tree.users["admin"])
    body = client.get("/progress/", {"year": YEAR}).content.decode()
    assert (
        "未开始：P-3 项目P-3" in body
        and "未开始：P-6 项目P-6、P-7 项目P-7；已退回：P-5 项目P-5" in body
    )
    assert "上一年度有自评表的延续项目" in body  # the definition is stated
    book = load_workbook(io.BytesIO(client.get("/progress/export/", {"year": YEAR}).content))
    departments, chase = book.worksheets
    rows = list(departments.iter_rows(values_only=True))
    assert rows[0][:3] == ("主管部门", "未开始（项目）", "草稿（项目）")
    assert rows[-1][:6] == ("合计", 3, 1, 2, 1, 1)
    assert [r[1] for r in chase.iter_rows(min_row=2, values_only=True)] == [
        tree.unit_a1.name,
        tree.unit_a2.name,
    ]


def test_a_department_sees_only_its_units(client, tree, year_of_work):
    client.force_login(tree.users["reviewer_b"])
    body = client.get("/progress/", {"year": YEAR}).content.decode()
    assert tree.dept_b.name in body and tree.dept_a.name not in body and "P-3" not in body
    assert "没有需要催报的单位" in body
    rows = progress.by_department(actions.access.visible_units(tree.users["filler_a2"]), YEAR)
    assert [(r["name"], r["not_started"], r["returned"]) for r in rows] == [
        (tree.dept_a.name, 2, 1)
    ]


def test_the_export_keeps_a_formula_like_name_as_text(client, tree, year_of_work):
    """A unit named like a formula reaches the 催报清单 as the text it is, never run, without a visible quote."""
    name = '=HYPERLINK("http://example.invalid","x")'
    type(tree.unit_a2).objects.filter(pk=tree.unit_a2.pk).update(name=name)
    client.force_login(tree.users["admin"])
    book = load_workbook(io.BytesIO(client.get("/progress/export/", {"year": YEAR}).content))
    cells = [
        c
        for row in book.worksheets[1].iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str)
    ]
    assert name in [c.value for c in cells] and all(c.data_type == "s" for c in cells)
    assert not any(c.value.startswith("'") for c in cells)


def test_the_units_to_chase_a_page_at_a_time(client, tree, year_of_work, monkeypatch):
    from jixiao.web.pages import progress as progress_page

    monkeypatch.setattr(progress_page, "CHASE_PER_PAGE", 1)
    client.force_login(tree.users["admin"])
    first = client.get("/progress/", {"year": YEAR}).content.decode()
    second = client.get("/progress/", {"year": YEAR, "page": "2"}).content.decode()
    assert "P-3 项目P-3" in first and "P-6 项目P-6" not in first
    assert "P-6 项目P-6" in second and "P-3 项目P-3" not in second
    assert "第 1–1 个单位，共 2 个" in first and 'href="?year=2023&amp;page=2"' in first
    # the department table is whole on every page
    assert second.count('class="rollup-total"') == first.count('class="rollup-total"') == 1


def test_both_tables_sort_by_a_column(client, tree, year_of_work):
    client.force_login(tree.users["admin"])
    body = client.get("/progress/", {"year": YEAR, "sort": "-not_started"}).content.decode()
    chase = body[body.index('class="list chase"') :]
    assert chase.index(tree.unit_a2.name) < chase.index(tree.unit_a1.name)  # 2 not started, 1
    body = client.get("/progress/", {"year": YEAR, "sort": "not_started"}).content.decode()
    chase = body[body.index('class="list chase"') :]
    assert chase.index(tree.unit_a1.name) < chase.index(tree.unit_a2.name)
    # the department table by name, the other way; the chase list's order kept in its links
    body = client.get("/progress/", {"year": YEAR, "by": "-name", "sort": "unit"}).content.decode()
    table = body[body.index('class="list progress"') : body.index('class="list chase"')]
    assert table.index(tree.dept_a.name) < table.index(tree.dept_b.name)  # 甲 (U+7532) > 乙
    body_up = client.get("/progress/", {"year": YEAR, "by": "name"}).content.decode()
    table = body_up[body_up.index('class="list progress"') : body_up.index('class="list chase"')]
    assert table.index(tree.dept_b.name) < table.index(tree.dept_a.name)
    assert 'href="?year=2023&amp;by=name&amp;sort=unit"' in body
