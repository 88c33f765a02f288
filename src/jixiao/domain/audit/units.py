"""单位与指标值: units that disagree, targets that cannot be read or measured.

Targets and actuals are parsed by :mod:`jixiao.domain.targets`; units are
compared with its :func:`same_unit` (% and 百分比 are one unit)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from jixiao.domain.audit.finding import Finding, Severity, rule
from jixiao.domain.model import Evaluation, Indicator
from jixiao.domain.normalize import fold, squash
from jixiao.domain.recompute import Check
from jixiao.domain.targets import same_unit
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

_NAME_UNIT = re.compile(r"\(([^()\d]{1,4})\)$")
_SIGNS = set("≥≤<>=")
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
    for n, ind in enumerate(form.indicators):
        path = f"indicators[{n}]"
        yield from _units(ind, path)
        found = _target_words(ind, path)
        if found:
            yield found


def _units(ind: Indicator, path: str) -> list[Finding]:
    # A list, not a generator: cheaper to make twelve times a form, and mostly empty.
    found = []
    target, actual = ind.target_parsed, ind.actual_parsed
    t_unit = target.unit if target is not None and target.quantitative else None
    a_unit = actual.unit if actual is not None and actual.quantitative else None
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
