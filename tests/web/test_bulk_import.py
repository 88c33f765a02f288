"""批量导入 (#24): a zip of good and bad files uploaded through the page, read by a worker,
each form filed under its project by its own 项目名称 and 实施单位, the report on the
task's page; run again, nothing is filed twice; the limits; who may."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao.contract.json import evaluation_dict
from jixiao.domain.model import Project as Named
from jixiao.web.evaluations.actions import bulk_import
from jixiao.web.evaluations.actions.errors import ServiceError
from jixiao.web.evaluations.models import Evaluation, Event, Project
from jixiao.web.tasks.models import Task
from jixiao.web.tasks.worker import Worker
from tests.web.conftest import sample_forms

pytestmark = pytest.mark.django_db


def form_file(name: str, unit: str, year: int = 2023) -> bytes:
    """The first sample form as a JSON contract file of project ``name`` of ``unit``."""
    form = sample_forms()[0]
    form = replace(form, project=Named(name=name, unit=unit, department="甲局"), year=year)
    return json.dumps(evaluation_dict(form), ensure_ascii=False).encode()


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def projects(tree):
    return {
        "a1": Project.objects.create(code="A1-101", name="社区图书室设备更新", unit=tree.unit_a1),
        "b1": Project.objects.create(code="B1-101", name="乡村道路养护", unit=tree.unit_b1),
    }


def mixed_zip() -> bytes:
    return zipped(
        ("forms/图书室.json", form_file("社区图书室设备更新", "甲一中心")),
        ("forms/道路.json", form_file("乡村道路养护", "乙一站")),
        ("forms/道路-副本.json", form_file("乡村道路养护", "乙一站")),
        ("未知项目.json", form_file("没有这个项目", "甲一中心")),
        ("另一单位.json", form_file("社区图书室设备更新", "乙一站")),
        ("坏文件.pdf", b"%PDF-1.4 not really"),
    )


def run_worker() -> None:
    while Worker(name="test").run_once() is not None:
        pass


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def test_a_zip_of_good_and_bad_files_through_the_page(tree, projects):
    client = signed_in(tree, "admin")
    assert "批量导入" in client.get("/imports/").content.decode()
    response = client.post("/imports/", {"files": [SimpleUploadedFile("一批.zip", mixed_zip())]})
    assert response.status_code == 302
    pk = int(re.search(r"/tasks/(\d+)/", response["Location"]).group(1))
    queued = client.get(f"/tasks/{pk}/").content.decode()
    assert "排队中" in queued and 'hx-trigger="every 2s"' in queued  # polled while it runs
    run_worker()
    task = Task.objects.get(pk=pk)
    assert task.state == Task.State.DONE, task.error
    assert task.result["counts"] == {"filed": 2, "duplicate": 1, "unmatched": 2, "refused": 1}
    filed = {row["project"]: row for row in task.result["filed"]}
    assert set(filed) == {"A1-101", "B1-101"}
    for code, row in filed.items():
        made = Evaluation.objects.get(project__code=code)
        assert made.pk == row["evaluation"] and made.data["source"]["file"].endswith(".json")
        assert Event.objects.filter(evaluation=made, action="create").count() == 1
    reasons = {row["file"]: row["reason"] for row in task.result["unmatched"]}
    english = {row["file"]: row["reason_en"] for row in task.result["unmatched"]}
    assert "没有项目名称「没有这个项目」的项目" in reasons["未知项目.json"]
    assert "no project with the project name “没有这个项目”" in english["未知项目.json"]
    assert "与表上的实施单位「乙一站」不符" in reasons["另一单位.json"]
    assert task.result["duplicate"][0]["file"] == "道路-副本.json"
    assert task.result["refused"][0]["file"] == "坏文件.pdf"
    page = client.get(f"/tasks/{pk}/").content.decode()
    assert "已完成" in page and "every 2s" not in page
    assert page.count('data-group="filed"') == 2 and "已导入 2 张" in page
    assert f'href="/forms/{filed["A1-101"]["evaluation"]}/"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/imports/"})
    english_page = client.get(f"/tasks/{pk}/").content.decode()
    assert "belongs to 甲一中心, not to the implementing unit on the form, “乙一站”" in english_page


def test_each_filed_file_is_kept_with_its_form_on_the_trail(tree, projects):
    """As a single upload's: the file a form was filed from is kept with it (its bytes,
    sha256, a source_keep event); a duplicate, an unmatched or a refused file keeps
    nothing, and neither does a form made afterwards without a file."""
    import hashlib

    from jixiao.web.evaluations import actions
    from jixiao.web.sources.models import SourceFile

    members = {  # a zip member kept by its own name, as the report names it
        "图书室.json": form_file("社区图书室设备更新", "甲一中心"),
        "道路.json": form_file("乡村道路养护", "乙一站"),
    }
    task = bulk_import.start(user=tree.users["admin"], files=[("一批.zip", mixed_zip())])
    run_worker()
    task.refresh_from_db()
    assert task.result["counts"]["filed"] == 2
    kept = {k.name: k for k in SourceFile.objects.select_related("evaluation")}
    assert set(kept) == set(members)
    for name, item in kept.items():
        assert bytes(item.content) == members[name] and item.size == len(members[name])
        assert item.sha256 == hashlib.sha256(members[name]).hexdigest()
        assert item.evaluation.data["source"]["file"] == name
        [event] = Event.objects.filter(action="source_keep", subject=f"sourcefile#{item.pk}")
        assert event.diff[0]["new"]["sha256"] == item.sha256
    other = actions.forms.create(
        user=tree.users["admin"],
        project=projects["a1"],
        form=replace(sample_forms()[0], year=2030),
    )
    assert not SourceFile.objects.filter(evaluation=other).exists()
    assert SourceFile.objects.count() == 2


def test_run_again_nothing_is_filed_twice(tree, projects):
    admin = tree.users["admin"]
    bulk_import.start(user=admin, files=[("一批.zip", mixed_zip())])
    run_worker()
    again = bulk_import.start(user=admin, files=[("一批.zip", mixed_zip())])
    run_worker()
    again.refresh_from_db()
    assert again.result["counts"]["filed"] == 0
    assert {row["reason"] for row in again.result["duplicate"] if "project" in row} == {
        "已导入（内容相同）"
    }
    assert Evaluation.objects.count() == 2


def test_a_unit_files_only_its_own_projects(tree, projects):
    made = bulk_import.start(
        user=tree.users["filler_a1"],
        files=[
            ("图书室.json", form_file("社区图书室设备更新", "甲一中心")),
            ("道路.json", form_file("乡村道路养护", "乙一站")),
        ],
    )
    run_worker()
    made.refresh_from_db()
    assert [row["project"] for row in made.result["filed"]] == ["A1-101"]
    assert "或无权导入" in made.result["unmatched"][0]["reason"]


def test_a_reviewer_may_not_start_one(tree, projects):
    client = signed_in(tree, "reviewer_a")
    response = client.post("/imports/", {"files": [SimpleUploadedFile("a.json", b"{}")]})
    assert response.status_code == 403
    assert not Task.objects.exists()


def test_only_who_started_a_task_sees_it(tree, projects):
    made = bulk_import.start(user=tree.users["admin"], files=[("a.json", b"{}")])
    assert signed_in(tree, "admin").get(f"/tasks/{made.pk}/").status_code == 200
    for other in ("filler_a1", "reviewer_a", "reviewer_bureau"):
        client = signed_in(tree, other)
        assert client.get(f"/tasks/{made.pk}/").status_code == 404
        assert client.post(f"/tasks/{made.pk}/cancel/").status_code == 404
    assert Task.objects.get(pk=made.pk).state == Task.State.QUEUED


def test_cancel_before_it_runs(tree, projects):
    client = signed_in(tree, "admin")
    made = bulk_import.start(user=tree.users["admin"], files=[("a.json", b"{}")])
    assert client.post(f"/tasks/{made.pk}/cancel/").status_code == 302
    run_worker()
    made.refresh_from_db()
    assert made.state == Task.State.CANCELLED and not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ([("a.exe", b"MZ")], "a.exe：不是可读取的文件类型"),
        ([("套娃.zip", zipped(("里面.zip", zipped(("a.json", b"{}")))))], "里又有 zip 文件"),
        ([("坏.zip", b"PK\x03\x04 broken")], "不是有效的 zip 文件"),
        ([], "没有可导入的文件"),
    ],
)
def test_files_refused_before_anything_is_kept(tree, files, words):
    with pytest.raises(ServiceError, match=words):
        bulk_import.start(user=tree.users["admin"], files=files)
    assert not Task.objects.exists()


def test_the_limits(tree, settings):
    settings.JIXIAO_BULK_FILES = 2
    three = [(f"{n}.json", b"{}") for n in range(3)]
    with pytest.raises(ServiceError, match="一次最多导入 2 个文件"):
        bulk_import.start(user=tree.users["admin"], files=three)
    settings.JIXIAO_BULK_FILES = 2000
    settings.JIXIAO_BULK_BYTES = 1000
    bomb = zipped(("炸弹.json", b"0" * 100_000))  # 100 kB of zeros deflate to about 100 bytes
    assert len(bomb) < 1000
    with pytest.raises(ServiceError, match="解压后有"):
        bulk_import.start(user=tree.users["admin"], files=[("炸弹.zip", bomb)])
    assert not Task.objects.exists()


ACCOUNTS = [
    "filler_a1",
    "filler_a2",
    "filler_b1",
    "filler_dept_a",
    "reviewer_a",
    "reviewer_b",
    "reviewer_bureau",
    "admin",
]


@pytest.mark.parametrize("name", ACCOUNTS)
def test_the_api_matrix(tree, projects, name):
    """POST /api/imports: who may create forms (fillers, the bureau's admin), else 403;
    a task, its state and its cancel: only who started it, 404 to everyone else."""
    started = bulk_import.start(user=tree.users["admin"], files=[("a.json", b"{}")])
    client = signed_in(tree, name)
    upload = SimpleUploadedFile("图书室.json", form_file("社区图书室设备更新", "甲一中心"))
    response = client.post("/api/imports", {"files": [upload]})
    assert response.status_code == (403 if name.startswith("reviewer") else 202)
    if response.status_code == 202:
        mine = response.json()
        assert mine["state"] == "queued" and mine["name"] == bulk_import.TASK
        assert client.get(f"/api/tasks/{mine['id']}").json()["id"] == mine["id"]
    sees = 200 if name == "admin" else 404
    assert client.get(f"/api/tasks/{started.pk}").status_code == sees
    assert client.post(f"/api/tasks/{started.pk}/cancel").status_code == sees
    started.refresh_from_db()
    assert started.state == (Task.State.CANCELLED if name == "admin" else Task.State.QUEUED)


def test_the_api_reports_the_import_when_done(tree, projects):
    client = signed_in(tree, "admin")
    response = client.post("/api/imports", {"files": [SimpleUploadedFile("一批.zip", mixed_zip())]})
    assert response.status_code == 202
    run_worker()
    done = client.get(f"/api/tasks/{response.json()['id']}").json()
    assert done["state"] == "done" and done["result"]["counts"]["filed"] == 2
    assert done["done"] == done["total"] == 6
