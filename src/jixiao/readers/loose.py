"""Read the Shanghai 2019/2020 layout (上海市财政项目绩效自评表) from loose PDF text.

The text comes out of the PDFs damaged: a label split over two cells ("绩效" |
"等级") or missing characters ("时间" for 自评时间), a figure broken into pieces
("10" | "00.00%", "100. 00"), a thousands separator printed as a point
("225.000.00"), a cell's first line printed on the line above, a group label
("投入与管理 (36分)") printed on any row of its merged cell or lost.

The reader repairs only what the text forces and records every repair as a
:class:`~jixiao.domain.model.Problem` on its field with the raw text:

* a damaged header label is read as the one label of the fixed header order
  that fits its characters;
* a split figure is joined when exactly one way of joining fits the column's
  format (amounts ``490,000.00``, rates ``100.00`` up to 100 %, scores);
* an indicator without a group label is placed by the group points: the rows
  of 投入与管理 must weigh 36, and so on.

It never fills a figure from another field: a rate printed 0.00 stays 0.00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jixiao.domain.model import (
    AmountUnit,
    Evaluation,
    FormSource,
    Funding,
    FundingLine,
    Goals,
    Indicator,
    Project,
    Source,
)
from jixiao.domain.normalize import clean, fold, squash
from jixiao.domain.template import Group, Template, label_key
from jixiao.readers.base import Collector, ReadError, Row, column_of, columns_seen

# The header's labels in printed order, with the field path each one fills.
HEADER_PATHS = {
    "name": "project.name",
    "unit": "project.unit",
    "division": "project.division",
    "recurring": "project.recurring",
    "annual_budget": "funding.annual_budget",
    "prior_year_budget": "funding.prior_year_budget",
    "executed": "funding.executed",
    "execution_rate": "funding.execution_rate",
    "expected": "goals.expected",
    "evaluated_on": "evaluated_on",
    "grade": "grade",
    "achievements": "achievements",
    "problems_found": "problems_found",
    "improvements": "improvements",
}
HEADER_ORDER = tuple(HEADER_PATHS)
# Rows holding two label/value pairs: the left label → the right one.
PAIRED = {
    "name": "unit",
    "division": "recurring",
    "annual_budget": "prior_year_budget",
    "executed": "execution_rate",
}
ROW_STARTS = tuple(f for f in HEADER_ORDER if f not in PAIRED.values())
TEXT_FIELDS = ("expected", "achievements", "problems_found", "improvements")
TABLE_COLUMNS = ("level1", "indicator", "explanation", "points", "rule", "score", "deviation")
_INDICATOR_KEYS = {"indicator": "name"}  # table column → Indicator field, where they differ

_YEAR = re.compile(r"(\d{4})\s*年度")
_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")
_DIGITS = re.compile(r"\d+")
_GROUP_POINTS = re.compile(r"\((\d+(?:\.\d+)?)分\)")
_RULE_START = "①"
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]")
MAX_ROWS_FOR_GROUPING = 80


@dataclass(frozen=True, slots=True)
class FigureFormat:
    """How a column prints its figures, to choose between readings of a damaged one."""

    name: str
    pattern: re.Pattern
    most: Decimal | None = None

    def fits(self, text: str) -> bool:
        if not self.pattern.fullmatch(text):
            return False
        return self.most is None or Decimal(text.rstrip("%").replace(",", "")) <= self.most


AMOUNT = FigureFormat("金额", re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}"))
RATE = FigureFormat("百分比", re.compile(r"(?:0|[1-9]\d{0,2})\.\d{2}%?"), Decimal(100))
SCORE = FigureFormat("分数", re.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,2})?"), Decimal(100))
_FORMATS = {
    "annual_budget": AMOUNT,
    "prior_year_budget": AMOUNT,
    "executed": AMOUNT,
    "execution_rate": RATE,
}


def read_grouped(rows: list[Row], file: str, template: Template) -> list[Evaluation]:
    """Every form of the old Shanghai layout in one file's rows."""
    forms = _split_forms(rows, template)
    if not forms:
        raise ReadError(file, "没有找到「项目名称」行：文件里没有自评表")
    return [_FormReader(template).read(form, file, index) for index, form in enumerate(forms)]


