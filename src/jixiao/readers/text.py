"""Read forms from text pulled out of published PDFs.

Two shapes of the 2023 (national 10 + 90) layout are read here: tab-separated
cells and markdown tables. The old Shanghai 2019/2020 layout (detected by its
指标解释/权重/评分规则 columns) goes to :mod:`jixiao.readers.loose`. A file may hold many forms; each starts at its
项目名称 row, and its title and "(2023 年度)" come before it.

Rows are recognised by their first label (项目名称, 项目资金, 一级指标, 总分 …),
never by line number, because extraction shifts columns and breaks rows over
page ends. Indicator rows are read from the right (得分, 分值 are numbers), which
survives a label cell spanning two columns; a line holding only label fragments
("度指标") continues the row above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from jixiao import templates
from jixiao.contract.fields import AMOUNT_KEYS, LINE_KEYS
from jixiao.domain.model import (
    BREAKDOWN_KEYS,
    AmountUnit,
    Evaluation,
    FormSource,
    Funding,
    FundingLine,
    Goals,
    Indicator,
    Problem,
    Project,
    Source,
)
from jixiao.domain.normalize import clean, fold, squash
from jixiao.domain.targets import parse_target
from jixiao.domain.template import Template, label_key
from jixiao.readers.base import (
    Collector,
    ReadError,
    Row,
    amount_unit,
    column_of,
    columns_seen,
    in_unit,
)
from jixiao.readers.family import read_family, refusal
from jixiao.readers.loose import read_grouped
from jixiao.readers.shapes import Shape, shape_of, split_text

_SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_YEAR = re.compile(r"(\d{4})\s*年度")
_NUMBER_CELL = re.compile(r"^\s*[+-]?[\d,]+(?:\.\d+)?\s*%?\s*$")
_LINE_LABELS = {"funding_total": "total", **{k: k for k in BREAKDOWN_KEYS}}
_Labelled = tuple[int, str, str | None]
"""A filled cell: its column in the row, its text, the template column its text names."""


def split_rows(text: str, file: str) -> list[Row]:
    """The text's table rows, markdown or tab-separated; other lines are one cell."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("|"):
            body = line.strip()
            body = body[1:-1] if body.endswith("|") and len(body) > 1 else body[1:]
            cells = tuple(body.split("|"))
            if all(_SEPARATOR_CELL.match(c) or not c.strip() for c in cells):
                continue
        else:
            cells = tuple(line.split("\t"))
        rows.append(Row(tuple(c.strip() for c in cells), Source(file, line=number)))
    return rows


