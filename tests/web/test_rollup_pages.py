"""The roll-up page a page at a time (200 forms a page) in a synthetic province of 450 forms
of one year: every form on exactly one page, each 小计 once, the 合计 once on the last page
and equal to the sums computed here from the forms' own JSON; sort and filters kept by the
page links; the exports hold every page."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import defaultdict
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.contrib.auth import get_user_model

from jixiao.contract.json import evaluation_from_dict
from jixiao.domain.model import AmountUnit
from jixiao.web import province
from jixiao.web.evaluations.models import Evaluation
from jixiao.web.pages.rollup import PER_PAGE, wan_shown

YEAR = 2024
FORMS = 450
CODE, BUDGET = 3, 4  # columns of the table


@pytest.fixture
def admin(db, client):
    province.load(FORMS, [YEAR], seed=5, slip_rate=0.1)
    client.force_login(get_user_model().objects.get(username="syn-admin"))
    return client


def lines(body: str) -> list[tuple[str, list[str]]]:
    """The table's lines: (kind, cell texts)."""
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        (
            kind,
            [
                html.unescape(re.sub(r"<[^>]+>", "", c))
                for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
            ],
        )
        for kind, row in re.findall(r'<tr class="rollup-(\w+)">(.*?)</tr>', table)
    ]


def every_page(client, **query) -> list[tuple[int, str, list[tuple[str, list[str]]]]]:
    """Each page's number, HTML and lines, following the 下一页 links from the first."""
    pages, href = [], "?" + "&".join(f"{k}={v}" for k, v in {"year": YEAR, **query}.items())
    while href:
        body = client.get("/rollup/" + html.unescape(href)).content.decode()
        pages.append((len(pages) + 1, body, lines(body)))
        found = re.search(r'<a href="(\?[^"]*)" rel="next">', body)
        href = found and found.group(1)
    return pages


def wan(form) -> Decimal:
    amount = form.funding.total.annual_budget
    return amount / 10000 if form.funding.unit is AmountUnit.YUAN else amount


def test_every_form_once_and_the_totals_over_all_pages(admin):
    pages = every_page(admin)
    assert [len([k for k, _c in page if k == "form"]) for _n, _b, page in pages] == [200, 200, 50]
    every = [line for _n, _b, page in pages for line in page]
    codes = [cells[CODE] for kind, cells in every if kind == "form"]
    evaluations = Evaluation.objects.filter(year=YEAR).select_related("project__unit")
    assert (
        sorted(codes) == sorted(ev.project.code for ev in evaluations) and len(set(codes)) == FORMS
    )

    by_unit: dict[str, Decimal] = defaultdict(Decimal)
    for ev in evaluations:
        by_unit[ev.project.unit.name] += wan(evaluation_from_dict(ev.data, str(ev.pk)))
    subtotals = {cells[0]: cells for kind, cells in every if kind == "unit"}
    assert (
        len(subtotals) == len([1 for kind, _c in every if kind == "unit"]) == len(by_unit)
    )  # each once
    for name, budget in by_unit.items():
        assert subtotals[f"小计（{name}）"][BUDGET] == wan_shown(budget)
    totals = [(n, cells) for n, _b, page in pages for kind, cells in page if kind == "total"]
    assert [n for n, _c in totals] == [len(pages)]  # once, on the last page
    assert totals[0][1][BUDGET] == wan_shown(sum(by_unit.values(), Decimal(0)))
    assert totals[0][1][2] == f"{FORMS} 份"


