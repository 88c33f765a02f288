"""Forms built by hand for the writer tests: the old Shanghai layout (whose
reader comes with issue #3) and long synthetic forms. All wording is the
project's own; only the structure (groups, weights) follows the template."""

from __future__ import annotations

import datetime
from decimal import Decimal

from jixiao.domain.model import (
    AmountUnit,
    Evaluation,
    FormSource,
    Funding,
    FundingLine,
    Goals,
    Indicator,
    Project,
)
from jixiao.domain.targets import parse_target

D = Decimal

# The old template's narrative fields: 自评时间, 主要绩效, 主要问题, 改进措施.
NARRATIVE = {
    "evaluated_on": datetime.date(2020, 6, 12),
    "achievements": "平台全年稳定运行，按期完成巡检与升级，服务对象反映良好。",
    "problems_found": "无",
    "improvements": "加强运维人员培训，巡检记录按月归档。",
}


_SHANGHAI_ROWS = [
    # group, name, explanation, weight, rule, score, remark
    (
        "投入与管理",
        "资金使用的合规性",
        "资金使用是否合规、规范、安全",
        "6",
        "按财经制度逐项核对，每项不合规扣 1 分",
        "6",
        None,
    ),
    (
        "投入与管理",
        "绩效目标合理性",
        "目标是否明确并与预算匹配",
        "8",
        "目标明确得 4 分，细化量化得 4 分",
        "8",
        None,
    ),
    (
        "投入与管理",
        "项目设立的规范性",
        "立项程序是否完整",
        "5",
        "程序完整得 5 分，缺一项扣 1 分",
        "5",
        None,
    ),
    (
        "投入与管理",
        "预算执行率",
        "反映预算执行进度",
        "8",
        "90%及以上得 8 分；80%–90%得 6–8 分；70%–80%得 4–6 分；70%以下不得分",
        "8",
        None,
    ),
    (
        "投入与管理",
        "财务管理制度的健全性和执行的有效性",
        "财务制度是否健全并执行",
        "5",
        "制度健全、监控到位得 5 分",
        "5",
        None,
    ),
    (
        "投入与管理",
        "项目管理制度的健全性和执行的有效性",
        "业务制度是否健全并执行",
        "4",
        "制度健全、资料齐全得 4 分",
        "4",
        None,
    ),
    (
        "产出目标",
        "预计业务量",
        "年度运维工作全部完成",
        "15",
        "按时完成得 15 分，未完成按比例扣分",
        "15",
        None,
    ),
    (
        "产出目标",
        "工作质量",
        "运维考评达到良好以上",
        "15",
        "良好以上得 15 分，中等得 10 分，及格得 5 分",
        "14",
        "一次考评为中等，已约谈服务商",
    ),
    ("产出目标", "预计完成时间", "按期出具运维报告", "4", "按期出具得 4 分", "4", None),
    (
        "效果目标",
        "预计产生效果",
        "系统正常运行，问题及时解决",
        "15",
        "故障按约定时限恢复得 15 分",
        "15",
        None,
    ),
    (
        "影响力目标",
        "人员到位率",
        "运维人员响应及时",
        "8",
        "响应及时得 4 分，到场及时得 4 分",
        "8",
        None,
    ),
    (
        "影响力目标",
        "长效管理制度建设",
        "制定并落实管理制度",
        "7",
        "制定制度得 4 分，落实得 3 分",
        "7",
        None,
    ),
]


def shanghai_form() -> Evaluation:
    """A form of the old Shanghai template (shanghai-2019), amounts in 元."""
    indicators = tuple(
        Indicator(level1=g, name=n, explanation=e, points=D(w), rule=r, score=D(s), deviation=m)
        for g, n, e, w, r, s, m in _SHANGHAI_ROWS
    )
    return Evaluation(
        template="shanghai-2019",
        year=2019,
        project=Project(
            name="示例区远程会诊系统运维",
            unit="示例区医疗保障中心",
            division="综合办公室",
            recurring=True,
        ),
        funding=Funding(
            total=FundingLine(
                annual_budget=D("490000.00"), executed=D("466830.00"), execution_rate=D("95.27")
            ),
            prior_year_budget=D("440517.00"),
            unit=AmountUnit.YUAN,
        ),
        goals=Goals(expected="完成年度内系统运行维护，保障远程会诊稳定可用。"),
        indicators=indicators,
        total=D("99.00"),
        total_points=D("100.00"),
        grade="优秀",
        source=FormSource("shanghai-sample", 0),
        **NARRATIVE,
    )


_LEVELS = [
    ("产出指标", "数量指标"),
    ("产出指标", "质量指标"),
    ("产出指标", "时效指标"),
    ("效益指标", "社会效益指标"),
    ("效益指标", "可持续影响指标"),
    ("满意度指标", "服务对象满意度指标"),
]


def long_form(count: int, words: int = 1) -> Evaluation:
    """A national-2020 form with ``count`` indicators; every third one has a
    deviation note ``words`` sentences long, so rows differ in height."""
    per_level = -(-count // len(_LEVELS))
    sentence = "本项因供应商交付延迟未能按期完成，已调整采购计划并加强过程督办。"
    indicators = []
    for n in range(count):
        level1, level2 = _LEVELS[min(n // per_level, len(_LEVELS) - 1)]
        target, actual = f"≥{90 + n % 10}.00(%)", f"{95 + n % 5}.00(%)"
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                name=f"第{n + 1}项示例指标",
                target=target,
                actual=actual,
                points=D("0.45"),
                score=D("0.45"),
                deviation=sentence * words if n % 3 == 0 else None,
                target_parsed=parse_target(target),
                actual_parsed=parse_target(actual),
            )
        )
    return Evaluation(
        template="national-2020",
        year=2023,
        project=Project(
            name=f"示例区{count}项指标综合服务项目",
            department="示例区财政局",
            unit="示例区服务中心",
        ),
        funding=Funding(
            total=FundingLine(
                D("120.00"), D("120.00"), D("118.80"), D("10.00"), D("99.00"), D("9.90")
            ),
            current_year_appropriation=FundingLine(
                D("120.00"), D("120.00"), D("118.80"), None, D("99.00"), None
            ),
            prior_year_carryover=FundingLine(
                D("0.00"), D("0.00"), D("0.00"), None, D("0.00"), None
            ),
            other_funds=FundingLine(D("0.00"), D("0.00"), D("0.00"), None, D("0.00"), None),
            unit=AmountUnit.WAN_YUAN,
        ),
        goals=Goals(
            expected="按计划提供综合服务。" * 6, actual="全年按计划提供综合服务，个别事项顺延。" * 5
        ),
        indicators=tuple(indicators),
        total=D("99.90"),
        total_points=D("100.00"),
        grade="优",
        source=FormSource("synthetic", 0),
    )
