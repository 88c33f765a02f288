"""Projects with stable codes, and forms imported from an uploaded file through the readers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao import samples
from jixiao.web.evaluations.models import Event, Project

pytestmark = pytest.mark.django_db


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


@pytest.fixture
def tab_sample() -> bytes:
    return next(p for p in samples.paths() if p.name == "national-2023-tab.txt").read_bytes()


@pytest.mark.parametrize(
    "user, status",
    [
        ("filler_a1", 200),
        ("admin", 200),
        ("filler_a2", 404),
        ("reviewer_a", 403),
        ("filler_b1", 404),
    ],
)
def test_who_creates_a_project_in_unit_a1(tree, client, user, status):
    client.force_login(tree.users[user])
    answer = client.post(
        "/api/projects",
        {"code": "P-1", "name": "新项目", "unit": tree.unit_a1.pk},
        content_type="application/json",
    )
    assert answer.status_code == status
    assert Project.objects.filter(code="P-1").exists() is (status == 200)


def test_project_codes_are_unique_and_lists_follow_the_tree(tree, project_a1, client):
    client.force_login(tree.users["admin"])
    again = client.post(
        "/api/projects",
        {"code": "A1-001", "name": "重名", "unit": tree.unit_a2.pk},
        content_type="application/json",
    )
    assert again.status_code == 409 and "已被使用" in again.json()["detail"]
    client.force_login(tree.users["filler_b1"])
    assert client.get("/api/projects").json() == []
    client.force_login(tree.users["reviewer_a"])
    assert [p["code"] for p in client.get("/api/projects").json()] == ["A1-001"]


def test_import_an_uploaded_file(tree, project_a1, client, tab_sample):
    client.force_login(tree.users["filler_a1"])
    answer = client.post(
        f"/api/projects/{project_a1.code}/evaluations",
        {"file": _upload("自评表.txt", tab_sample), "form_index": 1, "confirm": "true"},
    )  # another project's name in the file: imported once confirmed (#19)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["form"]["project"]["name"] == "示例区社区安全巡查服务"
    assert body["form"]["source"] == {"file": "自评表.txt", "form_index": 1}
    assert (body["state"], body["total"], body["year"]) == ("draft", "87.01", 2023)
    assert Event.objects.filter(evaluation__isnull=False).get().action == "create"


@pytest.mark.parametrize(
    "name, data, index, message",
    [
        ("空.txt", b"   ", 0, "空文件"),
        ("表.xlsx", b"PK\x03\x04 data", 0, "xlsx"),
        ("自评表.txt", None, 5, "只有 2 张"),
    ],
)
def test_unreadable_uploads_name_the_file(
    tree, project_a1, client, tab_sample, name, data, index, message
):
    client.force_login(tree.users["filler_a1"])
    answer = client.post(
        f"/api/projects/{project_a1.code}/evaluations",
        {"file": _upload(name, tab_sample if data is None else data), "form_index": index},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(name) and message in answer.json()["detail"]
    assert "/tmp" not in answer.json()["detail"]


def test_import_into_an_unseen_project_is_404(tree, project_a1, client, tab_sample):
    client.force_login(tree.users["filler_b1"])
    answer = client.post(
        f"/api/projects/{project_a1.code}/evaluations", {"file": _upload("a.txt", tab_sample)}
    )
    assert answer.status_code == 404
