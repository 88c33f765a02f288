"""Read the forms of the national family from cells, whatever shape gave them.

The layout half of reading (the format half — text shapes, PDF, workbooks —
gives rows of cells). One reader for every template whose ``reader`` is
"family": the transfer form, Sichuan 2023, the Hubei city and Hebei layouts,
the department form, and the national project form in the loose shapes of web
pages. The template's ``[columns]`` say which printed label names which field;
nothing else about a layout is written here.

The cells are read as one stream, because web pages break rows anywhere: a
label (项目名称, 年度资金总额, 一级指标 …) says what the cells after it are. A
block's header gives the order of its columns; each row's cells are then matched
to the columns by what they hold (a 分值 is a bare number, a 指标性质 a
comparator), so a row that lost its empty cells (其中… rows without points) is
still read right. What cannot be read for certain is left blank with a problem
that carries the raw text — a figure is never guessed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from jixiao.contract.fields import LINE_KEYS
from jixiao.domain.model import (
    BREAKDOWN_KEYS,
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
from jixiao.domain.targets import parse_target, target_text
from jixiao.domain.template import Template, label_key
from jixiao.readers import glued, ocr
from jixiao.readers.base import Collector, Row, amount_unit, in_unit
from jixiao.readers.shapes import Shape

# Labels every layout of the family prints the same way; a template's own
# [columns] come first.
COMMON_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "department": ("主管部门", "部门名称", "部门(单位)名称", "单位名称"),
    "unit": ("实施单位", "项目实施单位", "实施(主管)单位", "项目单位"),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "indicator": ("三级指标",),
    "total": ("总分", "合计", "自评总分"),
    "grade": ("评价等级", "自评等级", "绩效等级", "评分等级"),
    "funding_total": ("年度资金总额", "年度财政资金总额", "资金总额", "总额"),
    "current_year_appropriation": ("当年财政拨款", "本年财政拨款", "财政拨款"),
    "prior_year_carryover": ("上年结转资金", "上年结余结转资金"),
    "other_funds": ("其他资金", "其他"),
    "fiscal_funds": ("财政资金",),
    "special_account_funds": ("财政专户管理资金",),
    "unit_funds": ("单位资金",),
    "basic_expenditure": ("基本支出",),
    "project_expenditure": ("项目支出",),
    # the levels of government a transfer's money comes from
    "central_funds": ("中央财政资金", "中央资金", "中央补助资金", "中央财政补助资金"),
    "provincial_funds": ("省级资金", "省级财政资金", "省级补助资金"),
    "city_funds": ("市级资金", "市级财政资金"),
    "county_funds": ("县级资金", "县级财政资金", "区级资金", "县(区)级资金"),
    "local_funds": ("地方资金", "地方财政资金", "地方配套资金"),
    "self_raised_funds": ("自筹资金", "单位自筹资金"),
    "goals": ("年度总体目标", "总体目标", "年度绩效目标"),
    "expected": ("年初设定目标", "预期目标", "年度目标", "项目年度目标", "年度预期目标"),
    "actual_goal": (
        "实际完成情况",
        "年度总体目标完成情况",
        "年度总体目标完成情况综述",
        "年度目标完成情况",
        "具体完成情况",
    ),
    "deviation": (
        "偏差原因分析及改进措施",
        "未完成原因分析",
        "未完成原因及拟采取的改进措施",
        "未完成原因和改进措施",
        "偏差原因分析",
        "偏差原因及改进措施",
        "原因分析及改进措施",
        "未完成原因分析及改进措施",
        "偏差原因",
    ),
    "target": ("年度指标值", "年初目标值", "预期指标值", "指标值", "年度目标值", "目标值"),
    "actual": (
        "实际完成值",
        "全年实际值",
        "实际完成指标值",
        "完成值",
        "全年实际完成值",
        "实际值",
        "全年完成值",
    ),
    "points": ("分值", "权重", "指标分值", "标准分值"),
    "score": ("得分", "自评得分", "实际得分"),
    "initial_budget": ("年初预算数", "年初预算"),
    "annual_budget": ("全年预算数", "调整后预算数", "调整后预算"),
    "executed": ("全年执行数", "预算执行数", "实际支出数", "执行数"),
    "execution_rate": ("执行率", "预算执行率"),
    "method": ("得分计算方法",),
    "core": ("是否核心指标", "核心指标"),
    "conclusion": ("评价结论", "自评结论"),
    "problems_found": ("存在问题", "存在的问题"),
    "improvements": ("改进措施", "改进意见"),
    # a block's own label, before its header
    "block": ("绩效指标", "年度绩效指标", "绩效目标"),
    # printed, not kept: they still hold a place in their row
    "ignored": (
        "项目负责人及电话",
        "项目负责人",
        "联系电话",
        "资金来源",
        "资金到位情况",
        "到位数",
        "单项指标完成情况",
        "完成情况",
        "总体完成率(%)",
        "总体完成率",
        "指标解释",
        "备注",
    ),
}
HEADER_FIELDS = ("name", "department", "unit")
FUNDING_COLUMNS = (*LINE_KEYS, "reason", "method", "ignored")
FUNDING_LINES = (
    "funding_total",
    *BREAKDOWN_KEYS,
    "fiscal_funds",
    "special_account_funds",
    "unit_funds",
    "basic_expenditure",
    "project_expenditure",
    "central_funds",
    "provincial_funds",
    "city_funds",
    "county_funds",
    "local_funds",
    "self_raised_funds",
)
INDICATOR_COLUMNS = (
    "points",
    "nature",
    "target",
    "measure_unit",
    "actual",
    "score",
    "weight_share",
    "weighted_score",
    "review_score",
    "deviation",
    "method",
    "core",
    "ignored",
)
NARRATIVES = ("conclusion", "problems_found", "improvements")
CHOICES = ("project_category", "project_nature", "project_type")
STOPS = ("total", "grade", *NARRATIVES, *CHOICES)
# Sets of columns asked for in loops (a literal tuple with starred parts there is
# built on each pass; mypyc cannot compile one in an ``in`` test).
_GOALS_END = frozenset(("level1", *FUNDING_LINES, *STOPS))
_INDICATORS_END = frozenset(("name", *FUNDING_LINES, "goals", *STOPS))
_HEADER_AGAIN = frozenset(("level1", "level2", "indicator", "block"))
NUMBER_FIELDS = ("points", "score", "weight_share", "weighted_score", "review_score")

_PAREN = re.compile(r"\([^()]*\)")
_POINTS = re.compile(r"\((\d+(?:\.\d+)?)分")
_POINTS_ONLY = re.compile(r"\((\d+(?:\.\d+)?)分\)")
_PREFIX = re.compile(
    r"^(?:其中:?|按(?:来源|用途|性质|类别)?:|[一二三四五六七八九十]+、|\d+[、.]|\(\d+\))"
)
_MARKS = str.maketrans("", "", "★☆*")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_RATE = re.compile(r"[+-]?\d+(?:\.\d+)?%")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")
_COMPARATORS = {
    "=",
    "≥",
    "≤",
    ">",
    "<",
    ">=",
    "<=",
    "==",
    "≧",
    "≦",
    "═",
    "＞",
    "＜",
    "定性",
    "定量",
}
_BLANKS = {"", "/", "-", "—", "--", "——", "无", "…", "……", "...", "……。"}
_HINT = re.compile(r"字以内\)?|说明原因|^对照年度目标|^结合自评情况|^针对项目自评")
_TICKED = "☑■√✓✔"
_BOX = "□☐"
_LEVEL2_WORD = re.compile(r"(?:数量|质量|时效|成本|效益|满意度|影响|效果|产出)指标$")
_TOO_COMMON = frozenset(("其他", "总额", "单位", "原因", "完成情况", "指标值", "完成值", "权重"))
_LEVEL1 = frozenset(("产出指标", "效益指标", "满意度指标", "效果指标"))
_GENERIC_LEVEL2 = ("经济效益", "社会效益", "环境效益", "生态效益", "可持续影响")


def bare(label: str) -> str:
    """A label without what varies around it: (A), (10分), (万元), 其中:, 1、, ★."""
    key = label_key(label).translate(_MARKS)
    key = _PREFIX.sub("", key)
    return _PAREN.sub("", key).rstrip(":")


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    source: Source
    row: int  # which input row: cells of one printed row share it
    glued: bool = False  # cut out of text run together: may hold several values


class Labels:
    """Which field a printed label names, for one template."""

    def __init__(self, template: Template):
        self.exact: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        merged: dict[str, tuple[str, ...]] = dict(template.columns)
        for column, names in COMMON_LABELS.items():
            merged[column] = (*merged.get(column, ()), *names)
        for column, names in merged.items():
            for name in names:
                self.exact.setdefault(label_key(name), column)
                self.loose.setdefault(bare(name), column)
        self.level1 = {bare(x) for x in template.level1}
        self.level2 = {bare(x) for x in template.level2}
        # the labels text run together is cut at: every printed label but the
        # shortest, which occur inside ordinary words
        self.words = tuple(
            {k for k in self.exact if k not in _TOO_COMMON}
            | self.level1
            | self.level2
            | _LEVEL1
            | set(_GENERIC_LEVEL2)
            | {"资金情况", "项目资金"}
        )

    def column(self, text: str) -> str | None:
        if not text or len(text) > 40:
            return None
        found = self.exact.get(label_key(text))
        if found is None:
            found = self.loose.get(bare(text))
        return found

    def level(self, text: str) -> str | None:
        """ "level1" or "level2" for a 一级/二级 indicator label, "piece" for the tail
        of one broken over two lines (度指标), else None."""
        found = self.level_label(text)
        return found[0] if found else None

    def level_label(self, text: str) -> tuple[str, str] | None:
        """What :meth:`level` says, with the label as read: a standard label's head
        broken off on its own line (满意 for 满意度指标) is read as the one standard
        label it starts."""
        if not text or len(text) > 24 or _NUMBER.search(text.split("(")[0]):
            return None
        key = bare(text)
        if key in self.level1 or key in _LEVEL1:  # the template's own words first:
            return "level1", key  # Hebei's 预算执行率 row is a 一级 label
        if key in self.level2:
            return "level2", key
        if self.column(text) is not None:
            return None
        if 2 <= len(key) <= 3:
            for kind, words in (("level1", self.level1 | _LEVEL1), ("level2", self.level2)):
                heads = {w for w in words if w.startswith(key)}
                if len(heads) == 1:
                    return kind, heads.pop()
        if 2 <= len(key) <= 8 and any(
            w.endswith(key) and w != key for w in self.level1 | self.level2 | _LEVEL1
        ):
            return "piece", key
        if (_LEVEL2_WORD.search(key) and len(key) <= 12) or key in _GENERIC_LEVEL2:
            return "level2", key
        return None


def is_blank(text: str) -> bool:
    return squash(text) in _BLANKS


def is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(squash(text).replace(",", "")))


def is_rate(text: str) -> bool:
    return bool(_RATE.fullmatch(squash(text).replace(",", ""))) or is_number(text)


def is_hint(text: str) -> bool:
    """The printed guidance of a blank template cell ("…(100字以内)")."""
    return bool(_HINT.search(squash(fold(text))))


# --- the stream ----------------------------------------------------------------------


def cells_of(rows: list[Row], labels: Labels, shape: Shape | None = None) -> list[Cell]:
    """The rows' cells as one stream; a "label:value" cell cut in two; a long cell
    holding several labels (text run together) cut at its labels."""
    out: list[Cell] = []
    for n, row in enumerate(rows):
        for text in row.cells:
            text = text.strip()
            if shape is Shape.GLUED and len(text) > 60 and _labels_in(text, labels) >= 3:
                out.extend(
                    Cell(part, row.source, n, True) for part in glued.cut(text, labels.words)
                )
                continue
            out.extend(Cell(part, row.source, n) for part in _cut_label(text, labels))
    return out


def _labels_in(text: str, labels: Labels) -> int:
    key = squash(fold(text))
    return sum(
        1
        for word in ("项目名称", "一级指标", "二级指标", "三级指标", "得分", "分值", "总分")
        if word in key
    ) + sum(1 for word in labels.words if len(word) >= 4 and word in key)


def _cut_label(text: str, labels: Labels) -> list[str]:
    for colon in (":", "："):
        head, sep, rest = text.partition(colon)
        if sep and rest.strip() and labels.column(head) is not None:
            return [head, rest.strip()]
    return [text]


# --- one form ------------------------------------------------------------------------


@dataclass
class _Funding:
    columns: list[str] = field(default_factory=list)
    lines: dict[str, FundingLine] = field(default_factory=dict)
    unit: AmountUnit | None = None
    points: Decimal | None = None  # printed in the block's header: 预算执行情况(20分)


def split_forms(cells: list[Cell], labels: Labels) -> list[list[Cell]]:
    """A file's cells, one list per form: a form starts at its 项目名称 (a
    department form, which has none, is the whole file)."""
    starts = [i for i, c in enumerate(cells) if labels.column(c.text) == "name"]
    if len(starts) <= 1:
        return [cells]
    # each form's title and year come before its 项目名称: cut after the previous form's
    # last table cell, i.e. at the start of the rows just before the next name
    cuts = [0]
    for at in starts[1:]:
        # walk back over whole rows: the title and year rows, not a row of the form above
        back = at
        while back > cuts[-1]:
            row = cells[back - 1].row
            first = back - 1
            while first > cuts[-1] and cells[first - 1].row == row:
                first -= 1
            if row < cells[at].row - 3 or any(
                _is_stop(cells, k, labels) for k in range(first, back)
            ):
                break
            back = first
        cuts.append(back)
    cuts.append(len(cells))
    return [cells[a:b] for a, b in itertools.pairwise(cuts) if a < b]


def _is_stop(cells: list[Cell], i: int, labels: Labels) -> bool:
    return labels.column(cells[i].text) in STOPS


class FormReader:
    """Reads one form's cells into an Evaluation."""

    def __init__(self, template: Template, labels: Labels):
        self.t = template
        self.labels = labels
        self._single = False  # set per form: cells one a line, rows not printed
        self._columns: list[str] = ["points"]  # the indicator table's, once read
        self._misread: list[tuple[str, str, Decimal]] = []  # (path, raw, figure) to confirm
        self._unplaced_said = False  # a 资金 row's figures said to be unplaceable
        self._seen: set[str] = set()  # blocks printed: "grade", "goals", "indicators"
        self.out = Collector()

    # cursor helpers -----------------------------------------------------------

    def _number(
        self, raw: str | None, path: str, source: Source, dash_ok: bool = False
    ) -> Decimal | None:
        """A figure; one OCR misread (IO for 10) is held back until the arithmetic
        confirms it (:meth:`_confirm_misread`)."""
        figure = ocr.repaired(raw)
        if figure is not None:
            self.out.note(path, source)
            self._misread.append((path, raw or "", figure))
            return None
        return self.out.number(_figure(raw), path, source, dash_ok=dash_ok)

    def _column(self, cell: Cell) -> str | None:
        return self.labels.column(cell.text)

    def _is_label(self, cell: Cell) -> bool:
        return self._column(cell) is not None or self.labels.level(cell.text) is not None

    def _next_value(self, cells: list[Cell], i: int) -> tuple[int, Cell | None]:
        """The first non-empty cell after ``i`` that is not a label, if one comes before the
        next label."""
        j = i + 1
        while j < len(cells) and not cells[j].text:
            j += 1
        if j < len(cells) and not self._is_label(cells[j]):
            return j, cells[j]
        return i, None

    def _window(self, cells: list[Cell], i: int, size: int, row: int) -> list[Cell]:
        """Up to ``size`` cells from ``i`` that belong to the row being read: they stop
        at a label, and at the end of the printed row unless the next line goes on
        with a figure (a page that broke a row)."""
        out: list[Cell] = []
        j = i
        while j < len(cells) and len(out) < size:
            cell = cells[j]
            if cell.text and self._is_label(cell):
                break
            if not self._single and cell.row != row:
                if not (cell.text and is_rate(cell.text)):
                    break
                row = cell.row
            out.append(cell)
            j += 1
        return out

    # the form -----------------------------------------------------------------

    def read(self, cells: list[Cell], file: str, index: int) -> Evaluation:
        self._single = _mostly_single(cells)
        project: dict[str, str | None] = {}
        funding = _Funding()
        goals: dict[str, list[str]] = {"expected": [], "actual": []}
        indicators: list[Indicator] = []
        narratives: dict[str, str | None] = {}
        choices: list[tuple[str, str]] = []
        total = total_points = None
        grade: str | None = None
        year = _year(cells, self.labels)
        i = 0
        while i < len(cells):
            cell = cells[i]
            column = self._column(cell)
            if column in HEADER_FIELDS and column not in project:
                j, value = self._next_value(cells, i)
                path = f"project.{column}"
                project[column] = self.out.text(value.text, path, value.source) if value else None
                if value is None:
                    self.out.note(path, cell.source)
                i = j + 1
            elif column in FUNDING_COLUMNS and column != "ignored" and not funding.columns:
                i = self._funding_header(cells, i, funding)
            elif column in FUNDING_LINES and funding.columns:
                i = self._funding_line(cells, i, column, funding)
            elif column in ("goals", "expected", "actual_goal") and not (
                goals["expected"] or goals["actual"]
            ):
                i = self._goals(cells, i, goals)
            elif column == "level1" and total is None:  # a table, or the next (绩效目标2)
                i = self._indicators(cells, i, indicators)
            elif column == "total" and total is None:
                self._seen.add("total")
                i, total_points, total = self._total(cells, i)
            elif column == "grade":
                self._seen.add("grade")
                j, value = self._next_value(cells, i)
                grade = self.out.text(value.text, "grade", value.source) if value else None
                i = j + 1
            elif column in NARRATIVES:
                j, value = self._next_value(cells, i)
                text = value.text if value and not is_hint(value.text) else None
                narratives[column] = self.out.text(text, column, (value or cell).source)
                i = j + 1
            elif column in CHOICES:
                j, value = self._next_value(cells, i)
                ticked = _ticked(value.text if value else cell.text)
                if ticked:
                    choices.append((column, ticked))
                    self.out.note(f"choices.{column}", cell.source)
                i = j + 1 if value else i + 1
            else:
                after = cells[i + 1].text if i + 1 < len(cells) else ""
                self._unit_hint(cell, funding, after)
                i += 1
        return self._evaluation(
            file, index, year, project, funding, goals, indicators, narratives, choices,
            total, total_points, grade,
        )  # fmt: skip

    def _evaluation(
        self, file, index, year, project, funding, goals, indicators, narratives, choices,
        total, total_points, grade,
    ) -> Evaluation:  # fmt: skip
        total_points, total = self._confirm_misread(funding, indicators, total_points, total)
        lines = funding.lines
        t = self.t
        if t.kind.value != "department":
            self._require(project.get("name"), "project.name", "未找到项目名称")
        else:
            self._require(project.get("department"), "project.department", "未找到部门（单位）名称")
        self._require(lines.get("funding_total"), "funding", "未找到资金总额行")
        self._require(indicators, "indicators", "未找到指标表")
        if total_points is None:
            self._require(total, "total", "未找到总分（表格可能不完整）")
        if lines and funding.unit is None:
            self.out.problem("funding.unit", "资金未注明金额单位（万元/元）")
        total_line = lines.get("funding_total", FundingLine())
        if total_line.points is None and funding.points is not None:
            total_line = replace(total_line, points=funding.points)
        named = {k: lines[k] for k in BREAKDOWN_KEYS if k in lines}
        extra = tuple(
            (k, line)
            for k, line in lines.items()
            if k not in BREAKDOWN_KEYS and k != "funding_total"
        )
        return Evaluation(
            template=t.id,
            year=year,
            project=Project(
                name=project.get("name"),
                department=project.get("department"),
                unit=project.get("unit"),
            ),
            funding=Funding(
                total=total_line,
                current_year_appropriation=named.get("current_year_appropriation"),
                prior_year_carryover=named.get("prior_year_carryover"),
                other_funds=named.get("other_funds"),
                unit=funding.unit,
                extra=extra,
            ),
            goals=Goals(
                expected=clean(" ".join(goals["expected"])),
                actual=clean(" ".join(goals["actual"])),
            ),
            indicators=tuple(indicators),
            total=total,
            total_points=total_points,
            grade=grade,
            problems_found=narratives.get("problems_found"),
            improvements=narratives.get("improvements"),
            conclusion=narratives.get("conclusion"),
            choices=tuple(choices),
            source=FormSource(file, index, self._unprinted(funding)),
            problems=tuple(self.out.problems),
            sources=dict(self.out.sources),
        )

    def _unprinted(self, funding: _Funding) -> tuple[str, ...]:
        """The paths of the template's columns this form does not print at all: the
        audit asks only for what the form has. A block cut off the page is not here:
        only columns missing from a header the form does print, and a grade row on
        a form that reached its total without one."""
        t = self.t.columns
        out = []
        if funding.columns:
            for key in (
                "initial_budget",
                "annual_budget",
                "executed",
                "execution_rate",
                "points",
                "score",
            ):
                printed = key in funding.columns or (key == "points" and funding.points is not None)
                if key in t and not printed:
                    out.append(f"funding.{key}")
        if "indicators" in self._seen and "rows" in self._seen:  # a header cut short says nothing
            for key in ("target", "actual", "points", "score"):
                if key in t and key not in self._columns:
                    out.append(f"indicators[].{key}")
        if "grade" in t and "grade" not in self._seen and "total" in self._seen:
            out.append("grade")
        return tuple(out)

    def _confirm_misread(
        self,
        funding: _Funding,
        indicators: list[Indicator],
        total_points: Decimal | None,
        total: Decimal | None,
    ) -> tuple[Decimal | None, Decimal | None]:
        """Each figure OCR misread, kept where the form's arithmetic confirms it: a 资金
        row's 执行率 = 执行数 ÷ 预算数 or 得分 = 执行率 × 分值; the points (or scores) of
        the rows and the 资金 adding up to 总分 (only one misread among them)."""
        points_misread = [
            m for m in self._misread if m[0].endswith(".points") and m[0].startswith("ind")
        ]
        score_misread = [
            m for m in self._misread if m[0].endswith(".score") and m[0].startswith("ind")
        ]
        for path, raw, figure in self._misread:
            ok = False
            if path.startswith("funding"):
                ok = self._confirm_line(funding, path, figure)
            elif path.startswith("indicators["):
                group = points_misread if path.endswith(".points") else score_misread
                column = "points" if path.endswith(".points") else "score"
                top = total_points if column == "points" else total
                if column == "points" and top is None:
                    top = self.t.total_points
                ok = (
                    len(group) == 1
                    and top is not None
                    and _sum(indicators, funding, column) + figure == top
                )
                if ok:
                    n = int(path[len("indicators[") : path.index("]")])
                    indicators[n] = replace(indicators[n], **{column: figure})  # type: ignore[arg-type]
            elif path in ("total", "total_points"):
                column = "score" if path == "total" else "points"
                ok = (
                    not points_misread
                    and not score_misread
                    and _sum(indicators, funding, column) == figure
                )
                if ok:
                    total, total_points = (
                        (figure, total_points) if path == "total" else (total, figure)
                    )
            if ok:
                self.out.problem(path, f"按 OCR 常见误读读作 {figure}，已由表上的算术核对", raw)
            else:
                self.out.problem(path, "像是 OCR 误读的数字，表上的算术不能证实读法，未读取", raw)
        return total_points, total

    def _confirm_line(self, funding: _Funding, path: str, figure: Decimal) -> bool:
        key, _, column = path.removeprefix("funding").lstrip(".").rpartition(".")
        line_key = "funding_total" if not key else key.removeprefix("breakdown.")
        line = funding.lines.get(line_key)
        if line is None:
            return False
        taken = {k: str(v) for k in LINE_KEYS if (v := getattr(line, k)) is not None}
        taken[column] = str(figure)
        budget = "annual_budget" if "annual_budget" in taken else "initial_budget"
        needs = {
            "execution_rate": (budget, "executed"),
            budget: ("executed", "execution_rate"),
            "executed": (budget, "execution_rate"),
            "points": ("execution_rate", "score"),
            "score": ("execution_rate", "points"),
        }.get(column)
        if needs is None or not all(k in taken for k in needs):
            return False
        if not glued.funding_valid(budget)(taken):
            return False
        funding.lines[line_key] = replace(line, **{column: figure})  # type: ignore[arg-type]
        return True

    def _require(self, value, path: str, message: str) -> None:
        if value is None or value == [] or value == {}:
            self.out.problem(path, message)

    # 资金 -----------------------------------------------------------------------

    def _unit_hint(self, cell: Cell, funding: _Funding, after: str = "") -> None:
        text = ocr.unit_text(squash(fold(cell.text)))
        if funding.unit is None and "兀" in cell.text and "元" in text:
            self.out.problem("funding.unit", "按 OCR 常见误读「兀」读作「元」", cell.text)
        if text.startswith("金额单位"):  # 金额单位: 万元, the unit perhaps in the next cell
            text += squash(fold(after))
        if (
            funding.unit is None
            and len(text) <= 40
            and ("资金" in text or "单位" in text or "预算" in text)
        ):
            if "万元" in text:
                funding.unit = AmountUnit.WAN_YUAN
            elif "(元)" in text or text.endswith(":元") or "单位:元" in text:
                funding.unit = AmountUnit.YUAN
            if funding.unit is not None:
                self.out.note("funding.unit", cell.source)
        if "执行" in text and (points := _POINTS.search(text)) and funding.points is None:
            funding.points = Decimal(points.group(1))
            self.out.note("funding.points", cell.source)

    def _funding_header(self, cells: list[Cell], i: int, funding: _Funding) -> int:
        """The funding block's columns in printed order, from its first column label."""
        # the block's own label is just before (资金情况(万元), 预算执行情况(20分))
        for back in range(max(0, i - 3), i):
            self._unit_hint(cells[back], funding)
        while i < len(cells):
            cell = cells[i]
            column = self._column(cell)
            if not cell.text:
                i += 1
                continue
            if column in FUNDING_LINES:
                break
            if column in FUNDING_COLUMNS:
                funding.columns.append(column)
                self._unit_hint(cell, funding)
                if column == "points" and (p := _POINTS.search(label_key(cell.text))):
                    funding.points = funding.points or Decimal(p.group(1))
            elif column is not None or len(squash(cell.text)) > 16 or is_number(cell.text):
                break  # another block's label, or a figure: the header has ended
            else:
                self._unit_hint(cell, funding)
            i += 1
        return i

    def _funding_line(self, cells: list[Cell], i: int, line: str, funding: _Funding) -> int:
        label = cells[i]
        window: list[Cell] = []
        j = i + 1
        row = label.row
        while j < len(cells) and len(window) < len(funding.columns):
            cell = cells[j]
            column = self._column(cell) if cell.text else None
            if column is not None and column in FUNDING_COLUMNS and column != "reason":
                j += 1  # a label printed beside its figure (预算数 6.84 到位数 6.84)
                continue
            if column == line:
                j += 1  # the line's label printed again beside each figure
                continue
            if column is not None or (cell.text and self.labels.level(cell.text)):
                break
            if not self._single and cell.row != row:
                if not (cell.text and is_rate(cell.text)):
                    break
                row = cell.row
            window.append(cell)
            j += 1
        key = "total" if line == "funding_total" else line
        prefix = "funding" if key == "total" else f"funding.breakdown.{key}"
        if line in funding.lines:
            self.out.problem(prefix, "资金行重复出现，只读第一行", label.text)
            return j
        run = next((c for c in window if c.glued and glued.is_digits(c.text)), None)
        if run is not None:
            values = self._glued_line(run, line, funding, prefix)
        else:
            values = self._line_cells(window, line, funding, prefix)
        figures: dict[str, Decimal | None] = {}
        reason = None
        for column, cell in values.items():
            if column in LINE_KEYS:
                figures[column] = self._number(
                    cell.text, f"{prefix}.{column}", cell.source, dash_ok=True
                )
            elif column == "reason" and not is_hint(cell.text) and not is_blank(cell.text):
                reason = self.out.text(cell.text, f"{prefix}.reason", cell.source)
        said, self._unplaced_said = self._unplaced_said, False
        for cell in window if run is None and not said else ():
            if cell not in values.values() and not is_blank(cell.text):
                self.out.problem(prefix, "资金行有一格对不上表头的任何一列，未读取", cell.text)
        self._amounts_in_unit(values, figures, funding, prefix)
        self._rate_as_fraction(values, figures, prefix)
        funding.lines[line] = FundingLine(
            initial_budget=figures.get("initial_budget"),
            annual_budget=figures.get("annual_budget"),
            executed=figures.get("executed"),
            points=figures.get("points"),
            execution_rate=figures.get("execution_rate"),
            score=figures.get("score"),
            reason=reason,
        )
        self.out.note(prefix, label.source)
        return j

    def _line_cells(
        self, window: list[Cell], line: str, funding: _Funding, prefix: str
    ) -> dict[str, Cell]:
        """Which column each cell of a 资金 row is. With a cell for every column, by
        place; with fewer (empty cells dropped, as some pages store tables), every
        way of placing the figures in order is tried and kept only where the row's
        arithmetic (执行率 = 执行数 ÷ 预算数, 得分 = 执行率 × 分值) leaves one."""
        cells = list(window)
        while cells and not cells[-1].text:
            cells.pop()
        figures = [c for c in cells if c.text and not is_blank(c.text)]
        columns = funding.columns
        if (
            len(cells) >= len(columns)
            or len(figures) <= 1
            or any(c in columns for c in ("reason", "method"))
        ):
            return align(window, columns, _funding_fit)
        numeric = [c for c in columns if c in LINE_KEYS]
        total = funding.lines.get("funding_total")
        # a part's 分值, where printed, is the total's (in the template's)
        points = total.points if total is not None and total.points else self.t.execution_points
        budget = "annual_budget" if "annual_budget" in numeric else "initial_budget"
        valid = glued.funding_valid(budget, None, points)
        ways = []
        for chosen in itertools.combinations(range(len(numeric)), len(figures)):
            taken = {
                numeric[k]: _figure(c.text) or "" for k, c in zip(chosen, figures, strict=True)
            }
            if any(
                _funding_fit(c.text, numeric[k]) is None
                for k, c in zip(chosen, figures, strict=True)
            ):
                continue
            if all(is_rate(v) for v in taken.values()) and valid({k: v for k, v in taken.items()}):
                ways.append(chosen)
        if len(ways) == 1:
            return {numeric[k]: c for k, c in zip(ways[0], figures, strict=True)}
        placed = align(window, columns, _funding_fit)
        if not ways:
            return placed
        agreed = {
            numeric[k]: c
            for n, (k, c) in enumerate(zip(ways[0], figures, strict=True))
            if all(way[n] == k for way in ways)
        }
        if len(agreed) < len(figures):
            self.out.problem(
                prefix,
                "资金行缺了空格，分不清部分数字属于哪一列，未读取",
                " ".join(c.text for c in figures),
            )
            self._unplaced_said = True
        return agreed

    def _amounts_in_unit(
        self,
        cells: dict[str, Cell],
        figures: dict[str, Decimal | None],
        funding: _Funding,
        prefix: str,
    ) -> None:
        """Amounts printed with their unit in the cell (4753.66万元, 2.6亿元): in the
        form's unit, converted exactly where the cell's unit differs; the form's unit
        taken from the cells where its header names none."""
        units: dict[str, str] = {
            k: u
            for k in AMOUNTS
            if k in cells and figures.get(k) is not None and (u := _unit_of(cells[k].text))
        }
        if not units:
            return
        if funding.unit is None and len(set(units.values())) == 1:
            only = next(iter(units.values()))
            if only != "亿元":
                funding.unit = AmountUnit(only)
                self.out.note("funding.unit", next(iter(cells.values())).source)
        if funding.unit is None:
            return
        for key, unit in units.items():
            figure = figures[key]
            if unit != funding.unit.value and figure is not None:
                converted = in_unit(figure, unit, funding.unit.value)
                figures[key] = converted
                self.out.problem(
                    f"{prefix}.{key}",
                    f"格内金额单位为{unit}，按表头的{funding.unit.value}换算为 {converted}",
                    cells[key].text,
                )

    def _rate_as_fraction(
        self, cells: dict[str, Cell], figures: dict[str, Decimal | None], prefix: str
    ) -> None:
        """A rate printed as a fraction (1 for 100%, 0.9 for 90%), read as a percent
        where the amounts give it so."""
        rate, executed = figures.get("execution_rate"), figures.get("executed")
        budget = figures.get("annual_budget") or figures.get("initial_budget")
        cell = cells.get("execution_rate")
        if rate is None or cell is None or "%" in cell.text or rate > Decimal("1.5"):
            return
        if executed is None or not budget:
            return
        if (
            abs(executed / budget - rate) <= glued.half_unit(rate)
            and abs(executed / budget * 100 - rate) > 1
        ):
            figures["execution_rate"] = rate * 100
            self.out.problem(
                f"{prefix}.execution_rate",
                f"执行率印作小数 {cell.text}，按 {rate * 100}% 读取",
                cell.text,
            )

    def _glued_line(self, run: Cell, line: str, funding: _Funding, prefix: str) -> dict[str, Cell]:
        """A 资金 row's figures run together: the one reading the arithmetic allows."""
        columns = [c for c in funding.columns if c in LINE_KEYS]
        budget = "annual_budget" if "annual_budget" in columns else "initial_budget"
        bounds = None
        total = funding.lines.get("funding_total")
        if line != "funding_total" and total is not None:
            bounds = {
                k: v
                for k in ("initial_budget", "annual_budget", "executed")
                if (v := getattr(total, k)) is not None
            }
        points = self.t.execution_points if total is None else total.points
        ways = glued.figures(run.text, columns, glued.funding_valid(budget, bounds, points))
        if len(ways) > 1:
            # amounts are printed to the same places: of several readings, those that are
            same = [w for w in ways if _same_places(w, total)]
            ways = same if len(same) == 1 else ways
        reading = glued.agreed(ways)
        if reading is None:
            why = (
                "数字连在一起，按算术可有多种分法" if ways else "数字连在一起，没有一种分法合乎算术"
            )
            self.out.problem(prefix, f"{why}，未读取", run.text)
            return {}
        return {k: Cell(v, run.source, run.row) for k, v in reading.items()}

    # 年度总体目标 ------------------------------------------------------------------

    def _goals(self, cells: list[Cell], i: int, goals: dict[str, list[str]]) -> int:
        sides: list[str] = []
        while i < len(cells) and (not cells[i].text or self._column(cells[i]) is not None):
            column = self._column(cells[i])
            if column in ("expected", "actual_goal", "ignored"):
                sides.append(column)
            if column in _GOALS_END:
                return i
            i += 1
        sides = list(dict.fromkeys(s for s in sides if s != "ignored")) or [
            "expected",
            "actual_goal",
        ]
        if len(sides) == 2 and i < len(cells) and cells[i].glued and not self._is_label(cells[i]):
            # both texts run together: where one ends cannot be known
            self.out.problem("goals", "预期目标与完成情况连在一起，分不清，未读取", cells[i].text)
            return i + 1
        n = 0
        while i < len(cells):
            cell = cells[i]
            if cell.text and (self._is_label(cell) or _is_heading(cell.text)):
                break
            if cell.text and not is_hint(cell.text) and not is_number(cell.text):
                side = "actual" if sides[n % len(sides)] == "actual_goal" else "expected"
                goals[side].append(cell.text)
                self.out.note(f"goals.{side}", cell.source)
                n += 1
            elif cell.text and is_hint(cell.text):
                n += 1  # guidance in place of a text: its place is taken
            i += 1
        return i

    # 总分 -------------------------------------------------------------------------

    def _total(self, cells: list[Cell], i: int) -> tuple[int, Decimal | None, Decimal | None]:
        """总分's 分值 and 得分: the first two places after the label that hold a number
        (one cell a line: the first two places, an empty one an empty 得分)."""
        if self._single:
            return self._total_in_place(cells, i)
        j = i + 1
        while j < len(cells) and not cells[j].text and j - i < 12:
            j += 1
        if j < len(cells) and cells[j].glued and (lead := glued.leading_run(cells[j].text)):
            return j + 1, *self._glued_total(cells[j], lead)
        window = self._window(
            cells, j, 4, cells[i].row if self._single else cells[j].row if j < len(cells) else 0
        )
        used = j + len(window)
        figures = [c for c in window if is_number(c.text) or ocr.repaired(c.text) is not None]
        if len(figures) >= 2:
            points = self._number(figures[0].text, "total_points", figures[0].source)
            total = self._number(figures[1].text or None, "total", figures[1].source)
            if total is None:
                self.out.problem("total", "总分的得分空白")
            return used, points, total
        if len(figures) == 1 and "points" not in self._columns:
            # no 分值 column in the table: the row prints its 得分 alone
            return used, None, self.out.number(figures[0].text, "total", figures[0].source)
        if len(figures) == 1:
            self.out.problem(
                "total", "总分行只有一个数，分不清是分值还是得分，未读取", figures[0].text
            )
        return used, None, None

    def _total_in_place(
        self, cells: list[Cell], i: int
    ) -> tuple[int, Decimal | None, Decimal | None]:
        """One cell a line: the label spans the columns before 分值, each cell after it
        is the indicator column below which it stands (an empty one an empty 得分)."""
        columns = self._columns
        at = columns.index("points") if "points" in columns else len(columns) - 1
        j = i + 1  # the label's merged cell may come out as empty cells after it
        while j < len(cells) and not cells[j].text and j - i <= len(columns):
            j += 1
        window = self._window(cells, j, len(columns) - at, cells[i].row)
        values = dict(zip(columns[at:], window, strict=False))
        points = values.get("points")
        score = values.get("score")
        total_points = (
            self._number(points.text or None, "total_points", points.source) if points else None
        )
        total = self._number(score.text or None, "total", score.source) if score else None
        if total is None and total_points is not None:
            self.out.problem("total", "总分的得分空白")
        return j + len(window), total_points, total

    def _glued_total(self, cell: Cell, run: str) -> tuple[Decimal | None, Decimal | None]:
        top = self.t.total_points

        def valid(taken: dict[str, str]) -> bool:
            points, score = (Decimal(taken[k]) if k in taken else None for k in ("points", "score"))
            return points is not None and points <= top and (score is None or score <= points)

        reading = glued.agreed(glued.figures(run, ["points", "score"], valid))
        if reading is None or "score" not in reading:
            self.out.problem("total", "总分的分值与得分连在一起，分不清，未读取", cell.text)
            return None, None
        points = self.out.number(reading["points"], "total_points", cell.source)
        return points, self.out.number(reading["score"], "total", cell.source)

    # 绩效指标 ---------------------------------------------------------------------

    def _indicators(self, cells: list[Cell], i: int, out: list[Indicator]) -> int:
        columns, i = self._indicator_header(cells, i)
        self._columns = columns
        self._seen.add("indicators")
        levels_in_row = (-1, 0)  # (row, 一级/二级 labels read in it)
        last_level = -1  # where the last 一级/二级 label was
        level1 = level2 = None
        last_score_level2: str | None = None
        block: Decimal | None = None  # the points printed in the 一级 block's header
        start = len(out)  # the block's first row
        while i < len(cells):
            cell = cells[i]
            text = cell.text
            if not text or is_blank(text):
                i += 1
                continue
            column = self._column(cell)
            if column in _INDICATORS_END:
                break
            found = self.labels.level_label(text)
            # the row a cell is in; one cell a line, a run of labels stands for the row
            row = (
                cell.row
                if not self._single
                else (levels_in_row[0] if _follows(cells, i, last_level) else i)
            )
            if (
                levels_in_row[0] == row
                and levels_in_row[1] >= 2
                and not (self._single or cell.glued)
            ):
                found = None  # after its 一级 and 二级 labels, a row's next cell is its name
            elif found and found[0] == "level1" and levels_in_row == (row, 1) and text == level1:
                # the label printed again in its row: the 二级 label when the row has
                # cells for a 二级, a name and every column; else the row's name
                if self._single:  # no rows to count: which reading fits the cells better
                    as_name = fitness(cells[i + 1 : i + 1 + len(columns)], columns, _indicator_fit)
                    after = cells[i + 2 : i + 2 + len(columns)]
                    enough = fitness(after, columns, _indicator_fit) > as_name
                else:
                    enough = _filled_after(cells, i) >= len(columns) + 1
                found = ("level2", found[1]) if enough else None
            level = found[0] if found else None
            if found and level in ("level1", "level2"):
                same = levels_in_row[0] == row
                levels_in_row = (row, levels_in_row[1] + 1 if same else 1)
                last_level = i
            if level == "piece":
                i += 1  # the rest of a label broken over two lines
                continue
            if found and level == "level1" and found[1] in self.labels.level2 and block is not None:
                # 成本指标 is a 一级 label in some layouts, a 二级 one in others: inside a
                # block whose printed points its rows have not reached yet, it is 二级
                have = sum((ind.points or 0 for ind in out[start:]), Decimal(0))
                if have < block:
                    found = ("level2", found[1])
                    level = "level2"
            if found and level == "level1":
                level1, level2 = found[1], None
                printed = _POINTS.search(label_key(text))
                block = Decimal(printed.group(1)) if printed else None
                start = len(out)
                # in a printed row with all its cells, the cell after a 一级 label is
                # the 二级 label, whatever it says (读者 under 满意度指标)
                j = i + 1
                while j < len(cells) and not cells[j].text and cells[j].row == cell.row:
                    j += 1
                if (
                    j < len(cells)
                    and not self._single
                    and not cells[j].glued
                    and cells[j].row == cell.row
                    and self.labels.level(cells[j].text) is None
                    and self._column(cells[j]) is None
                    and _filled_after(cells, i) > len(columns)
                ):
                    level2 = bare(cells[j].text)
                    i = j
                i += 1
                continue
            if found and level == "level2":
                level2 = found[1]
                i += 1
                continue
            if (column in _HEADER_AGAIN or column in columns) and found is None:
                i += 1  # a header label printed again (a table over two pages)
                continue
            if (printed := _POINTS_ONLY.fullmatch(label_key(text))) is not None:
                block = Decimal(printed.group(1))  # a 一级 label's points broken onto the next line
                i += 1
                continue
            if is_number(text):
                self.out.problem(
                    f"indicators[{len(out)}]", "指标表里有一个数不在任何指标行上", text
                )
                i += 1
                continue
            if cell.glued and any(ch.isdigit() for ch in text):
                out.extend(self._glued_rows(cell, columns, level1, level2, len(out)))
                self._seen.add("rows")
                i += 1
                continue
            window = self._window(cells, i + 1, len(columns), cell.row)
            if not any(c.text for c in window) and _last_text(cells, i):
                self.out.problem(
                    f"indicators[{len(out)}]", "表格到此中断：最后一格只有文字，没有指标的值", text
                )
                break
            indicator = self._indicator_row(cell, window, columns, level1, level2, len(out))
            if indicator.score is not None:
                last_score_level2 = level2
            elif (
                indicator.child is None and "points" not in columns and level2 == last_score_level2
            ):
                indicator = replace(indicator, shared=True)
                self.out.note(f"indicators[{len(out)}].shared", cell.source)
            out.append(indicator)
            self._seen.add("rows")
            i += 1 + len(window)
        if out and all(ind.level1 is None for ind in out):
            self.out.problem("indicators[0].level1", "指标表未印一级指标")
        return i

    def _glued_rows(
        self, cell: Cell, columns: list[str], level1: str | None, level2: str | None, n: int
    ) -> list[Indicator]:
        """Indicator rows run together: read only when every way of cutting them agrees."""
        rows = glued.agreed_rows(glued.rows(cell.text, columns))
        if rows is None:
            self.out.problem(f"indicators[{n}]", "指标行连在一起，分不清各格，未读取", cell.text)
            return []
        out = []
        for k, row in enumerate(rows):
            name = Cell(row.name, cell.source, cell.row)
            fixed = {c: Cell(v, cell.source, cell.row) for c, v in row.values.items()}
            out.append(self._indicator_row(name, [], columns, level1, level2, n + k, fixed))
        return out

    def _indicator_header(self, cells: list[Cell], i: int) -> tuple[list[str], int]:
        """The columns after 三级指标, in printed order; a second header row (符号,
        单位 under 预期指标值; 单项指标得分, 权重占比 … under 自评得分) refines the first."""
        columns: list[str] = []
        seen_indicator = False
        while i < len(cells):
            cell = cells[i]
            if not cell.text:
                i += 1
                continue
            column = self._column(cell)
            header_row = i > 0 and cells[i - 1].row == cell.row and not (self._single or cell.glued)
            if column is None and seen_indicator and header_row and _unknown_header(cell.text):
                column = "ignored"  # a column this template does not know: it holds its place
            if column is None or column in STOPS:
                break
            if column == "indicator":
                seen_indicator = True
            elif seen_indicator and column in INDICATOR_COLUMNS:
                columns.append(column)
            i += 1
        return _refined(columns), i

    def _indicator_row(
        self,
        name: Cell,
        window: list[Cell],
        columns: list[str],
        level1: str | None,
        level2: str | None,
        n: int,
        fixed: dict[str, Cell] | None = None,
    ) -> Indicator:
        path = f"indicators[{n}]"
        title = name.text.strip()
        child = True if bare(title).startswith("其中") or title.startswith("其中") else None
        core = True if title[:1] in "★☆" else None
        for flag, value in (("child", child), ("core", core)):
            if value is not None:
                self.out.note(f"{path}.{flag}", name.source)
        fit = _child_fit if child else _indicator_fit
        values = fixed if fixed is not None else align(window, columns, fit)
        for key in ("level1", "level2"):
            self.out.note(f"{path}.{key}", name.source)
        got: dict[str, str | None] = {}
        for column, cell in values.items():
            text = None if is_blank(cell.text) and column not in ("target", "actual") else cell.text
            got[column] = text or None
            self.out.note(f"{path}.{_FIELD.get(column, column)}", cell.source)
        stray = [
            c.text for c in window if c.text and c not in values.values() and not is_blank(c.text)
        ]
        explanation = None
        if stray:
            explanation = clean(" ".join(stray))
        nature = _comparator(got.get("nature"))
        unit = _unit(got.get("measure_unit"))
        target = clean(got.get("target"))
        # the target as printed; with its 指标性质 and 度量单位 it is parsed (≥ 98 % → ≥98%)
        composed = target_text(nature, target, unit) if (nature or unit) else target
        actual = clean(got.get("actual"))

        def number(column: str) -> Decimal | None:
            return self._number(got.get(column), f"{path}.{column}", name.source)

        return Indicator(
            level1=level1,
            level2=level2 if level2 is not None else level1,
            name=self.out.text(title.lstrip("★☆* "), f"{path}.name", name.source),
            target=target,
            actual=actual,
            points=number("points"),
            score=number("score"),
            deviation=clean(got.get("deviation")),
            explanation=explanation,
            target_parsed=parse_target(composed),
            actual_parsed=parse_target(actual),
            nature=nature,
            measure_unit=unit,
            weight_share=number("weight_share"),
            weighted_score=number("weighted_score"),
            method=clean(got.get("method")),
            core=core if core is not None else _yes(got.get("core")),
            review_score=number("review_score"),
            child=child,
        )


