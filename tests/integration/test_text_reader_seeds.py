"""The 19 published 2023 forms of seeds 001–003 read field by field against
fixtures transcribed by hand (tests/fixtures/seeds/, see its README)."""

import hashlib
import json
from decimal import Decimal

import pytest

from jixiao import templates
from jixiao.contract.json import evaluation_dict
from jixiao.domain.recompute import Status, recompute
from jixiao.domain.template import Rounding
from jixiao.readers import read_path
from tests.conftest import FIXTURES, seed_path

NATIONAL_SEEDS = ["001", "002", "003"]


def _expected(number: str) -> list[dict]:
    return json.loads((FIXTURES / "seeds" / f"{number}.json").read_text("utf-8"))


def _digest(text: str | None) -> dict:
    text = text or ""
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(), "chars": len(text)}


def _flatten(prefix: str, value, out: dict) -> dict:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, item, out)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _flatten(f"{prefix}[{n}]", item, out)
    else:
        out[prefix] = value
    return out


@pytest.mark.parametrize("number", NATIONAL_SEEDS)
def test_every_field_equals_the_transcription(number):
    forms = read_path(seed_path(number))
    expected = _expected(number)
    assert len(forms) == len(expected)
    for form, want in zip(forms, expected):
        got = evaluation_dict(form)
        got["goals"] = {side: _digest(got["goals"][side]) for side in ("expected", "actual")}
        got["form_index"] = got["source"]["form_index"]
        got_fields = _flatten("", got, {})
        want_fields = _flatten("", want, {})
        differences = {
            k: (v, got_fields.get(k)) for k, v in want_fields.items() if got_fields.get(k) != v
        }
        assert not differences, f"{number} form {want['form_index']}: {differences}"


def test_nineteen_forms_and_their_indicator_counts():
    counts = {n: [len(f.indicators) for f in read_path(seed_path(n))] for n in NATIONAL_SEEDS}
    assert counts == {
        "001": [5, 6],
        "002": [7, 7, 10, 12],
        "003": [6, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 6, 6],
    }


def test_only_the_damaged_label_is_a_problem():
    problems = {
        (n, f.source.form_index, p.field, p.raw)
        for n in NATIONAL_SEEDS
        for f in read_path(seed_path(n))
        for p in f.problems
    }
    assert problems == {("003", 3, "indicators[6].level2", "服务对象满意度标")}


def test_values_keep_their_source_line():
    form = read_path(seed_path("001"))[1]
    assert form.sources["funding.executed"].line == 31
    assert form.sources["indicators[1].score"].line == 39
    text = seed_path("001").read_text("utf-8").splitlines()
    assert "163.90" in text[form.sources["funding.executed"].line - 1]
    assert "19.00" in text[form.sources["indicators[1].score"].line - 1]


def test_template_is_detected_from_content():
    assert {f.template for n in NATIONAL_SEEDS for f in read_path(seed_path(n))} == {
        "national-2020"
    }


def _execution_checks(rounding: Rounding) -> list:
    template = templates.load("national-2020").with_rounding(rounding)
    return [
        (n, f.source.form_index, c)
        for n in NATIONAL_SEEDS
        for f in read_path(seed_path(n))
        for c in recompute(f, template)
        if c.field in ("funding.execution_rate", "funding.score")
    ]


def test_execution_rate_and_score_reproduced_for_all_19_forms():
    checks = _execution_checks(Rounding.DOWN)
    assert len(checks) == 38
    assert [c for c in checks if c[2].status is not Status.MATCH] == []


def test_half_up_would_print_nine_forms_differently():
    differing = {
        (n, i) for n, i, c in _execution_checks(Rounding.HALF_UP) if c.status is Status.DIFFERS
    }
    assert len(differing) == 9
    assert ("002", 2) in differing  # 8.98 / 9.00: 99.78 and 9.98 under half-up


def test_totals_and_grades_add_up_on_every_seed_form():
    template = templates.load("national-2020")
    for n in NATIONAL_SEEDS:
        for form in read_path(seed_path(n)):
            by_field = {c.field: c for c in recompute(form, template)}
            assert by_field["total"].status is Status.MATCH, (n, form.source.form_index)
            assert by_field["grade"].status is Status.MATCH
            assert by_field["total"].figure.value == form.total == Decimal(form.total)
