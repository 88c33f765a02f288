"""单位与指标值: units that disagree, targets that cannot be read or measured.

Targets and actuals are parsed by :mod:`jixiao.domain.targets`; units are
compared with its :func:`same_unit` (% and 百分比 are one unit)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Final

from jixiao.contract import paths
from jixiao.domain import scoring
from jixiao.domain.audit.finding import Finding, Severity, rule
from jixiao.domain.model import Evaluation, Indicator
from jixiao.domain.normalize import fold, squash
from jixiao.domain.recompute import Check
from jixiao.domain.targets import (
    DATE_UNIT,
    MALFORMED_UNITS,
    Op,
    Target,
    as_date,
    is_placeholder,
    same_unit,
    unit_key,
)
from jixiao.domain.template import Template

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

UNIT_DIFFERS = rule(
    "unit-differs",
    "units",
    E,
    "指标值与完成值单位不同",
    "年度指标值与实际完成值的单位不同（如 % 与 分），无法比较，也无法按比例计分。",
    "指标值单位「{target_unit}」与完成值单位「{actual_unit}」不同",
    "the target is in “{target_unit}” but the actual in “{actual_unit}”",
    {"target_unit": "%", "actual_unit": "分"},
)
NAME_UNIT_DIFFERS = rule(
    "unit-name-differs",
    "units",
    W,
    "指标名称中的单位与指标值不同",
    "三级指标名称里写明的单位（如「维护设备数量（个）」）与年度指标值或实际完成值的单位不同。",
    "指标名称标明单位「{name_unit}」，{where}的单位却是「{unit}」",
    "the indicator's name gives the unit “{name_unit}” but its {where_en} is in “{unit}”",
    {"name_unit": "个", "where": "年度指标值", "unit": "%", "where_en": "target"},
)
UNPARSEABLE = rule(
    "target-unparseable",
    "units",
    W,
    "指标值无法读取",
    "年度指标值写有比较符号（≥、≤、=…）却读不出数字，无法据以计分。",
    "年度指标值「{printed}」有比较符号，却读不出数字",
    "the target “{printed}” has a comparison sign but no number that can be read",
    {"printed": "≥九十(%)"},
)
NOT_MEASURABLE = rule(
    "target-not-measurable",
    "units",
    I,
    "指标值未量化",
    "年度指标值是文字（如「提高」「建立健全」），而指标本可用数字衡量（名称是率、数量、时间、满意度，"
    "或文字只说方向）。",
    "「{name}」的指标值「{printed}」是文字，可考虑量化",
    "the target of “{name}”, “{printed}”, is words where a number could be set",
    {"name": "单位安全系数", "printed": "提高"},
)
ACTUAL_IN_WORDS = rule(
    "actual-in-words",
    "units",
    I,
    "定量指标的完成值是文字",
    "年度指标值是数字，实际完成值却只写了文字（如「达成指标」），看不出完成了多少。",
    "指标值为 {target}，完成值却是文字「{printed}」",
    "the target is {target} but the actual is words, “{printed}”",
    {"target": "1 份年度运维总结报告", "printed": "达成指标"},
)

COST_AT_LEAST = rule(
    "cost-target-at-least",
    "units",
    W,
    "成本指标写成「不低于」",
    "成本指标的年度指标值用了 ≥、> 或「不低于」：成本应当控制在上限以内（≤），除非指标说的是节约或降低。",
    "成本指标「{name}」的指标值「{printed}」是下限（{op}），成本一般应为上限（≤）",
    "the cost indicator “{name}” has a lower bound “{printed}” ({op}); a cost is normally capped (≤)",
    {"name": "项目预算控制数", "printed": "≥100(万元)", "op": "≥"},
)
PERCENT_ABOVE_100 = rule(
    "percent-target-above-100",
    "units",
    W,
    "百分比指标值超过 100%",
    "率或比例的年度指标值超过 100%（如完成率 ≥120%），无法达到或写错了；增长、提高一类的指标除外。",
    "「{name}」的指标值「{printed}」超过 100%",
    "the target of “{name}”, “{printed}”, is above 100%",
    {"name": "项目验收合格率", "printed": "≥110(%)"},
)
PLACEHOLDER = rule(
    "value-placeholder",
    "units",
    W,
    "指标值或完成值是占位符",
    "计分的指标行里，年度指标值或实际完成值只写了 *、/、— 之类的符号，没有可据以计分的值。",
    "{where}只写了「{printed}」，没有可据以计分的值",
    "the {where_en} is only “{printed}”: nothing to score by",
    {"where": "实际完成值", "printed": "/", "where_en": "actual"},
)
UNIT_MALFORMED = rule(
    "unit-malformed",
    "units",
    W,
    "单位写法不规范",
    "年度指标值或实际完成值的单位写成了文字（如「≥100百分比」），应写符号（≥100%）。",
    "{where}「{printed}」的单位「{unit}」不规范，应为「{expected}」",
    "the {where_en} “{printed}” has the unit “{unit}”; write “{expected}”",
    {
        "where": "年度指标值",
        "printed": "≥100百分比",
        "unit": "百分比",
        "expected": "%",
        "where_en": "target",
    },
)

_NAME_UNIT = re.compile(r"\(([^()\d]{1,4})\)$")
_SIGNS = set("≥≤<>=")
_HUNDRED: Final = Decimal(100)
# Words that say only which way a target goes, not how far.
_DIRECTION_WORDS = (
    "提高",
    "提升",
    "增强",
    "加强",
    "改善",
    "完善",
    "健全",
    "有效",
    "明显",
    "逐步",
    "进一步",
)
# Names of things that are counted or measured.
_MEASURED_NAMES = (
    "率",
    "数量",
    "次数",
    "人数",
    "户数",
    "时间",
    "时长",
    "天数",
    "满意度",
    "面积",
    "长度",
)


def findings(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    rescale = template.rules.rescale_not_applicable
    for n, ind in enumerate(form.indicators):
        if rescale and scoring.not_applicable(ind):  # 不适用: left out by the rule pack
            continue
        path = paths.indicator(n)
        yield from _units(ind, path)
        found = _target_words(ind, path)
        if found:
            yield found
        target = ind.target_parsed
        if target is not None and target.value is not None:
            found = _target_bounds(ind, target, path)
            if found:
                yield found
            if target.unit in MALFORMED_UNITS:
                yield _malformed(ind.target, target.unit, f"{path}.target", "年度指标值", "target")
        actual = ind.actual_parsed
        if actual is not None and actual.unit in MALFORMED_UNITS:
            yield _malformed(ind.actual, actual.unit, f"{path}.actual", "实际完成值", "actual")
        if ind.points is not None and not ind.child:  # a scored row: a value belongs there
            if is_placeholder(ind.target):
                yield PLACEHOLDER.finding(
                    f"{path}.target", printed=ind.target, where="年度指标值", where_en="target"
                )
            if is_placeholder(ind.actual):
                yield PLACEHOLDER.finding(
                    f"{path}.actual", printed=ind.actual, where="实际完成值", where_en="actual"
                )


# Indicators whose % may pass 100 (growth, a rise), and costs that may have a floor (savings).
_GROWTH_WORDS = ("增长", "增幅", "增加", "增速", "提高", "提升", "同比", "环比", "倍")
_SAVING_WORDS = ("节约", "节省", "降低", "下降", "压减", "减少")


def _target_bounds(ind: Indicator, target: Target, path: str) -> Finding | None:
    op, value = target.op, target.value
    assert value is not None, "a quantitative target"
    name = ind.name or path
    if op in (Op.GE, Op.GT) and _is_cost(ind) and not any(w in name for w in _SAVING_WORDS):
        return COST_AT_LEAST.finding(f"{path}.target", printed=ind.target, name=name, op=op.value)
    if (
        value > _HUNDRED
        and op not in (Op.LE, Op.LT)
        and unit_key(target.unit) == "%"
        and not any(w in name for w in _GROWTH_WORDS)
    ):
        return PERCENT_ABOVE_100.finding(f"{path}.target", printed=ind.target, name=name)
    return None


def _is_cost(ind: Indicator) -> bool:
    return "成本" in (ind.level2 or "") or "成本" in (ind.level1 or "")


def _malformed(raw: str | None, unit: str, field: str, where: str, where_en: str) -> Finding:
    return UNIT_MALFORMED.finding(
        field,
        printed=raw,
        expected=MALFORMED_UNITS[unit],
        where=where,
        where_en=where_en,
        unit=unit,
    )


def _units(ind: Indicator, path: str) -> list[Finding]:
    # A list, not a generator: cheaper to make twelve times a form, and mostly empty.
    found: list[Finding] = []
    target, actual = ind.target_parsed, ind.actual_parsed
    t_unit = target.unit if target is not None and target.quantitative else None
    a_unit = actual.unit if actual is not None and actual.quantitative else None
    if t_unit == DATE_UNIT and as_date(actual) is not None:  # a deadline met on a date, "7月"
        return found
    if t_unit and a_unit and not same_unit(t_unit, a_unit):
        found.append(
            UNIT_DIFFERS.finding(
                f"{path}.actual",
                printed=ind.actual,
                expected=ind.target,
                target_unit=t_unit,
                actual_unit=a_unit,
            )
        )
    _, name_unit = split_name_unit(ind.name)
    if name_unit is None:
        return found
    for unit, where, where_en in (
        (t_unit, "年度指标值", "target"),
        (a_unit, "实际完成值", "actual"),
    ):
        if unit and not same_unit(name_unit, unit):
            found.append(
                NAME_UNIT_DIFFERS.finding(
                    f"{path}.name",
                    printed=ind.name,
                    expected=unit,
                    name_unit=name_unit,
                    where=where,
                    where_en=where_en,
                    unit=unit,
                )
            )
            break
    return found


@lru_cache(maxsize=4096)  # indicator names repeat from form to form and unit to unit
def split_name_unit(name: str | None) -> tuple[str, str | None]:
    """An indicator's name and the unit it ends with: "维护设备数量（个）" →
    ("维护设备数量", "个"); the name is folded (half-width, no spaces)."""
    folded = squash(fold(name or ""))
    found = _NAME_UNIT.search(folded)
    return (folded[: found.start()], found.group(1)) if found else (folded, None)


def _target_words(ind: Indicator, path: str) -> Finding | None:
    target, actual = ind.target_parsed, ind.actual_parsed
    if target is None:
        return None
    if target.quantitative:
        if actual is not None and not actual.quantitative:
            return ACTUAL_IN_WORDS.finding(
                f"{path}.actual", printed=ind.actual, expected=ind.target, target=ind.target
            )
        return None
    words = target.text or ""
    if _SIGNS & set(words):
        return UNPARSEABLE.finding(f"{path}.target", printed=ind.target)
    if any(w in words for w in _DIRECTION_WORDS) or squash(ind.name or "").endswith(
        _MEASURED_NAMES
    ):
        return NOT_MEASURABLE.finding(f"{path}.target", printed=ind.target, name=ind.name or path)
    return None