# --- splitting a file into forms -------------------------------------------------


@dataclass
class _Form:
    year: int | None
    rows: list[Row] = field(default_factory=list)


def _split_forms(rows: list[Row], template: Template) -> list[_Form]:
    """A form starts at its 项目名称 row; a short "2019年度…" title before it gives the year."""
    forms: list[_Form] = []
    year = None
    known = columns_seen(template)
    for row in rows:
        filled = row.filled()
        first = label_key(filled[0][1]) if filled else ""
        if column_of(template, first, known) == "name":
            forms.append(_Form(year))
            year = None
        elif (found := _YEAR.search(fold(row.text()))) and len(squash(row.text())) <= 30:
            year = int(found.group(1))
            continue
        if forms:
            forms[-1].rows.append(row)
    return forms


# --- one form ----------------------------------------------------------------------


@dataclass
class _Item:
    """One indicator row as found, its cells by column (fragments joined later)."""

    cells: dict[str, list[str]]
    source: Source
    joined: list[tuple[str, str, str]] = field(default_factory=list)  # (column, message, raw)

    def has(self, column: str) -> bool:
        return any(p.strip() for p in self.cells.get(column, ()))

    def starts_rule(self) -> bool:
        return "".join(self.cells.get("rule", ())).lstrip().startswith(_RULE_START)

    def join(self, other: _Item, before: bool) -> None:
        for column, parts in other.cells.items():
            mine = self.cells.setdefault(column, [])
            self.cells[column] = parts + mine if before else mine + parts


@dataclass
class _HeaderValues:
    """The header's values as read, by field name (a field not read is not there)."""

    figures: dict[str, Decimal | None] = field(default_factory=dict)  # the amounts and the rate
    texts: dict[str, str | None] = field(default_factory=dict)  # name, unit … improvements
    recurring: bool | None = None
    evaluated_on: date | None = None


