"""The model, the contract and the rules hold the parts other layouts of the
national family print (issue #16): template kinds, indicator columns beyond the
seed layouts (指标性质, 度量单位, 权重占比, 折算得分, 得分计算方法, 是否核心指标, 复核分),
其中… detail rows, and totals of weighted scores."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from typer.testing import CliRunner

from jixiao import templates
from jixiao.cli import app
from jixiao.contract.json import evaluation_dict, evaluation_from_dict
from jixiao.domain import scoring
from jixiao.domain.audit import audit
from jixiao.domain.model import Evaluation, Indicator
from jixiao.domain.recompute import Status, recompute
from jixiao.domain.targets import parse_target
from jixiao.domain.template import FormKind

D = Decimal


def _indicator(**values) -> Indicator:
    ind = Indicator(**values)
    return replace(
        ind, target_parsed=parse_target(ind.target), actual_parsed=parse_target(ind.actual)
    )


def test_every_template_has_a_kind_and_templates_lists_it():
    listed = CliRunner().invoke(app, ["templates"]).stdout.splitlines()
    assert len(listed) == len(templates.ids())
    for line, template_id in zip(listed, templates.ids()):
        kind = templates.load(template_id).kind
        assert isinstance(kind, FormKind)
        assert line.startswith(template_id) and f"（{kind.value}）" in line


def test_indicator_columns_of_other_layouts_go_through_the_json_and_back():
    ind = _indicator(
        name="农户增收",
        target="≥5",
        actual="6",
        points=D("25"),
        score=D("25"),
        nature="≥",
        measure_unit="%",
        weight_share=D("25"),
        weighted_score=D("6.25"),
        method="完成得满分",
        core=True,
        review_score=D("24.00"),
        child=False,
    )
    data = evaluation_dict(Evaluation(template="national-2020", indicators=(ind,)))
    row = data["indicators"][0]
    assert row["weight_share"] == "25" and row["weighted_score"] == "6.25" and row["core"] is True
    assert row["nature"] == "≥" and row["measure_unit"] == "%" and row["review_score"] == "24.00"
    back = evaluation_from_dict(data)
    assert back.indicators[0] == ind
    assert evaluation_dict(back) == data


def test_a_seed_layout_row_carries_none_of_the_new_keys():
    data = evaluation_dict(Evaluation(template="national-2020", indicators=(_indicator(),)))
    assert "weight_share" not in data["indicators"][0] and "child" not in data["indicators"][0]


def test_weighted_score_is_score_times_share_cut_by_the_template():
    template = templates.load("national-2020")
    figure = scoring.weighted_score(_indicator(score=D("25"), weight_share=D("25")), template)
    assert figure.value == D("6.25") and "25 × 25%" in figure.explanation
    cut = scoring.weighted_score(_indicator(score=D("9.99"), weight_share=D("33.33")), template)
    assert cut.value == D("3.32")  # 3.329667 cut down, as the template rounds
    assert scoring.weighted_score(_indicator(score=D("5")), template).value is None


def test_a_printed_weighted_score_is_checked_and_a_weighted_total_adds_them():
    template = replace(templates.load("national-2020"), weighted_total=True, execution_points=None)
    rows = (
        _indicator(
            target="≥5",
            actual="6",
            points=D("25"),
            score=D("25"),
            weight_share=D("40"),
            weighted_score=D("10.00"),
        ),
        _indicator(
            target="≥5",
            actual="6",
            points=D("25"),
            score=D("25"),
            weight_share=D("60"),
            weighted_score=D("16.00"),
        ),  # a slip: 25 × 60% is 15.00
    )
    ev = Evaluation(template="national-2020", indicators=rows, total=D("26.00"))
    checks = {c.field: c for c in recompute(ev, template)}
    assert checks["indicators[0].weighted_score"].status is Status.MATCH
    assert checks["indicators[1].weighted_score"].status is Status.DIFFERS
    assert checks["indicators[1].weighted_score"].figure.value == D("15.00")
    assert checks["total"].figure.value == D("26.00")  # adds the printed 折算得分


def test_detail_rows_carry_no_points_and_are_left_out_of_scores_and_sums():
    template = templates.load("national-2020")
    rows = (
        _indicator(
            level1="产出指标",
            level2="数量指标",
            name="帮扶户数",
            target="≥100",
            actual="120",
            points=D("90"),
            score=D("90"),
        ),
        _indicator(
            level1="产出指标",
            level2="数量指标",
            name="其中：脱贫户",
            target="≥50",
            actual="60",
            child=True,
        ),
    )
    ev = Evaluation(template="national-2020", indicators=rows, total=D("90"))
    fields = {c.field for c in recompute(ev, template)}
    assert "indicators[0].score" in fields and "indicators[1].score" not in fields
    about_the_child = [f for f in audit(ev, template) if f.field.startswith("indicators[1]")]
    assert [f.code for f in about_the_child if f.field.endswith(("points", "score"))] == []


def _line(budget: str, spent: str, rate: str | None = None):
    from jixiao.domain.model import FundingLine

    return FundingLine(annual_budget=D(budget), executed=D(spent), execution_rate=rate and D(rate))


def test_funding_lines_of_other_layouts_go_through_the_json_and_back():
    from jixiao.contract import paths
    from jixiao.domain.model import Funding

    funding = Funding(
        total=_line("100", "90", "90.00"),
        other_funds=_line("10", "10", "100.00"),
        extra=(("fiscal_funds", _line("60", "50")), ("unit_funds", _line("30", "30"))),
    )
    ev = Evaluation(template="national-2020", funding=funding)
    data = evaluation_dict(ev)
    breakdown = data["funding"]["breakdown"]
    assert list(breakdown) == [
        "current_year_appropriation",
        "prior_year_carryover",
        "other_funds",
        "fiscal_funds",
        "unit_funds",
    ]
    assert breakdown["unit_funds"]["executed"] == "30"
    back = evaluation_from_dict(data)
    assert back.funding == funding and evaluation_dict(back) == data
    assert paths.model_get(back, "funding.breakdown.fiscal_funds.executed") == D("50")
    assert paths.model_get(back, "funding.breakdown.other_funds.annual_budget") == D("10")
    assert paths.model_get(back, "funding.breakdown.nowhere.executed") is None
    checks = {c.field for c in recompute(back, templates.load("national-2020"))}
    assert "funding.breakdown.unit_funds.execution_rate" in checks


def test_a_funding_key_outside_the_path_grammar_is_refused():
    import pytest

    from jixiao.readers.base import ReadError

    data = evaluation_dict(Evaluation(template="national-2020"))
    data["funding"]["breakdown"]["单位资金"] = {"executed": "1"}
    with pytest.raises(ReadError, match=r"funding\.breakdown"):
        evaluation_from_dict(data)


def test_each_partition_of_the_funding_adds_up_on_its_own():
    from jixiao.domain.model import Funding

    template = replace(
        templates.load("national-2020"),
        funding_partitions=(
            ("current_year_appropriation", "other_funds"),
            ("basic_expenditure", "project_expenditure"),
        ),
    )
    funding = Funding(
        total=_line("100", "90"),
        current_year_appropriation=_line("80", "70"),
        other_funds=_line("20", "20"),
        extra=(
            ("basic_expenditure", _line("40", "40")),
            ("project_expenditure", _line("60", "55")),  # 40 + 55 ≠ 90 spent
        ),
    )
    ev = Evaluation(template="national-2020", funding=funding)
    sums = [f for f in audit(ev, template) if f.code == "funding-parts-sum"]
    assert [(f.field, f.expected) for f in sums] == [("funding.executed", "95")]
    # without partitions all the parts are one set: 70 + 20 + 40 + 55
    whole = [f for f in audit(ev, templates.load("national-2020")) if f.code == "funding-parts-sum"]
    assert ("funding.executed", "185") in [(f.field, f.expected) for f in whole]
