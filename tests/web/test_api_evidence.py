"""佐证材料 through the API: list, upload, download and remove per indicator,
with the pages' limits and permissions, each change an event on the trail."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event
from jixiao.web.orgs.models import ApiToken

from .evidence_samples import PDF

pytestmark = pytest.mark.django_db


def bearer(tree, name: str, **headers) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(tree.users[name])}", **headers}


def upload(client: Client, headers: dict, pk: int, indicator: str, name: str, content: bytes):
    return client.post(
        f"/api/evaluations/{pk}/evidence",
        {"indicator": indicator, "file": SimpleUploadedFile(name, content)},
        headers=headers,
    )


def test_upload_list_download_remove(tree, draft):
    client, filler = Client(), bearer(tree, "filler_a1")
    indicator = draft.data["indicators"][0]["name"]
    added = upload(client, filler, draft.pk, indicator, "验收报告.pdf", PDF)
    assert added.status_code == 200
    item = added.json()
    assert (
        item["indicator"],
        item["name"],
        item["size"],
        item["content_type"],
        item["uploaded_by"],
    ) == (indicator, "验收报告.pdf", len(PDF), "application/pdf", "filler_a1")
    listed = client.get(f"/api/evaluations/{draft.pk}/evidence", headers=bearer(tree, "reviewer_a"))
    assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [item["id"]]
    got = client.get(
        f"/api/evaluations/{draft.pk}/evidence/{item['id']}", headers=bearer(tree, "reviewer_a")
    )
    assert (
        got.status_code == 200 and got.content == PDF and got["Content-Type"] == "application/pdf"
    )
    assert "attachment" in got["Content-Disposition"] and got["X-Content-Type-Options"] == "nosniff"

    removed = client.delete(f"/api/evaluations/{draft.pk}/evidence/{item['id']}", headers=filler)
    assert removed.status_code == 204 and not draft.evidence.exists()
    events = list(Event.objects.filter(evaluation=draft).order_by("id"))
    assert [e.action for e in events] == ["create", "evidence_add", "evidence_remove"]
    assert events[1].diff[0]["new"] == {
        "indicator": indicator,
        "name": "验收报告.pdf",
        "size": len(PDF),
        "sha256": item["sha256"],
    }
    assert (actions.trail.check().form_events, actions.trail.verify()[1]) == (3, [])


def test_limits_and_permissions_as_on_the_pages(tree, draft):
    client, filler = Client(), bearer(tree, "filler_a1")
    indicator = draft.data["indicators"][0]["name"]
    exe = upload(client, filler, draft.pk, indicator, "a.exe", b"MZ")
    assert exe.status_code == 400 and "佐证材料只能是" in exe.json()["detail"]
    big = upload(client, filler, draft.pk, indicator, "big.pdf", b"0" * (10 * 1024 * 1024 + 1))
    assert big.status_code == 400 and "10 MB" in big.json()["detail"]
    nowhere = upload(client, filler, draft.pk, "没有这个指标", "a.pdf", PDF)
    assert nowhere.status_code == 400
    assert (
        upload(client, bearer(tree, "filler_b1"), draft.pk, indicator, "a.pdf", PDF).status_code
        == 404
    )
    assert (
        upload(client, bearer(tree, "reviewer_a"), draft.pk, indicator, "a.pdf", PDF).status_code
        == 403
    )
    item = upload(client, filler, draft.pk, indicator, "a.pdf", PDF).json()["id"]
    url = f"/api/evaluations/{draft.pk}/evidence/{item}"
    for other in ("filler_b1", "reviewer_b"):  # another unit's: as if it did not exist
        assert client.get(url, headers=bearer(tree, other)).status_code == 404
        assert client.delete(url, headers=bearer(tree, other)).status_code == 404
        assert (
            client.get(
                f"/api/evaluations/{draft.pk}/evidence", headers=bearer(tree, other)
            ).status_code
            == 404
        )
    assert (
        client.get(f"/api/evaluations/{draft.pk}/evidence/{item + 1}", headers=filler).status_code
        == 404
    )

    actions.workflow.step(user=tree.users["filler_a1"], pk=draft.pk, action=Action.SUBMIT)
    locked = client.delete(url, headers=bearer(tree, "filler_a1", **{"Accept-Language": "en"}))
    assert (
        locked.status_code == 409
        and "while the form is a draft or returned" in locked.json()["detail"]
    )
    assert Event.objects.filter(evaluation=draft, action="evidence_add").count() == 1


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/evaluations/{pk}/evidence"]) == {"get", "post"}
    assert set(paths["/api/evaluations/{pk}/evidence/{item}"]) == {"get", "delete"}
