"""The form as the pages show it (自评表页面): every field with its printed
value, the rules' figure and its explanation, and the audit's findings and
reviewers' comments placed beside the field path they point at.

Built from the stored contract JSON (or from what the user typed over it),
read back by :mod:`jixiao.readers.contract`; the figures come from
:func:`jixiao.domain.recompute.recompute` and the findings from
:func:`jixiao.domain.audit.audit`, never computed here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from jixiao import templates
from jixiao.contract import fields
from jixiao.contract.json import evaluation_from_dict
from jixiao.contract.paths import funding_of, indicator_of, json_set, parent
from jixiao.domain import filled as filled_rules
from jixiao.domain.approved_targets import key as target_key
from jixiao.domain.audit import Finding, audit
from jixiao.domain.model import BREAKDOWN_KEYS
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.recompute import Check, Status, recompute
from jixiao.readers.base import ReadError
from jixiao.web.evaluations import actions
from jixiao.writers import layout

LINE_COLUMNS = [
    ("initial_budget", _("年初预算数")),
    ("annual_budget", _("全年预算数")),
    ("executed", _("全年执行数")),
    ("points", _("分值")),
    ("execution_rate", _("执行率(%)")),
    ("score", _("得分")),
]
LINE_ROWS = {
    "": _("年度资金总额"),
    "current_year_appropriation": _("其中：当年财政拨款"),
    "prior_year_carryover": _("上年结转资金"),
    "other_funds": _("其他资金"),
}
INDICATOR_COLUMNS = [
    ("level1", _("一级指标")),
    ("level2", _("二级指标")),
    ("name", _("三级指标")),
    ("target", _("年度指标值")),
    ("actual", _("实际完成值")),
    ("points", _("分值")),
    ("score", _("得分")),
    ("deviation", _("偏差原因分析及改进措施")),
]
SECTION_TITLES = {
    "project": _("项目"),
    "funding": _("项目资金"),
    "goals": _("年度总体目标"),
    "indicators": _("绩效指标"),
    "summary": _("总分与等级"),
}
GOAL_LABELS = {"expected": _("预期目标"), "actual": _("实际完成情况")}
SUMMARY_LABELS = {"total": _("总分"), "grade": _("评价等级")}
PROJECT_LABELS = {"name": _("项目名称"), "department": _("主管部门"), "unit": _("实施单位")}

# What the unit may change on the page: figures, what happened, and the scores.
# A row's name and levels stay as they are; its target and points too where an
# approved target (绩效目标批复) locks them, until unlocked with a reason.
EDITABLE_LINE = {"initial_budget", "annual_budget", "executed", "points", "execution_rate", "score"}
COMPUTED_LINE = {"execution_rate", "score"}  # a filled-in form's: computed, never typed
COMPUTED_SUMMARY = {"total", "grade"}
EDITABLE_INDICATOR = {"actual", "score", "deviation"}
ROW_IDENTITY = {
    "level1",
    "level2",
    "name",
    "target",
    "points",
    "explanation",
    "rule",
    "nature",
    "measure_unit",
    "method",
}  # open only on rows added on the page
MULTILINE_INDICATOR = {"deviation", "explanation", "rule"}
LOCKED_BY_APPROVAL = {"target", "points"}
NEW = "new"
AMOUNT_KEYS = {"initial_budget", "annual_budget", "executed"}
FIGURE_KEYS = {*(k for k, _label in LINE_COLUMNS), "points", "score", "total"}


@dataclass
class Cell:
    """One field: its path, label, the value as stored or typed, and what the
    rules and the audit say about it."""

    path: str
    label: str
    value: str
    editable: bool = False
    multiline: bool = False
    check: Check | None = None
    findings: list[Finding] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    review: str = ""  # the reviewer's 复核 score beside a self score
    reviewable: bool = False
    locked: bool = False  # an approved target, read-only until unlocked with a reason
    auto: bool = False  # a filled-in form's figure the rules compute: shown, never typed
    proposed: bool = (
        False  # a filled-in form's quantitative 得分: the rule's, changed with a reason
    )
    reason: str = ""  # the reason for a proposed score changed (as typed or on record)
    reason_key: str = ""  # the indicator's name the reason is kept under
    review_error: str = ""  # what is wrong with the 复核 score typed here
    choices: list[tuple[str, str]] = field(default_factory=list)  # a select's (value, label)
    input_type: str = ""  # "date" for a date
    error: str = ""  # what is wrong with the value typed here (the value is kept)

    @property
    def dom_id(self) -> str:
        return dom_id(self.path)

    @property
    def shown(self) -> str:
        """The value as read on screen: amounts with thousands separators (1,234,567.00),
        a choice by its label."""
        if self.choices:
            return next((label for value, label in self.choices if value == self.value), "")
        if self.path.rsplit(".", 1)[-1] in AMOUNT_KEYS and re.fullmatch(
            r"-?\d+(\.\d+)?", self.value
        ):
            whole, _dot, cents = self.value.partition(".")
            return f"{int(whole):,}" + (f".{cents}" if cents else "")
        return self.value

    @property
    def numeric(self) -> bool:
        return self.path.rsplit(".", 1)[-1] in FIGURE_KEYS

    @property
    def computed(self) -> str:
        """The rules' figure for this field ('' when there is none)."""
        if self.check is None:
            return ""
        figure = self.check.figure
        if self.check.label:
            return self.check.label
        if figure.value is not None:
            return format(figure.value, "f")
        if figure.is_range:
            return f"{figure.low:f}–{figure.high:f}"
        return ""

    @property
    def explanation(self) -> str:
        return self.check.figure.explanation if self.check else ""

    @property
    def overridden(self) -> bool:
        """A proposed score kept other than the rule's (with its reason)."""
        return self.proposed and bool(self.reason)

    @property
    def differs(self) -> bool:
        return self.check is not None and self.check.status is Status.DIFFERS


