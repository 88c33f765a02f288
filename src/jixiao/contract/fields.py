"""The fields of a form: every value's path, what kind of value it is, its name
in Chinese and English, whether the rules compute it, and the template column
(``[columns]`` of a template) that prints it.

One table, asked by every module that names a field: the JSON contract, the
readers, the audit's completeness check, the layouts and the web pages. An
indicator's fields are written once with an empty index (``indicators[].score``);
:func:`field` finds the entry of any row's path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from jixiao.contract import paths
from jixiao.domain.model import BREAKDOWN_KEYS

LINE_KEYS = ("initial_budget", "annual_budget", "executed", "points", "execution_rate", "score")
"""The columns of a 项目资金 row, in printed order (:class:`~jixiao.domain.model.FundingLine`)."""

AMOUNT_KEYS = ("initial_budget", "annual_budget", "executed")
"""The money of a 项目资金 row (the unit is ``funding.unit``)."""

INDICATOR_KEYS = (
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "points",
    "score",
    "deviation",
    "rule",
    "explanation",
)
"""The cells of an indicator row (:class:`~jixiao.domain.model.Indicator`), in printed order."""

INDICATOR_EXTRA_KEYS = (
    "nature",
    "measure_unit",
    "weight_share",
    "weighted_score",
    "method",
    "core",
    "review_score",
    "child",
    "shared",
)
"""The cells of an indicator row that only some layouts print; in the JSON only where set."""

PROJECT_KEYS = ("name", "department", "unit", "division", "recurring")
NARRATIVE_KEYS = ("achievements", "problems_found", "improvements")
"""The old template's free texts: 主要成效, 发现的问题, 改进措施."""

__all__ = [
    "AMOUNT_KEYS",
    "BREAKDOWN_KEYS",
    "FIELDS",
    "INDICATOR_EXTRA_KEYS",
    "INDICATOR_KEYS",
    "LINE_KEYS",
    "NARRATIVE_KEYS",
    "PROJECT_KEYS",
    "Field",
    "Kind",
    "column_path",
    "field",
    "line_path",
]


class Kind(str, Enum):
    """What a field holds, which decides how it is read, checked and shown."""

    AMOUNT = "amount"  # money, in funding.unit
    RATE = "rate"  # a percentage without its %
    POINTS = "points"  # 分值: what a row may score at most
    SCORE = "score"  # 得分
    TEXT = "text"
    CHOICE = "choice"  # one of a few values (unit, grade, yes/no)
    DATE = "date"
    YEAR = "year"


@dataclass(frozen=True)
class Field:
    """One value of a form."""

    path: str  # an indicator's with an empty index: indicators[].score
    kind: Kind
    label: str  # the Chinese name forms print
    label_en: str
    computed: bool = False  # the rules compute it from other fields
    column: str | None = None  # the template column ([columns]) printing it


def line_path(line: str, key: str) -> str:
    """The path of a 项目资金 cell: line "" is the 年度资金总额 row (``funding.executed``),
    a part nests under breakdown (``funding.breakdown.other_funds.executed``)."""
    return f"funding.{key}" if not line else f"funding.breakdown.{line}.{key}"


_LINE_LABELS = {
    "initial_budget": ("年初预算数", "initial budget", Kind.AMOUNT, False),
    "annual_budget": ("全年预算数", "annual budget", Kind.AMOUNT, False),
    "executed": ("全年执行数", "amount spent", Kind.AMOUNT, False),
    "points": ("分值", "points", Kind.POINTS, False),
    "execution_rate": ("执行率", "execution rate", Kind.RATE, True),
    "score": ("得分", "score", Kind.SCORE, True),
}
_LINE_ROWS = {
    "": ("年度资金总额", "total funds"),
    "current_year_appropriation": ("当年财政拨款", "current-year appropriation"),
    "prior_year_carryover": ("上年结转资金", "carry-over from the previous year"),
    "other_funds": ("其他资金", "other funds"),
}


def _funding() -> list[Field]:
    out = []
    for line, (row, row_en) in _LINE_ROWS.items():
        for key, (label, label_en, kind, computed) in _LINE_LABELS.items():
            out.append(
                Field(
                    line_path(line, key),
                    kind,
                    f"{row}{label}" if line else label,
                    f"{label_en} ({row_en})" if line else label_en,
                    computed,
                    key if not line else None,
                )
            )
    return out


