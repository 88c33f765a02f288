"""The lists (/forms/, /review/) at size: a page at a time, sorted by any column with the
filters kept in the links, 提交时间 and 待审天数 as the submit step recorded them, exports of every page
(the CSV streamed)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project
from jixiao.web.pages import views

pytestmark = pytest.mark.django_db


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def codes(page: str) -> list[str]:
    return re.findall(r"<tr><td>(L-\d+)</td>", page)


@pytest.fixture
def many(tree, forms):
    """12 forms of 甲一中心 (L-000 …), totals going down, the even ones submitted a day
    apart (L-000 the longest waiting)."""
    made = []
    for n in range(12):
        project = Project.objects.create(code=f"L-{n:03d}", name=f"列表项目{n}", unit=tree.unit_a1)
        ev = actions.forms.create(user=tree.users["filler_a1"], project=project, form=forms[0])
        made.append(ev)
    for n, ev in enumerate(made):
        Evaluation.objects.filter(pk=ev.pk).update(total=90 - n)
        if n % 2 == 0:
            ev.refresh_from_db()
            actions.workflow.step(user=tree.users["filler_a1"], pk=ev.pk, action=Action.SUBMIT)
            at = timezone.now() - timedelta(days=12 - n)  # as if submitted that day
            Event.objects.filter(evaluation=ev, action="submit").update(at=at)
            Evaluation.objects.filter(pk=ev.pk).update(submitted_at=at)
    return made


def test_the_list_is_paged_keeping_sort_and_filters(tree, many, monkeypatch):
    monkeypatch.setattr(views, "LIST_PER_PAGE", 5)
    client = signed_in(tree, "reviewer_a")
    page = client.get("/forms/", {"q": "列表", "sort": "-total"}).content.decode()
    assert codes(page) == ["L-000", "L-001", "L-002", "L-003", "L-004"]
    assert "共 12 份" in page and 'aria-current="page"' in page
    # the page links carry the search and the sort, and not the page asked before
    assert 'href="?q=%E5%88%97%E8%A1%A8&amp;sort=-total&amp;page=2"' in page
    second = client.get("/forms/", {"q": "列表", "sort": "-total", "page": "2"}).content.decode()
    assert codes(second) == ["L-005", "L-006", "L-007", "L-008", "L-009"]
    last = client.get("/forms/", {"q": "列表", "sort": "-total", "page": "99"}).content.decode()
    assert codes(last) == ["L-010", "L-011"]
    ascending = client.get("/forms/", {"q": "列表", "sort": "total"}).content.decode()
    assert codes(ascending)[0] == "L-011"
    # the heading of the sorted column links the other way, from the first page
    assert 'href="?q=%E5%88%97%E8%A1%A8&amp;sort=total"' in page
    assert 'aria-sort="descending"' in page


@pytest.mark.parametrize("key", list(views.LIST_SORTS))
def test_every_column_sorts_both_ways(tree, many, key):
    client = signed_in(tree, "reviewer_a")
    up = codes(client.get("/forms/", {"q": "列表", "sort": key}).content.decode())
    down = codes(client.get("/forms/", {"q": "列表", "sort": f"-{key}"}).content.decode())
    assert sorted(up) == sorted(down) == [f"L-{n:03d}" for n in range(12)]
    if key in ("total", "submitted", "waiting"):
        assert up != down


def test_submitted_time_and_days_waiting_are_the_submit_steps(tree, many):
    page = signed_in(tree, "reviewer_a").get("/review/").content.decode()
    # the queue: submitted forms only, the longest waiting first, with its days
    assert codes(page) == ["L-000", "L-002", "L-004", "L-006", "L-008", "L-010"]
    first = re.search(r"<tr><td>L-000</td>.*?</tr>", page).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", first)
    assert cells[6] == "12"  # 待审天数
    submitted = Event.objects.get(evaluation=many[0], action="submit").at
    assert cells[5] == timezone.localtime(submitted).strftime("%Y-%m-%d %H:%M")
    assert "提交时间" in page and "待审天数" in page
    # a draft has neither
    drafts = signed_in(tree, "filler_a1").get("/forms/", {"q": "L-001"}).content.decode()
    row = re.search(r"<tr><td>L-001</td>.*?</tr>", drafts).group(0)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[5:7] == ["", ""]


def test_a_page_reads_no_json_and_a_fixed_number_of_queries(tree, many):
    client = signed_in(tree, "reviewer_a")
    client.get("/forms/")
    with CaptureQueriesContext(connection) as few:
        client.get("/forms/", {"sort": "submitted"})
    Project.objects.bulk_create(
        Project(code=f"M-{n:03d}", name=f"又一项目{n}", unit=tree.unit_a2) for n in range(30)
    )
    source = many[1]
    Evaluation.objects.bulk_create(
        Evaluation(
            project=p,
            year=source.year,
            template=source.template,
            state="draft",
            data=source.data,
        )
        for p in Project.objects.filter(code__startswith="M-")
    )
    cache.clear()  # rows made around the actions: no event, so no new data version
    actions.counts.rebuild()  # nor kept counts: counted again, as after a bulk load
    with CaptureQueriesContext(connection) as more:
        page = client.get("/forms/", {"sort": "submitted"}).content.decode()
    assert "共 42 份" in page
    assert len(more.captured_queries) == len(few.captured_queries)
    listed = [q["sql"] for q in more.captured_queries if '"project_id"' in q["sql"]]
    assert listed and not any('"data"' in sql or '"findings"' in sql for sql in listed)


def test_the_csv_export_streams_every_page_as_sorted(tree, many, monkeypatch):
    monkeypatch.setattr(views, "LIST_PER_PAGE", 5)
    response = signed_in(tree, "reviewer_a").get(
        "/forms/export/", {"q": "列表", "sort": "-total", "format": "csv"}
    )
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "项目编码",
        "项目名称",
        "主管部门",
        "实施单位",
        "年度",
        "状态",
        "总分",
        "等级",
        "提交时间",
        "待审天数",
    ]
    assert [r[0] for r in rows[1:]] == [f"L-{n:03d}" for n in range(12)]
    assert rows[1][2:4] == ["甲局", "甲一中心"] and rows[1][6] == "90.00" and rows[1][9] == "12"
    assert rows[2][8:] == ["", ""]  # a draft


def test_the_queue_export_is_the_queue(tree, many):
    response = signed_in(tree, "reviewer_a").get(
        "/forms/export/", {"scope": "queue", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    assert [r[0] for r in rows[1:]] == ["L-000", "L-002", "L-004", "L-006", "L-008", "L-010"]


def test_a_unit_sees_its_own_forms_only_on_every_page(tree, many):
    page = signed_in(tree, "filler_b1").get("/forms/", {"page": "1"}).content.decode()
    assert codes(page) == [] and "没有符合条件的自评表" in page
    text = b"".join(
        signed_in(tree, "filler_b1").get("/forms/export/", {"format": "csv"}).streaming_content
    ).decode()
    assert "L-000" not in text


def test_a_page_seen_again_reads_only_the_trails_head_until_a_change(tree, many):
    client = signed_in(tree, "reviewer_a")
    first = client.get("/review/").content.decode()
    with CaptureQueriesContext(connection) as again:
        assert codes(client.get("/review/").content.decode()) == codes(first)
    read = [q["sql"] for q in again.captured_queries]
    assert not any("evaluations_evaluation" in sql for sql in read), "\n".join(read)
    # another department's reviewer has a scope of its own
    assert "L-000" not in signed_in(tree, "reviewer_b").get("/review/").content.decode()
    # a step (an event on the trail) is seen at once
    actions.workflow.step(user=tree.users["filler_a1"], pk=many[1].pk, action=Action.SUBMIT)
    after = codes(client.get("/review/").content.decode())
    assert "L-001" in after and len(after) == 7


def every_page(client, query: dict) -> list[str]:
    """The codes of every page of /forms/ with ``query``, in order."""
    got: list[str] = []
    for number in range(1, 50):
        page = client.get("/forms/", {**query, "page": number}).content.decode()
        got += re.findall(r"<tr><td>([A-Z]+-[\w-]+)</td>", page)
        if 'rel="next"' not in page:
            return got
    raise AssertionError("no last page")


@pytest.mark.parametrize("sort", ["", "code", "-code", "total", "-total", "year", "-grade"])
def test_the_bureaus_list_walks_the_index_in_the_same_order(tree, many, monkeypatch, sort):
    """The bureau's unfiltered list reads its page's ids in the order of the forms' own
    columns with the scope tested per row (EXISTS): the same forms in the same order as a
    department's list (joined and sorted), and a deleted draft in neither."""
    monkeypatch.setattr(views, "LIST_PER_PAGE", 5)
    gone = many[1]  # a draft: deleted by its unit
    actions.workflow.step(user=tree.users["filler_a1"], pk=gone.pk, action=Action.DELETE)
    bureau = every_page(signed_in(tree, "admin"), {"sort": sort} if sort else {})
    department = every_page(signed_in(tree, "reviewer_a"), {"sort": sort} if sort else {})
    visible = Evaluation.objects.exclude(state="deleted").select_related("project")
    assert sorted(bureau) == sorted(ev.project.code for ev in visible)
    assert gone.project.code not in bureau
    assert [code for code in bureau if code.startswith("L-")] == [
        code for code in department if code.startswith("L-")
    ]
    if not sort:  # latest year first, then by project code
        assert bureau == [
            ev.project.code
            for ev in sorted(visible, key=lambda ev: (-ev.year, ev.project.code, ev.pk))
        ]