_FIELD = {"ignored": "explanation"}


def _refined(columns: list[str]) -> list[str]:
    """One header from a main row and its sub-row: 符号/单位 sit around 指标值;
    单项指标得分, 权重占比, 折算得分 take the place of 自评得分."""
    out: list[str] = []
    for column in columns:
        if column in out and column != "ignored":
            continue
        out.append(column)
    if ("nature" in out or "measure_unit" in out) and "target" in out:
        for part in ("nature", "measure_unit"):
            if part in out:
                out.remove(part)
        at = out.index("target")
        if "nature" in columns:
            out.insert(at, "nature")
            at += 1
        if "measure_unit" in columns:
            out.insert(at + 1, "measure_unit")
    if "weight_share" in out and "score" in out:
        for part in ("weight_share", "weighted_score"):
            if part in out:
                out.remove(part)
        at = out.index("score") + 1
        for part in ("weight_share", "weighted_score"):
            if part in columns:
                out.insert(at, part)
                at += 1
    return out


# --- matching a row's cells to its columns -------------------------------------------


def _funding_fit(text: str, column: str) -> float | None:
    if not text or is_blank(text):
        return 0.5
    if column == "execution_rate":
        return 2.0 if is_rate(_figure(text) or "") or is_rate(text) else None
    if column == "ignored":
        return 2.0  # a column printed and not kept holds its place, whatever is in it
    if column in ("reason", "method"):
        return 0.5 if is_number(text) else 1.0
    if ocr.repaired(text) is not None:
        return 1.0
    return 2.0 if is_number(_figure(text) or "") else None


