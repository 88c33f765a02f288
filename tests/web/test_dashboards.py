"""Dashboards (统计图): every figure of every JSON endpoint equals the same figure computed
here from the stored forms themselves (元 and 万元 forms mixed, both templates), and each
user sees only the forms they may see."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_DOWN, Decimal

import pytest

from jixiao.domain.model import AmountUnit
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.evaluations.selectors import dashboards

from .conftest import edited

YEAR = 2023
# The templates' grades on the one scale, written out here rather than taken from rollup.scale_of.
ONE_SCALE = {
    "优": "优",
    "良": "良",
    "中": "中",
    "差": "差",
    "优秀": "优",
    "良好": "良",
    "合格": "中",
    "不合格": "差",
}


@pytest.fixture
def stored(tree, forms):
    """The five sample forms (三 in 万元, 二 in 元, both templates) over three units of two
    departments in 2023, and P-001's form again for 2022; the stored forms by project code."""
    places = [tree.unit_a1, tree.unit_a1, tree.unit_a2, tree.unit_b1, tree.unit_a2]
    fillers = {tree.unit_a1: "filler_a1", tree.unit_a2: "filler_a2", tree.unit_b1: "filler_b1"}
    by_code = {}
    for n, (form, unit) in enumerate(zip(forms, places)):
        project = Project.objects.create(code=f"P-{n:03}", name=f"项目{n}", unit=unit)
        actions.forms.create(
            user=tree.users[fillers[unit]], project=project, form=edited(form, year=YEAR)
        )
        by_code[project.code] = (form, unit)
    earlier = edited(forms[3], year=YEAR - 1)
    actions.forms.create(
        user=tree.users["filler_a1"], project=Project.objects.get(code="P-001"), form=earlier
    )
    assert {f.funding.unit for f, _u in by_code.values()} == {AmountUnit.YUAN, AmountUnit.WAN_YUAN}
    assert {f.template for f, _u in by_code.values()} == {"national-2020", "shanghai-2019"}
    return by_code


def data(client, user, name: str, **query) -> dict:
    client.force_login(user)
    response = client.get(f"/dashboards/data/{name}/", {"year": YEAR, **query})
    assert response.status_code == 200
    return response.json()


def wan(amount: Decimal, unit: AmountUnit) -> Decimal:
    return amount / 10000 if unit is AmountUnit.YUAN else amount


def seen(stored, *units) -> list:
    return [form for form, unit in stored.values() if not units or unit in units]


def test_grades(client, tree, stored):
    got = data(client, tree.users["admin"], "grades")
    expected = Counter(ONE_SCALE.get(f.grade or "", "") for f in seen(stored))
    assert {g["grade"]: g["count"] for g in got["grades"]} == {
        g: expected.get(g, 0) for g in ("优", "良", "中", "差", "")
    }
    assert sum(g["count"] for g in got["grades"]) == 5


