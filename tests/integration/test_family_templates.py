"""The templates of the national family beyond the seeds (issue #16): a form of our
own making in each layout (tests/family_forms.py, committed as JSON contract
files under tests/fixtures/family/) scores with every figure explained, raises no
finding about a part its template does not print, and exports to xlsx, PDF and
docx in its own layout."""

from __future__ import annotations

import json

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from jixiao import templates
from jixiao.cli import app
from jixiao.contract.json import dumps, evaluation_dict
from tests import family_forms

from .exported import drawn_glyphs, pdf_text

runner = CliRunner()
IDS = sorted(family_forms.FORMS)


def _path(template_id: str):
    return family_forms.FOLDER / f"{template_id}.json"


def _json(*args: str):
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("template_id", IDS)
def test_the_committed_form_is_the_one_the_generator_makes(template_id):
    made = dumps(evaluation_dict(family_forms.FORMS[template_id]())) + "\n"
    assert _path(template_id).read_text("utf-8") == made, "run python -m tests.family_forms"


@pytest.mark.parametrize("template_id", IDS)
def test_every_figure_is_computed_and_explained(template_id):
    (form,) = _json("score", str(_path(template_id)))
    assert form["template"] == template_id
    figures = form["figures"]
    assert len(figures) >= 6
    assert all(f["explanation"] for f in figures)
    assert [f["field"] for f in figures if f["status"] == "differs"] == []
    assert "total" in {f["field"] for f in figures}


@pytest.mark.parametrize("template_id", IDS)
def test_no_finding_about_a_part_the_template_does_not_print(template_id):
    (form,) = _json("check", str(_path(template_id)))
    template = templates.load(template_id)
    assert [f for f in form["findings"] if f["severity"] == "error"] == []
    missing = [f["field"] for f in form["findings"] if f["code"] == "cell-missing"]
    assert missing == []
    if "grade" not in template.columns:
        assert not any(f["field"] == "grade" for f in form["findings"])


@pytest.mark.parametrize("template_id", IDS)
def test_exports_in_its_own_layout(tmp_path, template_id):
    template = templates.load(template_id)
    for fmt in ("xlsx", "pdf", "docx"):
        result = runner.invoke(
            app, ["export", str(_path(template_id)), "--to", fmt, "-o", str(tmp_path)]
        )
        assert result.exit_code == 0, result.output
    (xlsx,) = tmp_path.glob("*.xlsx")
    cells = {str(c.value) for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value}
    labels = [s.get("label") for s in template.layout["columns"] if s.get("label")]
    assert template.title in cells and set(labels) <= cells
    (docx,) = tmp_path.glob("*.docx")
    text = "\n".join(c.text for t in Document(str(docx)).tables for r in t.rows for c in r.cells)
    assert all(label in text for label in labels)
    (pdf,) = tmp_path.glob("*.pdf")
    printed = pdf_text(pdf)
    assert template.title in printed.replace(" ", "")
    drawn = drawn_glyphs(pdf)
    assert all(drawn[c] for c in template.title)


def test_detection_prefers_the_template_with_the_most_markers():
    text = "部门整体支出绩效自评表 年初预算数 全年执行数 基本支出 项目支出 年度指标值"
    assert templates.detect(text) == "national-department"
    assert templates.detect("年初预算数 全年执行数 年度指标值") == "national-2020"
    assert templates.detect("全年预算数(A) 全年执行数(B) 全年实际值") == "national-transfer"


def test_a_low_rate_without_its_reason_and_an_overlong_narrative_are_found():
    from dataclasses import replace

    from jixiao.domain.audit import audit

    form = family_forms.sichuan()
    template = templates.load("sichuan-2023")
    assert not {f.code for f in audit(form, template)} & {
        "execution-reason-missing",
        "narrative-too-long",
    }
    slipped = replace(
        form,
        funding=replace(form.funding, total=replace(form.funding.total, reason=None)),
        conclusion="项目按计划实施。" * 30,  # 240 characters, the limit is 200
    )
    found = {f.code: f for f in audit(slipped, template)}
    assert found["execution-reason-missing"].field == "funding.reason"
    assert "84.20" in found["execution-reason-missing"].message
    assert found["narrative-too-long"].field == "conclusion"
    assert (
        "240" in found["narrative-too-long"].message
        and "200" in found["narrative-too-long"].message
    )
    # the project form asks for neither
    national = replace(slipped, template="national-2020")
    codes = {f.code for f in audit(national, templates.load("national-2020"))}
    assert "execution-reason-missing" not in codes and "narrative-too-long" not in codes