def _indicator_fit(text: str, column: str) -> float | None:
    if not text:
        return 0.5
    if column in NUMBER_FIELDS:
        if is_blank(text):
            return 0.5
        if ocr.repaired(text) is not None:
            return 1.0
        return 2.0 if is_number(_figure(text) or "") else None
    if column == "nature":
        return 3.0 if _comparator(text) else (0.5 if is_blank(text) else None)
    if column == "measure_unit":
        if is_blank(text):
            return 0.5
        short = len(squash(text)) <= 10 and not _NUMBER.search(text.split("(")[0])
        return 2.0 if short else None
    if column == "core":
        return 2.0 if _yes(text) is not None else None
    if column == "ignored":
        return 2.0
    return 1.0 if is_number(text) else 2.0


def _child_fit(text: str, column: str) -> float | None:
    """A 其中… row has no points and no score: those columns take only an empty cell."""
    if column in NUMBER_FIELDS:
        return 0.5 if not text or is_blank(text) else None
    return _indicator_fit(text, column)


def align(cells: list[Cell], columns: list[str], fit) -> dict[str, Cell]:
    """The columns the cells fill, in order: each cell goes to a later column than
    the one before, a cell that fits no column is left over, a column may stay
    empty. Of every way, the one whose cells fit best (ties: the earliest)."""
    return {columns[j]: cells[i] for j, i in _best(cells, columns, fit)[1]}