class _FormReader:
    def __init__(self, template: Template):
        self.t = template
        self.known = columns_seen(template)
        self.out = Collector()
        self.values = _HeaderValues()
        self.texts: dict[str, list[str]] = {}
        self.seen: set[str] = set()
        self.amount_labels: list[str] = []
        self.raw: dict[str, str] = {}

    def read(self, form: _Form, file: str, index: int) -> Evaluation:
        rows = form.rows
        table_at = next((n for n, row in enumerate(rows) if self._table_header(row)), None)
        self._header(rows if table_at is None else rows[:table_at])
        indicators: list[Indicator] = []
        total = total_points = None
        if table_at is None:
            self.out.problem("indicators", "未找到指标表（一级指标、指标名称、权重 …）")
        else:
            indicators, total_points, total = self._table(rows, table_at)
        return self._evaluation(form, file, index, indicators, total_points, total)

    def _evaluation(self, form, file, index, indicators, total_points, total) -> Evaluation:
        v = self.values
        for name, cells in self.texts.items():
            text = v.texts[name] = self._text_value(name, cells)
            if not text:
                self.out.problem(HEADER_PATHS[name], f"「{self._label(name)}」未填")
        for name in HEADER_ORDER:
            if name not in self.seen:
                self.out.problem(HEADER_PATHS[name], f"未找到「{self._label(name)}」")
        figures, texts = v.figures, v.texts
        self._check_rate(figures.get("execution_rate"), figures.get("executed"))
        return Evaluation(
            template=self.t.id,
            year=form.year,
            project=Project(
                name=texts.get("name"),
                unit=texts.get("unit"),
                division=texts.get("division"),
                recurring=v.recurring,
            ),
            funding=Funding(
                total=FundingLine(
                    annual_budget=figures.get("annual_budget"),
                    executed=figures.get("executed"),
                    execution_rate=figures.get("execution_rate"),
                ),
                prior_year_budget=figures.get("prior_year_budget"),
                unit=self._amount_unit(),
            ),
            goals=Goals(expected=texts.get("expected")),
            indicators=tuple(indicators),
            total=total,
            total_points=total_points,
            grade=texts.get("grade"),
            evaluated_on=v.evaluated_on,
            achievements=texts.get("achievements"),
            problems_found=texts.get("problems_found"),
            improvements=texts.get("improvements"),
            source=FormSource(file, index),
            problems=tuple(self.out.problems),
            sources=dict(self.out.sources),
        )

    def _label(self, name: str) -> str:
        return self.t.columns.get(name, (name,))[0]

    # header ------------------------------------------------------------------------

    def _header(self, rows: list[Row]) -> None:
        last = -1  # position in HEADER_ORDER of the last label read
        text_field = None  # the text field a line without a label continues
        for row in rows:
            if not row.filled():
                continue
            label, cells = self._split_label(row)
            if not label:
                if text_field:
                    self.texts[text_field] += [c for c in cells if c.strip()]
                else:
                    self.out.problem("header", "表头中有无法归属的文字", row.text())
                continue
            name = self._identify(label, last)
            if name is None:
                self.out.problem("header", "无法辨认的表头标签", label)
                text_field = None
                continue
            last = HEADER_ORDER.index(name)
            if name in PAIRED:
                self._pair(name, label, cells, row.source)
            else:
                self._field(name, [c for c in cells if c.strip()], row.source, label)
            text_field = name if name in TEXT_FIELDS else None

    def _split_label(self, row: Row) -> tuple[str, list[str]]:
        """The label (raw; fragments tab-joined) and the value cells of a header row.

        The label takes the first two columns, unless the first cell alone is a
        header label ("自评" alone is not: it is the score column's label)."""
        cells = list(row.cells)
        if cells and column_of(self.t, cells[0], self.known) in HEADER_PATHS:
            return cells[0].strip(), cells[1:]
        return "\t".join(c.strip() for c in cells[:2] if c.strip()), cells[2:]

    def _identify(self, label: str, last: int) -> str | None:
        """The header field a label names: exactly, or else the first field after
        the last one read whose label its characters fit (a repair, recorded)."""
        exact = column_of(self.t, label, self.known)
        if exact in HEADER_PATHS:
            return exact
        key = label_key(label)
        for name in ROW_STARTS:
            if HEADER_ORDER.index(name) > last and self._fits_label(key, name):
                self.out.problem(
                    HEADER_PATHS[name], f"标签残缺，按表头次序读作「{self._label(name)}」", label
                )
                return name
        return None

    def _fits_label(self, key: str, name: str) -> bool:
        return any(_fits(key, label_key(n)) for n in self.t.columns.get(name, ()))

    def _pair(self, left: str, label: str, cells: list[str], source: Source) -> None:
        """A row of two label/value pairs: the right label splits the values."""
        right = PAIRED[left]
        filled = [c for c in cells if c.strip()]
        at = next(
            (n for n, c in enumerate(filled) if column_of(self.t, c, self.known) == right), None
        )
        if at is None:
            at = next(
                (n for n, c in enumerate(filled) if n and self._fits_label(label_key(c), right)),
                None,
            )
            if at is not None:
                self.out.problem(
                    HEADER_PATHS[right], f"标签残缺，读作「{self._label(right)}」", filled[at]
                )
        if at is not None:
            self._field(left, filled[:at], source, label)
            self._field(right, filled[at + 1 :], source, filled[at])
            return
        self._field(left, filled[:1], source, label)
        if len(filled) < 2:
            return
        garbled = "\t".join(filled[1:-1]) or None
        what = "无法辨认" if garbled else "缺失"
        self.out.problem(
            HEADER_PATHS[right], f"「{self._label(right)}」标签{what}，按位置读取其值", garbled
        )
        self._field(right, filled[-1:], source, garbled)

    def _field(self, name: str, cells: list[str], source: Source, label: str | None) -> None:
        path = HEADER_PATHS[name]
        if name in self.seen:
            self.out.problem(
                path, f"「{self._label(name)}」出现了不止一次，取第一次的值", "\t".join(cells)
            )
            return
        self.seen.add(name)
        self.raw[name] = "\t".join(cells)
        if name in ("annual_budget", "prior_year_budget", "executed") and label:
            self.amount_labels.append(label)
        self.out.note(path, source)
        if name in TEXT_FIELDS:  # lines below may continue it; read when the header ends
            self.texts[name] = list(cells)
            return
        if not cells:
            self.out.problem(path, f"「{self._label(name)}」未填")
            return
        if name in _FORMATS:
            self.values.figures[name] = self._figure(cells, path, source, _FORMATS[name])
        elif name == "recurring":
            self.values.recurring = self._yes_no(cells, path)
        elif name == "evaluated_on":
            self.values.evaluated_on = self._date(cells, path)
        else:
            self.values.texts[name] = self._text_value(name, cells)

    def _text_value(self, name: str, cells: list[str]) -> str | None:
        text = clean(" ".join(cells))
        path = HEADER_PATHS[name]
        if text and _looks_garbled(text):
            self.out.problem(path, "文字疑似乱码，原样保留", text)
        elif text and name == "division" and " " in text:
            self.out.problem(
                path, "「具体实施处」一格有两段文字，其中一段可能来自相邻的格，原样保留", text
            )
        return text

    def _yes_no(self, cells: list[str], path: str) -> bool | None:
        words = " ".join(cells).split()
        answers = [w.strip("。.") for w in words if w.strip("。.") in ("是", "否")]
        raw = "\t".join(cells)
        if len(answers) != 1:
            self.out.problem(path, "无法读取为「是」或「否」", raw)
            return None
        if len(words) > 1:
            self.out.problem(path, f"格内另有文字，按其中唯一的「{answers[0]}」读取", raw)
        return answers[0] == "是"

    def _date(self, cells: list[str], path: str) -> date | None:
        raw = "\t".join(cells)
        found = _DATE.search(fold(raw))
        if found:
            try:
                return date(*(int(g) for g in found.groups()))
            except ValueError:
                pass
        self.out.problem(path, "无法读取为日期", raw)
        return None

    def _figure(
        self, cells: list[str], path: str, source: Source, fmt: FigureFormat, raw: str | None = None
    ) -> Decimal | None:
        """A printed figure; a damaged one is repaired only when exactly one
        reading fits the column's format."""
        raw = raw if raw is not None else "\t".join(cells)
        parts = [p for cell in cells for p in cell.split()]
        if not parts:
            self.out.note(path, source)
            return None
        if len(parts) == 1 and _PLAIN_NUMBER.fullmatch(parts[0].replace(",", "").replace("，", "")):
            return self.out.number(parts[0], path, source)
        readings = {r for r in _readings(parts) if fmt.fits(r)}
        if len(readings) == 1:
            reading = readings.pop()
            why = "数字被拆开" if len(parts) > 1 else "千位分隔符印成了小数点"
            self.out.problem(path, f"{why}，按{fmt.name}格式只能读作 {reading}", raw)
            return self.out.number(reading, path, source)
        if len(parts) == 1:
            return self.out.number(parts[0], path, source)
        self.out.note(path, source)
        how = "有多种读法" if readings else "拼不成合格的数字"
        self.out.problem(path, f"数字被拆开，{how}，未读取", raw)
        return None

    def _check_rate(self, rate: Decimal | None, executed: Decimal | None) -> None:
        """A rate of 0 beside money spent is damage, not a figure to correct."""
        if rate == 0 and executed:
            self.out.problem(
                "funding.execution_rate",
                "预算执行率印为 0，而预算执行数不为 0：此格可能残缺，原样保留",
                self.raw.get("execution_rate"),
            )

    def _amount_unit(self) -> AmountUnit | None:
        labels = squash(fold("".join(self.amount_labels)))
        if "(万元)" in labels:
            return AmountUnit.WAN_YUAN
        if "(元)" in labels:
            return AmountUnit.YUAN
        self.out.problem("funding.unit", "金额单位（元/万元）未注明")
        return None

    # indicator table -----------------------------------------------------------------

    def _table_header(self, row: Row) -> bool:
        columns = {column_of(self.t, c, self.known) for _, c in row.filled()}
        return len(columns & set(TABLE_COLUMNS)) >= 3 and "points" in columns

    def _table(
        self, rows: list[Row], header_at: int
    ) -> tuple[list[Indicator], Decimal | None, Decimal | None]:
        header = {}
        for i, cell in rows[header_at].filled():
            column = column_of(self.t, cell, self.known)
            if column in TABLE_COLUMNS and column not in header:
                header[column] = i
        items: list[_Item] = []
        fragments: list[tuple[_Item, int]] = []  # (fragment, index of the row above it or -1)
        total_points = total = None
        rest = rows[header_at + 1 :]
        for n, row in enumerate(rest):
            first = label_key(row.filled()[0][1]) if row.filled() else ""
            if column_of(self.t, first, self.known) == "total":
                total_points, total = self._total(
                    row, rest[n + 1] if n + 1 < len(rest) else None, header
                )
                break
            if first.startswith("说明"):
                break
            if self._table_header(row):  # the header repeated at the top of a page
                continue
            item = _Item(_by_column(row, header), row.source)
            if item.has("indicator") and (item.has("points") or item.has("score")):
                items.append(item)
            elif any(item.cells.values()):
                fragments.append((item, len(items) - 1))
        else:
            self.out.problem("total", "未找到「合计」行")
        self._place_fragments(items, fragments)
        indicators = [self._indicator(n, item) for n, item in enumerate(items)]
        self._empty_scores(indicators, items)
        return self._with_groups(indicators, items), total_points, total

    def _place_fragments(self, items: list[_Item], fragments: list[tuple[_Item, int]]) -> None:
        """A line without figures belongs to a row next to it: to the row below when
        it holds the start of a 评分规则 (①…) that the row below lacks, or only a
        group label, or nothing is above; otherwise to the row above."""
        joins = []
        for fragment, above in fragments:
            below = above + 1 if above + 1 < len(items) else None
            only_label = {c for c, parts in fragment.cells.items() if parts} == {"level1"}
            starts = fragment.starts_rule() and below is not None and not items[below].starts_rule()
            if below is not None and (above < 0 or only_label or starts):
                joins.append((fragment, below, True))
            elif above >= 0:
                joins.append((fragment, above, False))
            else:
                self.out.problem("indicators", "指标表中有无法归属的文字", _fragment_text(fragment))
        # Lines joining a row from above are prepended nearest first, so they keep their order.
        for fragment, target, before in [j for j in joins if not j[2]] + [
            j for j in reversed(joins) if j[2]
        ]:
            items[target].join(fragment, before)
            columns = [c for c, parts in fragment.cells.items() if parts and c != "level1"]
            if columns:
                where = "下一行" if before else "上一行"
                items[target].joined.append(
                    (
                        columns[0],
                        f"第 {fragment.source.line} 行的文字并入了{where}",
                        _fragment_text(fragment),
                    )
                )

    def _indicator(self, n: int, item: _Item) -> Indicator:
        path = f"indicators[{n}]"
        for column, message, raw in item.joined:
            self.out.problem(f"{path}.{_INDICATOR_KEYS.get(column, column)}", message, raw)

        def text(column: str, key: str) -> str | None:
            return self.out.text(" ".join(item.cells.get(column, ())), f"{path}.{key}", item.source)

        def figure(column: str) -> Decimal | None:
            return self._figure(item.cells.get(column, []), f"{path}.{column}", item.source, SCORE)

        indicator = Indicator(
            name=text("indicator", "name"),
            explanation=text("explanation", "explanation"),
            points=figure("points"),
            rule=text("rule", "rule"),
            score=figure("score"),
            deviation=text("deviation", "deviation"),
        )
        if indicator.points is None and not item.has("points"):
            self.out.problem(f"{path}.points", "权重空白")
        return indicator

    def _empty_scores(self, indicators: list[Indicator], items: list[_Item]) -> None:
        """A blank 自评: where the row above prints one score for both rows (a merged
        cell), the score stays above and the blank row says so."""
        for n, ind in enumerate(indicators):
            if ind.score is not None or items[n].has("score"):
                continue
            above = indicators[n - 1] if n else None
            message = (
                f"自评空白：上一行印的 {above.score} 等于两行权重之和，疑为合并单元格，原样留在上一行"
                if above is not None and _merged_score(above, ind)
                else "自评空白"
            )
            self.out.problem(f"indicators[{n}].score", message)

    def _total(
        self, row: Row, below: Row | None, header: dict[str, int]
    ) -> tuple[Decimal | None, Decimal | None]:
        """合计: 权重 and 自评 columns; a figure cut at a line end ("100." / "00") is joined."""
        header = _total_columns(row, header)

        def figure(column: str, path: str) -> Decimal | None:
            at = header.get(column)
            cell = row.cells[at] if at is not None and at < len(row.cells) else ""
            cells, raw = [cell], None
            nxt = (
                below.cells[at]
                if below is not None and at is not None and at < len(below.cells)
                else ""
            )
            if cell.strip().endswith(".") and _DIGITS.fullmatch(nxt.strip()):
                cells, raw = [cell, nxt], f"{cell}\n{nxt}"
            value = self._figure(cells, path, row.source, SCORE, raw)
            if value is None and not cell.strip():
                self.out.problem(path, "合计行此格空白")
            return value

        return figure("points", "total_points"), figure("score", "total")

    # groups (一级指标) ----------------------------------------------------------------

    def _with_groups(self, indicators: list[Indicator], items: list[_Item]) -> list[Indicator]:
        groups = self.t.groups
        labels = [squash(fold(" ".join(item.cells.get("level1", ())))) for item in items]
        anchors = [
            next((j for j, g in enumerate(groups) if squash(g.name) in label), None)
            for label in labels
        ]
        weights = [ind.points for ind in indicators]
        grouped = assign_groups(anchors, weights, [g.points for g in groups])
        placed: list[int | None]
        if grouped is None:
            placed = fill_down(anchors)
            first = next((n for n, a in enumerate(anchors) if a is not None), None)
            if first is not None:
                self.out.problem(
                    f"indicators[{first}].level1", "一级指标无法按模板的次序归组，按标签向下填充"
                )
        else:
            placed = list(grouped)
        out = []
        for j, group in enumerate(groups):
            rows = [n for n, g in enumerate(placed) if g == j]
            if not rows:
                continue
            anchored = [n for n in rows if anchors[n] == j]
            known = [w for w in (weights[n] for n in rows) if w is not None]
            weighed = len(known) == len(rows) and sum(known) == group.points
            if anchored:
                label = " ".join(part for n in rows for part in items[n].cells.get("level1", ()))
                self._group_label(group, label, f"indicators[{anchored[0]}].level1")
            elif weighed:
                self.out.problem(
                    f"indicators[{rows[0]}].level1",
                    f"一级指标「{group.name}」的标签缺失，按权重合计 {group.points} 与次序归入",
                )
            else:
                for n in rows:
                    placed[n] = None
                self.out.problem(
                    f"indicators[{rows[0]}].level1", "一级指标无法确定（无标签，权重合计也对不上）"
                )
        for n, ind in enumerate(indicators):
            at = placed[n]
            self.out.note(f"indicators[{n}].level1", items[n].source)
            out.append(_with_level1(ind, groups[at].name if at is not None else None))
        return out

    def _group_label(self, group: Group, label: str, path: str) -> None:
        """The printed group label ("投入与管理 (36分)"): its points against the template's."""
        key = squash(fold(label))
        printed = _GROUP_POINTS.search(key)
        rest = _GROUP_POINTS.sub("", key.replace(squash(group.name), "", 1))
        if printed is None:
            self.out.problem(
                path, f"一级指标「{group.name}」的分值无法辨认（模板为 {group.points} 分）", label
            )
        elif Decimal(printed.group(1)) != group.points:
            self.out.problem(
                path,
                f"一级指标「{group.name}」印为 {printed.group(1)} 分，模板为 {group.points} 分",
                label,
            )
        elif rest:
            self.out.problem(path, f"一级指标「{group.name}」的标签有多余文字", label)


