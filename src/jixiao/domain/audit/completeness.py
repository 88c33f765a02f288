"""完整性: required cells left empty, and the problems the reader recorded.

Which cells are required follows the template: a cell is required when the
template's layout has its column (the old template has no 主管部门, and its
项目资金 block has no score), and the form's file prints it (``source.unprinted``:
a department form without 全年预算数)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from jixiao.contract import paths
from jixiao.contract.fields import field
from jixiao.domain import scoring
from jixiao.domain.audit.finding import Finding, Severity, rule
from jixiao.domain.audit.settings import settings
from jixiao.domain.model import Evaluation, Indicator
from jixiao.domain.recompute import Check
from jixiao.domain.template import Template

MISSING = rule(
    "cell-missing",
    "completeness",
    Severity.ERROR,
    "必填内容缺失",
    "模板要求填写的内容是空的（项目名称、单位、预算与执行金额、目标、指标名称、指标值、完成值、分值、总分、等级…）；"
    "文件整列未印的（如部门整体支出表没有全年预算数）不要求。",
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

TOO_LONG = rule(
    "narrative-too-long",
    "completeness",
    Severity.WARNING,
    "文字超过字数限制",
    "模板规定了字数上限的栏目（如四川 2023 年表的评价结论 200 字）写得更长。",
    "{what}共 {count} 字，超过 {limit} 字的限制",
    "{what_en} has {count} characters, over the limit of {limit}",
    {"what": "评价结论", "what_en": "the conclusion", "count": "236", "limit": "200"},
)
REASON_MISSING = rule(
    "execution-reason-missing",
    "completeness",
    Severity.WARNING,
    "执行率偏低未说明原因",
    "模板要求执行率低于某一比例（如 90%）时在资金的「原因」栏说明，而原因是空的。",
    "执行率 {rate}% 低于 {below}%，未说明原因",
    "the execution rate {rate}% is below {below}% and no reason is given",
    {"rate": "82.50", "below": "90"},
)

ADJUSTED_WITHOUT_REASON = rule(
    "budget-adjusted-without-reason",
    "completeness",
    Severity.WARNING,
    "预算调整未说明原因",
    "模板要求说明预算调整（如四川 2023 年表）：调整后预算数与年初预算数不同，资金的「原因」栏却是空的。",
    "调整后预算数 {printed} 与年初预算数 {expected} 不同，未说明原因",
    "the adjusted budget {printed} differs from the initial budget {expected} and no reason is given",
    {"printed": "120.00", "expected": "100.00"},
)

# The header and funding cells a form must fill in, where its template prints them
# (the field table says which column prints each, and its English name; the
# Chinese name is the column's label as the template prints it).
_REQUIRED_HEADER = (
    "project.name",
    "project.department",
    "project.unit",
    "funding.initial_budget",
    "funding.annual_budget",
    "funding.executed",
    "funding.execution_rate",
    "goals.expected",
    "goals.actual",
    "evaluated_on",
    "achievements",
    "total",
    "grade",
)
_SCORED_FUNDING = {
    "funding.points": ("项目资金分值", "the execution points"),
    "funding.score": ("项目资金得分", "the execution score"),
}
_REQUIRED_CELLS = ("name", "target", "actual", "points")  # of every indicator row
_SCORED_CELLS = ("points",)
_TEXT_CELLS = {"name", "target", "actual"}  # the rest hold figures


def findings(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    yield from _problems(form)
    reported = {p.field for p in form.problems}
    unprinted: set[str] = set()  # indicator cells no row of this form's table has
    if form.source is not None and form.source.unprinted:
        reported.update(form.source.unprinted)  # not on this form's page: not asked for
        unprinted = {
            p[len("indicators[].") :]
            for p in form.source.unprinted
            if p.startswith("indicators[].")
        }
    required, header_of, columns, has_table, row_of = template.derived("audit.required", _required)
    try:
        header = header_of(form)
    except AttributeError:  # a block on the way is None
        header = [get(form) for _, get, _, _ in required]
    for (path, _, zh, en), value in zip(required, header):
        if (
            value.__class__ is not Decimal and _empty(value) and not _covered(path, reported)
        ):  # most cells hold a figure
            yield MISSING.finding(path, what=zh, what_en=en)
    text_of, figure_keys = row_of
    for n, ind in enumerate(form.indicators):
        texts = text_of(ind)
        # Every required cell of the row filled, as in most rows. (The figures are
        # tested one by one: a Decimal compared with None or "" is slow.)
        if None not in texts and "" not in texts and _filled(ind, figure_keys):
            continue
        left_out = template.rules.rescale_not_applicable and scoring.not_applicable(ind)
        for key, zh, en in columns:
            if ind.child and key in _SCORED_CELLS:  # an 其中… row carries no points
                continue
            if left_out and key == "score":  # 不适用, left out by the rule pack
                continue
            if key in unprinted:
                continue
            value = getattr(ind, key)
            if value is not None and (value != "" if isinstance(value, str) else True):
                continue
            path = f"indicators[{n}].{key}"
            if not _covered(path, reported):
                yield MISSING.finding(
                    path, what=f"第 {n + 1} 个指标的{zh}", what_en=f"{en} of indicator {n + 1}"
                )
    if not form.indicators and has_table and "indicators" not in reported:
        yield MISSING.finding("indicators", what="指标表", what_en="the indicator table")
    if template.narrative_limits:
        yield from _too_long(form, template)
    chosen = settings(template)
    below = chosen.execution_reason_below
    if below is not None:
        yield from _reason_missing(form, below)
    if chosen.adjustment_reason:
        line = form.funding.total
        initial, adjusted = line.initial_budget, line.annual_budget
        if (
            initial is not None
            and adjusted is not None
            and initial != adjusted
            and not (line.reason or "").strip()
        ):
            yield ADJUSTED_WITHOUT_REASON.finding(
                "funding.reason",
                printed=adjusted,
                expected=initial,
                explanation=f"调整后预算数 {adjusted} − 年初预算数 {initial} = {adjusted - initial}",
            )


def _too_long(form: Evaluation, template: Template) -> Iterator[Finding]:
    """Narratives over the template's character limits (whitespace not counted)."""
    for path, limit in template.narrative_limits.items():
        value = paths.model_get(form, path)
        if not isinstance(value, str):
            continue
        count = len("".join(value.split()))
        if count > limit:
            entry = field(path)
            what = entry.label if entry else path
            what_en = f"the {entry.label_en}" if entry else path
            yield TOO_LONG.finding(path, what=what, what_en=what_en, count=count, limit=limit)