def fitness(cells: list[Cell], columns: list[str], fit) -> float:
    """How well the cells fit the columns, by :func:`align`'s measure."""
    return _best(cells, columns, fit)[0]


def _best(cells: list[Cell], columns: list[str], fit) -> tuple[float, tuple]:
    m, k = len(cells), len(columns)
    best: dict[tuple[int, int], tuple[float, tuple]] = {}

    def solve(i: int, j: int) -> tuple[float, tuple]:
        if (i, j) in best:
            return best[(i, j)]
        if i == m:
            result: tuple[float, tuple] = (0.0, ())
        elif j == k:
            left = sum(1 for c in cells[i:] if c.text and not is_blank(c.text))
            result = (-1.0 * left, ())
        else:
            options = []
            score = fit(cells[i].text, columns[j])
            if score is not None:
                rest = solve(i + 1, j + 1)
                options.append((score + rest[0], ((j, i), *rest[1])))
            skip = solve(i, j + 1)
            options.append((skip[0], skip[1]))
            drop = solve(i + 1, j)
            penalty = 1.0 if cells[i].text and not is_blank(cells[i].text) else 0.0
            options.append((drop[0] - penalty, drop[1]))
            result = max(options, key=lambda o: o[0])  # max keeps the first of equals
        best[(i, j)] = result
        return result

    return solve(0, 0)


