"""Real forms of other provinces as web pages store them (../shared/real-forms),
read with their figures: each file's template found by the labels it prints, its
figures pinned here as transcribed by hand from the file, what the page lost (a
form cut before its 总分) a problem, never a figure made up. The narrative report
and the blank template are refused with a reason that says what they are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jixiao import templates
from jixiao.contract import paths
from jixiao.contract.json import evaluation_dict
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

# Each file's figures as printed (JSON paths of the contract), transcribed by hand.
FIGURES: dict[str, dict[str, object]] = {
    "anhui-xiaoxian-2023-transfer.txt": {
        "year": 2023,
        "project.name": "河西村特色种养补贴到户项目",
        "project.department": "县农业农村局",
        "project.unit": "张庄寨镇人民政府",
        "funding.unit": "万元",
        "funding.annual_budget": "9.48",
        "funding.executed": "9.48",
        "funding.points": "10",
        "funding.execution_rate": "100",
        "funding.score": "10",
        "funding.breakdown.current_year_appropriation.annual_budget": "9.48",
        "funding.breakdown.current_year_appropriation.executed": "9.48",
        "funding.breakdown.other_funds.annual_budget": None,
        "goals.expected": "落实39户特色种养业奖补政策,增加脱贫户家庭收入",
        "indicators[0].level1": "产出指标",
        "indicators[0].level2": "数量指标",
        "indicators[0].name": "补助各类瓜果蔬菜种植面积",
        "indicators[0].points": "20",
        "indicators[0].target": "29.5亩",
        "indicators[0].actual": "29.5亩",
        "indicators[0].score": "20",
        "indicators[0].core": True,
        # 其中… rows: a target and an actual, no points, not scored
        "indicators[1].name": "其中桃树种植面积",
        "indicators[1].child": True,
        "indicators[1].points": None,
        "indicators[1].target": "1.5亩",
        "indicators[5].name": "补助鱼塘面积",
        "indicators[5].points": "10",
        "indicators[9].name": "其中猪养殖数量",
        "indicators[9].actual": "12头",
        "indicators[11].name": "养殖家畜家禽成活率",
        "indicators[11].target": "95%",
        "indicators[11].actual": "100%",
        "indicators[11].score": "5",
        "indicators[12].level1": "效益指标",
        "indicators[12].level2": "经济效益指标",
        "indicators[12].target": "≥11.376万元",
        "indicators[12].actual": "12万元",
        "indicators[12].points": "20",
        "indicators[13].name": "受益人口数量",
        "indicators[13].score": "10",
        "total": None,  # the page stops before its 总分
    },
    "sichuan-zhongjiang-2022-project.txt": {  # every cell run together
        "year": 2022,
        "project.name": "中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装",
        "project.department": "中江县水利局",
        "project.unit": "中江县水利局",
        "funding.unit": "万元",
        "funding.annual_budget": "20",
        "funding.executed": "20",
        "funding.points": "10",
        "funding.execution_rate": "100.00",
        "funding.score": "10",
        "funding.breakdown.current_year_appropriation.annual_budget": "20",
        "funding.breakdown.current_year_appropriation.executed": "20",
        "goals.expected": None,  # the two texts run together: where one ends is unknown
        "indicators[0].name": "安装坡面水标尺",
        "indicators[0].points": "10",
        "indicators[0].target": "≥266米",
        "indicators[0].actual": "≥266米",
        "indicators[0].score": "10",
        "indicators[1].name": "水标尺宽度",
        "indicators[1].target": "≥50厘米",
        "indicators[2].name": "项目(工程)验收合格率",
        "indicators[2].points": "20",
        "indicators[2].target": "100%",
        "indicators[2].score": "20",
        "indicators[4].name": "及时(按期)完工率",
        "indicators[5].level1": "产出指标",
        "indicators[5].level2": "成本指标",
        "indicators[5].target": "20万元",
        "indicators[5].points": "10",
        "indicators[6].level1": "效益指标",
        "indicators[6].level2": "社会效益指标",
        "indicators[6].target": "≥1000人",
        "indicators[7].target": "显著提升",
        "indicators[8].level1": "满意度指标",
        "indicators[8].target": "≥95%",
        "indicators[8].score": "10",
        "total_points": "100",
        "total": "100",
    },
    "guizhou-suiyang-2021-department.txt": {
        "project.name": None,
        "project.department": "绥阳县太白镇人民政府",
        "funding.unit": "万元",
        "funding.initial_budget": "1172.55",
        "funding.executed": "1268.72",
        "funding.points": "10",
        "funding.score": "10",
        "funding.breakdown.basic_expenditure.initial_budget": "985.19",
        "funding.breakdown.basic_expenditure.executed": "914.97",
        "funding.breakdown.project_expenditure.initial_budget": "187.36",
        "funding.breakdown.project_expenditure.executed": "353.75",
    },
    "hebei-chengan-2020-project.txt": {  # labels and values on running lines
        "year": 2020,
        "project.name": "19名百岁老人高龄津贴",
        "project.unit": "314002-成安县民政局机关",
        "funding.unit": "万元",
        "funding.annual_budget": "6.84",
        "funding.executed": "6.84",
        "funding.execution_rate": "100.00",
        "funding.breakdown.current_year_appropriation.annual_budget": "6.84",
        "funding.breakdown.current_year_appropriation.executed": "6.84",
        "funding.breakdown.other_funds.annual_budget": "0.00",
        "funding.breakdown.other_funds.executed": "0.00",
        "indicators[0].level1": "产出指标",
        "indicators[0].level2": "质量指标",
        "indicators[0].name": "符合条件申报对象覆盖率",
        "indicators[0].nature": "≥",
        "indicators[0].measure_unit": "%",
        "indicators[0].target": "98",  # as printed: 符号 and 单位 have columns of their own
        "indicators[0].target_parsed.op": "≥",
        "indicators[0].target_parsed.value": "98",
        "indicators[0].actual": "100%",
        "indicators[0].score": "25.00",
        "indicators[0].weight_share": "25.00",
        "indicators[0].weighted_score": "6.25",
        "indicators[2].level1": "效果指标",
        "indicators[2].score": "30.00",
        "indicators[2].weighted_score": "9.00",
        "indicators[3].level1": "满意度指标",
        "indicators[3].target": "95",
        "indicators[3].weighted_score": "1.00",
    },
    "hubei-huangshi-2022-project.txt": {
        "year": 2022,
        "project.name": "共享工程",
        "project.department": "黄石市文化和旅游局",
        "project.unit": "黄石市图书馆",
        "choices.project_category": "部门预算项目",
        "choices.project_nature": "持续性项目",
        "choices.project_type": "常年性项目",
        "funding.unit": "万元",
        "funding.annual_budget": "5",
        "funding.executed": "5",
        "funding.execution_rate": "100",
        "funding.points": "20",  # printed in the block's header: 预算执行情况(万元) (20分)
        "funding.score": "20",
        "indicators[0].level1": "产出指标",
        "indicators[0].name": "一个存储备份器",
        "indicators[0].target": "25TB",
        "indicators[0].score": "10",
        "indicators[0].points": None,  # no 分值 column: points only in block headers
        # the second 三级 line of a merged 得分
        "indicators[1].name": "WIFI布点全覆盖",
        "indicators[1].score": None,
        "indicators[1].shared": True,
        "indicators[6].level1": "效益指标",
        "indicators[6].level2": "经济效益",
        "indicators[9].level2": "环境效益",
        "indicators[9].actual": "良好",
    },
    "sichuan-qingshen-2023-project.txt": {  # one cell a line, empty cells as a bare |
        "year": 2023,
        "project.name": "51000021R000000019951-工资性支出",
        "project.department": "青神县发展和改革局本级",
        "project.unit": "青神县发展和改革局",
        "funding.unit": "万元",
        "funding.initial_budget": "238.93",
        "funding.annual_budget": "251.89",
        "funding.executed": "251.89",
        "funding.execution_rate": "100.00",
        "funding.points": "10",
        "funding.score": None,  # left blank on the form
        "funding.breakdown.fiscal_funds.initial_budget": "238.93",
        "funding.breakdown.fiscal_funds.executed": "251.89",
        "funding.breakdown.special_account_funds.executed": "0.00",
        "funding.breakdown.unit_funds.execution_rate": "0.00",
        "goals.actual": None,  # the printed guidance (…100字以内) is not a text
        "indicators[0].name": "发放(缴纳)覆盖率",
        "indicators[0].nature": "=",
        "indicators[0].measure_unit": "%",
        "indicators[0].target": "100",
        "indicators[0].target_parsed.op": "=",
        "indicators[0].target_parsed.unit": "%",
        "indicators[0].points": "60",
        "indicators[0].actual": None,
        "indicators[0].score": None,
        "indicators[1].level1": "效益指标",
        "indicators[1].points": "30",
        "total_points": "100",
        "total": None,
    },
}
INDICATOR_COUNTS = {
    "anhui-xiaoxian-2023-transfer.txt": 14,
    "sichuan-zhongjiang-2022-project.txt": 9,
    "hebei-chengan-2020-project.txt": 4,
    "sichuan-qingshen-2023-project.txt": 2,
}


def _wrong(form, name: str) -> dict[str, tuple[object, object]]:
    """The pinned figures of file ``name`` the form does not give: path → (read, pinned)."""
    data = evaluation_dict(form)
    return {
        path: (paths.json_get(data, path), want)
        for path, want in FIGURES[name].items()
        if paths.json_get(data, path) != want
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
    assert templates.detect((folder / name).read_text("utf-8")) == KINDS[name]
    (form,) = read_path(folder / name)
    assert form.template == KINDS[name]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_a_real_form_is_read_with_its_figures(folder, name):
    (form,) = read_path(folder / name)
    wrong = _wrong(form, name)
    assert not wrong, wrong
    if name in INDICATOR_COUNTS:
        assert len(form.indicators) == INDICATOR_COUNTS[name]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_read_has_its_source_line(folder, name):
    (form,) = read_path(folder / name)
    data = evaluation_dict(form)
    for path, want in FIGURES[name].items():
        if (
            want is not None
            and "_parsed" not in path
            and (path.startswith(("funding.", "indicators[")) or path == "total")
        ):
            source = form.sources.get(path)
            assert source is not None and source.line is not None, path
            assert source.file.endswith(name)
    assert data["source"]["file"].endswith(name)


@pytest.mark.parametrize(
    "name, missing",
    [
        ("anhui-xiaoxian-2023-transfer.txt", "total"),
        ("hebei-chengan-2020-project.txt", "total"),
        ("hubei-huangshi-2022-project.txt", "total"),
        ("guizhou-suiyang-2021-department.txt", "indicators"),
        ("sichuan-qingshen-2023-project.txt", "total"),
        ("sichuan-zhongjiang-2022-project.txt", "goals"),
    ],
)
def test_what_a_cut_page_lacks_is_a_problem_not_a_figure(folder, name, missing):
    (form,) = read_path(folder / name)
    assert any(p.field == missing for p in form.problems), form.problems


def test_a_narrative_report_is_refused_as_one(folder):
    with pytest.raises(ReadError) as refused:
        read_path(folder / "yunnan-baoshan-2022-narrative.txt")
    assert "自评报告" in refused.value.reason and "不是自评表" in refused.value.reason


def test_a_blank_template_is_refused_as_blank(folder):
    with pytest.raises(ReadError) as refused:
        read_path(folder / "hubei-blank-template.txt")
    assert "空白" in refused.value.reason and "湖北" in refused.value.reason


RESHAPED = {  # a real form's own cells written in another shape real pages use
    "pipes": lambda rows: "\n".join(" | ".join(r) + " |" for r in rows),
    "one-cell-a-line": lambda rows: "\n".join((c + " |") if c else "|" for r in rows for c in r),
    "bare-lines": lambda rows: "\n".join(c for r in rows for c in r),
    "tabs": lambda rows: "\n".join("\t".join(r) for r in rows),
}


@pytest.mark.parametrize("shape", sorted(RESHAPED))
@pytest.mark.parametrize("name", sorted(set(FIGURES) - {"sichuan-zhongjiang-2022-project.txt"}))
def test_a_real_form_reads_the_same_in_another_shape(folder, name, shape):
    from jixiao.readers.shapes import split_text
    from jixiao.readers.text import read_text

    _, rows = split_text((folder / name).read_text("utf-8"), name)
    cells = [list(row.cells) for row in rows]
    (form,) = read_text(RESHAPED[shape](cells), name)
    wrong = _wrong(form, name)
    assert not wrong, wrong


def test_the_audit_asks_only_for_what_the_form_prints(folder):
    """The department form prints 年初预算数(A) and 全年执行数(B), no 全年预算数 and no
    执行率: the audit does not ask for them (it asks for what the page lost)."""
    from jixiao.contract.json import evaluation_from_dict
    from jixiao.domain.audit import audit

    (form,) = read_path(folder / "guizhou-suiyang-2021-department.txt")
    assert form.source.unprinted == ("funding.annual_budget", "funding.execution_rate")
    fields = {f.field for f in audit(form, templates.load(form.template))}
    assert not fields & {"funding.annual_budget", "funding.execution_rate"}
    assert "total" in fields  # the page stops before its 总分: that is asked for
    # 执行率 measured against 年初预算数 where no 全年预算数 is printed: 1268.72 ÷ 1172.55
    above = next(
        f for f in audit(form, templates.load(form.template)) if f.code == "execution-above-budget"
    )
    assert above.field == "funding.executed" and "年初预算数 1172.55" in above.message
    again = evaluation_from_dict(evaluation_dict(form))  # the JSON contract keeps it
    assert again.source.unprinted == form.source.unprinted
