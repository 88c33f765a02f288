"""The official form as a grid of cells (版式), built from the template's ``[layout]``.

Pure: no files. The xlsx, PDF and docx writers all draw this one grid, so the
three formats agree cell for cell, and a new template needs a data file, not
code. The blocks of a layout (``fields``, ``funding``, ``goals``,
``indicators``, ``total``) each cut the page width where their cells need
borders; the grid's columns are the union of those cuts, so a label/value pair
in the header can end inside a wide indicator column, as on printed forms.
A cut within :data:`SNAP` of an existing one joins it, so no sliver columns.
"""

from __future__ import annotations

import datetime
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum
from typing import Any

from jixiao.contract import paths
from jixiao.contract.fields import column_path
from jixiao.domain.model import AmountUnit, Evaluation, Indicator
from jixiao.domain.model import places as figure_places
from jixiao.domain.template import Template

SNAP = 2
"""Half-width characters: a cut this close to an existing one uses it."""
# A spreadsheet's column width unit (the "0" of Calibri 11, 7 px) is a little
# wider than a half-width character of 10 pt text (6.7 px): measured in
# LibreOffice, this leaves room for the cell's margins.
CELL_PADDING = 1.0
"""Half-width characters of a cell's width lost to its margins."""
NUMBER_PADDING = 2
"""Half-width characters around a figure: a spreadsheet prints ### when a number does not fit."""

_INDICATOR_LABELS = {"name": "indicator"}
_GOAL_LABELS = {"expected": "expected", "actual": "actual_goal"}
_LINE_LABELS = {"total": "funding_total"}
_AMOUNTS = {"initial_budget", "annual_budget", "executed", "prior_year_budget"}


class LayoutError(ValueError):
    """A template's [layout] that cannot be drawn: the message says where."""