@dataclass
class Row:
    """A line of cells (a funding line, an indicator), or a section: findings
    and comments on the whole row sit beside it."""

    path: str
    label: str
    cells: list[Cell]
    findings: list[Finding] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    dom: str = ""  # an id of its own where the path is shared (a section and its first row)
    evidence: list = field(default_factory=list)  # 佐证材料 of an indicator row (set by the page)
    approved: str = ""  # the approved target's name this row keeps (绩效目标批复), if any
    unlocked: bool = False  # its target opened for a change, with a reason
    reason: str | None = None  # the reason for changing it, as typed or on record
    typed_comment: str = ""  # a reviewer's comment on it, as typed (kept when a submit is refused)

    @property
    def dom_id(self) -> str:
        return self.dom or dom_id(self.path)


@dataclass
class Sheet:
    template: str
    year: int | None
    project: list[Cell]
    funding: list[Row]
    goals: Row
    indicators: list[Row]
    summary: Row
    sections: dict[str, Row]
    other: Row  # findings with no field on the page
    error: str = ""
    header: Row = field(default_factory=lambda: Row("", "", [], dom="header"))  # the template's
    # fields above the tables besides the project's names: 具体实施处, 是否为经常性项目 …
    narratives: Row = field(default_factory=lambda: Row("", "", [], dom="narratives"))  # 自评时间,
    # 主要绩效, 主要问题, 改进措施, 评价结论: the template's texts below the tables
    dropped: list[tuple[str, str]] = field(
        default_factory=list
    )  # approved rows removed: (name, reason)

    def rows(self) -> list[Row]:
        return [
            self.header,
            self.narratives,
            *self.funding,
            self.goals,
            *self.indicators,
            self.summary,
            *self.sections.values(),
            self.other,
        ]

    def cells(self) -> list[Cell]:
        return [cell for row in self.rows() for cell in row.cells]

    def editable_paths(self) -> list[str]:
        return [cell.path for cell in self.cells() if cell.editable]

    @property
    def finding_count(self) -> int:
        return sum(len(r.findings) + sum(len(c.findings) for c in r.cells) for r in self.rows())


