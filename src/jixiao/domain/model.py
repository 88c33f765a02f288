"""The evaluation model: one 财政项目支出绩效自评表 as read or filled in.

Pure data, no I/O. Money and scores are ``Decimal`` as printed (their scale is
kept: ``Decimal("9.50")`` stays two places). ``None`` means the form has no
value there; why a value is missing is said by a :class:`Problem` on its field.
Field paths (``funding.executed``, ``indicators[3].score``) are the public names
of values, shared by the JSON contract, the audit and the sources map.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Final

from jixiao.domain.targets import Target


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value was read: file and line for text; page/cell or sheet/cell
    for the PDF, xlsx and docx readers; a scan's page, cell and box."""

    file: str
    line: int | None = None
    page: int | None = None
    sheet: str | None = None
    cell: str | None = None
    box: tuple[float, float, float, float] | None = None
    """Where on its page a PDF's or a scan's value was read (its cell, the row's cells
    for a value a row gave, a line's characters): x0, top, x1, bottom in points from
    the top left."""

    def describe(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.page is not None:
            parts.append(f"第 {self.page} 页")
        if self.line is not None:
            parts.append(f"第 {self.line} 行")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        return "，".join(parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


@dataclass(frozen=True, slots=True)
class Problem:
    """A value the reader could not read, or read only after a repair.

    ``raw`` is the text as found, so a person can see what was there."""

    field: str
    message: str
    raw: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


@dataclass(frozen=True, slots=True)
class Project:
    """项目: name; 主管部门; 实施单位 (old template: 预算单位); 具体实施处; 是否为经常性项目."""

    name: str | None = None
    department: str | None = None
    unit: str | None = None
    division: str | None = None
    recurring: bool | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


@dataclass(frozen=True, slots=True)
class FundingLine:
    """One row of the 项目资金 block: 年初预算数, 全年预算数, 全年执行数, 分值, 执行率(%), 得分.

    The parts (当年财政拨款 …) print ``-`` for points and score: ``None`` here."""

    initial_budget: Decimal | None = None
    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    points: Decimal | None = None
    execution_rate: Decimal | None = None
    score: Decimal | None = None
    reason: str | None = None  # 原因: why the money was not spent (Sichuan 2023)

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


class AmountUnit(str, Enum):
    """The unit money is printed in."""

    WAN_YUAN = "万元"
    YUAN = "元"


BREAKDOWN_KEYS: Final = ("current_year_appropriation", "prior_year_carryover", "other_funds")
"""当年财政拨款, 上年结转资金, 其他资金 — the parts of 年度资金总额, in printed order."""


@dataclass(frozen=True, slots=True)
class Funding:
    """项目资金: the 年度资金总额 row, its parts, 上年预算金额 and the amount unit."""

    total: FundingLine = field(default_factory=FundingLine)
    current_year_appropriation: FundingLine | None = None
    prior_year_carryover: FundingLine | None = None
    other_funds: FundingLine | None = None
    prior_year_budget: Decimal | None = None
    unit: AmountUnit | None = None
    # Lines other layouts print beside or instead of the three parts, by JSON key in
    # printed order: 财政专户管理资金 (special_account_funds), 单位资金 (unit_funds),
    # 基本支出 / 项目支出 of a department form (basic_expenditure, project_expenditure) …
    extra: tuple[tuple[str, FundingLine], ...] = ()

    def parts(self) -> dict[str, FundingLine]:
        """The printed parts by JSON key (missing parts left out), the three first."""
        parts = {k: line for k in BREAKDOWN_KEYS if (line := getattr(self, k)) is not None}
        parts.update(self.extra)
        return parts

    def part(self, key: str) -> FundingLine | None:
        """One part by its JSON key, one of the three or an extra line."""
        if key in BREAKDOWN_KEYS:
            line: FundingLine | None = getattr(self, key)
            return line
        return dict(self.extra).get(key)

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


@dataclass(frozen=True, slots=True)
class Goals:
    """年度总体目标: 预期目标 (set at budget time) and 实际完成情况 (what happened)."""

    expected: str | None = None
    actual: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One row of the indicator table (三级指标 with its 一级 and 二级 category).

    ``target``/``actual`` are the printed 年度指标值 / 实际完成值; their parsed
    forms are ``target_parsed``/``actual_parsed``. ``deviation`` is 偏差原因分析及
    改进措施 (the old template's 备注). ``rule`` and ``explanation`` are the old
    template's 评分规则 and 指标解释.

    Other layouts of the national family print more (None where a layout has
    no such column): ``nature`` 指标性质 (=, ≥, ≤, 定性) and ``measure_unit``
    度量单位 in columns of their own (Sichuan); ``weight_share`` 权重占比(%) and
    ``weighted_score`` 折算得分 = score × weight_share ÷ 100 (Hebei); ``method``
    得分计算方法; ``core`` 是否核心指标; ``review_score`` 复核分; ``child`` for an
    ``其中…`` row that details the row above it and carries no points; ``shared``
    for a row whose 得分 is the merged cell of the row above."""

    level1: str | None = None
    level2: str | None = None
    name: str | None = None
    target: str | None = None
    actual: str | None = None
    points: Decimal | None = None
    score: Decimal | None = None
    deviation: str | None = None
    rule: str | None = None
    explanation: str | None = None
    target_parsed: Target | None = None
    actual_parsed: Target | None = None
    nature: str | None = None
    measure_unit: str | None = None
    weight_share: Decimal | None = None
    weighted_score: Decimal | None = None
    method: str | None = None
    core: bool | None = None
    review_score: Decimal | None = None
    child: bool | None = None
    # The row's 得分 is the one printed above it (one merged cell over several 三级
    # rows, the Hubei city layout): it adds nothing of its own to the total.
    shared: bool | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


@dataclass(frozen=True, slots=True)
class FormSource:
    """Which file a form came from and its 0-based position within the file;
    ``unprinted``: the field paths of its template's columns the file does not
    print at all (a department form without 全年预算数, a page without a grade row),
    so that the audit asks only for what the form has."""

    file: str
    form_index: int = 0
    unprinted: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One self-evaluation form (自评表) of one project and year.

    The old Shanghai template also prints 自评时间 (``evaluated_on``), 主要绩效
    (``achievements``), 主要问题 (``problems_found``) and 改进措施 (``improvements``);
    the Sichuan 2023 form 评价结论 (``conclusion``), 存在问题 and 改进措施."""

    template: str
    year: int | None = None
    project: Project = field(default_factory=Project)
    funding: Funding = field(default_factory=Funding)
    goals: Goals = field(default_factory=Goals)
    indicators: tuple[Indicator, ...] = ()
    total: Decimal | None = None
    total_points: Decimal | None = None
    grade: str | None = None
    evaluated_on: date | None = None
    achievements: str | None = None
    problems_found: str | None = None
    improvements: str | None = None
    conclusion: str | None = None  # 评价结论 (Sichuan 2023)
    # Tick boxes by key, the option ticked: (("project_category", "部门预算项目"), …)
    choices: tuple[tuple[str, str], ...] = ()
    source: FormSource | None = None
    problems: tuple[Problem, ...] = ()
    sources: dict[str, Source] = field(default_factory=dict, compare=False, hash=False)

    @property
    def subject(self) -> str | None:
        """What the form evaluates, as people name it: the project, or for a
        部门整体支出 form (no project) the department."""
        return self.project.name or self.project.department

    def __reduce__(self) -> tuple[Any, ...]:
        return _by_field(self)


def places(figure: Decimal) -> int:
    """The decimal places a finite figure is written with: 9.50 → 2, 100 → 0, 1E+2 → -2."""
    exponent = figure.as_tuple().exponent
    if isinstance(exponent, str):  # NaN or Infinity (no reader lets one in)
        raise TypeError(f"{figure} has no decimal places")
    return -exponent


def _by_field(value: Any) -> tuple[Any, ...]:
    """How a form's parts are pickled (the workers of a batch import send forms back):
    rebuilt from every field in order. Compiled (setup.py), a frozen class cannot be
    unpickled attribute by attribute."""
    return type(value), tuple(getattr(value, f.name) for f in fields(value))
