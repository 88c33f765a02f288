"""批量导出 (#24): a year's forms written by a worker into one zip, downloaded by who asked
while they may still see every form in it, until it expires; the page and the API."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.actions import bulk_export
from jixiao.web.evaluations.actions.errors import Invalid
from jixiao.web.evaluations.models import Project
from jixiao.web.orgs.models import Membership
from jixiao.web.tasks.models import Output, Task
from tests.web.test_bulk_import import ACCOUNTS, run_worker, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_forms(tree, forms):
    """Two drafts of 2023: one of 甲一中心 (甲局), one of 乙一站 (乙局)."""
    a1 = Project.objects.create(code="A1-201", name="图书室设备更新", unit=tree.unit_a1)
    b1 = Project.objects.create(code="B1-201", name="道路养护", unit=tree.unit_b1)
    made = [
        actions.forms.create(user=tree.users["filler_a1"], project=a1, form=forms[0]),
        actions.forms.create(user=tree.users["filler_b1"], project=b1, form=forms[0]),
    ]
    assert {ev.year for ev in made} == {2023}
    return made


def members(content: bytes) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(content)).namelist())


def test_a_years_forms_exported_through_the_page(tree, two_forms):
    client = signed_in(tree, "admin")
    page = client.get("/exports/").content.decode()
    assert "批量导出" in page and '<option value="2023">' in page
    response = client.post("/exports/", {"year": "2023", "format": "xlsx", "department": ""})
    assert response.status_code == 302
    pk = int(re.search(r"/tasks/(\d+)/", response["Location"]).group(1))
    run_worker()
    task = Task.objects.get(pk=pk)
    assert task.state == Task.State.DONE and task.result["forms"] == 2, task.error
    body = client.get(f"/tasks/{pk}/").content.decode()
    assert f'href="/tasks/{pk}/download/"' in body and "保留至" in body
    download = client.get(f"/tasks/{pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    content = b"".join(download.streaming_content) if download.streaming else download.content
    names = members(content)
    assert len(names) == 2 and all(n.endswith(".xlsx") for n in names)
    book = load_workbook(io.BytesIO(zipfile.ZipFile(io.BytesIO(content)).read(names[0])))
    assert book.active.max_row > 10  # the official layout, not an empty sheet


def test_a_department_reviewer_exports_its_department_only(tree, two_forms):
    made = bulk_export.start(user=tree.users["reviewer_a"], year=2023, fmt="xlsx")
    assert made.args["ids"] == [two_forms[0].pk]
    with pytest.raises(Invalid, match="2021 年度没有可导出的自评表"):
        bulk_export.start(user=tree.users["reviewer_a"], year=2021, fmt="xlsx")
    with pytest.raises(Invalid, match="导出格式只能是"):
        bulk_export.start(user=tree.users["reviewer_a"], year=2023, fmt="exe")


def test_only_who_asked_and_still_sees_every_form_downloads(tree, two_forms):
    made = bulk_export.start(user=tree.users["reviewer_bureau"], year=2023, fmt="xlsx")
    run_worker()
    url = f"/tasks/{made.pk}/download/"
    assert signed_in(tree, "reviewer_bureau").get(url).status_code == 200
    for other in ("admin", "reviewer_a", "filler_a1"):
        assert signed_in(tree, other).get(url).status_code == 404
    # the asker moved to 甲局: 乙一站's form is no longer theirs to see
    Membership.objects.filter(user=tree.users["reviewer_bureau"]).update(organisation=tree.dept_a)
    assert signed_in(tree, "reviewer_bureau").get(url).status_code == 403


def test_an_expired_file_is_gone_and_swept(tree, two_forms):
    made = bulk_export.start(user=tree.users["admin"], year=2023, fmt="xlsx")
    run_worker()
    Output.objects.filter(task=made).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert signed_in(tree, "admin").get(f"/tasks/{made.pk}/download/").status_code == 409
    from jixiao.web.tasks import queue

    sweep = queue.enqueue("tasks.sweep")
    run_worker()
    sweep.refresh_from_db()
    assert sweep.result["outputs"] == 1 and not Output.objects.exists()


SEES = {  # forms of 2023 each account may see: 甲一中心's (A1) and 乙一站's (B1)
    "filler_a1": 1,
    "filler_a2": 0,
    "filler_b1": 1,
    "filler_dept_a": 1,
    "reviewer_a": 1,
    "reviewer_b": 1,
    "reviewer_bureau": 2,
    "admin": 2,
}


@pytest.mark.parametrize("name", ACCOUNTS)
def test_the_api_matrix(tree, two_forms, name):
    """POST /api/exports: anyone, over the forms they see (422 when none); a task's file:
    only who asked (404 to everyone else)."""
    started = bulk_export.start(user=tree.users["admin"], year=2023, fmt="xlsx")
    run_worker()
    client = signed_in(tree, name)
    response = client.post("/api/exports", {"year": 2023}, content_type="application/json")
    assert response.status_code == (202 if SEES[name] else 422)
    if SEES[name]:
        assert len(Task.objects.get(pk=response.json()["id"]).args["ids"]) == SEES[name]
    got = client.get(f"/api/tasks/{started.pk}/download")
    assert got.status_code == (200 if name == "admin" else 404)
    if name == "admin":
        assert len(members(got.content)) == 2


def test_the_check_report_of_a_year(tree, two_forms):
    """审核报告 as a task: one workbook of every form's findings, as the page lists them."""
    client = signed_in(tree, "admin")
    page = client.get("/exports/").content.decode()
    assert '<option value="report">审核报告 xlsx</option>' in page
    response = client.post("/exports/", {"year": "2023", "format": "report", "department": ""})
    pk = int(re.search(r"/tasks/(\d+)/", response["Location"]).group(1))
    run_worker()
    task = Task.objects.get(pk=pk)
    assert task.state == Task.State.DONE and task.result["forms"] == 2, task.error
    stored = sum(len(ev.findings) for ev in two_forms)
    assert task.result["findings"] >= stored > 0
    download = client.get(f"/tasks/{pk}/download/")
    assert download.status_code == 200 and download["Content-Type"].endswith(".sheet")
    assert "%E5%AE%A1%E6%A0%B8%E6%8A%A5%E5%91%8A-2023.xlsx" in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(download.content))
    rows = [[c for c in row] for ws in book.worksheets for row in ws.iter_rows(values_only=True)]
    codes = {f["code"] for ev in two_forms for f in ev.findings}
    assert codes and all(any(code in row for row in rows) for code in codes)