def test_a_form_keeps_its_projects_code_for_the_lists(tree, many):
    """Evaluation.code, the lists' sort key, is the project's code: copied when a form is
    stored (saved or in a batch) and again when the project's code changes."""
    assert all(ev.code == ev.project.code for ev in Evaluation.objects.select_related("project"))
    project = Project.objects.create(code="B-001", name="成批项目", unit=tree.unit_a2)
    source = many[0]
    Evaluation.objects.bulk_create(
        [Evaluation(project=project, year=source.year, template=source.template, data={})]
    )
    assert Evaluation.objects.get(project=project).code == "B-001"
    project.code = "B-002"
    project.save()
    assert Evaluation.objects.get(project=project).code == "B-002"


@pytest.mark.django_db(transaction=True)
def test_forms_stored_before_the_list_index_get_their_codes_on_migration():
    """evaluations/0013 copies each stored form's project code into it (Evaluation.code)."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("evaluations", "0012_checked_state_spot_check_draws")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organisation = old.get_model("orgs", "Organisation")
    bureau = organisation.objects.create(name="局", kind="bureau")
    dept = organisation.objects.create(name="部门", kind="department", parent=bureau)
    unit = organisation.objects.create(name="单位", kind="unit", parent=dept)
    project = old.get_model("evaluations", "Project").objects.create(
        code="OLD-13", name="旧项目", unit=unit
    )
    ev = old.get_model("evaluations", "Evaluation").objects.create(
        project=project, year=2023, template="national-2020", data={}
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Evaluation.objects.get(pk=ev.pk).code == "OLD-13"


@pytest.mark.parametrize("sort", ["total", "-total", "submitted", "-submitted"])
def test_the_pages_past_the_middle_read_from_the_end_in_the_same_order(
    tree, many, monkeypatch, sort
):
    """A page in the second half of the list is read in the reverse order from the end: the
    pages together are the list in its order, empty figures last either way."""
    monkeypatch.setattr(views, "LIST_PER_PAGE", 5)
    Evaluation.objects.filter(pk=many[3].pk).update(total=None)
    key = sort.lstrip("-")
    column = {"total": "total", "submitted": "submitted_at"}[key]
    rows = list(Evaluation.objects.values_list(column, "code"))

    def order(row):
        value, code = row
        if value is None:
            return (1, 0, code)
        figure = value.timestamp() if hasattr(value, "timestamp") else float(value)
        return (0, -figure if sort.startswith("-") else figure, code)

    expected = [code for _v, code in sorted(rows, key=order)]
    for who in ("admin", "reviewer_a"):  # the bureau's walk and a department's join
        assert every_page(signed_in(tree, who), {"sort": sort}) == expected, who


def test_the_bureaus_list_counts_from_the_kept_counts(tree, many, monkeypatch):
    """The bureau's unfiltered list says 共 12 份 from the kept counts (no COUNT of the
    forms) and links every page, the last one too."""
    monkeypatch.setattr(views, "LIST_PER_PAGE", 2)
    client = signed_in(tree, "admin")
    with CaptureQueriesContext(connection) as read:
        first = client.get("/forms/").content.decode()
    assert "共 12 份" in first and 'aria-label="第 6 页"' in first
    assert not any(
        "COUNT(" in q["sql"].upper() and "evaluations_evaluation" in q["sql"]
        for q in read.captured_queries
    )
    assert len(every_page(client, {})) == 12
    # a form deleted is no longer counted
    draft = many[1]
    actions.workflow.step(user=tree.users["filler_a1"], pk=draft.pk, action=Action.DELETE)
    assert "共 11 份" in client.get("/forms/").content.decode()


def test_a_filter_the_counts_cannot_answer_counts_only_as_far_as_the_links(tree, many, monkeypatch):
    """A grade (not kept by the counts) on the bureau's wide list: it counts its forms along
    the index up to PAGES_AHEAD pages past the one shown: page 1 of 2 a page says 超过 8 份
    and links to page 4 then a gap; every page is still reached with 下一页, and from far
    enough the count is exact again."""
    monkeypatch.setattr(views, "LIST_PER_PAGE", 2)
    client = signed_in(tree, "admin")
    grade = {"grade": many[0].grade}
    assert Evaluation.objects.filter(grade=many[0].grade).count() == 12
    first = client.get("/forms/", grade).content.decode()
    assert "超过 8 份" in first and "共 12 份" not in first
    assert 'aria-label="第 4 页"' in first and 'aria-label="第 5 页"' not in first
    assert len(codes(first)) == 2 and 'rel="next"' in first
    assert len(every_page(client, grade)) == 12
    far = client.get("/forms/", {**grade, "page": 5}).content.decode()
    assert "共 12 份" in far and 'aria-label="第 6 页"' in far
    last = client.get("/forms/", {**grade, "page": 99}).content.decode()
    assert codes(last) == codes(client.get("/forms/", {**grade, "page": 6}).content.decode())


def test_a_page_seen_again_reads_the_place_role_and_trails_head_with_the_account(tree, many):
    """Seen again, a list costs the session, the account, and one query for the account's
    place, its 三员 role and the trail's head together — not one each."""
    client = signed_in(tree, "reviewer_a")
    first = codes(client.get("/forms/").content.decode())
    with CaptureQueriesContext(connection) as again:
        assert codes(client.get("/forms/").content.decode()) == first and first
    read = [q["sql"] for q in again.captured_queries]
    assert len(read) == 3, "\n".join(read)
    assert not any(sql.lstrip().startswith('SELECT "orgs_membership"') for sql in read)
    assert not any("evaluations_evaluation" in sql for sql in read)
    assert any("orgs_membership" in sql and "evaluations_event" in sql for sql in read)