def dom_id(path: str) -> str:
    """An HTML id for a field path: ``indicators[3].score`` → ``f-indicators-3-score``."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


def _text(value) -> str:
    return "" if value is None else str(value)


def _line_rows(data: dict, filled: bool = False) -> list[Row]:
    funding = data.get("funding") or {}
    rows = []
    for key, label in LINE_ROWS.items():
        line = funding if not key else (funding.get("breakdown") or {}).get(key)
        if line is None:
            continue
        prefix = "funding" if not key else f"funding.breakdown.{key}"
        editable_keys = EDITABLE_LINE if not key else EDITABLE_LINE - {"score", "points"}
        if filled:
            editable_keys = editable_keys - COMPUTED_LINE
        cells = [
            Cell(
                f"{prefix}.{k}",
                str(col),
                _text(line.get(k)),
                k in editable_keys,
                auto=filled and k in COMPUTED_LINE,
            )
            for k, col in LINE_COLUMNS
        ]
        rows.append(Row(prefix, str(label), cells))
    return rows


@dataclass(frozen=True)
class Approval:
    """The approved targets as the page applies them: names (绩效目标批复) whose
    target and points are locked, those unlocked, and the reasons by name."""

    names: tuple[str, ...] = ()
    unlocked: frozenset[str] = frozenset()
    reasons: dict[str, str] = field(default_factory=dict)
    targets: tuple[dict, ...] = ()  # the approved rows ({"name", "target", "points", …}), as stored

    def name_of(self, row_name) -> str:
        """The approved name a form row keeps ('' when no approved target has it)."""
        wanted = target_key(row_name)
        return next((name for name in self.names if wanted and target_key(name) == wanted), "")


def _indicator_rows(
    data: dict,
    origins: list[str] | None,
    approval: Approval,
    columns: list[tuple[str, str]] | None = None,
    draft: bool = False,
) -> list[Row]:
    """Indicator rows; a row added on the page (origin ``new``) has its name and
    levels open, every row what the unit reports, and its target and points
    unless an approved target locks them (until unlocked). A row is the approved
    row by its name, wherever it was added: the actions compare by name too."""
    rows = []
    for n, ind in enumerate(data.get("indicators") or []):
        # a row added on the page, or any row while the form is a draft (never submitted
        # as it stands): its name, levels, rule and explanation open
        added = draft or (origins is not None and n < len(origins) and origins[n] == NEW)
        approved = approval.name_of(ind.get("name"))
        unlocked = approved in approval.unlocked
        locked = LOCKED_BY_APPROVAL if approved and not unlocked else set()
        open_keys = (
            EDITABLE_INDICATOR
            | (ROW_IDENTITY - LOCKED_BY_APPROVAL if added else set())
            | (LOCKED_BY_APPROVAL - locked)
        )
        cells = [
            Cell(
                f"indicators[{n}].{k}",
                str(col),
                _text(ind.get(k)),
                k in open_keys,
                k in MULTILINE_INDICATOR,
                locked=k in locked,
            )
            for k, col in (columns or [(k, str(label)) for k, label in INDICATOR_COLUMNS])
        ]
        rows.append(
            Row(
                f"indicators[{n}]",
                f"{n + 1}. {_text(ind.get('name'))}",
                cells,
                approved=approved,
                unlocked=bool(approved) and unlocked,
                reason=approval.reasons.get(approved, "") if approved and unlocked else None,
            )
        )
    return rows


# The template decides which fields the page shows (its [columns] and [layout], the data
# the exports draw the printed form from): the Shanghai 2019 form's 具体实施处, 指标解释,
# 评分规则, 自评时间, 主要绩效 …; a Sichuan form's 指标性质 and 度量单位.
HEADER_OPEN = {"project.division", "project.recurring"}  # what the unit fills in the header
NARRATIVE_PATHS = ("evaluated_on", "achievements", "problems_found", "improvements", "conclusion")
LINE_TEMPLATE_KEYS = {"points": "points"}  # a LINE_COLUMNS key and the template column printing it


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _label_of(template, path: str, column: str | None, fallback: str = "") -> str:
    """A field's label: the template's first name for its column (权重, 自评, 项目年度总目标 …)
    on Chinese pages, the field table's English name on English ones."""
    known = fields.field(path)
    if _english():
        return (known.label_en[:1].upper() + known.label_en[1:]) if known else fallback
    names = template.columns.get(column) if column else None
    return names[0] if names else (known.label if known else fallback)


def _indicator_columns(template) -> list[tuple[str, str]]:
    """The indicator table's columns as the template's [[layout.columns]] print them."""
    try:
        columns = layout.indicator_columns(template)
    except layout.LayoutError:
        return [(k, str(label)) for k, label in INDICATOR_COLUMNS]
    out = []
    for column in columns:
        path = f"indicators[].{column.field}"
        if _english():
            out.append((column.field, _label_of(template, path, None, column.label)))
        else:
            out.append((column.field, column.label))
    return out


def _header_paths(template) -> list[str]:
    """The paths the template's [layout] fields blocks print, in order."""
    found = []
    for block in template.layout.get("blocks") or []:
        if block.get("kind") != "fields":
            continue
        for row in block.get("rows") or []:
            for key in row:
                path = fields.column_path(key) or key
                if path not in found:
                    found.append(path)
    return found


