"""A form with a character no font on the server has: the PDF download is refused
with a message naming the character and the font package, on the page (in the
page's language) and in the API; xlsx still downloads. Never a PDF of boxes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test import Client

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Project
from jixiao.web.orgs.models import ApiToken
from jixiao.writers import fonts

from .conftest import edited

pytestmark = pytest.mark.django_db

RARE = "\U00030000"  # CJK Extension G: in no Noto CJK font


@pytest.fixture
def rare_form(tree, forms):
    if fonts.system_has(RARE):
        pytest.skip(f"a font on this machine has U+{ord(RARE):04X}: nothing to refuse")
    form = forms[0]
    form = edited(form, project=replace(form.project, name="项目" + RARE))
    project = Project.objects.create(code="A1-009", name=form.project.name, unit=tree.unit_a1)
    return actions.forms.create(user=tree.users["filler_a1"], project=project, form=form)


def test_the_page_refuses_the_pdf_naming_the_character_and_package(tree, rare_form):
    client = Client()
    client.force_login(tree.users["filler_a1"])
    answer = client.get(f"/forms/{rare_form.pk}/download/pdf/")
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "U+30000" in page and "fonts-noto-cjk" in page and "空框" in page
    assert client.get(f"/forms/{rare_form.pk}/download/xlsx/").status_code == 200
    client.post("/i18n/setlang/", {"language": "en", "next": "/forms/"})
    page = client.get(f"/forms/{rare_form.pk}/download/pdf/").content.decode()
    assert "no font shipped with jixiao or installed on the server" in page
    assert "U+30000" in page


def test_the_api_refuses_the_pdf_with_the_same_reason(tree, rare_form):
    headers = {"Authorization": f"Bearer {ApiToken.issue(tree.users['filler_a1'])}"}
    answer = Client().get(
        f"/api/evaluations/{rare_form.pk}/export", {"format": "pdf"}, headers=headers
    )
    assert answer.status_code == 422
    assert "U+30000" in answer.json()["detail"] and "fonts-noto-cjk" in answer.json()["detail"]
