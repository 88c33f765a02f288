"""跨表: findings only a batch of forms shows (texts copied across projects, targets
unchanged from last year). Each rule: a batch without the slip is clean, one slip gives
the finding at the right field of the right forms."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from importlib import resources

import pytest

from jixiao import samples, templates
from jixiao.domain.audit import Severity, audit_batch
from jixiao.domain.model import Evaluation, Project
from jixiao.readers import read_path
from tests.unit.test_audit_mutations import with_indicator

SAMPLE = next(p for p in samples.paths() if p.name == "national-2023-tab.txt")
NATIONAL = templates.load("national-2020")
TEXT = (
    "{name}全年按计划推进，完成设备采购与安装调试，组织业务培训两期，建立了日常巡检和故障报修"
    "制度，服务对象满意度调查结果良好，达到了年初设定的绩效目标。"
)
OTHER = (
    "受施工许可审批延迟影响，{name}开工时间推后两个月，年内完成主体工程的百分之八十，"
    "剩余工程量已列入下年度计划，资金结转使用。"
)


def form(clean: Evaluation, name: str, unit: str = "示例区某单位", year: int = 2023, **changes):
    """The sample as the form of another project (its 实际完成情况 left blank: the
    sample's own text would be a copy under every name)."""
    project = Project(name=name, department="示例区某局", unit=unit)
    goals = replace(clean.goals, actual=None)
    return replace(clean, project=project, year=year, goals=goals, **changes)


def with_actual(f: Evaluation, text: str) -> Evaluation:
    return replace(f, goals=replace(f.goals, actual=text))


@pytest.fixture
def clean() -> Evaluation:
    return read_path(SAMPLE)[0]


def codes(found: list) -> list[list[tuple[str, str]]]:
    return [[(f.code, f.field) for f in per_form] for per_form in found]


def test_a_batch_of_distinct_forms_is_clean(clean):
    forms = [
        with_actual(form(clean, "示例区图书馆设备更新"), TEXT.format(name="图书馆")),
        with_actual(form(clean, "示例区道路大修"), OTHER.format(name="道路大修工程")),
        form(clean, "示例区政务数据共享平台运维"),
    ]
    assert codes(audit_batch(forms, lambda f: NATIONAL)) == [[], [], []]


def test_the_same_text_under_two_projects(clean):
    a = with_actual(form(clean, "示例区图书馆设备更新"), TEXT.format(name="示例区图书馆设备更新"))
    b = with_actual(form(clean, "示例区文化馆设备更新"), TEXT.format(name="示例区文化馆设备更新"))
    c = with_actual(form(clean, "示例区道路大修"), OTHER.format(name="道路大修工程"))
    found = audit_batch([a, b, c], lambda f: NATIONAL)
    assert codes(found) == [
        [("text-copied-across-projects", "goals.actual")],
        [("text-copied-across-projects", "goals.actual")],
        [],
    ]
    first = found[0][0]
    assert first.severity is Severity.WARNING
    assert "第 2 张「示例区文化馆设备更新」" in first.message and "实际完成情况" in first.message
    assert "第 1 张" in found[1][0].message
    assert "form 2" in first.message_en


def test_a_text_edited_a_little_is_still_a_copy_and_a_rewrite_is_not(clean):
    base = TEXT.format(name="")
    edited = base.replace("两期", "三期").replace("良好", "较好")
    rewritten = (
        "本年度重点完成了老旧设备替换，新设备运行稳定，读者借阅量比上年增加，年末考核为优秀等次。"
    )
    a = with_actual(form(clean, "甲项目"), base)
    assert codes(audit_batch([a, with_actual(form(clean, "乙项目"), edited)], lambda f: NATIONAL))[
        1
    ] == [("text-copied-across-projects", "goals.actual")]
    assert codes(
        audit_batch([a, with_actual(form(clean, "乙项目"), rewritten)], lambda f: NATIONAL)
    ) == [[], []]


def test_the_same_project_twice_is_not_a_copy(clean):
    """The same project in two files (a duplicate, or two years) may repeat itself."""
    a = with_actual(form(clean, "示例区图书馆设备更新"), TEXT.format(name=""))
    b = with_actual(form(clean, "示例区图书馆设备更新", year=2022), TEXT.format(name=""))
    found = codes(audit_batch([a, b], lambda f: NATIONAL))
    assert not [c for per_form in found for c in per_form if c[0] == "text-copied-across-projects"]


def test_short_texts_are_alike_by_nature(clean):
    forms = [with_indicator(form(clean, f"项目{n}"), 3, deviation="无偏差。") for n in range(5)]
    assert codes(audit_batch(forms, lambda f: NATIONAL)) == [[]] * 5


def test_a_reason_pasted_into_many_projects(clean):
    reason = "由于疫情影响，部分培训活动改为线上进行，参加人数未达到预期，下年度将加强宣传组织。"
    forms = [
        with_indicator(form(clean, f"示例区第{n}号项目"), 1, deviation=reason) for n in range(40)
    ]
    forms.append(form(clean, "示例区其他项目"))
    found = audit_batch(forms, lambda f: NATIONAL)
    for per_form in found[:40]:
        assert [(f.code, f.field) for f in per_form] == [
            ("text-copied-across-projects", "indicators[1].deviation")
        ]
        assert "等 39 张" in per_form[0].message and "偏差原因" in per_form[0].message
    assert found[40] == []


def test_a_check_set_off_by_the_template(clean):
    text = resources.files(templates).joinpath("national-2020.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["audit"] = {**data["audit"], "severity": {"text-copied-across-projects": "off"}}
    quiet = templates.from_toml(data)
    a = with_actual(form(clean, "甲项目"), TEXT.format(name=""))
    b = with_actual(form(clean, "乙项目"), TEXT.format(name=""))
    assert codes(audit_batch([a, b], lambda f: quiet)) == [[], []]
    data["audit"]["severity"] = {"text-copied-across-projects": "error"}
    strict = templates.from_toml(data)
    assert audit_batch([a, b], lambda f: strict)[0][0].severity is Severity.ERROR


# --- targets unchanged from last year -------------------------------------------------------


def test_the_targets_of_last_year_met_at_full_marks_again(clean):
    last = form(clean, "示例区政务数据共享平台运维", year=2022)
    this = form(clean, "示例区政务数据共享平台运维", year=2023)
    found = audit_batch([this, last], lambda f: NATIONAL)
    assert codes(found) == [[("targets-unchanged-from-last-year", "indicators")], []]
    assert "第 2 张，2022 年度" in found[0][0].message and "7 个指标" in found[0][0].message


def test_targets_raised_or_a_score_cut_are_not_unchanged(clean):
    last = form(clean, "示例区政务数据共享平台运维", year=2022)
    raised = with_indicator(form(clean, "示例区政务数据共享平台运维"), 0, target="≥45(个)")
    cut = with_indicator(form(clean, "示例区政务数据共享平台运维"), 6, score=Decimal("9.00"))
    other_unit = form(clean, "示例区政务数据共享平台运维", unit="另一单位")
    for this in (raised, cut, other_unit):
        assert codes(audit_batch([this, last], lambda f: NATIONAL)) == [[], []]