# --- small readings ------------------------------------------------------------------


def _figure(text: str | None) -> str | None:
    """A figure as printed, without its unit or ★: "4753.66万元" → "4753.66"."""
    if text is None:
        return None
    value = ocr.unit_text(squash(fold(text)).translate(_MARKS))
    for unit in ("亿元", "万元", "元", "分"):
        if value.endswith(unit) and _NUMBER.fullmatch(value[: -len(unit)].replace(",", "")):
            return value[: -len(unit)]
    return value


def _unit(text: str | None) -> str | None:
    """A 度量单位 without its gloss: "%(百分比)" → "%"."""
    value = clean(text)
    if value and "(" in fold(value):
        head = fold(value).split("(")[0].strip()
        return head or value
    return value


def _comparator(text: str | None) -> str | None:
    if not text:
        return None
    key = squash(fold(text))
    if key not in _COMPARATORS:
        return None
    return {">=": "≥", "<=": "≤", "==": "=", "≧": "≥", "≦": "≤", "═": "="}.get(key, key)


def _yes(text: str | None) -> bool | None:
    key = squash(text or "")
    if key in ("是", "√", "★", "Y"):
        return True
    if key in ("否", "N"):
        return False
    return None


def _ticked(text: str) -> str | None:
    """The option ticked (☑) among tick boxes: "1、部门预算项目 ☑ 2、市直专项 □"."""
    text = fold(text)
    for mark in _TICKED:
        at = text.find(mark)
        if at < 0:
            continue
        before = re.split(r"[□☐☑■√✓✔]|\d+、|、", text[:at])
        label = squash(before[-1]) if before else ""
        if not label:  # the box printed before its option
            after = re.split(r"[□☐☑■√✓✔]|\d+、|、", text[at + 1 :])
            label = squash(after[0]) if after else ""
        return label or None
    return None