def _reason_missing(form: Evaluation, below: Decimal) -> Iterator[Finding]:
    """A low 执行率 without the 原因 the template asks for."""
    line = form.funding.total
    rate = line.execution_rate
    if rate is not None and rate < below and not (line.reason or "").strip():
        yield REASON_MISSING.finding("funding.reason", rate=rate, below=below)


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
    header = [(path, field(path)) for path in _REQUIRED_HEADER]
    required = [
        (path, _getter(path), label[f.column], f"the {f.label_en}")
        for path, f in header
        if f is not None and f.column is not None and f.column in label
    ]
    if template.execution_points is not None:
        required += [(path, _getter(path), zh, en) for path, (zh, en) in _SCORED_FUNDING.items()]
    cells = [(key, field(f"indicators[0].{key}")) for key in _REQUIRED_CELLS]
    columns = [
        (key, label[f.column], f"the {f.label_en}")
        for key, f in cells
        if f is not None and f.column is not None and f.column in label
    ]
    texts = [key for key, _, _ in columns if key in _TEXT_CELLS]
    text_of = attrgetter(
        *texts, "name", "name"
    )  # a tuple even of one (a name more changes nothing)
    row_of = text_of, tuple(key for key, _, _ in columns if key not in _TEXT_CELLS)
    header_of = attrgetter(
        *(paths.model_attribute(path) for path, _, _, _ in required), "project"
    )  # a tuple even of one
    return required, header_of, columns, "indicator" in label, row_of


def _covered(path: str, reported: set[str]) -> bool:
    """Whether a problem was recorded at the path or above it (「goals」 covers
    「goals.expected」: the reader said why the whole block is not there)."""
    while path:
        if path in reported:
            return True
        path = paths.parent(path)
    return False


def _filled(ind: Indicator, keys: tuple[str, ...]) -> bool:
    return all(getattr(ind, key) is not None for key in keys)


def _problems(form: Evaluation) -> Iterator[Finding]:
    """A problem whose cell still holds a value is a doubt (repaired, or kept as
    printed); any other lost a value (a whole block — "funding", "indicators" —
    counts as lost)."""
    for problem in form.problems:
        message = problem.message + (f"（原文：{problem.raw}）" if problem.raw else "")
        value = paths.model_get(form, problem.field)
        lost = _empty(value) or is_dataclass(value) or isinstance(value, tuple)
        made = UNREADABLE if lost else DOUBTFUL
        yield made.finding(problem.field, printed=problem.raw, message=message)


def _getter(path: str) -> Callable[[Evaluation], object]:
    """The value at one path without indices as one attribute lookup
    (``funding.executed`` → ``form.funding.total.executed``)."""
    lookup = attrgetter(paths.model_attribute(path))

    def get(form: Evaluation) -> object:
        try:
            return lookup(form)
        except AttributeError:  # a block on the way is None
            return None

    return get


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