_INDICATOR = [
    ("level1", Kind.TEXT, "一级指标", "level-1 category", False, "level1"),
    ("level2", Kind.TEXT, "二级指标", "level-2 category", False, "level2"),
    ("name", Kind.TEXT, "三级指标", "indicator's name", False, "indicator"),
    ("target", Kind.TEXT, "年度指标值", "target", False, "target"),
    ("actual", Kind.TEXT, "实际完成值", "actual", False, "actual"),
    ("points", Kind.POINTS, "分值", "points", False, "points"),
    ("score", Kind.SCORE, "得分", "score", True, "score"),
    ("deviation", Kind.TEXT, "偏差原因分析及改进措施", "reasons and remedies", False, "deviation"),
    ("rule", Kind.TEXT, "评分规则", "scoring rule", False, None),
    ("explanation", Kind.TEXT, "指标解释", "explanation", False, None),
    ("nature", Kind.CHOICE, "指标性质", "comparator", False, "nature"),
    ("measure_unit", Kind.TEXT, "度量单位", "unit of measure", False, "measure_unit"),
    ("weight_share", Kind.RATE, "权重占比", "weight share", False, "weight_share"),
    ("weighted_score", Kind.SCORE, "折算得分", "weighted score", True, "weighted_score"),
    ("method", Kind.TEXT, "得分计算方法", "scoring method", False, "method"),
    ("core", Kind.CHOICE, "是否核心指标", "core indicator", False, "core"),
    ("review_score", Kind.SCORE, "复核分", "re-check score", False, "review_score"),
    ("child", Kind.CHOICE, "其中", "detail row", False, None),
    ("shared", Kind.CHOICE, "与上行共用得分", "shares the score above", False, None),
]

FIELDS: tuple[Field, ...] = (
    Field("year", Kind.YEAR, "年度", "year"),
    Field("project.name", Kind.TEXT, "项目名称", "project name", column="name"),
    Field(
        "project.department", Kind.TEXT, "主管部门", "supervising department", column="department"
    ),
    Field("project.unit", Kind.TEXT, "实施单位", "implementing unit", column="unit"),
    Field("project.division", Kind.TEXT, "具体实施处", "division", column="division"),
    Field("project.recurring", Kind.CHOICE, "是否为经常性项目", "recurring", column="recurring"),
    Field("funding.unit", Kind.CHOICE, "金额单位", "amount unit"),
    *_funding(),
    Field(
        "funding.prior_year_budget",
        Kind.AMOUNT,
        "上年预算金额",
        "previous year's budget",
        column="prior_year_budget",
    ),
    Field("goals.expected", Kind.TEXT, "预期目标", "expected goal", column="expected"),
    Field("goals.actual", Kind.TEXT, "实际完成情况", "results", column="actual_goal"),
    *(
        Field(f"indicators[].{key}", kind, label, en, computed, column)
        for key, kind, label, en, computed, column in _INDICATOR
    ),
    Field("total", Kind.SCORE, "总分", "total", computed=True, column="total"),
    Field("total_points", Kind.POINTS, "总分分值", "total points"),
    Field("grade", Kind.CHOICE, "评分等级", "grade", computed=True, column="grade"),
    Field("evaluated_on", Kind.DATE, "自评日期", "date of the evaluation", column="evaluated_on"),
    Field("achievements", Kind.TEXT, "主要成效", "main achievements", column="achievements"),
    Field("problems_found", Kind.TEXT, "发现的问题", "problems found", column="problems_found"),
    Field("improvements", Kind.TEXT, "改进措施", "improvements", column="improvements"),
    Field("conclusion", Kind.TEXT, "评价结论", "conclusion", column="conclusion"),
    *(
        Field(
            line_path(line, "reason"),
            Kind.TEXT,
            "原因",
            "reason",
            column=None if line else "reason",
        )
        for line in _LINE_ROWS
    ),
)

_BY_PATH = {f.path: f for f in FIELDS}
_BY_COLUMN = {f.column: f for f in FIELDS if f.column and not f.path.startswith("indicators")}


@lru_cache(maxsize=4096)
def field(path: str) -> Field | None:
    """The table's entry for a path (any indicator row's: ``indicators[3].score``)."""
    row = paths.indicator_of(path)
    if row is not None and row[1] is not None:
        return _BY_PATH.get(f"indicators[].{row[1]}")
    return _BY_PATH.get(path)


def column_path(column: str) -> str | None:
    """The path of the header or funding field a template column prints
    (``actual_goal`` → ``goals.actual``); None for an indicator's column or none."""
    found = _BY_COLUMN.get(column)
    return found.path if found else None
