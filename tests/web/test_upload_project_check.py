"""An upload is checked against its project: a file whose 项目名称, 实施单位 or 年度 differ
from the project's is refused with both values shown, or imported only after an explicit
confirmation (kept on the trail). One function decides (``actions.forms.check_project``,
the pure part ``domain.project_match``); the page and the API use it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao import samples
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.model import Project as Subject
from jixiao.domain.project_match import mismatches
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project

pytestmark = pytest.mark.django_db

TAB = next(p for p in samples.paths() if p.name == "national-2023-tab.txt")  # 政务数据共享平台运维


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_pure_rule_compares_names_folded_and_the_year_asked():
    form = Form(
        template="national-2020",
        year=2023,
        project=Subject(name="一网通办 平台", unit="甲单位（本级）"),
    )
    assert mismatches(form, name="一网通办平台", unit="甲单位(本级)", year=2023) == []
    assert mismatches(form, name="一网通办平台", unit="甲单位(本级)") == []  # no year asked
    found = mismatches(form, name="示例区公共文化场馆设备更新", unit="示例区文化馆", year=2024)
    assert [(m.field, m.in_file, m.expected) for m in found] == [
        ("project.name", "一网通办 平台", "示例区公共文化场馆设备更新"),
        ("project.unit", "甲单位（本级）", "示例区文化馆"),
        ("year", "2023", "2024"),
    ]
    unprinted = replace(form, project=Subject())  # nothing printed: nothing to compare
    assert mismatches(unprinted, name="x", unit="y") == []


def test_the_page_refuses_with_both_values_then_imports_once_confirmed(tree, project_a1):
    client = _client(tree.users["filler_a1"])
    posted = {"project": "A1-001", "upload_year": "2024"}
    refused = client.post(
        "/forms/new/", {**posted, "file": SimpleUploadedFile(TAB.name, TAB.read_bytes())}
    )
    assert refused.status_code == 409
    page = refused.content.decode()
    assert 'id="mismatch"' in page and 'name="confirm_project"' in page
    for value in ("示例区政务数据共享平台运维（2023）", "示例项目", "甲一中心", "2023", "2024"):
        assert value in page
    assert not Evaluation.objects.exists()
    done = client.post(
        "/forms/new/",
        {**posted, "confirm_project": "1", "file": SimpleUploadedFile(TAB.name, TAB.read_bytes())},
    )
    assert done.status_code == 302
    ev = Evaluation.objects.get(project=project_a1)
    assert (
        ev.origin == "imported"
        and ev.data["project"]["name"] == "示例区政务数据共享平台运维（2023）"
    )
    create = Event.objects.get(evaluation=ev, action="create")
    assert "确认导入与项目不符的文件" in create.comment and "示例项目" in create.comment


def test_a_file_of_the_project_goes_in_without_a_word(tree, forms):
    form = forms[2]
    project = Project.objects.create(code="A1-009", name=form.project.name, unit=tree.unit_a1)
    unit_named = replace(form, project=replace(form.project, unit="甲一中心"))
    assert (
        actions.forms.check_project(
            user=tree.users["filler_a1"], project=project, form=unit_named, year=form.year
        )
        == ""
    )


def test_the_api_answers_409_with_the_mismatches_then_imports_when_confirmed(tree, project_a1):
    client = _client(tree.users["filler_a1"])
    url = f"/api/projects/{project_a1.code}/evaluations"
    refused = client.post(url, {"file": SimpleUploadedFile(TAB.name, TAB.read_bytes())})
    assert refused.status_code == 409
    body = refused.json()
    assert {m["field"] for m in body["mismatches"]} == {"project.name", "project.unit"}
    assert (
        "文件中为「示例区政务数据共享平台运维（2023）」，所选项目为「示例项目」" in body["detail"]
    )
    year = client.post(
        url,
        {"file": SimpleUploadedFile(TAB.name, TAB.read_bytes()), "year": 2022, "confirm": "false"},
    )
    assert "year" in {m["field"] for m in year.json()["mismatches"]}
    done = client.post(
        url, {"file": SimpleUploadedFile(TAB.name, TAB.read_bytes()), "confirm": "true"}
    )
    assert done.status_code == 200 and done.json()["origin"] == "imported"
    # who may not import here hears that first, not the mismatch
    reviewer = _client(tree.users["reviewer_a"])
    assert (
        reviewer.post(url, {"file": SimpleUploadedFile(TAB.name, TAB.read_bytes())}).status_code
        == 403
    )
