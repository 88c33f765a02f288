"""``jixiao import / score / samples`` on the old Shanghai layout."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from jixiao import samples
from jixiao.cli import app
from tests.conftest import seed_path

SAMPLE = next(p for p in samples.paths() if p.name == "shanghai-2019-tab.txt")
runner = CliRunner()


def test_samples_lists_the_shanghai_form():
    result = runner.invoke(app, ["samples"])
    assert result.exit_code == 0
    assert str(SAMPLE) in result.stdout.splitlines()


def test_import_json_carries_the_old_template_fields():
    result = runner.invoke(app, ["import", "--json", str(SAMPLE)])
    assert result.exit_code == 0
    (form,) = json.loads(result.stdout)
    assert form["evaluated_on"] == "2021-05-20"
    assert form["project"]["division"] == "信息科" and form["project"]["recurring"] is True
    assert form["funding"]["prior_year_budget"] == "350000.00"
    assert form["achievements"] and form["problems_found"] and form["improvements"]
    assert form["indicators"][1]["name"] == "预算执行率" and form["indicators"][1]["rule"]


def test_score_shows_group_sums_band_and_grade_for_the_sample():
    result = runner.invoke(app, ["score", "--json", str(SAMPLE)])
    assert result.exit_code == 0, result.stdout
    figures = {f["field"]: f for f in json.loads(result.stdout)[0]["figures"]}
    assert [figures[f"groups[{j}].points"]["computed"] for j in range(4)] == [
        "36",
        "34",
        "15",
        "15",
    ]
    assert [figures[f"groups[{j}].score"]["computed"] for j in range(4)] == ["36", "32", "15", "14"]
    assert figures["indicators[1].score"]["computed"] == "8.00"  # 92 % ≥ 90 %
    assert figures["total"]["status"] == "match" and figures["grade"]["computed"] == "优秀"


def test_score_flags_the_seed_forms_that_contradict_themselves():
    result = runner.invoke(app, ["score", "--json", str(seed_path("000"))])
    assert (
        result.exit_code == 1
    )  # form 1 prints a 0.00 rate, form 2 a score of 15 on an 8-point row
    forms = json.loads(result.stdout)
    status = [{f["field"]: f["status"] for f in form["figures"]} for form in forms]
    assert status[0]["total"] == "match" and status[0]["groups[1].points"] == "match"
    assert status[1]["funding.execution_rate"] == "differs"
    assert status[1]["indicators[3].score"] == "differs"
    assert status[2]["indicators[10].score"] == "differs"
    assert status[2]["total"] == "not_computable"