class Style(str, Enum):
    LABEL = "label"  # a printed label: 项目名称, 年初预算数 …
    HEADER = "header"  # the indicator table's column headers, repeated on each page
    TEXT = "text"
    NUMBER = "number"
    NOTE = "note"  # a remark under the table (说明), drawn without borders


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of the grid, spanning ``rows`` × ``cols`` from (row, col), 0-based.

    A number keeps its Decimal ``value``; ``text`` is how it prints (its own
    decimal places, at least 2 for money, thousands separators in 元)."""

    row: int
    col: int
    value: str | Decimal | None
    style: Style
    rows: int = 1
    cols: int = 1
    places: int = 0
    thousands: bool = False
    left: bool = False  # text of three lines or more reads better left-aligned

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, Decimal):
            shown = self.value.quantize(
                Decimal(1).scaleb(-self.places)
            )  # exact: places ≥ the value's own
            return format(shown, ",f" if self.thousands else "f")
        return self.value

    @property
    def number_format(self) -> str:
        """The spreadsheet number format that prints ``text``."""
        decimals = "." + "0" * self.places if self.places else ""
        return ("#,##0" if self.thousands else "0") + decimals


@dataclass(frozen=True, slots=True)
class Grid:
    """A whole form: title lines above a bordered table of ``len(widths)`` columns.

    ``table_row`` is the indicator table's header row: PDF and docx start a
    second table there so that row repeats at the top of every page (``rows``
    when the layout has no indicator table)."""

    title: str
    subtitle: str | None
    widths: tuple[int, ...]
    cells: tuple[Cell, ...]
    rows: int
    table_row: int


def display_width(text: str) -> int:
    """Width in half-width characters: a Chinese character (or ①, “) counts 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` half-width characters wide."""
    usable = max(width - CELL_PADDING, 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


# --- reading the [layout] data ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the indicator table: the Indicator field it shows, its printed
    label, its width, and whether equal neighbours merge (一级/二级指标)."""

    field: str
    label: str
    width: int
    merge: bool


def _label(template: Template, key: str, override: str | None = None) -> str:
    if override:
        return override
    names = template.columns.get(key)
    if not names:
        raise LayoutError(
            f"模板 {template.id} 的版式用到「{key}」，但 [columns] 里没有它的名称，也没有给出 label"
        )
    return names[0]


def indicator_columns(template: Template) -> list[Column]:
    """The indicator table's columns, from the template's [[layout.columns]]."""
    specs = template.layout.get("columns")
    if not specs:
        raise LayoutError(
            f"模板 {template.id} 没有版式（[layout] 与 [[layout.columns]]），不能导出"
        )
    if any("field" not in s for s in specs):
        raise LayoutError(f"模板 {template.id} 的 [[layout.columns]] 每一列都要有 field")
    return [
        Column(
            s["field"],
            _label(template, _INDICATOR_LABELS.get(s["field"], s["field"]), s.get("label")),
            int(s.get("width", 10)),
            bool(s.get("merge", False)),
        )
        for s in specs
    ]


# --- values ------------------------------------------------------------------------


def _amount_unit(ev: Evaluation, template: Template) -> str:
    return ev.funding.unit.value if ev.funding.unit else template.amount_unit


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters PDF extraction leaves behind; xlsx and docx (XML) cannot hold them."""


def _plain(value: Any) -> str | Decimal | None:
    """A model value as a cell holds it: text, Decimal, or None."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _field_value(ev: Evaluation, key: str) -> Any:
    """A header field by its template column (``actual_goal`` → ``goals.actual``,
    ``executed`` → the 年度资金总额 row's), as the field table maps it.

    Keys the model does not have yet read as blank, so a layout can name fields
    before a reader fills them."""
    path = column_path(key)
    return paths.model_get(ev, path) if path else getattr(ev, key, None)


# --- building the grid ---------------------------------------------------------------


class _Builder:
    """Places cells by position in page width (half-width characters); the
    positions become grid columns at the end."""

    def __init__(self, template: Template, ev: Evaluation):
        self.t = template
        self.ev = ev
        self.layout = template.layout
        self.columns = indicator_columns(template)
        self.cuts = [0]
        for column in self.columns:
            self.cuts.append(self.cuts[-1] + column.width)
        self.width = self.cuts[-1]
        self.placed: list[tuple[int, int, int, dict]] = []  # row, left, right, cell fields
        self.row = 0
        self.table_row: int | None = None
        self.unit = _amount_unit(ev, template)

    # positions ---------------------------------------------------------------

    def snap(self, position: float) -> int:
        """The existing cut near ``position``, or a new cut there."""
        near = min(self.cuts, key=lambda c: abs(c - position))
        if abs(near - position) <= SNAP:
            return near
        cut = round(position)
        self.cuts.append(cut)
        return cut

    def column_span(self, first: int, last: int | None = None) -> tuple[int, int]:
        """Left and right of indicator columns ``first``..``last``."""
        return self.cuts[first], self.cuts[(first if last is None else last) + 1]

    def put(
        self,
        row: int,
        left: int,
        right: int,
        value,
        style: Style,
        rows: int = 1,
        align_left: bool = False,
        **extra,
    ) -> None:
        if align_left:
            extra["left"] = True
        self.placed.append(
            (row, left, right, {"value": _plain(value), "style": style, "rows": rows, **extra})
        )

    def number_extra(self, key: str, value) -> dict:
        if not isinstance(value, Decimal):
            return {}
        places = max(figure_places(value), 0)
        if key in _AMOUNTS:
            return {"places": max(places, 2), "thousands": self.unit == AmountUnit.YUAN.value}
        return {"places": places}

    def put_value(self, row: int, left: int, right: int, key: str, value, rows: int = 1) -> None:
        value = _plain(value)
        style = Style.NUMBER if isinstance(value, Decimal) else Style.TEXT
        self.put(row, left, right, value, style, rows, **self.number_extra(key, value))

    # blocks ------------------------------------------------------------------

    def fields(self, block: dict) -> None:
        label_width = int(block.get("label_width", self.layout.get("label_width", 16)))
        for keys in block["rows"]:
            part = self.width / len(keys)
            left = 0
            for n, key in enumerate(keys):
                right = self.width if n == len(keys) - 1 else self.snap((n + 1) * part)
                middle = self.snap(left + label_width)
                self.put(self.row, left, middle, _label(self.t, key), Style.LABEL)
                self.put_value(self.row, middle, right, key, _field_value(self.ev, key))
                left = right
            self.row += 1

    def choices(self, block: dict) -> None:
        """Tick boxes, one row each: the label, then every option with ☑ or □
        ("1、部门预算项目 ☑ 2、市直专项 □")."""
        label_width = int(block.get("label_width", self.layout.get("label_width", 16)))
        middle = self.snap(label_width)
        ticked = dict(self.ev.choices)
        for spec in block["choices"]:
            key = spec["key"]
            options = "  ".join(
                f"{n}、{option} {'☑' if ticked.get(key) == option else '□'}"
                for n, option in enumerate(spec["options"], start=1)
            )
            self.put(self.row, 0, middle, _label(self.t, key, spec.get("label")), Style.LABEL)
            self.put(self.row, middle, self.width, options, Style.TEXT, align_left=True)
            self.row += 1

    def funding(self, block: dict) -> None:
        lines = block.get("lines", ["total"])
        figures = block["figures"]
        label_right = self.snap(int(block.get("label_width", 8)))
        line_right = self.snap(label_right + int(block.get("line_label_width", 18)))
        step = (self.width - line_right) / len(figures)
        edges = [line_right] + [
            self.snap(line_right + step * (n + 1)) for n in range(len(figures) - 1)
        ]
        edges.append(self.width)
        label = block.get("label", "项目资金（{unit}）").format(unit=self.unit)
        self.put(self.row, 0, label_right, label, Style.LABEL, rows=len(lines) + 1)
        self.put(self.row, label_right, line_right, None, Style.LABEL)
        for n, spec in enumerate(figures):
            self.put(
                self.row,
                edges[n],
                edges[n + 1],
                _label(self.t, spec["field"], spec.get("label")),
                Style.LABEL,
            )
        first_part = next((key for key in lines if key != "total"), None)
        for offset, key in enumerate(lines, start=1):
            line = self.ev.funding.total if key == "total" else self.ev.funding.part(key)
            name = _label(self.t, _LINE_LABELS.get(key, key))
            if key == first_part:
                name = block.get("parts_prefix", "") + name  # 其中：
            name = block.get("prefixes", {}).get(key, "") + name  # 按来源：… 按用途：…
            self.put(self.row + offset, label_right, line_right, name, Style.LABEL)
            for n, spec in enumerate(figures):
                value = getattr(line, spec["field"]) if line else None
                if key != "total" and spec["field"] in ("points", "score"):
                    value = "-"  # the parts carry no points and no score
                self.put_value(self.row + offset, edges[n], edges[n + 1], spec["field"], value)
        self.row += len(lines) + 1

    def goals(self, block: dict) -> None:
        label_right = self.snap(int(block.get("label_width", 7)))
        middle = self.snap(label_right + (self.width - label_right) / 2)
        self.put(self.row, 0, label_right, block.get("label", "年度总体目标"), Style.LABEL, rows=2)
        halves = ((label_right, middle, "expected"), (middle, self.width, "actual"))
        for left, right, key in halves:
            self.put(self.row, left, right, _label(self.t, _GOAL_LABELS[key]), Style.LABEL)
            self.put_value(self.row + 1, left, right, key, getattr(self.ev.goals, key))
        self.row += 2

    def indicators(self, block: dict) -> None:
        self.table_row = self.row
        for n, column in enumerate(self.columns):
            self.put(self.row, *self.column_span(n), column.label, Style.HEADER)
        self.row += 1
        rows = self.ev.indicators
        merged = self._merged_runs(rows)
        for i, indicator in enumerate(rows):
            for n, column in enumerate(self.columns):
                if column.merge:
                    continue
                span = 1
                if column.field == "score":  # one 得分 merged over the rows sharing it
                    if indicator.shared:
                        continue
                    while i + span < len(rows) and rows[i + span].shared:
                        span += 1
                self.put_value(
                    self.row + i,
                    *self.column_span(n),
                    column.field,
                    getattr(indicator, column.field, None),
                    rows=span,
                )
        for n, start, end, last, value in merged:
            self.put(
                self.row + start, *self.column_span(n, last), value, Style.TEXT, rows=end - start
            )
        self.row += len(rows)

    def _merged_runs(
        self, rows: tuple[Indicator, ...]
    ) -> list[tuple[int, int, int, int, str | None]]:
        """Runs of equal labels in the merged columns (一级, 二级 …), each nested in
        the run to its left; a run equal to its parent's label and rows joins the
        parent's cell ("成本指标" spanning both level columns)."""
        runs: list[
            tuple[int, int, int, int, str | None]
        ] = []  # column, start, end, last column, label
        parents = [(0, len(rows))]
        for n, column in enumerate(self.columns):
            if not column.merge:
                continue
            mine = []
            for start, end in parents:
                i = start
                while i < end:
                    j = i
                    value = getattr(rows[i], column.field, None)
                    while j < end and getattr(rows[j], column.field, None) == value:
                        j += 1
                    mine.append((i, j, value))
                    i = j
            for start, end, value in mine:
                parent = next(
                    (r for r in runs if r[3] == n - 1 and r[1] == start and r[2] == end), None
                )
                if parent and parent[4] == value:
                    runs[runs.index(parent)] = (parent[0], start, end, n, value)
                else:
                    runs.append((n, start, end, n, self._group_label(column, value)))
            parents = [(s, e) for s, e, _ in mine]
        return runs

    def _group_label(self, column: Column, value: str | None) -> str | None:
        """Old template: a group with printed points shows them, "投入与管理\\n(36分)"."""
        if column.field != "level1" or value is None:
            return value
        group = next((g for g in self.t.groups if g.name == value), None)
        return f"{value}\n({group.points.normalize():f}分)" if group else value

    def note(self, block: dict) -> None:
        """说明 under the table; "{grades}" stands for the template's grade bands."""
        text = block["text"].format(grades=_grade_bands(self.t))
        self.put(self.row, 0, self.width, text, Style.NOTE)
        self.row += 1

    def total(self, block: dict) -> None:
        fields = [c.field for c in self.columns]
        first = fields.index("points") if "points" in fields else len(fields) - 1
        label = block.get("label") or _label(self.t, "total")
        self.put(self.row, 0, self.cuts[first], label, Style.LABEL)
        values = {"points": self.ev.total_points, "score": self.ev.total}
        for n in range(first, len(self.columns)):
            key = self.columns[n].field
            self.put_value(self.row, *self.column_span(n), key, values.get(key))
        self.row += 1

    # the grid ------------------------------------------------------------------

    def grid(self) -> Grid:
        cuts = sorted(set(self.cuts))
        index = {cut: n for n, cut in enumerate(cuts)}
        widths = [b - a for a, b in itertools.pairwise(cuts)]
        cells = []
        for row, left, right, extra in self.placed:
            cols = index[right] - index[left]
            width = right - left
            if cols < 1:
                raise LayoutError(
                    f"模板 {self.t.id} 的版式：第 {row + 1} 行有一格没有宽度（一行的字段太多）"
                )
            cell = Cell(row, index[left], cols=cols, **extra)
            if cell.style is Style.NOTE or (
                cell.style is Style.TEXT and _wraps_thrice(cell.text, width)
            ):
                cell = replace(cell, left=True)
            cells.append(cell)
        cells.sort(key=lambda c: (c.row, c.col))
        _fit_numbers(cells, widths)
        year = self.ev.year
        subtitle = self.layout.get("subtitle")
        return Grid(
            title=self.layout.get("title", self.t.title),
            subtitle=subtitle.format(year=year) if subtitle and year else None,
            widths=tuple(widths),
            cells=tuple(cells),
            rows=self.row,
            table_row=self.row if self.table_row is None else self.table_row,
        )


def _grade_bands(template: Template) -> str:
    """ "90（含）–100 分为优秀，75（含）–90 分为良好 …" from the template's grades."""
    bands, top = [], template.total_points
    for grade in sorted(template.grades, key=lambda g: -g.min):
        low = f"{grade.min.normalize():f}" + ("（含）" if grade.min else "")
        bands.append(f"{low}–{top.normalize():f} 分为{grade.label}")
        top = grade.min
    return "，".join(bands)


def _wraps_thrice(text: str, width: int) -> bool:
    """Whether a paragraph of ``text`` takes three lines or more (then it reads better left-aligned)."""
    return any(display_width(part) > 2 * (width - 2) for part in text.split("\n"))


def _fit_numbers(cells: list[Cell], widths: list[int]) -> None:
    """Widen columns so that every figure fits on one line (numbers do not wrap)."""
    for cell in cells:
        if cell.style is not Style.NUMBER:
            continue
        span = range(cell.col, cell.col + cell.cols)
        short = display_width(cell.text) + NUMBER_PADDING - sum(widths[n] for n in span)
        if short > 0:
            widest = max(span, key=lambda n: widths[n])
            widths[widest] += short


_BLOCKS = {"fields", "choices", "funding", "goals", "indicators", "total", "note"}


def layout(ev: Evaluation, template: Template) -> Grid:
    """The official form of ``ev`` drawn by ``template``'s [layout]."""
    builder = _Builder(template, ev)
    for n, block in enumerate(template.layout.get("blocks", ())):
        kind = block.get("kind")
        if kind not in _BLOCKS:
            raise LayoutError(
                f"模板 {template.id} 的版式第 {n + 1} 块：不认识的 kind {kind!r}（可用：{', '.join(sorted(_BLOCKS))}）"
            )
        try:
            getattr(builder, kind)(block)
        except KeyError as missing:
            raise LayoutError(
                f"模板 {template.id} 的版式第 {n + 1} 块（{kind}）缺少设置 {missing}"
            ) from None
    return builder.grid()