def _with_level1(ind: Indicator, level1: str | None) -> Indicator:
    """``replace(ind, level1=level1)`` for an indicator this reader has just made and
    no one else holds yet: set in place (replace's copy of a frozen dataclass cost a
    tenth of reading a Shanghai form)."""
    object.__setattr__(ind, "level1", level1)
    return ind


def _merged_score(above: Indicator, ind: Indicator) -> bool:
    """Whether the row above prints one score for both rows: more than its own
    points, their points added up."""
    if above.score is None or above.points is None or ind.points is None:
        return False
    return above.score > above.points and above.score == above.points + ind.points


def assign_groups(
    anchors: list[int | None], weights: list[Decimal | None], points: list[Decimal]
) -> list[int] | None:
    """Each row's group (index into ``points``), in printed order.

    Groups follow each other in template order; a row with a group label
    (``anchors``) stays in that group. Among the splits this allows, the one
    where most groups' weights add up to their printed points wins; ties go to
    the split closest to filling each label down. ``None`` when the labels are
    out of order (or the table too long to try every split)."""
    n, m = len(anchors), len(points)
    if m == 0 or n > MAX_ROWS_FOR_GROUPING:
        return None
    first = {j: anchors.index(j) for j in set(anchors) if j is not None}
    last = {j: n - 1 - anchors[::-1].index(j) for j in first}
    sums, blanks = [Decimal(0)], [0]
    for w in weights:
        sums.append(sums[-1] + (w or 0))
        blanks.append(blanks[-1] + (w is None))
    down = fill_down(anchors)
    agree = [[0] * (n + 1) for _ in range(m)]
    for j in range(m):
        for i in range(n):
            agree[j][i + 1] = agree[j][i] + (down[i] == j)
    best, best_key = None, None
    for bounds in _splits(n, m, first, last):
        fits = sum(
            1
            for j in range(m)
            if bounds[j] < bounds[j + 1]
            and blanks[bounds[j + 1]] == blanks[bounds[j]]
            and sums[bounds[j + 1]] - sums[bounds[j]] == points[j]
        )
        agreeing = sum(agree[j][bounds[j + 1]] - agree[j][bounds[j]] for j in range(m))
        key = (fits, agreeing)
        if best_key is None or key > best_key:
            best, best_key = bounds, key
    if best is None:
        return None
    return [next(j for j in range(m) if best[j] <= i < best[j + 1]) for i in range(n)]