def _year(cells: list[Cell], labels: Labels) -> int | None:
    """The year of the title (2023年度), before the form's first label; a title cut
    into cells (「(2023年」「度)」) is read across its row."""
    rows: dict[int, str] = {}
    for cell in cells:
        if labels.column(cell.text) in ("name", "department", "funding_total"):
            break
        if len(cell.text) <= 80 and (found := _YEAR.search(fold(cell.text))):
            return int(found.group(1))
        rows[cell.row] = rows.get(cell.row, "") + cell.text
    for text in rows.values():
        if len(text) <= 80 and (found := _YEAR.search(squash(fold(text)))):
            return int(found.group(1))
    return None


def _sum(indicators: list[Indicator], funding: _Funding, column: str) -> Decimal:
    """The points (or scores) of the scored rows and of the 资金 row."""
    total = sum((getattr(i, column) or Decimal(0) for i in indicators if not i.child), Decimal(0))
    line = funding.lines.get("funding_total")
    if line is not None and getattr(line, column) is not None:
        total += getattr(line, column)
    elif column == "points" and funding.points is not None:
        total += funding.points
    return total


def _unit_of(text: str) -> str | None:
    found = amount_unit(text)
    return found[1] if found else None


def _same_places(way: dict[str, str], total: FundingLine | None) -> bool:
    """Whether the amounts of a reading have one number of places, the total's."""
    places = {len(v.partition(".")[2]) for k, v in way.items() if k in AMOUNTS}
    if total is not None:
        places |= {
            -a.as_tuple().exponent if isinstance(a.as_tuple().exponent, int) else 0
            for k in AMOUNTS
            if (a := getattr(total, k)) is not None
        }
    return len(places) <= 1