def _template_cells(data: dict, template) -> tuple[list[Cell], list[Cell], list[Cell]]:
    """The template's header fields (project names read-only, 具体实施处 and 是否为经常性项目
    open), its narrative fields (open), and its 上年预算金额 where it prints one."""
    printed = _header_paths(template)
    project = data.get("project") or {}
    header, narratives, extra = [], [], []
    for path in printed:
        if path.startswith("project."):
            key = path.split(".", 1)[1]
            value = project.get(key)
            known = fields.field(path)
            cell = Cell(
                path,
                _label_of(template, path, known.column if known else None),
                _text(value),
                path in HEADER_OPEN,
            )
            if key == "recurring":
                cell.value = "" if value is None else ("true" if value else "false")
                cell.choices = [("", "—"), ("true", str(_("是"))), ("false", str(_("否")))]
            header.append(cell)
        elif path in NARRATIVE_PATHS:
            known = fields.field(path)
            cell = Cell(
                path,
                _label_of(template, path, known.column if known else None),
                _text(data.get(path)),
                True,
                path != "evaluated_on",
            )
            if path == "evaluated_on":
                cell.input_type = "date"
            narratives.append(cell)
        elif path == "funding.prior_year_budget":
            funding = data.get("funding") or {}
            extra.append(
                Cell(
                    path,
                    _label_of(template, path, "prior_year_budget"),
                    _text(funding.get("prior_year_budget")),
                    True,
                )
            )
    for path in NARRATIVE_PATHS:  # printed outside the fields blocks (Sichuan's 评价结论 …)
        known = fields.field(path)
        if known and known.column in template.columns and path not in printed:
            narratives.append(
                Cell(
                    path, _label_of(template, path, known.column), _text(data.get(path)), True, True
                )
            )
    return header, narratives, extra


def _for_template(sheet: Sheet, data: dict, template, origins, approval, draft: bool) -> None:
    """The sheet cut to the template's fields: its indicator columns and labels, the 资金
    columns it prints, its goals, header and narrative fields."""
    header, narratives, extra = _template_cells(data, template)
    if header:
        sheet.project = [c for c in header if not c.editable]
        sheet.header.cells = [c for c in header if c.editable]
    sheet.narratives.cells = narratives
    printed = set(template.columns)
    if template.execution_points is None:  # no 资金 points (Shanghai 2019: 权重 and 自评 are
        printed -= {"points", "score"}  # its indicators' columns)
    for row in sheet.funding:
        row.cells = [
            c
            for c in row.cells
            if LINE_TEMPLATE_KEYS.get(c.path.rsplit(".", 1)[1], c.path.rsplit(".", 1)[1]) in printed
        ]
        for cell in row.cells:
            key = cell.path.rsplit(".", 1)[1]
            cell.label = _label_of(template, f"funding.{key}", key, cell.label)
    if extra:
        sheet.header.cells += extra
    goal_columns = {"expected": "expected", "actual": "actual_goal"}
    sheet.goals.cells = [
        c for c in sheet.goals.cells if goal_columns[c.path.split(".", 1)[1]] in printed
    ]
    for cell in sheet.goals.cells:
        key = cell.path.split(".", 1)[1]
        cell.label = _label_of(template, cell.path, goal_columns[key], cell.label)
    for cell in sheet.summary.cells:
        cell.label = _label_of(template, cell.path, cell.path, cell.label)
    sheet.indicators = _indicator_rows(
        data, origins, approval, _indicator_columns(template), draft=draft
    )


