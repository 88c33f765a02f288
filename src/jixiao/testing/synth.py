"""A generator of correct forms (生成正确的自评表) for tests, benchmarks and demos.

``form(rng, template)`` makes one 财政项目支出绩效自评表 that is valid by
construction under the template: every figure is computed by
:mod:`jixiao.domain.scoring` from the amounts and values drawn; a cut score has
its 偏差原因; the narratives state the same figures as the table. Names,
targets and amounts are plausible for district projects; all wording is made up
for this project. ``render_text`` prints forms in the tab-separated layout of
published forms, so they can be read back by ``jixiao import``.

Two kinds of template are supported: a scored 项目资金 block with indicators
under 产出/效益/满意度 (the national 10 + 90 layout), and indicator groups with
printed points, the 预算执行率 row scored by bands and the rest by judgement
(the Shanghai 2019 layout).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from jixiao import templates
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
from jixiao.domain.targets import Op, Target, format_target, parse_target
from jixiao.domain.template import Template

D = Decimal


@dataclass(frozen=True)
class Theme:
    """A kind of project: what it is called, who runs it, what it counts."""

    subject: str
    department: str
    unit: str
    people: str  # 服务对象, for the satisfaction indicator
    purpose: str  # a sentence of the goal, without the figures
    counts: tuple[tuple[str, str, int, int], ...]  # (name, unit, smallest, largest target)
    rates: tuple[str, ...]  # quality rates, in %
    timeliness: tuple[
        tuple[str, str, int, int], ...
    ]  # (name, unit, smallest, largest) of a ≤ target
    effects: tuple[str, ...]  # effect rates, in %
    lasting: tuple[str, ...]  # 可持续影响, in words


THEMES = (
    Theme(
        "河道保洁养护",
        "水务局",
        "河道管理所",
        "沿岸居民",
        "保持辖区河道水面整洁、水质稳定",
        (("保洁河道长度", "公里", 40, 260), ("河道巡查次数", "次", 120, 720)),
        ("水面漂浮物清除率", "保洁作业达标率"),
        (("垃圾清运响应时间", "小时", 2, 24),),
        ("河道水质达标率", "河岸环境整洁率"),
        ("河道长效保洁机制", "河长巡河制度"),
    ),
    Theme(
        "社区居家养老服务",
        "民政局",
        "社会福利服务中心",
        "服务老人",
        "为辖区高龄、独居老人提供助餐和上门照护",
        (("助餐服务人次", "人次", 8000, 60000), ("上门照护户数", "户", 150, 1200)),
        ("服务记录完整率", "护理员持证上岗率"),
        (("紧急呼叫响应时间", "分钟", 10, 30),),
        ("老人助餐需求覆盖率", "服务对象回访率"),
        ("养老服务质量评估机制",),
    ),
    Theme(
        "中小学校舍修缮",
        "教育局",
        "教育基建管理中心",
        "师生",
        "消除校舍安全隐患，改善办学条件",
        (("修缮校舍面积", "平方米", 3000, 40000), ("完成修缮学校数", "所", 3, 25)),
        ("工程验收合格率",),
        (("工程完工时间", "天", 60, 120),),
        ("校舍安全隐患整改率",),
        ("校舍定期检查制度", "工程档案管理"),
    ),
    Theme(
        "政务信息系统运维",
        "大数据管理局",
        "大数据中心",
        "使用部门",
        "保障区级政务系统安全稳定运行",
        (("维护服务器数量", "台", 20, 300), ("完成系统巡检次数", "次", 12, 52)),
        ("系统可用率", "数据备份成功率"),
        (("故障响应时间", "小时", 1, 4),),
        ("业务系统上线覆盖率",),
        ("运维管理制度", "网络安全应急预案"),
    ),
    Theme(
        "公共图书馆阅读推广",
        "文化和旅游局",
        "区图书馆",
        "读者",
        "丰富全民阅读活动，提升公共文化服务效能",
        (("举办阅读推广活动场次", "场", 20, 150), ("新增馆藏图书", "册", 5000, 40000)),
        ("活动方案执行率",),
        (("新书上架周期", "天", 7, 30),),
        ("街镇分馆服务覆盖率",),
        ("阅读推广志愿服务机制",),
    ),
    Theme(
        "农村公路养护",
        "农业农村委员会",
        "公路养护所",
        "沿线村民",
        "保持农村公路路况良好、通行安全",
        (("养护公路里程", "公里", 30, 400), ("修补路面面积", "平方米", 2000, 20000)),
        ("路面优良率", "养护作业合格率"),
        (("坑槽修补时间", "天", 2, 7),),
        ("公路安全设施完好率",),
        ("路长制管理机制",),
    ),
    Theme(
        "社区卫生服务设备更新",
        "卫生健康委员会",
        "社区卫生服务中心",
        "就诊居民",
        "更新基层诊疗设备，提高社区诊疗能力",
        (("更新医疗设备数量", "台", 10, 120),),
        ("设备验收合格率", "设备安装调试合格率"),
        (("设备报修响应时间", "小时", 2, 24),),
        ("设备使用率",),
        ("设备维护保养制度", "设备资产台账"),
    ),
    Theme(
        "城市绿化养护",
        "绿化和市容管理局",
        "绿化管理所",
        "周边居民",
        "做好公共绿地日常养护，提升城区绿化景观",
        (("养护绿地面积", "平方米", 50000, 600000), ("补植乔灌木", "株", 500, 8000)),
        ("苗木成活率", "养护作业合格率"),
        (("病虫害处置时间", "天", 2, 5),),
        ("绿地设施完好率",),
        ("绿地养护考核机制",),
    ),
)
DISTRICTS = (
    "临江区",
    "东湖区",
    "青山区",
    "北塘区",
    "南岭区",
    "西溪区",
    "云台区",
    "白沙区",
    "松浦区",
    "金桥区",
)
NAME_ENDINGS = ("", "项目", "专项", "（续建）", "（第二期）")
REASONS = (
    "受天气影响部分作业顺延，已调整下年度作业计划。",
    "供应商交付延迟，已约谈并纳入合同履约考核。",
    "人员调整导致进度滞后，下年度将提前配足人手。",
    "部分服务对象需求变化，已优化服务方式并加强跟踪。",
    "前期测算偏乐观，下年度将按实际情况调整指标值。",
)
WORD_TARGETS = ("按计划落实", "建立并有效运行", "全面落实", "持续运行")
PARTIAL_REASON = "制度已制定但执行不到位，将加强检查督促。"

_OP_WORDS = {Op.GE: "不少于", Op.LE: "不超过", Op.EQ: "达到", None: "达到"}


def form(
    rng: random.Random,
    template: Template,
    index: int = 0,
    file: str = "synth",
    *,
    theme: Theme | None = None,
    district: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """One correct form under ``template``; ``theme``, ``district`` and ``year`` drawn
    unless given (a project followed across years keeps its theme and district)."""
    if template.groups:
        return _group_form(rng, template, index, file)
    if template.execution_points is None:
        raise ValueError(f"synth: 模板 {template.id} 既无分组也无计分的项目资金，不能生成")
    theme = theme or rng.choice(THEMES)
    district = district or rng.choice(DISTRICTS)
    year = year or rng.choice((2022, 2023, 2024))
    weak = rng.random() < 0.15  # a project that fell short: more misses, less spent
    funding = _funding(rng, template, weak)
    indicators = _indicators(rng, theme, template, weak)
    parts = [("funding.score", funding.total.score)] + [
        (f"indicators[{n}].score", ind.score) for n, ind in enumerate(indicators)
    ]
    total = scoring.total_score(parts, template).value
    earned, _ = scoring.grade(total, template)
    return Evaluation(
        template=template.id,
        year=year,
        project=Project(
            name=f"{district}{theme.subject}{rng.choice(NAME_ENDINGS)}（{year}年）",
            department=f"{district}{theme.department}",
            unit=f"{district}{theme.unit}",
        ),
        funding=funding,
        goals=_goals(rng, theme, indicators, funding),
        indicators=tuple(indicators),
        total=total,
        total_points=_cents(template.total_points),
        grade=known(earned).label,
        source=FormSource(file, index),
    )


def forms(
    count: int, template: Template, seed: int = 0, file: str = "synth"
) -> Iterator[Evaluation]:
    rng = random.Random(seed)
    for n in range(count):
        yield form(rng, template, n, file)


def _cents(value: Decimal) -> Decimal:
    """A whole or exact figure written with two places, as forms print them."""
    return (value * 100).to_integral_exact().scaleb(-2)


# --- 项目资金 -------------------------------------------------------------------------------


def _funding(rng: random.Random, template: Template, weak: bool) -> Funding:
    unit = AmountUnit.WAN_YUAN if rng.random() < 0.85 else AmountUnit.YUAN
    # Amounts in cents (fen of the printed unit), so every figure is exact.
    low, high = (500, 90000) if unit is AmountUnit.WAN_YUAN else (2000000, 300000000)
    initial_cents = rng.randrange(low, high)
    annual_cents = (
        initial_cents if rng.random() < 0.7 else initial_cents * rng.randrange(90, 111) // 100
    )
    spent_share = rng.randrange(600, 850) if weak else rng.choice((1000, rng.randrange(880, 1000)))
    executed_cents = annual_cents * spent_share // 1000
    carryover_cents = annual_cents * rng.randrange(5, 30) // 100 if rng.random() < 0.2 else 0
    initial, annual = D(initial_cents).scaleb(-2), D(annual_cents).scaleb(-2)
    executed, carryover = D(executed_cents).scaleb(-2), D(carryover_cents).scaleb(-2)
    points = _cents(known(template.execution_points))

    def line(initial_: Decimal, annual_: Decimal, executed_: Decimal, scored: bool) -> FundingLine:
        bare = FundingLine(
            initial_budget=initial_,
            annual_budget=annual_,
            executed=executed_,
            points=points if scored else None,
        )
        rate = scoring.execution_rate(bare, template).value
        score = scoring.execution_score(bare, template).value if scored else None
        return FundingLine(initial_, annual_, executed_, bare.points, rate, score)

    zero = D("0.00")
    return Funding(
        total=line(initial, annual, executed, True),
        current_year_appropriation=line(initial, annual - carryover, executed - carryover, False),
        prior_year_carryover=line(zero, carryover, carryover, False),
        other_funds=line(zero, zero, zero, False),
        unit=unit,
    )


# --- indicators ---------------------------------------------------------------------------


def _split(rng: random.Random, points: int, parts: int) -> list[int]:
    """Points in multiples of 5, at least 5 each, adding up to ``points``, near even."""
    fives = points // 5
    shares = [fives // parts + (1 if n < fives % parts else 0) for n in range(parts)]
    for _ in range(rng.randint(0, 2)):  # move 5 points from one indicator to another
        give, take = rng.sample(range(parts), 2) if parts > 1 else (0, 0)
        if shares[give] > 1 and give != take:
            shares[give] -= 1
            shares[take] += 1
    rng.shuffle(shares)
    return [n * 5 for n in shares]


def _indicators(
    rng: random.Random, theme: Theme, template: Template, weak: bool
) -> list[Indicator]:
    advised = template.advised_weights or {
        "产出指标": D(50),
        "效益指标": D(30),
        "满意度指标": D(10),
    }
    output, effect, satisfaction = (
        int(advised.get(k, 0)) for k in ("产出指标", "效益指标", "满意度指标")
    )
    rows: list[tuple[str, str, Target, str]] = []  # (level1, level2, target, name)
    count = rng.choice(theme.counts)
    rows.append(
        (
            "产出指标",
            "数量指标",
            Target(Op.GE, D(_round_target(rng, count[2], count[3])), count[1]),
            count[0],
        )
    )
    rows.append(("产出指标", "质量指标", _rate_target(rng), rng.choice(theme.rates)))
    timely = rng.choice(theme.timeliness)
    rows.append(
        (
            "产出指标",
            "时效指标",
            Target(Op.LE, D(rng.randint(timely[2], timely[3])), timely[1]),
            timely[0],
        )
    )
    outputs = 3
    effects = [
        ("效益指标", "社会效益指标", _rate_target(rng, low=80), rng.choice(theme.effects)),
        (
            "效益指标",
            "可持续影响指标",
            Target(text=rng.choice(WORD_TARGETS)),
            rng.choice(theme.lasting),
        ),
    ]
    rows += effects
    rows.append(
        (
            "满意度指标",
            "服务对象满意度指标",
            Target(Op.GE, _cents(D(rng.choice((85, 90, 95)))), "%"),
            f"{theme.people}满意度",
        )
    )
    points = (
        _split(rng, output, outputs)
        + _split(rng, effect, len(effects))
        + _split(rng, satisfaction, 1)
    )
    out = []
    for (level1, level2, target, name), share in zip(rows, points):
        out.append(_indicator(rng, template, level1, level2, name, target, _cents(D(share)), weak))
    return out


def _round_target(rng: random.Random, low: int, high: int) -> int:
    """A target as people set them: a round number."""
    step = 10 ** max(0, len(str(high)) - 2)
    return max(step, rng.randint(low, high) // step * step)


def _rate_target(rng: random.Random, low: int = 90) -> Target:
    value = rng.choice([v for v in (80, 85, 90, 95, 98, 100) if v >= low])
    return Target(Op.EQ if value == 100 else Op.GE, _cents(D(value)), "%")


def _indicator(
    rng: random.Random,
    template: Template,
    level1: str,
    level2: str,
    name: str,
    target: Target,
    points: Decimal,
    weak: bool,
) -> Indicator:
    missed = rng.random() < (0.35 if weak else 0.1)
    actual = _actual(rng, target, missed)
    target_text, actual_text = format_target(target), format_target(actual)
    bare = Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=target_text,
        actual=actual_text,
        points=points,
        target_parsed=parse_target(target_text),
        actual_parsed=parse_target(actual_text),
    )
    figure = scoring.indicator_score(bare, template)
    score = figure.value if figure.value is not None else _within(rng, figure, points, missed)
    deviation = None
    if score < points:
        deviation = PARTIAL_REASON if not actual.quantitative else rng.choice(REASONS)
    return Indicator(
        level1,
        level2,
        name,
        target_text,
        actual_text,
        points,
        score,
        deviation,
        target_parsed=bare.target_parsed,
        actual_parsed=bare.actual_parsed,
    )


def _actual(rng: random.Random, target: Target, missed: bool) -> Target:
    if not target.quantitative:
        return Target(text="部分达成" if missed else "达成指标")
    cents = int(known(target.value) * 100)
    if target.op is Op.LE:
        share = rng.randint(103, 130) if missed else rng.randint(40, 100)
    elif target.unit == "%":
        top = 10000 * 100 // cents  # rates stop at 100%
        share = rng.randint(85, 99) if missed else rng.randint(100, max(100, top))
    else:
        share = rng.randint(85, 99) if missed else rng.randint(100, 125)
    value_cents = cents * share // 100
    if target.op is Op.GE and target.unit != "%":
        value_cents -= value_cents % 100  # counts are whole
    return Target(value=D(value_cents).scaleb(-2), unit=target.unit)


def _within(rng: random.Random, figure: scoring.Figure, points: Decimal, missed: bool) -> Decimal:
    """A judged score inside a qualitative band: full points unless the band is lower."""
    if not missed and rng.random() < 0.85:
        return known(figure.high)
    cents = rng.randint(int(known(figure.low) * 100), int(known(figure.high) * 100))
    return D(cents).scaleb(-2)


# --- 年度总体目标 ---------------------------------------------------------------------------


def _said(value: Decimal, unit: str | None) -> str:
    text = format(value.normalize(), "f")
    return f"{text}%" if unit == "%" else f" {text} {unit}"


def _said_target(target: Target | None) -> str:
    """A quantitative target or result in words."""
    target = known(target)
    return _said(known(target.value), target.unit)


def _goals(
    rng: random.Random, theme: Theme, indicators: list[Indicator], funding: Funding
) -> Goals:
    measured = [ind for ind in indicators if known(ind.target_parsed).quantitative]
    stated = rng.sample(measured, k=min(len(measured), rng.randint(2, 3)))
    plans = [
        f"{ind.name}{_OP_WORDS[known(ind.target_parsed).op]}{_said_target(ind.target_parsed)}"
        for ind in stated
    ]
    expected = f"{theme.purpose}。年度内{'，'.join(plans)}。"
    reported = rng.sample(measured, k=min(len(measured), rng.randint(2, 3)))
    results = [f"{ind.name}实际为{_said_target(ind.actual_parsed)}" for ind in reported]
    unit = known(funding.unit).value
    spent = f"全年执行资金{_said(known(funding.total.executed), unit)}"
    actual = f"项目按计划实施，{spent}；{'；'.join(results)}。"
    return Goals(expected=expected, actual=actual)


# --- the Shanghai 2019 layout: groups with printed points --------------------------------------

# Indicators of each group: (name, what it measures). The 预算执行率 row is the
# template's execution indicator and is added to the first group.
GROUP_ROWS = {
    "投入与管理": (
        ("资金使用的合规性", "资金是否按批复用途和规定程序使用。"),
        ("项目设立的规范性", "立项是否经过论证并按程序申报。"),
        ("绩效目标合理性", "目标是否明确、可衡量并与预算相称。"),
        ("财务管理制度的健全性", "是否有资金管理办法并得到执行。"),
        ("项目管理制度的健全性", "是否有项目管理制度并得到执行。"),
    ),
    "产出目标": (
        ("完成工作量", "全年计划任务的完成程度。"),
        ("工作质量", "成果是否通过验收或考评。"),
        ("完成及时性", "各项任务是否按期完成。"),
    ),
    "效果目标": (
        ("服务效果", "项目实施后服务对象得到的改善。"),
        ("运行稳定性", "系统或设施全年是否稳定运行。"),
    ),
    "影响力目标": (
        ("服务对象满意度", "年末满意度调查结果。"),
        ("长效管理机制", "管理制度是否健全并持续执行。"),
    ),
}
RULE_WORDS = "①全部达到得满分②部分达到酌情扣分③未达到不得分"
BAND_RULE = "①执行率90%及以上得满分②80%至90%、70%至80%按档次酌情评分③70%以下不得分"


def _group_form(rng: random.Random, template: Template, index: int, file: str) -> Evaluation:
    theme = rng.choice(THEMES)
    district = rng.choice(DISTRICTS)
    year = rng.choice((2019, 2020))
    budget_cents = rng.randrange(2000000, 300000000)
    weak = rng.random() < 0.2  # fell short: less spent, more judged down
    spent_share = rng.randrange(700, 900) if weak else rng.choice((1000, rng.randrange(900, 1000)))
    line = FundingLine(
        annual_budget=D(budget_cents).scaleb(-2),
        executed=D(budget_cents * spent_share // 1000).scaleb(-2),
    )
    rate = scoring.execution_rate(line, template).value
    funding = Funding(
        total=FundingLine(
            annual_budget=line.annual_budget, executed=line.executed, execution_rate=rate
        ),
        prior_year_budget=D(budget_cents * rng.randrange(85, 115) // 100).scaleb(-2),
        unit=AmountUnit.YUAN,
    )
    indicators = []
    for n, group in enumerate(template.groups):
        rows = list(GROUP_ROWS.get(group.name, (("工作完成情况", "全年工作的完成程度。"),)))
        rows = rows[: rng.randint(max(1, len(rows) - 1), len(rows))]
        weights = _integer_split(rng, int(group.points) - (8 if n == 0 else 0), len(rows))
        if n == 0 and template.execution_indicator:  # the band-scored row, weight 8 as in the seeds
            rows.insert(1, (template.execution_indicator, "反映预算执行的进度。"))
            weights.insert(1, 8)
        for (name, meaning), weight in zip(rows, weights):
            indicators.append(
                _judged(rng, template, group.name, name, meaning, D(weight), rate, weak)
            )
    parts = [(f"indicators[{n}].score", ind.score) for n, ind in enumerate(indicators)]
    total = _cents(known(scoring.total_score(parts, template).value))
    earned, _ = scoring.grade(total, template)
    return Evaluation(
        template=template.id,
        year=year,
        project=Project(
            name=f"{district}{theme.subject}{rng.choice(NAME_ENDINGS)}",
            unit=f"{district}{theme.unit}",
            division=rng.choice(("综合办公室", "业务科", "信息科", "计划财务科")),
            recurring=rng.random() < 0.7,
        ),
        funding=funding,
        goals=Goals(expected=f"{theme.purpose}，完成年度工作计划。"),
        indicators=tuple(indicators),
        total=total,
        total_points=_cents(template.total_points),
        grade=known(earned).label,
        evaluated_on=date(year + 1, rng.randint(3, 6), rng.randint(1, 28)),
        achievements=f"项目按计划实施，全年执行资金{_said(known(line.executed), '元')}，各项工作完成情况良好。",
        problems_found="无"
        if all(i.score == i.points for i in indicators)
        else "个别工作进度偏慢。",
        improvements="加强过程管理，按月跟踪进度。",
        source=FormSource(file, index),
    )


def _integer_split(rng: random.Random, points: int, parts: int) -> list[int]:
    """Whole weights of at least 2 each adding up to ``points``, near even."""
    shares = [points // parts + (1 if n < points % parts else 0) for n in range(parts)]
    for _ in range(rng.randint(0, 2)):
        give, take = rng.sample(range(parts), 2) if parts > 1 else (0, 0)
        if give != take and shares[give] > 2:
            shares[give] -= 1
            shares[take] += 1
    return shares


def _judged(
    rng: random.Random,
    template: Template,
    group: str,
    name: str,
    meaning: str,
    weight: Decimal,
    rate: Decimal | None,
    weak: bool,
) -> Indicator:
    """An old-template row: the execution row by its bands, the others by judgement."""
    if name == template.execution_indicator:
        figure = scoring.execution_band_score(rate, weight, template)
        rule = BAND_RULE
    else:
        figure = scoring.judgement_score(weight, template)
        rule = RULE_WORDS
    if figure.value is not None:
        score = figure.value
    elif name != template.execution_indicator:  # judged: mostly full, else a point or two off
        cut = 0 if rng.random() < (0.6 if weak else 0.9) else rng.randint(1, 3 if weak else 1)
        score = max(weight - cut, D(0))
    else:  # a whole score inside the execution band, as the old forms print them
        score = D(
            rng.randint(
                int(known(figure.low).to_integral_value(rounding="ROUND_CEILING")),
                int(known(figure.high)),
            )
        )
    score = D(int(score)) if score == int(score) else score
    deviation = rng.choice(REASONS) if score < weight else None
    return Indicator(
        level1=group,
        name=name,
        points=weight,
        score=score,
        deviation=deviation,
        rule=rule,
        explanation=meaning,
    )


# --- text as published ------------------------------------------------------------------------


def _fig(value: Decimal | None) -> str:
    return "-" if value is None else format(value, "f")


def _tabbed(cells: Iterable[str | None]) -> str:
    """A row of cells tab-separated; a synthetic form leaves none of them None."""
    return "\t".join(known(cell) for cell in cells)


_T = TypeVar("_T")


def known(value: _T | None) -> _T:
    """A value every synthetic form has (the generator made it, or the template was
    checked for it): never None."""
    assert value is not None
    return value


def render_text(evaluations: list[Evaluation]) -> str:
    """Forms as tab-separated text, the layout PDF extraction gives of published forms."""
    out: list[str] = []
    for ev in evaluations:
        if templates.load(ev.template).groups:
            out += _render_groups(ev)
            continue
        f = ev.funding
        out += [
            "财政项目支出绩效自评表",
            f"({ev.year} 年度)",
            "",
            f"项目名称\t\t{ev.project.name}\t\t\t\t\t",
            f"主管部门\t\t{ev.project.department}\t\t实施单位\t\t{ev.project.unit}\t",
            f"项目资金 ({known(f.unit).value})\t\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率(%)\t得分",
        ]
        for label, line in (
            ("年度资金总额:", f.total),
            ("其中: 当年财政拨款", f.current_year_appropriation),
            ("上年结转资金", f.prior_year_carryover),
            ("其他资金", f.other_funds),
        ):
            line = known(line)
            cells = (
                line.initial_budget,
                line.annual_budget,
                line.executed,
                line.points,
                line.execution_rate,
                line.score,
            )
            out.append("\t" + label + "\t" + "\t".join(_fig(v) for v in cells))
        out += [
            "年度总体目标\t预期目标\t\t\t实际完成情况\t\t\t",
            f"\t{ev.goals.expected}\t\t\t{ev.goals.actual}\t\t\t",
            "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
        ]
        level1 = level2 = None
        for ind in ev.indicators:
            first = ind.level1 if ind.level1 != level1 else ""
            second = ind.level2 if (ind.level1, ind.level2) != (level1, level2) else ""
            level1, level2 = ind.level1, ind.level2
            out.append(
                _tabbed(
                    (
                        first,
                        second,
                        ind.name,
                        ind.target,
                        ind.actual,
                        _fig(ind.points),
                        _fig(ind.score),
                        ind.deviation or "",
                    )
                )
            )
        out += [
            f"总分\t\t\t\t\t{_fig(ev.total_points)}\t{_fig(ev.total)}\t",
            f"评分等级\t\t{ev.grade}\t\t\t\t\t",
            "",
        ]
    return "\n".join(out)


def _render_groups(ev: Evaluation) -> list[str]:
    """The Shanghai 2019 layout: header block, then the indicator table by group."""
    f = ev.funding
    money = "{:,.2f}".format
    out = [
        f"\t\t{ev.year}年度财政项目绩效自评表\t\t\t\t",
        f"项目名称\t\t{ev.project.name}\t\t预算单位\t\t{ev.project.unit}",
        f"具体实施处（科室）\t\t{ev.project.division}\t\t是否为经常性项目\t\t{'是' if ev.project.recurring else '否'}",
        f"当年预算数（元）\t\t{money(f.total.annual_budget)}\t\t上年预算金额（元）\t\t{money(f.prior_year_budget)}",
        f"预算执行数（元）\t\t{money(f.total.executed)}\t\t预算执行率（%）\t\t{_fig(f.total.execution_rate)}%",
        f"项目年度总目标\t\t{ev.goals.expected}\t\t\t\t",
        f"自评时间\t\t{known(ev.evaluated_on).isoformat()}\t\t\t\t",
        f"绩效等级\t\t{ev.grade}\t\t\t\t",
        f"主要绩效\t\t{ev.achievements}\t\t\t\t",
        f"主要问题\t\t{ev.problems_found}\t\t\t\t",
        f"改进措施\t\t{ev.improvements}\t\t\t\t",
        "一级指标\t指标名称\t指标解释\t权重\t评分规则\t自评得分\t备注",
    ]
    group = None
    for ind in ev.indicators:
        points = next(
            (g.points for g in templates.load(ev.template).groups if g.name == ind.level1), None
        )
        label = f"{ind.level1} ({points}分)" if ind.level1 != group else ""
        group = ind.level1
        out.append(
            _tabbed(
                (
                    label,
                    ind.name,
                    ind.explanation,
                    _fig(ind.points),
                    ind.rule,
                    _fig(ind.score),
                    ind.deviation or "",
                )
            )
        )
    out += [f"合计\t\t\t{_fig(ev.total_points)}\t\t{_fig(ev.total)}\t", ""]
    return out