def read_text(text: str, file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form in a text file. Raises ReadError when it holds none.

    Tab-separated and markdown text of the national project form goes to the
    table recogniser below; every other shape, and every layout of the family,
    to :mod:`jixiao.readers.family` (cells cut by :mod:`jixiao.readers.shapes`)."""
    template_id = template_id or templates.detect(text)
    weak: list[str] | None = None
    if template_id is None and (found := templates.by_evidence(text)):
        template_id, weak = found
    template = templates.load(template_id) if template_id else None
    table = template is not None and template.reader == "table" and weak is None
    if (
        template is not None
        and template.reader != "grouped"
        and not (table and _table_shaped(text))
    ):
        forms = _family(split_text(text, file)[1], file, template, shape_of(text))
        if weak:
            lacking = "、".join(f"「{m}」" for m in weak)
            note = Problem("template", f"按表头认定为模板 {template.id}，但缺少表头 {lacking}")
            forms = [replace(f, problems=(note, *f.problems)) for f in forms]
        return forms
    try:
        return read_rows(split_rows(text, file), file, template_id)
    except ReadError:
        if template is None or template.reader != "table":
            raise
        # 项目名称 is there but not the first cell of its line: the family reader
        # finds labels anywhere
        shape, cells = split_text(text, file)
        return _family(cells, file, template, shape)


def _table_shaped(text: str) -> bool:
    """Whether the text is the table recogniser's: tab-separated, or markdown rows
    (each opening with a pipe)."""
    tabs, pipes = text.count("\t"), text.count("|")
    if tabs > max(20, 4 * pipes):
        return True
    if pipes < 3:
        return False
    lines = [line.lstrip() for line in text.splitlines() if "|" in line]
    return sum(line.startswith("|") for line in lines) >= 0.8 * len(lines)


def _family(
    rows: list[Row], file: str, template: Template, shape: Shape | None
) -> list[Evaluation]:
    forms = read_family(rows, file, template, shape)
    text = "\n".join(row.text() for row in rows)
    why = refusal(forms, text, template)
    if why is not None:
        raise ReadError(file, why)
    return forms


def read_rows(rows: list[Row], file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form in a file's table rows, whatever the file's format (text,
    PDF, xlsx, docx). Raises ReadError when they hold none."""
    text = "\n".join(row.text() for row in rows)
    template_id = template_id or templates.detect(text)
    if template_id is None:
        raise ReadError(file, _not_a_form(text, rows))
    template = templates.load(template_id)
    if template.reader == "grouped":  # the old Shanghai layout: groups with printed points
        return read_grouped(rows, file, template)
    if template.reader == "family":
        return _family(rows, file, template, None)
    if template.reader != "table":
        raise ReadError(
            file,
            f"看来是「{template.name}」（模板 {template_id}，{template.kind.label}），"
            "jixiao 还不能从文件读取这种版式；可把它整理成 JSON 契约文件导入（docs/json.md）",
        )
    forms = [f.build(template, file, i) for i, f in enumerate(_split_forms(rows, template))]
    if not forms:
        # 项目名称 is printed but not first in its row: the family reader finds
        # labels anywhere in a row
        return _family(rows, file, template, None)
    return forms


def _not_a_form(text: str, rows: list[Row]) -> str:
    """Why no template fits: what the file looks like, or the closest template and
    the labels it lacks."""
    tables = sum(1 for row in rows if len(row.filled()) > 2)
    if "自评报告" in text and tables < 3:
        return "这是一份文字的绩效自评报告，不是自评表（没有表格）：请导入报告所附的自评表"
    near = templates.closest(text)
    if near is not None:
        template_id, missing = near
        template = templates.load(template_id)
        lacking = "、".join(f"「{m}」" for m in missing)
        return (
            f"看不出是哪种自评表：最接近「{template.name}」（模板 {template_id}），"
            f"但缺少表头 {lacking}（空白模板、残缺的页面，或另一种版式）"
        )
    return "看不出是哪种自评表：找不到任何模板的表头（可用 jixiao templates 查看已有的模板）"


# --- splitting a file into forms -------------------------------------------------


def _first_key(row: Row) -> str:
    filled = row.filled()
    return label_key(filled[0][1]) if filled else ""


def _split_forms(rows: list[Row], template: Template) -> list[_Form]:
    forms: list[_Form] = []
    current: _Form | None = None
    year: int | None = None
    known = columns_seen(template)
    for row in rows:
        key = _first_key(row)
        column = column_of(template, key, known)
        if column == "name":
            current = _Form(year=year)
            forms.append(current)
            year = None
        elif current is None or current.closed or _is_title(row, key):
            if current is not None and _is_title(row, key):
                current.closed = True
            found = _YEAR.search(fold(row.text()))
            if found and len(squash(row.text())) <= 30:
                year = int(found.group(1))
            continue
        current.rows.append(row)
        if column == "grade":
            current.closed = True
    return forms


def _is_title(row: Row, key: str) -> bool:
    return "自评表" in key or "绩效自评" in key or (len(key) <= 12 and bool(_YEAR.search(key)))


# --- one form ----------------------------------------------------------------------


@dataclass
class _IndicatorRow:
    cells: dict[str, str]
    labels: dict[str, list[str]]
    source: Source


@dataclass
class _Form:
    year: int | None
    rows: list[Row] = field(default_factory=list)
    closed: bool = False

    def build(self, template: Template, file: str, index: int) -> Evaluation:
        reader = _FormReader(template, Collector())
        return reader.read(self, file, index)


class _FormReader:
    def __init__(self, template: Template, out: Collector):
        self.t = template
        self.out = out
        self.known = columns_seen(template)

    def read(self, form: _Form, file: str, index: int) -> Evaluation:
        project, funding_lines, unit = {}, {}, None
        goals_header: dict[str, int] = {}
        goals: dict[str, list[str]] = {"expected": [], "actual": []}
        indicator_header: dict[str, int] | None = None
        indicator_rows: list[_IndicatorRow] = []
        total = total_points = grade = None
        section = "header"
        name_row = form.rows[0]

        for row in form.rows:
            key = _first_key(row)
            column = column_of(self.t, key, self.known)
            # each filled cell with the column its text names: looked up once a row
            cells = [(i, cell, column_of(self.t, cell, self.known)) for i, cell in row.filled()]
            if row is name_row:
                project["name"] = self._after(row, cells, "name", "project.name")
            elif _has_label(cells, "department"):
                project["department"] = self._after(row, cells, "department", "project.department")
                project["unit"] = self._after(row, cells, "unit", "project.unit")
            elif key.startswith("项目资金"):
                section = "funding"
                unit = self._amount_unit(row)
            elif section == "funding" and (line := self._line_key(row)):
                funding_lines[line] = self._funding_line(row, line, unit)
            elif _has_label(cells, "expected"):
                section = "goals"
                goals_header = _label_columns(cells, ("expected", "actual_goal"))
            elif column == "level1":
                section = "indicators"
                indicator_header = _label_columns(
                    cells,
                    (
                        "level1",
                        "level2",
                        "indicator",
                        "target",
                        "actual",
                        "points",
                        "score",
                        "deviation",
                    ),
                )
            elif column == "total":
                section = "total"
                total_points, total = self._total(row)
            elif column == "grade":
                grade = self._after(row, cells, "grade", "grade")
            elif section == "goals":
                self._goal_cells(row, cells, goals_header, goals)
            elif section == "indicators" and indicator_header is not None:
                self._indicator_row(row, indicator_header, indicator_rows)

        indicators = self._indicators(indicator_rows)
        self._require(project.get("name"), "project.name", "未找到项目名称")
        self._require(funding_lines.get("total"), "funding", "未找到「年度资金总额」行")
        self._require(indicators, "indicators", "未找到指标表")
        self._require(total, "total", "未找到总分")
        return Evaluation(
            template=self.t.id,
            year=form.year,
            project=Project(
                name=project.get("name"),
                department=project.get("department"),
                unit=project.get("unit"),
            ),
            funding=Funding(
                total=funding_lines.get("total", FundingLine()),
                current_year_appropriation=funding_lines.get("current_year_appropriation"),
                prior_year_carryover=funding_lines.get("prior_year_carryover"),
                other_funds=funding_lines.get("other_funds"),
                unit=unit,
            ),
            goals=Goals(
                expected=clean(" ".join(goals["expected"])),
                actual=clean(" ".join(goals["actual"])),
            ),
            indicators=tuple(indicators),
            total=total,
            total_points=total_points,
            grade=grade,
            source=FormSource(file, index),
            problems=tuple(self.out.problems),
            sources=dict(self.out.sources),
        )

    def _require(self, value, path: str, message: str) -> None:
        if value is None or value == []:
            self.out.problem(path, message)

    # labels ------------------------------------------------------------------

    def _after(self, row: Row, cells: list[_Labelled], column: str, path: str) -> str | None:
        """The first non-empty cell after the cell labelled ``column``."""
        for n, (_, _, named) in enumerate(cells):
            if named == column:
                following = cells[n + 1] if n + 1 < len(cells) else None
                if following and following[2] is None:
                    return self.out.text(following[1], path, row.source)
                self.out.note(path, row.source)
                return None
        return None

    # 项目资金 ------------------------------------------------------------------

    def _amount_unit(self, row: Row) -> AmountUnit | None:
        text = squash(fold(row.text()))
        if "(万元)" in text:
            return AmountUnit.WAN_YUAN
        if "(元)" in text:
            return AmountUnit.YUAN
        self.out.problem("funding.unit", "项目资金未注明金额单位（万元/元）", row.text())
        return None

    def _line_key(self, row: Row) -> str | None:
        for _, cell in row.filled():
            if (line := self._line_of(cell)) is not None:
                return line
        return None

    def _line_of(self, cell: str) -> str | None:
        """The funding line a cell's label names (年度资金总额 → total), or None."""
        key = label_key(cell)
        for line, names in self.t.derived("text.line_labels", _line_labels):
            if any(name in key for name in names):
                return line
        return None

    def _funding_line(self, row: Row, line: str, unit: AmountUnit | None) -> FundingLine:
        """Six figures follow the row's label, wherever extraction put the label."""
        prefix = "funding" if line == "total" else f"funding.breakdown.{line}"
        filled = row.filled()
        label_at = next(i for i, c in filled if self._line_of(c) is not None)
        cells = list(row.cells[label_at + 1 :]) + [""] * len(LINE_KEYS)

        def figure(name: str) -> Decimal | None:
            raw = cells[LINE_KEYS.index(name)]
            path = f"{prefix}.{name}"
            printed = amount_unit(raw) if name in AMOUNT_KEYS else None
            value = self.out.number(
                printed[0] if printed else raw, path, row.source, line != "total"
            )
            if printed and value is not None and unit is not None and printed[1] != unit.value:
                value = in_unit(value, printed[1], unit.value)  # 4753.66万元 in a form in 元
                self.out.problem(
                    path, f"格内金额单位为{printed[1]}，按表头的{unit.value}换算为 {value}", raw
                )
            return value

        return FundingLine(  # by name, so that mypy checks each figure's type
            initial_budget=figure("initial_budget"),
            annual_budget=figure("annual_budget"),
            executed=figure("executed"),
            points=figure("points"),
            execution_rate=figure("execution_rate"),
            score=figure("score"),
        )

    # 年度总体目标 --------------------------------------------------------------

    def _goal_cells(
        self,
        row: Row,
        cells: list[_Labelled],
        header: dict[str, int],
        goals: dict[str, list[str]],
    ) -> None:
        actual_at = header.get("actual_goal")
        for i, cell, column in cells:
            if column is not None or label_key(cell) == "年度总体目标":
                continue
            side = "actual" if actual_at is not None and i >= actual_at else "expected"
            goals[side].append(cell)
            self.out.note(f"goals.{side}", row.source)

    # 总分 ------------------------------------------------------------------------

    def _total(self, row: Row) -> tuple[Decimal | None, Decimal | None]:
        numbers: list[str | None] = [c for _, c in row.filled() if _NUMBER_CELL.match(c)]
        if len(numbers) < 2:
            self.out.problem("total", "总分行应有分值与得分两个数", row.text())
            numbers = [None, None, *numbers][-2:]
        points = self.out.number(numbers[0], "total_points", row.source)
        total = self.out.number(numbers[1], "total", row.source)
        return points, total

    # indicator rows --------------------------------------------------------------

    def _indicator_row(self, row: Row, header: dict[str, int], rows: list[_IndicatorRow]) -> None:
        parsed = _from_right(row, header) or _by_position(row, header)
        if parsed is None and rows:
            _continue(rows[-1], row, header)
        elif parsed is not None:
            rows.append(parsed)

    def _indicators(self, rows: list[_IndicatorRow]) -> list[Indicator]:
        indicators = []
        level1 = level2 = None
        for n, item in enumerate(rows):
            path = f"indicators[{n}]"
            new1 = self._category(item.labels["level1"], self.t.level1, f"{path}.level1")
            new2 = self._category(item.labels["level2"], self.t.level2, f"{path}.level2")
            if new1 is not None:
                level1, level2 = new1, new2 if new2 is not None else new1
            elif new2 is not None:
                level2 = new2
            for key in ("level1", "level2"):
                self.out.note(f"{path}.{key}", item.source)
            target = self.out.text(item.cells.get("target"), f"{path}.target", item.source)
            actual = self.out.text(item.cells.get("actual"), f"{path}.actual", item.source)
            indicators.append(
                Indicator(
                    level1=level1,
                    level2=level2,
                    name=self.out.text(item.cells.get("indicator"), f"{path}.name", item.source),
                    target=target,
                    actual=actual,
                    points=self.out.number(item.cells.get("points"), f"{path}.points", item.source),
                    score=self.out.number(item.cells.get("score"), f"{path}.score", item.source),
                    deviation=self.out.text(
                        item.cells.get("deviation"), f"{path}.deviation", item.source
                    ),
                    target_parsed=parse_target(target),
                    actual_parsed=parse_target(actual),
                )
            )
        return self._label_first_rows(indicators)

    def _label_first_rows(self, indicators: list[Indicator]) -> list[Indicator]:
        """Rows before the table's first 一级指标 label take that label: a cell
        merged over a page break is printed on the page where most of it is,
        which may be below its first row. The repair is recorded."""
        first = next((n for n, ind in enumerate(indicators) if ind.level1 is not None), None)
        if not first:
            return indicators
        label = indicators[first].level1
        self.out.problem(
            "indicators[0].level1",
            f"首行未印一级指标（合并单元格跨页），按其下第一个标签「{label}」读取",
        )
        return [
            replace(ind, level1=label) if n < first else ind for n, ind in enumerate(indicators)
        ]

    def _category(self, fragments: list[str], known: tuple[str, ...], path: str) -> str | None:
        """A 一级/二级 label joined from its fragments; a damaged standard label
        ("服务对象满意度" + "标") is read as the one standard label it fits, and
        the repair is recorded."""
        label = squash("".join(fragments))
        if not label:
            return None
        if label in known or not known:
            return label
        fits = [k for k in known if _is_subsequence(label, k)]
        if len(fits) == 1:
            self.out.problem(path, f"标签残缺，按标准名称「{fits[0]}」读取", label)
            return fits[0]
        return label


def _has_label(cells: list[_Labelled], column: str) -> bool:
    return any(named == column for _, _, named in cells)


def _label_columns(cells: list[_Labelled], wanted: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, _, column in cells:
        if column is not None and column in wanted and column not in found:
            found[column] = i
    return found


def _line_labels(template: Template) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each funding line (total, the parts) with the label keys that name it, in
    the order they are tried; made once a template."""
    return tuple(
        (line, tuple(label_key(n) for n in template.columns.get(column, ())))
        for column, line in _LINE_LABELS.items()
    )


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return len(short) >= 2 and all(c in chars for c in short)


def _is_number(text: str) -> bool:
    return bool(_NUMBER_CELL.match(text))


def _labels(header: dict[str, int], cells: list[tuple[int, str]]) -> dict[str, list[str]]:
    """Label cells by column: at or left of 一级 → level1, else level2."""
    labels: dict[str, list[str]] = {"level1": [], "level2": []}
    level2_at = header.get("level2", 1)
    for i, text in cells:
        labels["level1" if i < level2_at else "level2"].append(text)
    return labels


def _from_right(row: Row, header: dict[str, int]) -> _IndicatorRow | None:
    """Read 得分, 分值, 实际完成值, 年度指标值, 三级指标 from the right; what is
    left are the labels. Survives cells shifted by spans; needs both figures."""
    filled = row.filled()
    deviation = None
    if filled and not _is_number(filled[-1][1]):
        deviation = filled.pop()[1]
    if len(filled) < 5 or not (_is_number(filled[-1][1]) and _is_number(filled[-2][1])):
        return None
    score, points, actual, target, name = (filled.pop()[1] for _ in range(5))
    if len(filled) > 2 or _is_number(actual):
        return None
    cells = {
        "indicator": name,
        "target": target,
        "actual": actual,
        "points": points,
        "score": score,
    }
    if deviation:
        cells["deviation"] = deviation
    return _IndicatorRow(cells, _labels(header, filled), row.source)


def _by_position(row: Row, header: dict[str, int]) -> _IndicatorRow | None:
    """Read by the header's columns: for rows with a figure missing."""

    def at(column: str) -> str:
        i = header.get(column)
        return row.cells[i] if i is not None and i < len(row.cells) else ""

    if not at("indicator") or not (at("points") or at("score")):
        return None
    cells = {
        c: at(c) for c in ("indicator", "target", "actual", "points", "score", "deviation") if at(c)
    }
    label_cells = [(i, c) for i, c in row.filled() if i < header.get("indicator", 2)]
    return _IndicatorRow(cells, _labels(header, label_cells), row.source)


def _continue(previous: _IndicatorRow, row: Row, header: dict[str, int]) -> None:
    """A row broken over a page end: its fragments join the row above."""
    name_at = header.get("indicator", 2)
    by_column = {i: c for c, i in header.items()}
    for i, text in row.filled():
        if i < name_at:
            previous.labels["level1" if i < header.get("level2", 1) else "level2"].append(text)
        elif (column := by_column.get(i)) in ("indicator", "target", "actual", "deviation"):
            previous.cells[column] = previous.cells.get(column, "") + text
