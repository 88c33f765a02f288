"""Roll-ups (汇总表): the figures equal the sums of the forms computed here from the
forms themselves (元 and 万元 forms mixed), a unit sees only its own, and the
exports hold the same figures."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jixiao.domain.model import AmountUnit
from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.evaluations.selectors import rollup
from jixiao.web.pages.rollup import wan_shown

from .conftest import edited

YEAR = 2023


@pytest.fixture
def stored(tree, forms):
    """The five sample forms (three in 万元, two in 元, both templates) spread over three units
    of two departments, all of one year; the forms by unit name."""
    places = [tree.unit_a1, tree.unit_a1, tree.unit_a2, tree.unit_b1, tree.unit_a2]
    fillers = {tree.unit_a1: "filler_a1", tree.unit_a2: "filler_a2", tree.unit_b1: "filler_b1"}
    by_unit: dict[str, list] = {}
    for n, (form, unit) in enumerate(zip(forms, places)):
        project = Project.objects.create(code=f"P-{n:03}", name=f"项目{n}", unit=unit)
        actions.forms.create(
            user=tree.users[fillers[unit]], project=project, form=edited(form, year=YEAR)
        )
        by_unit.setdefault(unit.name, []).append(form)
    assert {f.funding.unit for f in forms} == {AmountUnit.YUAN, AmountUnit.WAN_YUAN}
    return by_unit


def wan(amount: Decimal, unit: AmountUnit) -> Decimal:
    return amount / 10000 if unit is AmountUnit.YUAN else amount


def budget(forms) -> Decimal:
    return sum((wan(f.funding.total.annual_budget, f.funding.unit) for f in forms), Decimal(0))


def executed(forms) -> Decimal:
    return sum((wan(f.funding.total.executed, f.funding.unit) for f in forms), Decimal(0))


def test_totals_and_subtotals_equal_the_sums_of_the_forms(tree, stored):
    chosen = rollup.rows(actions.access.visible(tree.users["admin"]), YEAR)
    every = [f for forms in stored.values() for f in forms]
    total = rollup.totals(chosen)
    assert (total.count, total.budget_wan, total.executed_wan) == (
        5,
        budget(every),
        executed(every),
    )
    assert total.budget_wan == Decimal("49") + Decimal("80.95") + Decimal("9") + Decimal(
        "15"
    ) + Decimal("36")
    units = {g.name: g for g in rollup.subtotals(chosen, "unit").values()}
    for name, forms in stored.items():
        assert (units[name].budget_wan, units[name].executed_wan) == (
            budget(forms),
            executed(forms),
        )
    departments = {g.name: g for g in rollup.subtotals(chosen, "department").values()}
    dept_a = stored[tree.unit_a1.name] + stored[tree.unit_a2.name]
    assert departments[tree.dept_a.name].budget_wan == budget(dept_a)
    assert departments[tree.dept_b.name].count == 1
    rate = executed(every) / budget(every) * 100
    assert abs(total.execution_rate - rate) < Decimal("0.01")


def test_findings_and_scores_are_copied_from_each_form(tree, stored):
    for ev in Evaluation.objects.all():
        severities = [f["severity"] for f in ev.findings]
        assert (ev.errors, ev.warnings, ev.notices) == tuple(
            severities.count(s) for s in ("error", "warning", "info")
        )
        scores = [Decimal(i["score"]) for i in ev.data["indicators"] if i.get("score") is not None]
        assert ev.indicator_score == sum(scores, Decimal(0))
    chosen = rollup.rows(actions.access.visible(tree.users["admin"]), YEAR)
    errors = sum(ev.errors for ev in Evaluation.objects.all())
    assert rollup.totals(chosen).errors == errors


def test_grades_of_both_templates_on_one_scale(stored):
    scales = {(ev.template, ev.grade): ev.scale for ev in Evaluation.objects.all()}
    assert scales[("shanghai-2019", "优秀")] == "优"
    assert scales[("national-2020", "优")] == "优"
    assert scales[("national-2020", "良")] == "良"


def test_a_unit_sees_only_its_own_unit(tree, stored):
    chosen = rollup.rows(actions.access.visible(tree.users["filler_a2"]), YEAR)
    assert {ev.project.unit.name for ev in chosen} == {tree.unit_a2.name}
    assert rollup.totals(chosen).budget_wan == budget(stored[tree.unit_a2.name])
    dept = rollup.rows(actions.access.visible(tree.users["reviewer_b"]), YEAR)
    assert rollup.totals(dept).count == 1


def test_the_review_total_follows_the_review_scores(tree, stored):
    ev = Evaluation.objects.get(project__code="P-000")
    actions.workflow.step(
        user=tree.users["filler_a1"],
        pk=ev.pk,
        action=Action.SUBMIT,
        acknowledgements={f["key"]: "说明" for f in ev.findings if f["severity"] == "error"},
    )
    first = Decimal(ev.data["indicators"][0]["score"])
    ev = actions.review.set_scores(
        user=tree.users["reviewer_a"],
        pk=ev.pk,
        version=None,
        scores={"indicators[0].score": str(first - 5)},
    )
    self_total = Decimal(ev.data["funding"]["score"]) + ev.indicator_score
    assert ev.review_total == self_total - 5
    assert Evaluation.objects.get(pk=ev.pk).review_total == self_total - 5


def test_the_page_and_the_exports_hold_the_same_figures(client, tree, stored):
    Project.objects.filter(code="P-001").update(name='=HYPERLINK("http://x")')
    client.force_login(tree.users["reviewer_a"])
    page = client.get("/rollup/", {"year": YEAR})
    assert page.status_code == 200
    dept_a = stored[tree.unit_a1.name] + stored[tree.unit_a2.name]
    shown = wan_shown(budget(dept_a))
    assert shown in page.content.decode()
    assert stored[tree.unit_b1.name] and "乙一站" not in page.content.decode()

    text = client.get("/rollup/export/csv/", {"year": YEAR}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, *body = rows
    assert body[-1][0] == "合计"
    column = header.index("全年预算数（万元）")
    assert Decimal(body[-1][column]) == budget(dept_a)
    forms = [r for r in body if r[3]]
    assert sum(Decimal(r[column]) for r in forms) == budget(dept_a)
    assert any(r[2] == '\'=HYPERLINK("http://x")' for r in forms)

    book = load_workbook(io.BytesIO(client.get("/rollup/export/xlsx/", {"year": YEAR}).content))
    sheet = book.active
    values = list(sheet.iter_rows(min_row=3, values_only=True))
    assert values[-1][0] == "合计"
    assert sheet.cell(3, column + 1).number_format == "#,##0.00####"
    assert (sheet.page_setup.orientation, sheet.print_title_rows) == ("landscape", "$2:$2")
    assert Decimal(str(values[-1][column])) == budget(dept_a)
    assert any(v[2] == '=HYPERLINK("http://x")' for v in values)  # a string cell: no quote needed
    assert client.get("/rollup/export/pdf/").status_code == 404


def test_a_unit_page_shows_no_other_unit(client, tree, stored):
    client.force_login(tree.users["filler_a1"])
    body = client.get("/rollup/", {"year": YEAR}).content.decode()
    assert "甲一中心" in body and "甲二所" not in body and "乙一站" not in body


def test_the_page_in_english(client, tree, stored):
    client.force_login(tree.users["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/rollup/"})
    body = client.get("/rollup/", {"year": YEAR}).content.decode()
    assert "Self-evaluation roll-up" in body and "Subtotal (甲一中心)" in body and "Total" in body
    assert "2 forms" in body and "1 form<" in body


def test_no_forms_yet_is_an_empty_table(client, tree):
    client.force_login(tree.users["filler_b1"])
    body = client.get("/rollup/").content.decode()
    assert "合计" in body and "0 份" in body
    assert (
        client.get("/rollup/export/csv/")
        .content.decode("utf-8-sig")
        .splitlines()[-1]
        .startswith("合计,,0 份")
    )


def csv_rows(client, **query) -> tuple[list[str], list[list[str]]]:
    text = client.get("/rollup/export/csv/", {"year": YEAR, **query}).content.decode("utf-8-sig")
    header, *body = list(csv.reader(io.StringIO(text)))
    return header, body


def test_sorted_by_any_column_in_the_database(client, tree, stored):
    client.force_login(tree.users["admin"])
    header, body = csv_rows(client, sort="-budget")
    column = header.index("全年预算数（万元）")
    forms, total = body[:-1], body[-1]
    shown = [Decimal(r[column]) for r in forms]
    every = [f for fs in stored.values() for f in fs]
    assert shown == sorted(
        (wan(f.funding.total.annual_budget, f.funding.unit) for f in every), reverse=True
    )
    assert total[0] == "合计" and all(r[3] for r in forms)  # no 小计 lines when sorted by a figure
    _header, body = csv_rows(client, sort="code")
    assert [r[3] for r in body[:-1]] == ["P-000", "P-001", "P-002", "P-003", "P-004"]
    _header, body = csv_rows(client, sort="-code")
    assert [r[3] for r in body[:-1]] == ["P-004", "P-003", "P-002", "P-001", "P-000"]
    page = client.get("/rollup/", {"year": YEAR, "sort": "total"}).content.decode()
    assert 'aria-sort="ascending"' in page and "sort=-total" in page
    assert client.get("/rollup/", {"year": YEAR, "sort": "bogus; drop"}).status_code == 200


def test_filters_narrow_the_table_and_the_exports(client, tree, stored):
    client.force_login(tree.users["admin"])
    header, body = csv_rows(client, unit=tree.unit_a2.pk)
    assert {r[1] for r in body if r[3]} == {tree.unit_a2.name}
    assert Decimal(body[-1][header.index("全年预算数（万元）")]) == budget(
        stored[tree.unit_a2.name]
    )

    rate = header.index("执行率(%)")
    _h, body = csv_rows(client, rate_below="90")
    expected = {ev.project.code for ev in Evaluation.objects.filter(execution_rate__lt=90)}
    assert {r[3] for r in body if r[3]} == expected and all(
        Decimal(r[rate]) < 90 for r in body if r[3]
    )

    _h, body = csv_rows(client, errors="1")
    assert {r[3] for r in body if r[3]} == {
        ev.project.code for ev in Evaluation.objects.filter(errors__gt=0)
    }
    _h, body = csv_rows(client, scale="优")
    assert {r[3] for r in body if r[3]} == {
        ev.project.code for ev in Evaluation.objects.filter(scale="优")
    }
    _h, body = csv_rows(client, state="submitted")
    assert [r for r in body if r[3]] == []

    page = client.get(
        "/rollup/", {"year": YEAR, "rate_below": "90", "errors": "1"}
    ).content.decode()
    assert "/rollup/export/xlsx/?year=2023&amp;rate_below=90&amp;errors=1" in page


def test_amounts_in_wan_show_two_places_and_the_exports_keep_every_place(client, tree, forms):
    """29,465,532.76 元 is 2,946.553276 万元: the page shows 2,946.55 (四舍五入), the exports all six places."""
    from dataclasses import replace

    yuan = next(f for f in forms if f.funding.unit is AmountUnit.YUAN)
    total = replace(
        yuan.funding.total, annual_budget=Decimal("29465532.76"), executed=Decimal("29465550.00")
    )
    form = edited(yuan, year=YEAR, funding=replace(yuan.funding, total=total))
    project = Project.objects.create(code="P-WAN", name="万元项目", unit=tree.unit_a1)
    actions.forms.create(user=tree.users["filler_a1"], project=project, form=form)
    client.force_login(tree.users["reviewer_a"])
    page = client.get("/rollup/", {"year": YEAR}).content.decode()
    line = page[page.index("P-WAN") :]
    line = line[: line.index("</tr>")]
    assert "2,946.55<" in line and "2,946.56<" in line  # 2,946.555 万元 executed rounds half up
    assert "2,946.553276" not in page and "2,946.555" not in page
    text = client.get("/rollup/export/csv/", {"year": YEAR}).content.decode("utf-8-sig")
    assert "2946.553276" in text and "2946.555" in text
    assert [wan_shown(Decimal(v)) for v in ("0.005", "1234567.994999", "-3.125")] == [
        "0.01",
        "1,234,567.99",
        "-3.13",
    ]
