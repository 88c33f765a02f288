"""Text run together with no separator: cut at the labels, figures split only
where the arithmetic leaves one way, never guessed."""

from __future__ import annotations

from decimal import Decimal

from jixiao.contract.json import evaluation_dict
from jixiao.readers import glued
from jixiao.readers.text import read_text

# A 衔接资金 form of our own making, stored as some web pages store one: one line.
FORM = (
    "绩效目标自评表(2024年度)项目名称某村道路硬化项目项目负责人及电话张三"
    "主管部门某县交通运输局实施单位某镇人民政府资金情况(万元)"
    "全年预算数(A)全年执行数(B)分值执行率(B/A)得分"
    "年度资金总额:50.0045.001090.00%9其中:本年财政拨款50.0045.00其他资金"
    "年度总体目标年初设定目标年度总体目标完成情况综述硬化道路3公里硬化道路3公里"
    "绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施"
    "产出指标(50分)数量指标硬化道路长度30≥3公里3公里30质量指标验收合格率20100%100%20"
    "效益指标(30分)社会效益指标受益群众人数30≥500人520人30"
    "满意度指标(10分)服务对象满意度指标群众满意度10≥90%95%10总分10099"
)


def _read(text: str) -> dict:
    (form,) = read_text(text, "glued.txt")
    data = evaluation_dict(form)
    data["problems"] = [(p.field, p.message) for p in form.problems]
    return data


def test_a_form_run_together_is_read_where_the_arithmetic_is_certain():
    data = _read(FORM)
    assert data["template"] == "national-transfer" and data["year"] == 2024
    assert data["project"]["name"] == "某村道路硬化项目"
    assert data["project"]["department"] == "某县交通运输局"
    assert data["project"]["unit"] == "某镇人民政府"
    funding = data["funding"]
    assert funding["unit"] == "万元"
    # 50.0045.001090.00%9: 45.00 ÷ 50.00 = 90.00%, 90% × 10 = 9 — the one way
    assert [
        funding[k] for k in ("annual_budget", "executed", "points", "execution_rate", "score")
    ] == [
        "50.00",
        "45.00",
        "10",
        "90.00",
        "9",
    ]
    part = funding["breakdown"]["current_year_appropriation"]
    assert (part["annual_budget"], part["executed"]) == ("50.00", "45.00")
    rows = [
        (i["level1"], i["level2"], i["name"], i["points"], i["target"], i["actual"], i["score"])
        for i in data["indicators"]
    ]
    assert rows == [
        ("产出指标", "数量指标", "硬化道路长度", "30", "≥3公里", "3公里", "30"),
        ("产出指标", "质量指标", "验收合格率", "20", "100%", "100%", "20"),
        ("效益指标", "社会效益指标", "受益群众人数", "30", "≥500人", "520人", "30"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "10", "≥90%", "95%", "10"),
    ]
    assert (data["total_points"], data["total"]) == ("100", "99")


def test_two_texts_run_together_are_a_problem_not_a_guess():
    data = _read(FORM)
    assert data["goals"]["expected"] is None and data["goals"]["actual"] is None
    assert ("goals", "预期目标与完成情况连在一起，分不清，未读取") in data["problems"]


def test_figures_that_split_more_than_one_way_are_left_blank_with_the_raw_text():
    text = FORM.replace("年度资金总额:50.0045.001090.00%9", "年度资金总额:1111")
    (form,) = read_text(text, "glued.txt")
    assert form.funding.total.annual_budget is None and form.funding.total.executed is None
    problem = next(p for p in form.problems if p.field == "funding")
    assert "多种分法" in problem.message and problem.raw == "1111"


def test_words_run_together_are_read_only_when_they_repeat():
    certain = FORM.replace("群众满意度10≥90%95%10", "群众满意度10显著提升显著提升10")
    assert _read(certain)["indicators"][3]["target"] == "显著提升"
    unsure = FORM.replace("群众满意度10≥90%95%10", "群众满意度10明显改善显著提升10")
    data = _read(unsure)
    assert [i["name"] for i in data["indicators"]] == ["硬化道路长度", "验收合格率", "受益群众人数"]
    assert any(f.startswith("indicators[3]") and "连在一起" in m for f, m in data["problems"])


def test_every_way_of_cutting_a_run_is_listed_and_checked():
    columns = ["annual_budget", "executed", "points", "execution_rate", "score"]
    ways = glued.figures(
        "202010100.00%10", columns, glued.funding_valid("annual_budget", None, Decimal(10))
    )
    assert ways == [
        {
            "annual_budget": "20",
            "executed": "20",
            "points": "10",
            "execution_rate": "100.00%",
            "score": "10",
        }
    ]
    loose = glued.figures("202010100.00%10", columns, lambda taken: True)
    assert len(loose) > 1  # without the arithmetic the run is not certain
    assert glued.agreed(loose) is None


def test_a_part_is_no_larger_than_the_total():
    columns = ["annual_budget", "executed", "points", "execution_rate", "score"]
    bounds = {"annual_budget": Decimal(20), "executed": Decimal(20)}
    ways = glued.figures("2020", columns, glued.funding_valid("annual_budget", bounds))
    assert {"annual_budget": "20", "executed": "20"} in ways
    assert all(Decimal(w["annual_budget"]) <= 20 for w in ways)


def test_labels_cut_the_text_and_keep_their_points():
    pieces = glued.cut("产出指标(70分)数量指标安装水标尺10≥266米≥266米10", ["产出指标", "数量指标"])
    assert pieces == ["产出指标(70分)", "数量指标", "安装水标尺10≥266米≥266米10"]


def test_a_name_holds_no_comparator_and_starts_with_no_digit():
    ways = glued.rows(
        "安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10",
        ["points", "target", "actual", "score", "deviation"],
    )
    assert glued.agreed_rows(ways) is not None
    assert [r.name for r in glued.agreed_rows(ways)] == ["安装坡面水标尺", "水标尺宽度"]
