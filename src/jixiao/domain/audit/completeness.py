"""完整性: required cells left empty, and the problems the reader recorded.

Which cells are required follows the template: a cell is required when the
template's layout has its column (the old template has no 主管部门, and its
项目资金 block has no score)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import Any

from jixiao.domain.audit.finding import Finding, Severity, rule
from jixiao.domain.model import Evaluation, Funding, Indicator
from jixiao.domain.recompute import Check
from jixiao.domain.template import Template

MISSING = rule(
    "cell-missing",
    "completeness",
    Severity.ERROR,
    "必填内容缺失",
    "模板要求填写的内容是空的（项目名称、单位、预算与执行金额、目标、指标名称、指标值、完成值、分值、总分、等级…）。",
    "{what}未填写",
    "{what_en} is empty",
    {"what": "评分等级", "what_en": "the grade"},
)
UNREADABLE = rule(
    "cell-unreadable",
    "completeness",
    Severity.ERROR,
    "内容无法读取",
    "读取表格时发现问题，这一处的值没有读到（如数字处为文字、找不到总分行）。",
    "{message}",
    "could not be read: {message}",
    {"message": "无法读取为数字（原文：九点五）"},
)
DOUBTFUL = rule(
    "cell-doubtful",
    "completeness",
    Severity.INFO,
    "内容读取有疑问",
    "读取表格时这一处有损坏：已按能确定的唯一写法读取（如残缺的标准标签），或原样保留并说明疑问。请核对原件。",
    "{message}",
    "read with a doubt: {message}",
    {"message": "标签残缺，按标准名称「服务对象满意度指标」读取（原文：服务对象满意度标）"},
)

# Field path → (the template column that makes it required, English name); the
# Chinese name is the column's label as the template prints it.
_HEADER = {
    "project.name": ("name", "the project name"),
    "project.department": ("department", "the supervising department"),
    "project.unit": ("unit", "the implementing unit"),
    "funding.initial_budget": ("initial_budget", "the initial budget"),
    "funding.annual_budget": ("annual_budget", "the annual budget"),
    "funding.executed": ("executed", "the amount spent"),
    "funding.execution_rate": ("execution_rate", "the execution rate"),
    "goals.expected": ("expected", "the expected goal"),
    "goals.actual": ("actual_goal", "the results"),
    "evaluated_on": ("evaluated_on", "the date of the evaluation"),
    "achievements": ("achievements", "the main achievements"),
    "total": ("total", "the total"),
    "grade": ("grade", "the grade"),
}
_SCORED_FUNDING = {
    "funding.points": ("项目资金分值", "the execution points"),
    "funding.score": ("项目资金得分", "the execution score"),
}
_INDICATOR = {
    "name": ("indicator", "the indicator's name"),
    "target": ("target", "the target"),
    "actual": ("actual", "the actual"),
    "points": ("points", "the points"),
}
_TEXT_CELLS = {"name", "target", "actual"}  # the rest hold figures


def findings(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    yield from _problems(form)
    reported = {p.field for p in form.problems}
    required, header_of, columns, has_table, row_of = template.derived("audit.required", _required)
    try:
        header = header_of(form)
    except AttributeError:  # a block on the way is None
        header = [get(form) for _, get, _, _ in required]
    for (path, _, zh, en), value in zip(required, header):
        if (
            value.__class__ is not Decimal and _empty(value) and path not in reported
        ):  # most cells hold a figure
            yield MISSING.finding(path, what=zh, what_en=en)
    text_of, figure_keys = row_of
    for n, ind in enumerate(form.indicators):
        texts = text_of(ind)
        # Every required cell of the row filled, as in most rows. (The figures are
        # tested one by one: a Decimal compared with None or "" is slow.)
        if None not in texts and "" not in texts and _filled(ind, figure_keys):
            continue
        for key, zh, en in columns:
            value = getattr(ind, key)
            if value is not None and (value != "" if isinstance(value, str) else True):
                continue
            path = f"indicators[{n}].{key}"
            if path not in reported:
                yield MISSING.finding(
                    path, what=f"第 {n + 1} 个指标的{zh}", what_en=f"{en} of indicator {n + 1}"
                )
    if not form.indicators and has_table and "indicators" not in reported:
        yield MISSING.finding("indicators", what="指标表", what_en="the indicator table")


def _required(
    template: Template,
) -> tuple[
    list[Any], Callable[..., Any], list[Any], bool, tuple[Callable[..., Any], tuple[str, ...]]
]:
    """A template's required cells: (path, getter, Chinese, English) of the
    header and funding, and a getter of them all at once; (attribute, Chinese,
    English) of each indicator, with a getter of a row's text cells at once and
    the names of its figure cells; whether it has an indicator table. Made once
    per template."""
    label = {column: names[0] for column, names in template.columns.items() if names}
    required = [
        (path, _getter(path), label[column], en)
        for path, (column, en) in _HEADER.items()
        if column in label
    ]
    if template.execution_points is not None:
        required += [(path, _getter(path), zh, en) for path, (zh, en) in _SCORED_FUNDING.items()]
    columns = [
        (key, label[column], en) for key, (column, en) in _INDICATOR.items() if column in label
    ]
    texts = [key for key, _, _ in columns if key in _TEXT_CELLS]
    text_of = attrgetter(
        *texts, "name", "name"
    )  # a tuple even of one (a name more changes nothing)
    row_of = text_of, tuple(key for key, _, _ in columns if key not in _TEXT_CELLS)
    header_of = attrgetter(
        *(_chain(path) for path, _, _, _ in required), "project"
    )  # a tuple even of one
    return required, header_of, columns, "indicator" in label, row_of


def _filled(ind: Indicator, keys: tuple[str, ...]) -> bool:
    return all(getattr(ind, key) is not None for key in keys)


def _problems(form: Evaluation) -> Iterator[Finding]:
    """A problem whose cell still holds a value is a doubt (repaired, or kept as
    printed); any other lost a value (a whole block — "funding", "indicators" —
    counts as lost)."""
    for problem in form.problems:
        message = problem.message + (f"（原文：{problem.raw}）" if problem.raw else "")
        value = value_at(form, problem.field)
        lost = _empty(value) or is_dataclass(value) or isinstance(value, tuple)
        made = UNREADABLE if lost else DOUBTFUL
        yield made.finding(problem.field, printed=problem.raw, message=message)


# --- field paths of the JSON contract → values of the model ----------------------------

_STEP = re.compile(r"([a-z_0-9]+)(?:\[(\d+)\])?")


def value_at(form: Evaluation, path: str) -> object:
    """The model's value at a JSON field path (``funding.breakdown.other_funds.score``,
    ``indicators[3].target``); None where there is none."""
    obj: object = form
    for name, index in _steps(path):
        if name is None or obj is None:
            return None
        if name == "breakdown":  # the JSON nests the parts; the model keeps them on Funding
            continue
        if isinstance(obj, Funding) and not hasattr(obj, name):
            obj = obj.total  # funding.executed is the 年度资金总额 row's
        obj = getattr(obj, name, None)
        if index is not None:
            items = obj or ()
            obj = items[index] if index < len(items) else None
    return obj


@lru_cache(maxsize=1024)  # the same few dozen paths, form after form
def _steps(path: str) -> tuple[tuple[str | None, int | None], ...]:
    """A field path's steps: ``indicators[3].target`` → ("indicators", 3), ("target", None);
    (None, None) for a step that is not a name."""
    steps: list[tuple[str | None, int | None]] = []
    for step in path.split("."):
        found = _STEP.fullmatch(step)
        if found is None:
            steps.append((None, None))
            continue
        name, index = found.groups()
        steps.append((name, None if index is None else int(index)))
    return tuple(steps)


def _getter(path: str) -> Callable[[Evaluation], object]:
    """:func:`value_at` of one path without indices, as one attribute lookup
    (``funding.executed`` → ``form.funding.total.executed``)."""
    lookup = attrgetter(_chain(path))

    def get(form: Evaluation) -> object:
        try:
            return lookup(form)
        except AttributeError:  # a block on the way is None
            return None

    return get


def _chain(path: str) -> str:
    """The attributes :func:`value_at` follows for a path without indices, dotted."""
    obj: object = Evaluation(template="")
    chain = []
    for name, _ in _steps(path):
        if name is None:
            raise ValueError(f"not a field path: {path}")
        if name == "breakdown":
            continue
        if isinstance(obj, Funding) and not hasattr(obj, name):
            chain.append("total")
            obj = obj.total
        chain.append(name)
        obj = getattr(obj, name)
    return ".".join(chain)


def _empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, tuple)):  # == "" or == ()
        return not value
    if isinstance(value, (Decimal, date)):  # what most cells hold: never a dataclass
        return False
    if is_dataclass(value):
        return all(_empty(getattr(value, f.name)) for f in fields(value))
    return False
