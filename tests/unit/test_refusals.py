"""Files that are not self-evaluation forms refused with a reason that says what
they look like; a page cut before its last header read as the template most of
whose labels it prints, saying which it lacks; a near-tie refused."""

from __future__ import annotations

import pytest

from jixiao import templates
from jixiao.readers import ReadError
from jixiao.readers.text import read_text

TRANSFER_HEAD = (
    "绩效目标自评表 |\n(2024年度) |\n项目名称 | 某村道路硬化项目 | 项目负责人及电话 | 张三 |\n"
    "主管部门 | 某县交通运输局 | 实施单位 | 某镇人民政府 |\n资金情况(万元) |\n"
    "全年预算数(A) | 全年执行数(B) | 分值 | 执行率(B/A) | 得分 |\n"
)
INDICATORS = (
    "绩效指标 | 一级指标 | 二级指标 | 三级指标 | 分值 | 年度指标值 | 全年实际值 | 得分 |\n"
    "产出指标(50分) | 数量指标 | 硬化道路长度 | 30 | ≥3公里 | 3公里 | 30 |\n"
    "效益指标(30分) | 社会效益指标 | 受益群众人数 | 30 | ≥500人 | 520人 | 30 |\n"
)


def _refused(text: str) -> str:
    with pytest.raises(ReadError) as refused:
        read_text(text, "x.txt")
    return refused.value.reason


def test_a_blank_template_is_refused_as_blank():
    blank = (
        TRANSFER_HEAD
        + "年度资金总额: | | | | | |\n"
        + INDICATORS.split("产出")[0]
        + "产出指标 | 数量指标 | | | | | |\n"
    )
    assert "空白" in _refused(blank)


def test_an_indicator_table_without_project_or_money_is_refused_as_one():
    table = (
        "2024年度绩效目标表 |\n年度指标值 | 全年实际值 | 全年预算数(A) | 全年执行数(B) |\n"
        + INDICATORS
    )
    reason = _refused(table)
    assert "指标表" in reason and "不是自评表" in reason


def test_a_scoring_rubric_is_refused_as_one():
    rubric = (
        "项目支出绩效评价评分标准 |\n全年预算数(A) | 全年执行数(B) | 全年实际值 |\n"
        "一级指标 | 二级指标 | 三级指标 | 分值 | 评分细则 |\n"
        "产出指标 | 数量指标 | 完成数量 | | 完成得满分 |\n"
    )
    assert "评分标准" in _refused(rubric)


def test_a_page_cut_before_its_last_header_is_read_saying_what_it_lacks():
    cut = TRANSFER_HEAD + "年度资金总额: | 50.00 | 45.00 | 10 | 90.00% | 9 |\n"
    (form,) = read_text(cut, "cut.txt")
    assert form.template == "national-transfer"
    assert form.funding.total.executed is not None
    note = next(p for p in form.problems if p.field == "template")
    assert "全年实际值" in note.message


def test_evidence_needs_most_labels_and_a_clear_lead():
    assert templates.by_evidence("全年预算数(A) 全年执行数(B)") == (
        "national-transfer",
        ["全年实际值"],
    )
    assert templates.by_evidence("全年预算数(A)") is None  # a third of the labels: too weak
    assert templates.by_evidence("项目名称 得分") is None


def test_a_near_tie_on_markers_goes_to_the_template_more_of_whose_labels_are_printed():
    # a transfer form printing 实际完成值 where the layout says 全年实际值
    text = (
        TRANSFER_HEAD
        + "年度资金总额: | 50.00 | 45.00 | 10 | 90.00% | 9 |\n"
        + INDICATORS.replace("全年实际值", "实际完成值")
    )
    assert templates.detect(text) is None
    (form,) = read_text(text, "tie.txt")
    assert form.template == "national-transfer"
    assert [i.score for i in form.indicators] == [30, 30]


def test_indicator_tables_of_two_goals_are_one_table():
    second = INDICATORS.replace("硬化道路长度", "排水沟长度").replace("受益群众人数", "通行车辆")
    text = (
        TRANSFER_HEAD + "年度资金总额: | 50.00 | 45.00 | 10 | 90.00% | 9 |\n" + INDICATORS + second
    )
    (form,) = read_text(text, "two.txt")
    assert [i.name for i in form.indicators] == [
        "硬化道路长度",
        "受益群众人数",
        "排水沟长度",
        "通行车辆",
    ]
