"""The four seed forms of the Shanghai 2019/2020 layout (000: three forms of
2019, 004: one of 2020, both damaged PDF text) equal their hand transcription,
field by field, repairs and problems included."""

from __future__ import annotations

import json

import pytest

from jixiao.contract.json import evaluation_dict
from jixiao.readers import read_path
from tests.conftest import FIXTURES, seed_path
from tests.integration.seed_compare import differences

SEEDS = {"000": 3, "004": 1}


def _fixture(number: str) -> list[dict]:
    return json.loads((FIXTURES / "seeds" / f"{number}.json").read_text("utf-8"))


@pytest.mark.seeds
@pytest.mark.parametrize("number", sorted(SEEDS))
def test_seed_file_reads_as_transcribed(number):
    forms = [evaluation_dict(ev) for ev in read_path(seed_path(number))]
    expected = _fixture(number)
    assert len(expected) == SEEDS[number]
    assert len(forms) == len(expected)
    diffs = differences(expected, forms)
    assert diffs == [], "\n".join(diffs)


@pytest.mark.seeds
@pytest.mark.parametrize("number", ["000", "004"])
def test_old_shanghai_forms_use_their_template(number):
    for ev in read_path(seed_path(number)):
        assert ev.template == "shanghai-2019"
        assert ev.project.department is None  # 预算单位 is the unit itself
        assert ev.funding.total.points is None and ev.funding.total.score is None


def test_comparison_reports_a_changed_figure_and_a_missing_problem():
    want = [
        {
            "form_index": 0,
            "total": "97.00",
            "problems": [{"field": "total", "raw": "9 7.00"}],
            "goals": {"expected": {"sha256": "0" * 64, "chars": 3}},
        }
    ]
    got = [
        {
            "source": {"form_index": 0},
            "total": "97.01",
            "problems": [],
            "goals": {"expected": "abc"},
        }
    ]
    diffs = differences(want, got)
    assert any("total: expected '97.00'" in d for d in diffs)
    assert any("problems: expected fields ['total']" in d for d in diffs)
    assert any("goals.expected: text differs" in d for d in diffs)
