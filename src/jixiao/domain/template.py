"""A form template (模板): the settings that differ between jurisdictions and years.

Loaded from a data file under ``jixiao/templates/`` (see ``jixiao.templates``);
the domain only sees this object. Points, bands and labels are settings, never
constants in code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Final, TypeVar

from jixiao.domain.normalize import fold, squash

T = TypeVar("T")


class Rounding(str, Enum):
    """How a computed figure is cut to the printed places."""

    DOWN = "down"  # 舍去: 99.777… → 99.77 (what the seeds print)
    HALF_UP = "half-up"  # 四舍五入: 99.777… → 99.78
    UP = "up"  # 进一: 86.183… → 86.19

    @property
    def label(self) -> str:
        return {"down": "舍去", "half-up": "四舍五入", "up": "进一"}[self.value]


ROUNDINGS: Final = tuple(Rounding)  # the modes in order, without iterating the Enum class each time


class InverseFormula(str, Enum):
    """How a missed 反向 (lower is better) indicator is scored."""

    RATIO = "ratio"  # points × target / actual
    LINEAR = "linear"  # points × (1 − (actual − target) / target), ≥ 0


class FormKind(str, Enum):
    """What a template's forms evaluate."""

    PROJECT = "project"  # 项目支出绩效自评表: one funded project
    TRANSFER = "transfer"  # 转移支付 / 衔接资金 绩效目标自评表: funds passed down, by project
    DEPARTMENT = "department"  # 部门整体支出绩效自评表: a whole department or unit

    @property
    def label(self) -> str:
        return {"project": "项目支出", "transfer": "转移支付", "department": "部门整体支出"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class Band:
    """A qualitative band: a share of the points, in percent [min, max]."""

    key: str
    label: str
    min: Decimal
    max: Decimal


@dataclass(frozen=True, slots=True)
class ExecutionBand:
    """Old template: an execution rate at or above ``min`` % earns low…high."""

    min: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade label earned by a total at or above ``min``."""

    label: str
    min: Decimal
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    """An indicator group with printed points (old template: 产出目标 34分)."""

    name: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class TotalCap:
    """总分封顶: a form whose 执行率 is below ``below`` % totals at most ``cap``."""

    below: Decimal
    cap: Decimal


@dataclass(frozen=True, slots=True)
class Rules:
    """Scoring rules some jurisdictions add to the national ones: the template's
    ``[rules]`` table and the rule packs it names (``templates/packs/``).

    ``total_caps``: the total capped by the execution rate (70–80% → at most 89 …);
    ``over_achievement_at``: an actual at this percent of its target counts as a
    target set too low, and ``over_achievement_deduction`` points come off its score;
    ``rescale_not_applicable``: indicators marked 不适用 are left out and the total
    of the rest is rescaled to the template's points."""

    total_caps: tuple[TotalCap, ...] = ()
    over_achievement_at: Decimal | None = None
    over_achievement_deduction: Decimal | None = None
    rescale_not_applicable: bool = False
    packs: tuple[str, ...] = ()  # the packs' ids, as the template file names them

    def total_cap(self, rate: Decimal) -> Decimal | None:
        """The lowest cap whose band the execution rate (%) falls in, or None."""
        caps = [c.cap for c in self.total_caps if rate < c.below]
        return min(caps) if caps else None


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    name_en: str
    title: str
    total_points: Decimal
    amount_unit: str
    execution_points: Decimal | None
    indicator_points: Decimal
    level1: tuple[str, ...]
    level2: tuple[str, ...]
    grades: tuple[Grade, ...]
    kind: FormKind = FormKind.PROJECT
    # Which recogniser reads its forms: "table" (the national layout), "grouped"
    # (groups with printed points, Shanghai 2019), or None: not yet read from files
    reader: str | None = None
    # 总分 adds the indicators' 折算得分 (score × weight share) rather than their scores
    weighted_total: bool = False
    # Sets of funding parts that each add up to the 年度资金总额 (by JSON key); none:
    # all the parts printed are one set
    funding_partitions: tuple[tuple[str, ...], ...] = ()
    # Narrative fields with the most characters the form allows (Sichuan: 100 or 200 字),
    # by field path: {"conclusion": 200, …}
    narrative_limits: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    rounding: Rounding = Rounding.DOWN
    decimals: int = 2
    inverse_formula: InverseFormula = InverseFormula.RATIO
    qualitative_bands: tuple[Band, ...] = ()
    execution_bands: tuple[ExecutionBand, ...] = ()
    groups: tuple[Group, ...] = ()
    execution_indicator: str | None = None  # old template: the indicator scored by execution_bands
    # The budget 执行率 is measured against: the first of these a 资金 row prints
    # (a department form printing only 年初预算数(A) measures B/A against it).
    execution_base: tuple[str, ...] = ("annual_budget",)
    advised_weights: dict[str, Decimal] = field(default_factory=dict, hash=False, compare=False)
    rules: Rules = field(default_factory=Rules)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    detect: tuple[str, ...] = ()
    # The [audit] table as written: thresholds and, under "severity", the
    # severity of a check by its code (read by jixiao.domain.audit.settings).
    audit: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # How the official form is drawn (the file's [layout]); read by jixiao.writers.layout.
    layout: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    _column_of: dict[str, str] = field(
        default_factory=dict, init=False, repr=False, hash=False, compare=False
    )
    _variants: dict[Rounding, Template] = field(
        default_factory=dict, init=False, repr=False, hash=False, compare=False
    )
    _derived: dict[str, object] = field(
        default_factory=dict, init=False, repr=False, hash=False, compare=False
    )

    def __post_init__(self) -> None:
        # label → column, built once: readers ask for every cell of every row.
        index: dict[str, str] = {}
        for column, names in self.columns.items():
            for name in names:
                index.setdefault(label_key(name), column)
        object.__setattr__(self, "_column_of", index)

    def with_rounding(self, rounding: Rounding) -> Template:
        """The template with another rounding mode; made once, then reused (the
        audit asks for every mode of every cut figure)."""
        if rounding is self.rounding:
            return self
        variant = self._variants.get(rounding)
        if variant is None:
            variant = self._variants[rounding] = replace(self, rounding=rounding)
        return variant

    def derived(self, key: str, make: Callable[[Template], T]) -> T:
        """A value computed from this template, made once (templates never change):
        e.g. the audit's settings read from its [audit] table."""
        made = self._derived.get(key)
        if made is None:
            made = self._derived[key] = make(self)
        return made  # type: ignore[return-value]  # made by ``make`` under this key

    def band(self, key: str) -> Band:
        return next(b for b in self.qualitative_bands if b.key == key)

    def grade_for(self, total: Decimal) -> Grade:
        """The grade a total earns (bands are lower-bound inclusive)."""
        for grade in self.derived("grades.descending", _descending_grades):
            if total >= grade.min:
                return grade
        return min(self.grades, key=lambda g: g.min)

    def canonical_grade(self, printed: str | None) -> Grade | None:
        """The template's grade a printed label means (优秀 → 优), or None."""
        if not printed:
            return None
        known = self.derived("grades.by_printed", _no_labels_yet)  # labels repeat form after form
        if printed in known:
            return known[printed]
        key = squash(fold(printed))
        found = next((g for g in self.grades if key == g.label or key in g.synonyms), None)
        if len(known) < 1024:
            known[printed] = found
        return found

    def column(self, label: str | None) -> str | None:
        """Which column a printed header label names, by the template's synonyms."""
        return self._column_of.get(label_key(label)) if label else None


def _no_labels_yet(template: Template) -> dict[str, Grade | None]:
    return {}


def _descending_grades(template: Template) -> tuple[Grade, ...]:
    return tuple(sorted(template.grades, key=lambda g: -g.min))


@lru_cache(maxsize=65536)
def label_key(label: str | None) -> str:
    """A label for matching: no spaces, half-width, no trailing colon."""
    return squash(fold(label or "")).rstrip(":")