def build(
    data: dict,
    comments: dict[str, str] | None = None,
    origins: list[str] | None = None,
    approval: Approval = Approval(),
    findings: Callable[[Form], list[Finding]] | None = None,
    filled: bool = False,
    score_reasons: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    draft: bool = False,
) -> Sheet:
    """The sheet of a form's contract JSON, with figures, findings and comments in
    place; ``findings`` of the form are the audit's unless given (the actions add
    the approved targets' changes). A ``filled`` form (filled in, not imported) shows
    its computable figures as computed, not as inputs, and a quantitative indicator's
    得分 as the rule's with a way to change it with a reason (``score_reasons`` by
    indicator name). ``errors``: what is wrong with typed values, by path, shown at
    their fields (the typed text kept in ``data``, left out of the figures)."""
    raw = data
    goals = data.get("goals") or {}
    project = data.get("project") or {}
    sheet = Sheet(
        template=data.get("template") or "",
        year=data.get("year"),
        project=[
            Cell(f"project.{k}", str(label), _text(project.get(k)))
            for k, label in PROJECT_LABELS.items()
        ],
        funding=_line_rows(data, filled),
        goals=Row(
            "goals",
            str(SECTION_TITLES["goals"]),
            [
                Cell(f"goals.{k}", str(label), _text(goals.get(k)), True, True)
                for k, label in GOAL_LABELS.items()
            ],
        ),
        indicators=_indicator_rows(data, origins, approval, draft=draft),
        summary=Row(
            "total",
            str(SECTION_TITLES["summary"]),
            [
                Cell(
                    k,
                    str(label),
                    _text(data.get(k)),
                    not filled,
                    auto=filled and k in COMPUTED_SUMMARY,
                )
                for k, label in SUMMARY_LABELS.items()
            ],
            dom="summary",
        ),
        sections={
            key: Row(key, str(title), [], dom=f"s-{key}") for key, title in SECTION_TITLES.items()
        },
        other=Row("", "", [], dom="other"),
    )
    kept = {approval.name_of(ind.get("name")) for ind in data.get("indicators") or []}
    sheet.dropped = [
        (name, approval.reasons.get(name, "")) for name in approval.names if name not in kept
    ]
    if errors:  # the figures from what could be read; the bad texts stay in their inputs
        data = copy.deepcopy(data)
        for path in errors:
            json_set(data, path, None)
    if sheet.template in templates.ids():  # an unknown one is said below
        _for_template(sheet, raw, templates.load(sheet.template), origins, approval, draft)
    cells = {cell.path: cell for cell in sheet.cells()}
    for path, problem in (errors or {}).items():
        if path in cells:
            cells[path].error = problem
    try:
        form = evaluation_from_dict(data, "自评表")
        template = templates.load(form.template)
    except (ReadError, templates.UnknownTemplate) as error:
        sheet.error = str(error)
        return sheet
    try:
        if filled:  # as the save will store it: every computable figure computed
            form = _completed(form, template, score_reasons or {})
        checks = {check.field: check for check in recompute(form, template)}
        found = findings(form) if findings else audit(form, template)
    except ArithmeticError:  # figures beyond any computable range: shown, typed text kept
        sheet.error = str(actions.errors.OUT_OF_RANGE)
        return sheet
    for path, check in checks.items():
        if path in cells:
            cells[path].check = check
    if filled:
        _proposed(sheet, form, template, score_reasons or {})
    _bands(sheet, form, template)
    for finding in found:
        _place(sheet, cells, finding.field).findings.append(finding)
    for path, text in (comments or {}).items():
        holder = _place(sheet, cells, path)
        holder.comments.append(text)
    return sheet


def _bands(sheet: Sheet, form: Form, template) -> None:
    """A qualitative indicator (年度指标值 in words): its 实际完成值 is picked from the
    template's bands (达成年度指标 / 部分达成并具有一定效果 / 未达成且效果较差), and the
    rules then give the band's range for the score (shown beside it)."""
    labels = [band.label for band in template.qualitative_bands]
    if not labels:
        return
    for row, ind in zip(sheet.indicators, form.indicators, strict=False):
        target = ind.target_parsed
        if target is None or target.quantitative:
            continue
        for cell in row.cells:
            if cell.path.endswith(".actual") and cell.editable:
                kept = [(cell.value, cell.value)] if cell.value and cell.value not in labels else []
                # stored as the form prints it (Chinese), shown in the page's language
                shown = [(label, gettext(label)) for label in labels]
                cell.choices = [("", "—"), *shown, *kept]


def _completed(form: Form, template, reasons: dict[str, str]) -> Form:
    """A filled-in form as the actions complete it on save: the rows with a reason
    for a score other than the rule's keep their score."""
    rules = filled_rules.proposals(form, template)
    kept = frozenset(
        n
        for n, figure in rules.items()
        if reasons.get(form.indicators[n].name or "")
        and form.indicators[n].score is not None
        and form.indicators[n].score != figure.value
    )
    return filled_rules.complete(form, template, kept)


def _proposed(sheet: Sheet, form: Form, template, reasons: dict[str, str]) -> None:
    """A filled-in form's quantitative 得分 (the rules give one figure): the rule's, open
    to a change with a reason (on record, by indicator name)."""
    rules = filled_rules.proposals(form, template)
    for n, row in enumerate(sheet.indicators):
        if n not in rules:
            continue
        for cell in row.cells:
            if cell.path.endswith(".score"):
                cell.proposed = True
                cell.reason_key = form.indicators[n].name or ""
                cell.reason = reasons.get(cell.reason_key, "")