AMOUNTS = ("initial_budget", "annual_budget", "executed")


def _unknown_header(text: str) -> bool:
    """A short label with no figure in it, on the header's row: a header cell."""
    key = squash(text)
    return 2 <= len(key) <= 14 and not _NUMBER.search(key) and not is_blank(key)


def _follows(cells: list[Cell], i: int, at: int) -> bool:
    """Whether cell ``i`` comes right after cell ``at``, empty cells aside."""
    j = i - 1
    while j > at and not cells[j].text:
        j -= 1
    return at >= 0 and j == at


def _filled_after(cells: list[Cell], i: int) -> int:
    """How many cells of the row of ``i`` after it hold text."""
    row = cells[i].row
    n = 0
    for cell in cells[i + 1 :]:
        if cell.row != row:
            break
        n += bool(cell.text)
    return n


def _last_text(cells: list[Cell], i: int) -> bool:
    """Whether no cell after ``i`` holds text: the page was cut there."""
    return not any(c.text for c in cells[i + 1 :])


def _is_heading(text: str) -> bool:
    """A block's heading, not a goal's text: "四、年度绩效指标完成情况", "2.项目实施内容
    及过程概述", "预算执行情况(10分)", "资金情况(万元)"."""
    key = squash(fold(text))
    if len(key) > 24:
        return False
    numbered = re.match(r"^(?:[一二三四五六七八九十]+、|\d+[.、])\D", key)
    return bool(numbered or _POINTS.search(key) or "万元)" in key or "(元)" in key)