def test_a_years_forms_as_one_pdf_to_print(tree, two_forms):
    """合并 PDF: the forms in their order, each numbering its own pages, in one file."""
    import pypdfium2 as pdfium

    client = signed_in(tree, "admin")
    response = client.post("/exports/", {"year": "2023", "format": "merged", "department": ""})
    pk = int(re.search(r"/tasks/(\d+)/", response["Location"]).group(1))
    run_worker()
    task = Task.objects.get(pk=pk)
    assert task.state == Task.State.DONE and task.result["forms"] == 2, task.error
    download = client.get(f"/tasks/{pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(download.content)
    try:
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    assert len(texts) == task.result["pages"] >= 2
    name = two_forms[0].data["project"]["name"]
    assert all(name in text for text in texts[:: len(texts) // 2])  # each form begins anew
    assert sum(text.count("第 1 页") for text in texts) == 2  # each numbers its own pages


def test_the_rollup_workbook_of_a_year(tree, two_forms):
    """汇总表 as a task: the page's workbook of the forms one sees, 小计 and 合计 included."""
    client = signed_in(tree, "reviewer_a")  # 甲局's reviewer: 甲局's form only
    response = client.post("/exports/", {"year": "2023", "format": "rollup", "department": ""})
    pk = int(re.search(r"/tasks/(\d+)/", response["Location"]).group(1))
    run_worker()
    task = Task.objects.get(pk=pk)
    assert task.state == Task.State.DONE and task.result["forms"] == 1, task.error
    download = client.get(f"/tasks/{pk}/download/")
    assert download.status_code == 200 and download["Content-Type"].endswith(".sheet")
    rows = list(load_workbook(io.BytesIO(download.content)).active.values)
    assert rows[0][0] == "2023 年度自评汇总表" and rows[1][:4] == (
        "主管部门",
        "实施单位",
        "项目名称",
        "项目编码",
    )
    codes = [row[3] for row in rows[2:]]
    assert "A1-201" in codes and "B1-201" not in codes  # only what the reviewer sees
    assert rows[-1][0] == "合计" and rows[-1][2] == "1 份"