def _place(sheet: Sheet, cells: dict[str, Cell], path: str) -> Cell | Row:
    """The cell or row a field path points at; the nearest enclosing row or
    section when the page has no such field; ``sheet.other`` as a last resort."""
    if path in cells:
        return cells[path]
    rows = {
        row.path: row
        for row in [*sheet.funding, sheet.goals, *sheet.indicators, *sheet.sections.values()]
    }
    rows["total"] = rows["grade"] = sheet.summary
    probe = path
    while probe:
        if probe in rows:
            return rows[probe]
        probe = parent(probe)
    return sheet.other


def with_typed(data: dict, typed: dict[str, str], paths: list[str]) -> tuple[dict, dict[str, str]]:
    """A copy of the form's JSON with the typed values of ``paths`` set (empty → null),
    and what is wrong with each typed figure, by path (its text kept as typed).

    Figures lose the thousands separators and spaces people type (1,234.50); ``1,2,0``,
    a negative 分值 or a 22-digit score is refused at its field
    (:func:`jixiao.web.evaluations.actions.checks.typed_figure`)."""
    out = copy.deepcopy(data)
    errors: dict[str, str] = {}
    for path in paths:
        if path not in typed:
            continue
        value = typed[path].strip()
        if path == "project.recurring":  # a yes/no select
            json_set(out, path, {"true": True, "false": False}.get(value))
            continue
        if actions.checks.figure_kind(path) is not None:
            figure, problem = actions.checks.typed_figure(path, value)
            if problem:
                errors[path] = problem
            else:
                value = figure or ""
        json_set(out, path, value or None)
    return out, errors


def _template_word(data: dict, key: str) -> str:
    """An indicator column as the form's template prints it (Shanghai 2019's 权重 for 分值),
    the national words where the template does not name it."""
    try:
        printed = dict(_indicator_columns(templates.load(data.get("template") or "")))
    except (KeyError, ValueError, OSError):
        printed = {}
    return printed.get(key) or str(dict(INDICATOR_COLUMNS).get(key, key))


def describe(path: str, data: dict) -> str:
    """A field path as a person reads it: ``indicators[1].score`` → 指标 2「名称」· 得分."""
    head, _dot, rest = path.partition(".")
    if head == "review_scores" and rest:
        return f"{_('复核得分')} · {describe(rest, data)}"
    if head == "acknowledgements" and rest:
        return f"{_('单位说明')} · {describe(rest.partition('@')[2] or rest, data)}"
    if head == "target_reasons" and rest:
        return f"{_('目标调整理由')} · {rest}"
    if head == "approved_targets" and rest:  # 批复绩效目标 changed (actions.targets.approve)
        return f"{_('批复绩效目标')} · {rest}"
    row = indicator_of(path)
    if row is not None:
        n, key = row
        indicators = data.get("indicators") or []
        name = _text(indicators[n].get("name")) if n < len(indicators) else ""
        where = _("指标 %(n)s「%(name)s」") % {"n": n + 1, "name": name}
        return f"{where} · {_template_word(data, key)}" if key else str(where)
    line = funding_of(path)
    if line is not None and line[0] in ("", *BREAKDOWN_KEYS):
        row_name, key = LINE_ROWS[line[0]], line[1]
        return f"{row_name} · {dict(LINE_COLUMNS).get(key, key)}" if key else str(row_name)
    if path.startswith("goals.") and path[6:] in GOAL_LABELS:
        return str(GOAL_LABELS[path[6:]])
    if path.startswith("project.") and path[8:] in PROJECT_LABELS:
        return str(PROJECT_LABELS[path[8:]])
    if path in SUMMARY_LABELS:
        return str(SUMMARY_LABELS[path])
    if path in SECTION_TITLES:
        return str(SECTION_TITLES[path])
    return path


# Rows of the indicator table, rearranged on the edit page before a save: the
# page carries each shown row's origin (its index in the stored form, or "new").


def origins(posted: str | None, stored: int) -> list[str]:
    """The posted row origins if they make sense, else the stored order."""
    items = [item.strip() for item in (posted or "").split(",") if item.strip()]
    kept = [item for item in items if item != NEW]
    if (
        posted is None
        or not all(i.isdigit() and int(i) < stored for i in kept)
        or len(set(kept)) != len(kept)
    ):
        return [str(n) for n in range(stored)]
    return items