def test_execution_rates(client, tree, stored):
    got = data(client, tree.users["admin"], "rates")
    bands = Counter(min(int(f.funding.total.execution_rate // 10) * 10, 100) for f in seen(stored))
    assert {b["from"]: b["count"] for b in got["bands"]} == {
        low: bands.get(low, 0) for low in range(0, 101, 10)
    }
    assert got["bands"][6] == {"from": 60, "to": 70, "count": 1}  # the 63.53% form
    assert (got["missing"], Decimal(got["line"])) == (0, 90)


def test_score_against_rate_points_open_the_forms(client, tree, stored):
    got = data(client, tree.users["admin"], "scores")["points"]
    assert set(got) == {"id", "code", "name", "rate", "total", "scale"}
    assert len({len(column) for column in got.values()}) == 1  # the columns line up
    # The database prints the figures, at the columns' places (SQLite and PostgreSQL alike).
    assert all(len(rate.split(".")[1]) == 4 for rate in got["rate"])
    assert all(len(total.split(".")[1]) == 2 for total in got["total"])
    points = {
        (code, Decimal(rate), Decimal(total))
        for code, rate, total in zip(got["code"], got["rate"], got["total"])
    }
    assert points == {
        (code, f.funding.total.execution_rate, f.total) for code, (f, _u) in stored.items()
    }
    for pk, code, name in zip(got["id"], got["code"], got["name"]):
        evaluation = Evaluation.objects.get(pk=pk)
        assert (evaluation.project.code, evaluation.project.name) == (code, name)


def test_score_against_rate_past_its_points_counts_forms_per_cell(client, tree, stored):
    """Past POINTS_AT_MOST forms the chart gets cells (whole point of 执行率 by whole point of
    总分, per grade) with the forms counted, not a point per form."""
    forms = Evaluation.objects.filter(year=YEAR)
    cells = dashboards.score_against_rate(forms, points_at_most=2)["cells"]
    columns = zip(cells["rate"], cells["total"], cells["scale"], cells["count"])
    got = Counter({(rate, total, scale): n for rate, total, scale, n in columns})
    wanted = Counter(
        (int(ev.execution_rate // 1), int(ev.total // 1), ev.scale)
        for ev in forms
        if ev.execution_rate is not None and ev.total is not None
    )
    assert got == wanted and sum(got.values()) == len(stored)
    assert "points" in dashboards.score_against_rate(forms, points_at_most=len(stored))


def test_budget_by_department_and_grade(client, tree, stored):
    got = data(client, tree.users["admin"], "budget")
    assert got["grades"] == ["优", "良", "中", "差", ""]
    for row in got["departments"]:
        units = (
            tree.dept_a.children.all()
            if row["department"] == tree.dept_a.name
            else tree.dept_b.children.all()
        )
        mine = [f for f in seen(stored, *units)]
        assert Decimal(row["total"]) == sum(
            wan(f.funding.total.annual_budget, f.funding.unit) for f in mine
        )
        for grade, figure in zip(got["grades"], row["grades"]):
            in_grade = [
                wan(f.funding.total.annual_budget, f.funding.unit)
                for f in mine
                if ONE_SCALE.get(f.grade or "", "") == grade
            ]
            assert (Decimal(figure) if figure is not None else None) == (
                sum(in_grade) if in_grade else None
            )
    assert [r["department"] for r in got["departments"]] == sorted(
        [tree.dept_a.name, tree.dept_b.name]
    )


def test_findings_by_code(client, tree, stored):
    got = data(client, tree.users["admin"], "findings")
    stored_findings = [f for ev in Evaluation.objects.filter(year=YEAR) for f in ev.findings]
    assert stored_findings, "the sample forms carry findings"
    assert {c["code"]: c["count"] for c in got["codes"]} == dict(
        Counter(f["code"] for f in stored_findings)
    )
    in_forms = Counter(
        code
        for ev in Evaluation.objects.filter(year=YEAR)
        for code in {f["code"] for f in ev.findings}
    )
    assert {c["code"]: c["forms"] for c in got["codes"]} == dict(in_forms)
    assert all(c["title"] for c in got["codes"])
    counts = [c["count"] for c in got["codes"]]
    assert counts == sorted(counts, reverse=True)


def test_indicator_kinds(client, tree, stored):
    got = data(client, tree.users["admin"], "indicators")
    kinds = Counter(
        None if i.target_parsed is None else i.target_parsed.quantitative
        for f in seen(stored)
        for i in f.indicators
    )
    total = got["total"]
    assert (total["quantitative"], total["qualitative"], total["untargeted"]) == (
        kinds[True],
        kinds[False],
        kinds[None],
    )
    assert kinds[None] == 12  # the shanghai-2019 form prints no 年度指标值
    share = Decimal(kinds[False]) * 100 / (kinds[True] + kinds[False])
    assert Decimal(total["share"]) == share.quantize(
        Decimal("0.01"), ROUND_DOWN
    )  # cut as the national template cuts
    b = [i for f in seen(stored, tree.unit_b1) for i in f.indicators]
    row_b = next(r for r in got["departments"] if r["department"] == tree.dept_b.name)
    assert row_b["quantitative"] == sum(
        1 for i in b if i.target_parsed and i.target_parsed.quantitative
    )


def test_project_year_on_year(client, tree, stored):
    got = data(client, tree.users["admin"], "years", project="P-001")
    this, _unit = stored["P-001"]
    assert [y["year"] for y in got["years"]] == [YEAR - 1, YEAR]
    last, now = got["years"]
    assert (
        Decimal(now["total"]) == this.total
        and Decimal(now["execution_rate"]) == this.funding.total.execution_rate
    )
    assert Decimal(now["budget_wan"]) == wan(this.funding.total.annual_budget, this.funding.unit)
    assert Evaluation.objects.get(pk=last["id"]).year == YEAR - 1


def test_a_department_sees_only_its_own_figures(client, tree, stored):
    reviewer_b = tree.users["reviewer_b"]
    assert [r["department"] for r in data(client, reviewer_b, "budget")["departments"]] == [
        tree.dept_b.name
    ]
    assert sum(g["count"] for g in data(client, reviewer_b, "grades")["grades"]) == 1
    assert set(data(client, reviewer_b, "scores")["points"]["code"]) == {"P-003"}
    assert data(client, reviewer_b, "years", project="P-001")["years"] == []
    # Asking for the other department's figures gives nothing, not its figures.
    assert data(client, reviewer_b, "grades", department=tree.dept_a.pk)["grades"][0]["count"] == 0
    b_findings = Counter(f["code"] for f in Evaluation.objects.get(project__code="P-003").findings)
    assert {c["code"]: c["count"] for c in data(client, reviewer_b, "findings")["codes"]} == dict(
        b_findings
    )


def test_a_unit_sees_only_its_own(client, tree, stored):
    filler = tree.users["filler_a2"]
    assert set(data(client, filler, "scores")["points"]["code"]) == {"P-002", "P-004"}
    indicators = data(client, filler, "indicators")
    assert indicators["total"]["quantitative"] == sum(
        1
        for f in seen(stored, tree.unit_a2)
        for i in f.indicators
        if i.target_parsed and i.target_parsed.quantitative
    )
    assert data(client, filler, "years", project="P-003")["years"] == []


def test_the_page_and_unknown_endpoints(client, tree, stored):
    client.force_login(tree.users["reviewer_a"])
    body = client.get("/dashboards/", {"year": YEAR}).content.decode()
    assert (
        "echarts-5.6.0.min.js" in body
        and 'id="table-grades"' in body
        and "http" not in body.split("<main")[1]
    )
    assert client.get("/dashboards/data/nothing/").status_code == 404
    client.logout()
    assert client.get("/dashboards/data/grades/").status_code == 302


def test_the_dashboard_functions_are_named_in_the_module_docstring():
    for name in (
        "grade_distribution",
        "execution_rate_distribution",
        "score_against_rate",
        "budget_by_department_and_grade",
        "findings_by_code",
        "indicator_kinds",
        "project_years",
    ):
        assert f":func:`{name}`" in dashboards.__doc__ and callable(getattr(dashboards, name))


def test_a_repeated_view_runs_no_aggregate_and_a_save_is_seen_at_once(client, tree, stored):
    """The figures are kept under the trail's head: the second view reads the head (one
    look-up) and the account, not the forms; a save (a new head) is in the next answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = data(client, tree.users["reviewer_a"], "grades")
    with CaptureQueriesContext(connection) as again:
        assert client.get("/dashboards/data/grades/", {"year": YEAR}).json() == first
    read = [q["sql"] for q in again.captured_queries]
    assert not any("evaluations_evaluation" in sql for sql in read), "\n".join(read)
    assert any("evaluations_event" in sql for sql in read)
    # another scope is not served the department's figures
    assert data(client, tree.users["reviewer_bureau"], "grades") != first
    from jixiao.domain.workflow import Action

    ev = Evaluation.objects.get(project__code="P-000", year=YEAR)
    actions.workflow.step(user=tree.users["filler_a1"], pk=ev.pk, action=Action.DELETE)
    after = data(client, tree.users["reviewer_a"], "grades")
    counted = sum(g["count"] for g in after["grades"])
    assert counted == sum(g["count"] for g in first["grades"]) - 1