def _splits(n: int, m: int, first: dict[int, int], last: dict[int, int]) -> list[tuple[int, ...]]:
    """The bounds (0, cut, …, n) of every split of ``n`` rows into ``m`` groups in
    order (a group may be empty) that keeps each labelled row in its group: group
    ``j`` starts at or before its first label and ends after its last. In the order
    of ``combinations_with_replacement(range(n + 1), m - 1)``, only the splits it
    allows made (a table's labels leave few)."""
    low, high = [0] * (m + 1), [n] * (m + 1)
    for j, at in first.items():
        high[j] = min(high[j], at)
        low[j + 1] = max(low[j + 1], last[j] + 1)
    if high[0] < 0 or low[m] > n:
        return []
    out: list[tuple[int, ...]] = []
    bounds = [0] * (m + 1)
    bounds[m] = n

    def place(k: int, start: int) -> None:
        if k == m:
            out.append(tuple(bounds))
            return
        for cut in range(max(start, low[k]), high[k] + 1):
            bounds[k] = cut
            place(k + 1, cut)

    place(1, 0)
    return out


def fill_down(anchors: list[int | None]) -> list[int | None]:
    """Each row takes the label above it; rows before the first label take the first."""
    first = next((a for a in anchors if a is not None), None)
    out, current = [], first
    for a in anchors:
        current = a if a is not None else current
        out.append(current)
    return out