def arranged(data: dict, rows: list[str]) -> dict:
    """The stored form with its indicator rows in the page's order (added rows blank)."""
    out = copy.deepcopy(data)
    stored = data.get("indicators") or []
    out["indicators"] = [
        copy.deepcopy(stored[int(o)]) if o != NEW else _blank_indicator() for o in rows
    ]
    return out


def with_approved(data: dict, approval: Approval) -> dict:
    """The form with each locked approved row's 年度指标值 and 分值 as approved: a
    row named like an approved target is that target's row (also one added on the
    page), and its target and points are the approval's until unlocked with a reason."""
    out = copy.deepcopy(data)
    by_name = {row["name"]: row for row in approval.targets}
    for ind in out.get("indicators") or []:
        name = approval.name_of(ind.get("name"))
        if name and name not in approval.unlocked and name in by_name:
            ind["target"], ind["points"] = by_name[name].get("target"), by_name[name].get("points")
    return out


def _blank_indicator() -> dict:
    return {k: None for k, _label in INDICATOR_COLUMNS} | {
        "target_parsed": None,
        "actual_parsed": None,
    }


def rearrange(data: dict, rows: list[str], op: str) -> tuple[dict, list[str]]:
    """Apply one row operation of the page: ``add``, ``remove:n``, ``up:n``, ``down:n``."""
    out, rows = copy.deepcopy(data), list(rows)
    indicators = out["indicators"]
    verb, _colon, number = op.partition(":")
    n = int(number) if number.isdigit() else -1
    if verb == "add":
        indicators.append(_blank_indicator())
        rows.append(NEW)
    elif 0 <= n < len(indicators):
        if verb == "remove":
            del indicators[n], rows[n]
        elif verb in ("up", "down"):
            m = n - 1 if verb == "up" else n + 1
            if 0 <= m < len(indicators):
                indicators[n], indicators[m] = indicators[m], indicators[n]
                rows[n], rows[m] = rows[m], rows[n]
    return out, rows


# --- the sheet's cells as HTML, built here (a form has some 250: an include each cost more
# than the rest of the page); what pages/_cell.html, _calc.html and _notes.html were -----------


def calc_html(cell: Cell, oob: bool = False) -> str:
    """The rules' figure beside a field (按规则 …, the arithmetic on hover or focus)."""
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    ident = cell.dom_id
    classes = "calc" + (" differs" if cell.differs else "") + (" auto" if cell.auto else "")
    swap = ' hx-swap-oob="true"' if oob else ""
    why = f'<span class="why" role="tooltip" id="why-{ident}">{escape(cell.explanation)}</span>'
    inner = ""
    if cell.auto:
        inner = f'<span class="value" id="{ident}">{escape(cell.computed or "—")}</span>'
        if cell.computed:
            inner += (
                f' <span tabindex="0" class="figure" aria-describedby="why-{ident}">'
                f"{escape(_('自动计算'))}</span>{why}"
            )
    elif cell.computed:
        inner = (
            f'<span tabindex="0" class="figure" aria-describedby="why-{ident}">'
            f"{escape(_('按规则'))} {escape(cell.computed)}</span>{why}"
        )
    return f'<span class="{classes}" id="calc-{ident}"{swap}>{inner}</span>'


def notes_html(holder: Cell | Row, acknowledgements: dict | None, oob: bool = False) -> str:
    """The findings and the reviewer's comments on a field or a part, and what is wrong with
    a value typed there."""
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    from jixiao.web.pages.templatetags.pages_tags import acknowledged, message, severity_label

    ident = holder.dom_id
    swap = ' hx-swap-oob="true"' if oob else ""
    parts = [f'<ul class="notes" id="notes-{ident}"{swap} aria-live="polite">']
    error = getattr(holder, "error", "")
    if error:
        parts.append(f'<li class="field-error" id="err-{ident}" role="alert">{escape(error)}</li>')
    for f in holder.findings:
        line = (
            f'\n<li class="finding sev-{escape(f.severity.value)}" data-code="{escape(f.code)}">'
            f"<strong>{escape(severity_label(f))}</strong> {escape(message(f))}"
        )
        if f.explanation and f.code != "target-changed":
            line += f' <span class="why-text">{escape(_("（%(text)s）") % {"text": f.explanation})}</span>'
        reason = acknowledged(f, acknowledgements or {})
        if reason:
            line += f'<br><span class="ack">{escape(_("单位说明：%(reason)s") % {"reason": reason})}</span>'
        parts.append(line + "</li>")
    for comment in holder.comments:
        parts.append(
            f'\n<li class="comment"><strong>{escape(_("审核意见"))}</strong> {escape(comment)}</li>'
        )
    parts.append("</ul>")
    return "".join(parts)


