"""Real forms of other provinces as web pages store them (../shared/real-forms):
each is told apart by what it is — its template found by the labels it prints,
a narrative report and a blank template refused with a reason that says so.
Reading their figures is issue 「Real forms across China」; until a layout has a
reader, its forms are refused naming the template they were recognised as."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jixiao import templates
from jixiao.readers import ReadError, read_path

ROOT = Path(__file__).resolve().parents[2]
REAL_FORMS = Path(os.environ.get("JIXIAO_REAL_FORMS", ROOT.parent / "shared" / "real-forms"))

KINDS = {  # file → the template its labels make certain
    "anhui-xiaoxian-2023-transfer.txt": "national-transfer",
    "sichuan-zhongjiang-2022-project.txt": "national-transfer",
    "guizhou-suiyang-2021-department.txt": "national-department",
    "hebei-chengan-2020-project.txt": "hebei-2020",
    "hubei-huangshi-2022-project.txt": "hubei-city",
    "sichuan-qingshen-2023-project.txt": "sichuan-2023",
}


@pytest.fixture(scope="module")
def folder() -> Path:
    if not REAL_FORMS.is_dir():
        pytest.skip(
            f"real forms not found at {REAL_FORMS} (CI has ../shared; set JIXIAO_REAL_FORMS)"
        )
    return REAL_FORMS


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_real_form_is_recognised_as_its_template(folder, name):
    text = (folder / name).read_text("utf-8")
    assert templates.detect(text) == KINDS[name]
    with pytest.raises(ReadError) as refused:
        read_path(folder / name)
    assert f"模板 {KINDS[name]}" in refused.value.reason
    assert "JSON" in refused.value.reason  # says what can be done meanwhile


def test_a_narrative_report_is_refused_as_one(folder):
    with pytest.raises(ReadError) as refused:
        read_path(folder / "yunnan-baoshan-2022-narrative.txt")
    assert "自评报告" in refused.value.reason and "不是自评表" in refused.value.reason


def test_a_blank_template_is_refused_naming_the_closest_template(folder):
    with pytest.raises(ReadError) as refused:
        read_path(folder / "hubei-blank-template.txt")
    assert "hubei-city" in refused.value.reason and "缺少表头" in refused.value.reason