def test_the_page_links(admin):
    first = admin.get("/rollup/", {"year": YEAR}).content.decode()
    nav = first[first.index('<nav class="pages"') :]
    assert 'aria-label="分页"' in nav and f"第 1–{PER_PAGE} 份，共 {FORMS} 份" in nav
    assert re.search(r'page=1" aria-current="page" aria-label="第 1 页"', nav)
    assert 'rel="next"' in nav and 'rel="prev"' not in nav and "page=3" in nav
    last = admin.get("/rollup/", {"year": YEAR, "page": 3}).content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last and "第 401–450 份" in last
    beyond = admin.get("/rollup/", {"year": YEAR, "page": 99}).content.decode()
    assert lines(beyond) == lines(last)  # past the end: the last page
    export = re.search(r'href="/rollup/export/csv/\?([^"]*)"', last).group(1)
    assert "page" not in html.unescape(export)


def test_sort_and_filters_are_kept_across_pages_and_the_export_holds_them_all(admin):
    query = {"sort": "-budget", "rate_below": "100"}
    pages = every_page(admin, **query)
    assert len(pages) > 1
    for _n, body, _lines in pages:
        nav = body[body.index('<nav class="pages"') :]
        links = [html.unescape(h) for h in re.findall(r'href="\?([^"]*)"', nav)]
        assert links and all("sort=-budget" in h and "rate_below=100" in h for h in links)
    shown = [cells for _n, _b, page in pages for kind, cells in page if kind == "form"]
    expected = Evaluation.objects.filter(year=YEAR, execution_rate__lt=100)
    assert len(shown) == expected.count()
    budgets = [Decimal(c[BUDGET].replace(",", "")) for c in shown]
    assert budgets == sorted(budgets, reverse=True)

    text = admin.get("/rollup/export/csv/", {"year": YEAR, **query, "page": 2}).content.decode(
        "utf-8-sig"
    )
    _header, *body = list(csv.reader(io.StringIO(text)))
    assert [r[CODE] for r in body if r[CODE]] == [
        c[CODE] for c in shown
    ]  # every page, in the same order
    assert body[-1][0] == "合计"


def test_the_page_links_in_english(admin):
    admin.post("/i18n/setlang/", {"language": "en", "next": "/rollup/"})
    body = admin.get("/rollup/", {"year": YEAR, "page": 2}).content.decode()
    assert "Forms 201–400 of 450" in body and 'aria-label="Page 2"' in body
    assert (
        'rel="prev">Previous<' in body
        and 'rel="next">Next<' in body
        and "200 forms a page; subtotals and the total sum every form chosen" in body
    )


def test_a_new_sort_starts_at_the_first_page(admin):
    body = admin.get("/rollup/", {"year": YEAR, "page": 2, "scale": "优"}).content.decode()
    heads = [
        parse_qs(html.unescape(h)) for h in re.findall(r'<a href="\?([^"]*)" class="sort">', body)
    ]
    assert len(heads) == 17 and all(h["scale"] == ["优"] and "page" not in h for h in heads)


@pytest.mark.parametrize(
    "path", ["/rollup/", "/attention/", "/progress/", "/forms/", "/dashboards/data/budget/"]
)
def test_a_page_seen_again_reads_none_of_the_forms_until_something_is_written(admin, path):
    """Kept under the trail's head: the second view runs the session's and the head's
    look-ups, not the forms'; a write (a new event) is seen by the next view."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jixiao.domain.workflow import Action
    from jixiao.web.evaluations import actions

    admin.get(path, {"year": YEAR})
    with CaptureQueriesContext(connection) as again:
        assert admin.get(path, {"year": YEAR}).status_code == 200
    read = [q["sql"] for q in again.captured_queries]
    assert not any("evaluations_evaluation" in sql for sql in read), "\n".join(read)
    draft = Evaluation.objects.filter(year=YEAR, state="draft").select_related("project__unit")
    ev = draft.first()
    filler = ev.project.unit.members.get(role="filler").user
    actions.workflow.step(user=filler, pk=ev.pk, action=Action.DELETE)
    with CaptureQueriesContext(connection) as after:
        assert admin.get(path, {"year": YEAR}).status_code == 200
    assert any("evaluations_evaluation" in q["sql"] for q in after.captured_queries)
