"""Forms of our own making in the layouts of the national family beyond the seeds
(issue #16), one per new template, as JSON contract files under
tests/fixtures/family/. Their figures are consistent (each computed by the rules),
their texts invented; each layout's peculiarities are there (a transfer form's
其中… rows and missing 年初预算数, …). Regenerate after a change on purpose:

    python -m tests.family_forms     # rewrites tests/fixtures/family/*.json
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from jixiao import templates
from jixiao.contract.json import dumps, evaluation_dict
from jixiao.domain import scoring
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
from jixiao.domain.targets import parse_target, target_text

FOLDER = Path(__file__).resolve().parent / "fixtures" / "family"
D = Decimal


def _row(level1, level2, name, target, actual, points=None, **extra) -> Indicator:
    composed = target_text(extra.get("nature"), target, extra.get("measure_unit"))
    ind = Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=target,
        actual=actual,
        points=D(points) if points is not None else None,
        target_parsed=parse_target(composed),
        actual_parsed=parse_target(actual),
        **extra,
    )
    return ind


def _scored(ev: Evaluation) -> Evaluation:
    """Every figure as the rules compute it: rates, scores, total, grade where printed."""
    template = templates.load(ev.template)
    total = ev.funding.total
    total = replace(total, execution_rate=scoring.execution_rate(total, template).value)
    if template.execution_points is not None:
        total = replace(total, score=scoring.execution_score(total, template).value)

    def rated(line: FundingLine | None) -> FundingLine | None:
        if line is None:
            return None
        return replace(line, execution_rate=scoring.execution_rate(line, template).value)

    funding = replace(
        ev.funding,
        total=total,
        current_year_appropriation=rated(ev.funding.current_year_appropriation),
        prior_year_carryover=rated(ev.funding.prior_year_carryover),
        other_funds=rated(ev.funding.other_funds),
        extra=tuple((key, rated(line) or line) for key, line in ev.funding.extra),
    )
    rows = []
    for ind in ev.indicators:
        if ind.child:
            rows.append(ind)
            continue
        figure = scoring.indicator_score(ind, template)
        score = figure.value if figure.value is not None else figure.high
        rows.append(replace(ind, score=score))
    scores = [("funding.score", total.score)] if template.execution_points is not None else []
    scores += [(f"indicators[{n}].score", r.score) for n, r in enumerate(rows) if not r.child]
    figure = scoring.total_score(scores, template)
    grade = scoring.grade(figure.value, template)[0] if "grade" in template.columns else None
    return replace(
        ev,
        funding=funding,
        indicators=tuple(rows),
        total=figure.value,
        total_points=template.total_points,
        grade=grade.label if grade else None,
    )


def transfer() -> Evaluation:
    """A county's 衔接资金 project: no 年初预算数, 其中… rows, no grade printed."""
    return _scored(
        Evaluation(
            template="national-transfer",
            year=2023,
            source=FormSource("national-transfer.json", 0),
            project=Project(
                name="示例县2023年高标准农田配套设施建设项目",
                department="示例县农业农村局",
                unit="示例县农业综合开发中心",
            ),
            funding=Funding(
                total=FundingLine(annual_budget=D("320.00"), executed=D("312.48"), points=D("10")),
                current_year_appropriation=FundingLine(
                    annual_budget=D("300.00"), executed=D("292.48")
                ),
                other_funds=FundingLine(annual_budget=D("20.00"), executed=D("20.00")),
                unit=AmountUnit.WAN_YUAN,
            ),
            goals=Goals(
                "新建高标准农田 2000 亩，配套灌溉渠道 12 公里，受益农户满意度不低于 90%。",
                "建成高标准农田 2000 亩，灌溉渠道 11.5 公里，受益农户满意度 95%。",
            ),
            indicators=(
                _row("产出指标", "数量指标", "新建高标准农田面积", "≥2000亩", "2000亩", "30"),
                _row("产出指标", "数量指标", "其中：旱改水面积", "≥500亩", "520亩", child=True),
                _row(
                    "产出指标",
                    "数量指标",
                    "配套灌溉渠道长度",
                    "≥12公里",
                    "11.5公里",
                    "20",
                    deviation="一段渠道因征地调整顺延至次年施工",
                ),
                _row("产出指标", "质量指标", "工程验收合格率", "=100%", "100%", "10"),
                _row("效益指标", "经济效益指标", "亩均增产粮食", "≥50公斤", "60公斤", "10"),
                _row(
                    "效益指标", "可持续影响指标", "设施管护机制", "建立健全", "达成年度指标", "10"
                ),
                _row("满意度指标", "服务对象满意度指标", "受益农户满意度", "≥90%", "95%", "10"),
            ),
        )
    )