# --- helpers ---------------------------------------------------------------------------


def _by_column(row: Row, header: dict[str, int]) -> dict[str, list[str]]:
    """A table row's cells by column; cells right of the last column join 备注."""
    by_index = {i: c for c, i in header.items()}
    last = max(header.values(), default=0)
    out: dict[str, list[str]] = {}
    for i, text in row.filled():
        column = by_index.get(min(i, last))
        if column is None:  # a gap in the header: keep the text with the column left of it
            column = by_index[max((k for k in by_index if k < i), default=min(by_index))]
        out.setdefault(column, []).append(text.strip())
    return out


def _total_columns(row: Row, header: dict[str, int]) -> dict[str, int]:
    """Where 合计's figures are: under the header's 权重 and 自评; or, when the
    合计 label spans columns and the figures stand left of them (a table of
    drawn cells), the row's first two figures in that order."""
    figures = [i for i, text in row.filled()[1:] if _PLAIN_NUMBER.fullmatch(text.replace(",", ""))]
    if len(figures) == 2 and figures != [header.get("points"), header.get("score")]:
        return {**header, "points": figures[0], "score": figures[1]}
    return header


def _fragment_text(item: _Item) -> str:
    return "\t".join(" ".join(parts) for parts in item.cells.values() if parts)


def _readings(parts: list[str]) -> set[str]:
    """The ways damaged pieces of one figure can be read: pieces joined as they
    are, or with the character at a join printed twice ("10" | "00.00%" → 100.00%);
    one piece with several points read as thousands separators ("225.000.00")."""
    if len(parts) == 1:
        text = parts[0]
        if text.count(".") > 1:
            head, _, tail = text.rpartition(".")
            return {head.replace(".", ",") + "." + tail}
        return set()
    if len(parts) > 4:
        return set()
    readings = {parts[0]}
    for part in parts[1:]:
        readings = {r + part for r in readings} | {
            r + part[1:] for r in readings if r and r[-1] == part[0]
        }
    return readings


def _fits(fragment: str, label: str) -> bool:
    """A damaged label fits a known one when at least two characters and half of
    each are common, in order (a longest common subsequence)."""
    common = _common_subsequence(fragment, label)
    return common >= 2 and 2 * common >= len(label) and 2 * common >= len(fragment)


def _common_subsequence(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for ca in a:
        diagonal = 0
        for j, cb in enumerate(b, start=1):
            diagonal, row[j] = row[j], diagonal + 1 if ca == cb else max(row[j], row[j - 1])
    return row[-1]


def _looks_garbled(text: str) -> bool:
    """Text of a Chinese form with few Chinese characters: extraction noise."""
    visible = squash(text)
    return len(visible) >= 8 and len(_CJK.findall(visible)) * 10 < len(visible) * 3