def _mostly_single(cells: list[Cell]) -> bool:
    """Whether the cells come one a line (each printed cell its own row)."""
    rows: dict[int, int] = {}
    for cell in cells:
        rows[cell.row] = rows.get(cell.row, 0) + 1
    return bool(rows) and sum(1 for n in rows.values() if n == 1) >= 0.7 * len(rows)


def read_family(
    rows: list[Row], file: str, template: Template, shape: Shape | None = None
) -> list[Evaluation]:
    """Every form of this template in a file's rows."""
    labels = Labels(template)
    cells = cells_of(rows, labels, shape)
    return [
        FormReader(template, labels).read(part, file, n)
        for n, part in enumerate(split_forms(cells, labels))
    ]


def refusal(forms: list[Evaluation], text: str, template: Template) -> str | None:
    """Why what was read is not a self-evaluation form, or None when it is one: a
    blank template, a scoring rubric, an indicator table without its project."""
    if any(_has_figures(ev) for ev in forms):
        if all(
            ev.subject is None and not ev.funding.parts() and ev.funding.total == FundingLine()
            for ev in forms
        ):
            return (
                "只有指标表，没有项目名称和资金：像是一张绩效目标表或指标表，"
                "不是自评表（自评表要有项目、资金和完成情况）"
            )
        return None
    key = squash(fold(text))
    if any(word in key for word in ("评分标准", "评分细则", "评分办法", "评分规则")):
        return "像是一份评分标准（细则），不是填写好的自评表：没有资金和完成值"
    return f"这是一份空白的「{template.name}」模板：只有表头，没有填写任何数字，不作为自评表读取"


def _has_figures(ev: Evaluation) -> bool:
    lines = [ev.funding.total, *ev.funding.parts().values()]
    if any(getattr(line, k) is not None for line in lines for k in LINE_KEYS):
        return True
    if ev.total is not None:
        return True
    return any(
        ind.points is not None or ind.score is not None or ind.actual for ind in ev.indicators
    )