def department() -> Evaluation:
    """A county department's whole spending: no project, money by source and by use."""
    return _scored(
        Evaluation(
            template="national-department",
            year=2023,
            source=FormSource("national-department.json", 0),
            project=Project(department="示例县民政局"),
            funding=Funding(
                total=FundingLine(
                    initial_budget=D("1850.00"),
                    annual_budget=D("2010.40"),
                    executed=D("2175.20"),
                    points=D("10"),
                ),
                current_year_appropriation=FundingLine(
                    initial_budget=D("1800.00"), annual_budget=D("1960.40"), executed=D("2125.20")
                ),
                other_funds=FundingLine(
                    initial_budget=D("50.00"), annual_budget=D("50.00"), executed=D("50.00")
                ),
                extra=(
                    (
                        "basic_expenditure",
                        FundingLine(
                            initial_budget=D("950.00"),
                            annual_budget=D("980.00"),
                            executed=D("1003.60"),
                        ),
                    ),
                    (
                        "project_expenditure",
                        FundingLine(
                            initial_budget=D("900.00"),
                            annual_budget=D("1030.40"),
                            executed=D("1171.60"),
                        ),
                    ),
                ),
                unit=AmountUnit.WAN_YUAN,
            ),
            goals=Goals(
                "保障城乡低保、特困供养和临时救助按时足额发放，养老服务设施覆盖率达到 90%。",
                "低保、特困供养和临时救助全部按月发放，养老服务设施覆盖率 92%。",
            ),
            indicators=(
                _row(
                    "产出指标",
                    "数量指标",
                    "城乡低保对象保障人数",
                    "≥3200人",
                    "3260人",
                    "20",
                    method="完成得满分，未完成按比例得分",
                    core=True,
                ),
                _row(
                    "产出指标",
                    "质量指标",
                    "救助资金发放准确率",
                    "=100%",
                    "100%",
                    "20",
                    method="完成得满分",
                    core=True,
                ),
                _row(
                    "产出指标",
                    "时效指标",
                    "资金按月发放率",
                    "=100%",
                    "100%",
                    "10",
                    method="完成得满分",
                    core=False,
                ),
                _row(
                    "效益指标",
                    "社会效益指标",
                    "养老服务设施覆盖率",
                    "≥90%",
                    "92%",
                    "20",
                    method="完成得满分，未完成按比例得分",
                    core=True,
                ),
                _row(
                    "满意度指标",
                    "服务对象满意度指标",
                    "救助对象满意度",
                    "≥90%",
                    "93%",
                    "20",
                    method="问卷调查",
                    core=False,
                ),
            ),
        )
    )


def hebei() -> Evaluation:
    """A Hebei unit's form: 符号, 数值 and 单位 of a target apart, weighted scores."""
    rows = []
    for level1, level2, name, nature, value, unit, actual, share in (
        ("产出指标", "质量指标", "符合条件对象覆盖率", "≥", "98", "%", "100%", "25"),
        ("产出指标", "时效指标", "按月审批完成率", "≥", "99", "%", "100%", "25"),
        ("效益指标", "社会效益指标", "补贴发放完成率", "≥", "75", "%", "100%", "30"),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", "95", "%", "96%", "10"),
        ("预算执行率", "预算执行率", "预算执行率", "≥", "95", "%", "100%", "10"),
    ):
        row = _row(
            level1,
            level2,
            name,
            f"{nature}{value}{unit}",
            actual,
            share,
            nature=nature,
            measure_unit=unit,
            weight_share=D(share),
        )
        rows.append(row)
    ev = _scored(
        Evaluation(
            template="hebei-2020",
            year=2020,
            source=FormSource("hebei-2020.json", 0),
            project=Project(name="百岁老人高龄津贴", unit="示例县民政局机关"),
            funding=Funding(
                total=FundingLine(annual_budget=D("6.84"), executed=D("6.84")),
                current_year_appropriation=FundingLine(annual_budget=D("6.84"), executed=D("6.84")),
                other_funds=FundingLine(annual_budget=D("0.00"), executed=D("0.00")),
                unit=AmountUnit.WAN_YUAN,
            ),
            goals=Goals("为全县百岁老人按月发放高龄津贴。", "全年按月足额发放高龄津贴。"),
            indicators=tuple(rows),
        )
    )
    template = templates.load("hebei-2020")
    weighted = tuple(
        replace(ind, weighted_score=scoring.weighted_score(ind, template).value)
        for ind in ev.indicators
    )
    return replace(ev, indicators=weighted)