def cell_html(
    cell: Cell,
    *,
    mode: str,
    row_label: str = "",
    compact: bool = False,
    approving: bool = False,
    acknowledgements: dict | None = None,
) -> str:
    """One field of the sheet: its label, its value or input (as the mode and the field
    allow), the 复核 score beside a self score, the rules' figure and the notes."""
    from django.template.defaultfilters import linebreaksbr
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    ident, e = cell.dom_id, escape
    invalid = f' aria-invalid="true" aria-describedby="err-{ident}"' if cell.error else ""
    label_text = (f"{e(row_label)} · " if compact else "") + e(cell.label)
    sr = ' class="sr-only"' if compact else ' class=""'
    figure = " figure-cell" if cell.numeric else ""  # right-aligned at its places (pages.css)
    out = [f'<div class="cell{figure}{" has-error" if cell.error else ""}">\n']
    if cell.auto:
        if not compact:
            out.append(f'<span class="label">{e(cell.label)}</span>')
        out.append("\n")
    elif mode == "edit" and cell.editable and cell.proposed:
        out.append(
            f'<label{sr} for="{ident}">{label_text}</label>\n'
            f'<span class="value proposed" id="shown-{ident}">'
            f"{e(cell.value) if cell.overridden else ''}</span>\n"
            f'<details class="override"{" open" if cell.overridden or cell.error else ""}>'
            f"<summary>{e(_('调整得分'))}</summary>\n"
            f'<label for="{ident}">{e(_("调整后的得分"))}</label>\n'
            f'<input id="{ident}" name="{e(cell.path)}" value="{e(cell.value)}" inputmode="decimal"{invalid}>\n'
            f'<label for="score-reason-{ident}">{e(_("调整理由（与规则得分不同时必填）"))}</label>\n'
            f'<textarea id="score-reason-{ident}" name="score_reason:{e(cell.reason_key)}" rows="2">'
            f"{e(cell.reason)}</textarea></details>\n"
        )
    elif mode == "edit" and cell.editable:
        out.append(f'<label{sr} for="{ident}">{label_text}</label>\n')
        if cell.choices:
            options = "".join(
                f'<option value="{e(value)}"{" selected" if value == cell.value else ""}>{e(label)}</option>'
                for value, label in cell.choices
            )
            out.append(f'<select id="{ident}" name="{e(cell.path)}">{options}</select>')
        elif cell.multiline:
            out.append(
                f'<textarea id="{ident}" name="{e(cell.path)}" rows="{2 if compact else 4}"{invalid}>'
                f"{e(cell.value)}</textarea>"
            )
        else:
            kind = f' type="{e(cell.input_type)}"' if cell.input_type else ""
            numeric = ' inputmode="decimal"' if cell.numeric else ""
            out.append(
                f'<input id="{ident}" name="{e(cell.path)}" value="{e(cell.value)}"{kind}{numeric}{invalid}>'
            )
        out.append("\n")
    else:
        if not compact:
            out.append(f'<span class="label">{e(cell.label)}</span>')
        out.append(f'<span class="value" id="{ident}">{linebreaksbr(cell.shown or "—")}</span>')
        if cell.locked and mode == "edit":
            out.append(f' <span class="lock">{e(_("已批复"))}</span>')
        if cell.overridden:
            why = _("（已调整规则得分，理由：%(why)s）") % {"why": cell.reason}
            out.append(f' <span class="override-reason">{e(why)}</span>')
        out.append("\n")
    if cell.reviewable:
        if mode == "review" and approving:
            review_invalid = (
                f' aria-invalid="true" aria-describedby="review-err-{ident}"'
                if cell.review_error
                else ""
            )
            out.append(
                f'<label class="review-score" for="review-{ident}">{e(_("复核"))}</label>\n'
                f'<input id="review-{ident}" name="review:{e(cell.path)}" value="{e(cell.review)}" '
                f'form="review-form" inputmode="decimal" class="review-input"{review_invalid}>'
            )
            if cell.review_error:
                out.append(
                    f'<span class="field-error" id="review-err-{ident}" role="alert">'
                    f"{e(cell.review_error)}</span>"
                )
        elif cell.review:
            out.append(f'<span class="review-score">{e(_("复核"))} {e(cell.review)}</span>')
    out.append("\n" + calc_html(cell) + "\n" + notes_html(cell, acknowledgements) + "\n</div>")
    return "".join(out)
