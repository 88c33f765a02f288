"""The upload takes every kind of file the readers read, from their one list
(jixiao.readers.FORMATS), and refuses any other with that list; a
project-library workbook (.xls) uploaded becomes its one form."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from jixiao.readers import FORMATS, SUFFIXES, ReadError, formats_text
from jixiao.web.evaluations.actions.errors import ServiceError
from jixiao.web.evaluations.models import Evaluation
from jixiao.web.evaluations.uploads import UPLOAD_TYPES, read_upload
from tests.conftest import FIXTURES

LIBRARY_XLS = FIXTURES / "files" / "workbooks" / "project-library.xls"


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def test_the_upload_types_are_the_readers_list():
    assert UPLOAD_TYPES == SUFFIXES
    assert {suffix for kind in FORMATS for suffix in kind.suffixes} == set(UPLOAD_TYPES)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_suffix_the_readers_read_passes_the_upload_check(suffix):
    # content that is no form: the readers refuse it (ReadError), the type check does not
    upload = SimpleUploadedFile(f"form{suffix.upper()}", b"nothing here")
    with pytest.raises(ReadError):
        read_upload(upload, 0)


@pytest.mark.parametrize("name", ["form.ofd", "form.exe", "form.dps", "form"])
def test_another_suffix_is_refused_with_the_list(name):
    # the language named: a request of another test may leave the thread's language set
    with translation.override("zh-hans"), pytest.raises(ServiceError) as caught:
        read_upload(SimpleUploadedFile(name, b"%PDF-1.4"), 0)
    assert str(caught.value) == f"只能上传 {formats_text()} 文件"
    with translation.override("en"), pytest.raises(ServiceError) as caught:
        read_upload(SimpleUploadedFile(name, b"%PDF-1.4"), 0)
    assert ".xls, .docx" in str(caught.value) and "工作簿" not in str(caught.value)


@pytest.mark.django_db
def test_the_page_accepts_the_list_and_reads_an_xls_workbook(tree, project_a1):
    client = signed_in(tree, "filler_a1")
    page = client.get("/forms/new/").content.decode()
    accept = re.search(r'name="file" type="file" accept="([^"]*)"', page)
    assert accept is not None and accept.group(1).split(",") == list(SUFFIXES)
    assert "xls, docx" in page  # the label names the kinds
    response = client.post(
        "/forms/new/",
        {
            "project": "A1-001",
            "file": SimpleUploadedFile(LIBRARY_XLS.name, LIBRARY_XLS.read_bytes()),
            "form_index": "0",
            "confirm_project": "1",  # the workbook names another project (#19)
        },
    )
    ev = Evaluation.objects.get(project=project_a1)
    assert response.status_code == 302, response.content.decode()
    assert ev.data["total"] == "97.43" and ev.data["source"]["file"] == LIBRARY_XLS.name
    wrong = client.post(
        "/forms/new/", {"project": "A1-001", "file": SimpleUploadedFile("form.ofd", b"PK")}
    )
    assert wrong.status_code == 400 and "Excel 工作簿（.xlsx .xlsm .xls）" in wrong.content.decode()