def sichuan() -> Evaluation:
    """A Sichuan 2023 form: four money sources, 指标性质/指标值/度量单位, a low rate with
    its 原因, narratives within their limits."""
    rows = tuple(
        _row(level1, level2, name, value, actual, points, nature=nature, measure_unit=unit)
        for level1, level2, name, nature, value, unit, actual, points in (
            ("产出指标", "数量指标", "培训基层医务人员", "≥", "300", "人次", "320人次", "30"),
            ("产出指标", "质量指标", "培训考核合格率", "≥", "95", "%", "97%", "20"),
            ("产出指标", "时效指标", "培训按期完成", "定性", "按期完成", "", "达成年度指标", "10"),
            (
                "效益指标",
                "社会效益指标",
                "基层诊疗能力提升",
                "定性",
                "有所提升",
                "",
                "达成年度指标",
                "20",
            ),
            ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", "90", "%", "92%", "10"),
        )
    )

    def line(budget: str, adjusted: str, spent: str, reason: str | None = None) -> FundingLine:
        return FundingLine(
            initial_budget=D(budget), annual_budget=D(adjusted), executed=D(spent), reason=reason
        )

    return _scored(
        Evaluation(
            template="sichuan-2023",
            year=2023,
            source=FormSource("sichuan-2023.json", 0),
            project=Project(
                name="基层医务人员能力提升培训项目",
                department="示例县卫生健康局",
                unit="示例县卫生健康服务中心",
            ),
            funding=Funding(
                total=replace(
                    line("120.00", "150.00", "126.30", "部分培训改为线上，场地与差旅费用节约"),
                    points=D("10"),
                ),
                extra=(
                    ("fiscal_funds", line("100.00", "130.00", "108.30")),
                    ("special_account_funds", line("0.00", "0.00", "0.00")),
                    ("unit_funds", line("20.00", "20.00", "18.00")),
                    ("other_funds", line("0.00", "0.00", "0.00")),
                ),
                unit=AmountUnit.WAN_YUAN,
            ),
            goals=Goals(
                "全年培训基层医务人员 300 人次以上，考核合格率不低于 95%。",
                "全年培训 320 人次，考核合格率 97%。",
            ),
            indicators=rows,
            conclusion="项目按计划实施，培训人次和合格率均达到年度目标，资金执行率 84.20%，"
            "低于 90% 的原因是部分培训改为线上开展。",
            problems_found="部分培训改为线上后实操环节偏少。",
            improvements="下年度增加实操培训课时，按进度拨付资金。",
        )
    )


def hubei() -> Evaluation:
    """A Hubei city form: no points per row, one score over two rows, tick boxes."""
    rows = (
        _row("产出指标", "数量指标", "存储备份设备", "25TB", "25TB", score=D("10")),
        _row("产出指标", "数量指标", "无线网络布点覆盖", "100%", "100%", shared=True),
        _row("产出指标", "质量指标", "数字资源更新", "当年资源为主", "达成年度指标", score=D("10")),
        _row("产出指标", "时效指标", "全年开放服务天数", "≥360天", "365天", score=D("10")),
        _row("产出指标", "成本指标", "采购成本", "≤5万元", "4.8万元", score=D("10")),
        _row("效益指标", "社会效益", "读者检索便利程度", "明显提升", "达成年度指标", score=D("15")),
        _row("效益指标", "可持续影响指标", "持续服务读者", "≥360天", "365天", score=D("15")),
        _row("满意度指标", "服务对象满意度", "读者满意度", "≥90%", "94%", score=D("10")),
    )
    ev = Evaluation(
        template="hubei-city",
        year=2022,
        source=FormSource("hubei-city.json", 0),
        project=Project(
            name="数字文化资源共享工程", department="示例市文化和旅游局", unit="示例市图书馆"
        ),
        funding=Funding(
            total=FundingLine(annual_budget=D("5.00"), executed=D("4.80"), points=D("20")),
            unit=AmountUnit.WAN_YUAN,
        ),
        indicators=rows,
        choices=(
            ("project_category", "部门预算项目"),
            ("project_nature", "持续性项目"),
            ("project_type", "常年性项目"),
        ),
    )
    template = templates.load("hubei-city")
    total = replace(
        ev.funding.total,
        execution_rate=scoring.execution_rate(ev.funding.total, template).value,
        score=scoring.execution_score(ev.funding.total, template).value,
    )
    scores = [("funding.score", total.score)] + [
        (f"indicators[{n}].score", r.score) for n, r in enumerate(rows) if not r.shared
    ]
    figure = scoring.total_score(scores, template)
    return replace(
        ev,
        funding=replace(ev.funding, total=total),
        total=figure.value,
        total_points=template.total_points,
    )


FORMS = {
    "hubei-city": hubei,
    "national-transfer": transfer,
    "national-department": department,
    "hebei-2020": hebei,
    "sichuan-2023": sichuan,
}


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for template_id, make in FORMS.items():
        path = FOLDER / f"{template_id}.json"
        path.write_text(dumps(evaluation_dict(make())) + "\n", encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
