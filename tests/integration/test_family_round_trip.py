"""The templates of the national family read back from their own exports: each
form of tests/fixtures/family written as xlsx, docx and PDF in its template's
layout — and as the web page the PDF is drawn from, as a browser saves it — then
read by the reader of real files, gives every printed field back."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao import templates
from jixiao.contract.json import evaluation_dict
from jixiao.readers import read_path
from jixiao.writers import Format, write_form
from jixiao.writers.layout import layout
from jixiao.writers.pdf import form_html

FAMILY = Path(__file__).resolve().parents[1] / "fixtures" / "family"
FORMS = sorted(p.stem for p in FAMILY.glob("*.json"))


def _printed(data: dict, template) -> dict:
    """The fields a layout prints: an empty text is no text (and an unset field no
    key); a table without a 分值 column prints no 总分 分值."""
    data = _blank_is_none(
        {k: v for k, v in data.items() if k not in ("source", "problems", "sources")}
    )
    if not any(c.get("field") == "points" for c in template.layout.get("columns", ())):
        data.pop("total_points", None)
    return data


def _blank_is_none(value):
    if isinstance(value, dict):
        return {k: _blank_is_none(v) for k, v in value.items() if v not in ("", None)}
    if isinstance(value, list):
        return [_blank_is_none(v) for v in value]
    return None if value == "" else value


@pytest.mark.parametrize("fmt", [Format.XLSX, Format.DOCX, Format.PDF], ids=lambda f: f.value)
@pytest.mark.parametrize("name", FORMS)
def test_a_family_form_reads_back_from_its_export(tmp_path, name, fmt):
    (form,) = read_path(FAMILY / f"{name}.json")
    template = templates.load(form.template)
    out = tmp_path / f"{name}.{fmt.value}"
    write_form(form, template, fmt, out)
    (back,) = read_path(out)
    assert back.template == form.template
    assert _printed(evaluation_dict(back), template) == _printed(evaluation_dict(form), template)
    assert not [p for p in back.problems if p.field != "total"], back.problems


@pytest.mark.parametrize("name", [*FORMS, "../files/sample-national", "../files/sample-shanghai"])
def test_a_form_reads_back_from_its_web_page(tmp_path, name):
    for n, form in enumerate(read_path(FAMILY / f"{name}.json")):
        template = templates.load(form.template)
        page = tmp_path / f"form-{n}.html"
        page.write_text(form_html(layout(form, template)), encoding="utf-8")
        (back,) = read_path(page)
        assert back.template == form.template
        assert _printed(evaluation_dict(back), template) == _printed(
            evaluation_dict(form), template
        )


@pytest.mark.parametrize("name", FORMS)
def test_a_form_reads_back_from_a_web_page_that_lays_it_out_in_a_table(tmp_path, name):
    """Government sites put their content in layout tables: the form is the table inside."""
    (form,) = read_path(FAMILY / f"{name}.json")
    template = templates.load(form.template)
    html = form_html(layout(form, template))
    assert "<body" in html and "</body>" in html
    start = html.index(">", html.index("<body")) + 1
    wrapped = (
        html[:start]
        + "<table><tr><td>某县财政局 政府信息公开</td></tr><tr><td>"
        + html[start : html.index("</body>")]
        + "</td></tr><tr><td>附件下载 打印本页</td></tr></table>"
        + html[html.index("</body>") :]
    )
    page = tmp_path / "site.html"
    page.write_text(wrapped, encoding="utf-8")
    (back,) = read_path(page)
    assert _printed(evaluation_dict(back), template) == _printed(evaluation_dict(form), template)
