"""The audit's output: the JSON of ``jixiao check --json`` and the reports
(``--report out.xlsx`` / ``out.html``) a reviewer sends back to a unit.

A result is one form with its findings; the JSON keys are a public contract
(docs/json.md): extend, never rename.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from jixiao.domain.audit import RULES, Finding, Severity
from jixiao.domain.model import Evaluation, Source

Result = tuple[Evaluation, list[Finding]]


def location(ev: Evaluation, field: str) -> Source | None:
    """Where a field was read; for a block ("funding", "indicators") its first value."""
    if field in ev.sources:
        return ev.sources[field]
    inside = [s for path, s in ev.sources.items() if path.startswith((f"{field}.", f"{field}["))]
    return min(inside, key=lambda s: (s.page or 0, s.line or 0), default=None)


def _where(source: Source | None) -> dict[str, object] | None:
    if source is None:
        return None
    found = (
        ("line", source.line),
        ("page", source.page),
        ("sheet", source.sheet),
        ("cell", source.cell),
    )
    return {k: v for k, v in found if v is not None} or None


def finding_dict(ev: Evaluation, finding: Finding) -> dict:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "field": finding.field,
        "message": finding.message,
        "message_en": finding.message_en,
        "printed": finding.printed,
        "expected": finding.expected,
        "explanation": finding.explanation,
        "location": _where(location(ev, finding.field)),
    }


def result_dict(ev: Evaluation, findings: list[Finding]) -> dict:
    """One form of ``jixiao check --json``."""
    return {
        "source": {"file": ev.source.file, "form_index": ev.source.form_index}
        if ev.source
        else None,
        "template": ev.template,
        "project": ev.project.name,
        "findings": [finding_dict(ev, f) for f in findings],
    }


def counts_by_code(results: Iterable[Result]) -> list[tuple[str, int, int]]:
    """(code, findings, forms) for every code found, most frequent first."""
    findings: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    for _, found in results:
        findings.update(f.code for f in found)
        forms.update({f.code for f in found})
    return [(code, n, forms[code]) for code, n in findings.most_common()]


def where_text(ev: Evaluation, field: str) -> str:
    """ "第 39 行": where a field was read, without the file's name."""
    source = location(ev, field)
    if source is None:
        return ""
    return source.describe().removeprefix(source.file).lstrip("，")


# --- report rows, shared by the xlsx and html reports ------------------------------------

COLUMNS = (
    "文件",
    "表序",
    "项目名称",
    "级别",
    "代码",
    "审核项",
    "字段",
    "位置",
    "说明",
    "表上",
    "应为",
    "计算与依据",
)
SUMMARY_COLUMNS = ("代码", "级别", "审核项", "条数", "涉及表数")


def rows(results: Iterable[Result]) -> list[tuple]:
    out = []
    for ev, found in results:
        file = Path(ev.source.file).name if ev.source else ""
        index = ev.source.form_index + 1 if ev.source else ""
        for f in found:
            out.append(
                (
                    file,
                    index,
                    ev.project.name or "",
                    f.severity.label,
                    f.code,
                    RULES[f.code].title,
                    f.field,
                    where_text(ev, f.field),
                    f.message,
                    f.printed or "",
                    f.expected or "",
                    f.explanation or "",
                )
            )
    return out


def summary_rows(results: list[Result]) -> list[tuple]:
    """One row a code: errors first, then warnings, then infos; most frequent first within."""
    severity: dict[str, Severity] = {}
    for _, found in results:
        for f in found:
            if f.code not in severity or f.severity.rank > severity[f.code].rank:
                severity[f.code] = f.severity  # a code tuned apart by two templates: its worst
    counted = sorted(counts_by_code(results), key=lambda row: -severity[row[0]].rank)
    return [(code, severity[code].label, RULES[code].title, n, forms) for code, n, forms in counted]


def write_report(results: list[Result], path: Path) -> None:
    """An .xlsx or .html report of every finding and a summary by code."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(results, path)
    elif path.suffix.lower() in (".html", ".htm"):
        path.write_text(html_report(results), encoding="utf-8")
    else:
        raise ValueError(f"{path}: 审核报告只能写成 .xlsx 或 .html")


def write_xlsx(results: list[Result], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook opens on its one sheet
    sheet.title = "审核意见"
    _table(sheet, COLUMNS, rows(results), widths=(24, 6, 30, 6, 24, 20, 26, 12, 50, 14, 14, 50))
    fills = {Severity.ERROR.label: "F8D7DA", Severity.WARNING.label: "FFF3CD"}
    for row in sheet.iter_rows(min_row=2):
        severity = row[3].value
        color = fills.get(severity) if isinstance(severity, str) else None
        if color:
            row[3].fill = PatternFill("solid", fgColor=color)
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    summary = book.create_sheet("汇总")
    _table(summary, SUMMARY_COLUMNS, summary_rows(results), widths=(26, 6, 24, 8, 10))
    for table in (sheet, summary):
        for cell in table[1]:
            cell.font = Font(bold=True)
    book.save(path)


def _table(sheet, header: tuple, body: list[tuple], widths: tuple) -> None:
    from openpyxl.utils import get_column_letter

    from jixiao.writers.cells import append_row

    sheet.append(header)
    for row in body:
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width


_STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0 2em; width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.error { background: #f8d7da; } .warning { background: #fff3cd; }
code { font-size: 90%; }
"""


def html_report(results: list[Result]) -> str:
    """A self-contained HTML page (no scripts, no links outside it)."""
    e = html.escape
    forms = len(results)
    with_errors = sum(1 for _, found in results if any(f.severity is Severity.ERROR for f in found))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8"><title>绩效自评表审核意见</title>',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>绩效自评表审核意见</h1>",
        f"<p>共审核 {forms} 张自评表，其中 {with_errors} 张有错误。</p>",
        "<h2>汇总</h2><table><tr>" + "".join(f"<th>{c}</th>" for c in SUMMARY_COLUMNS) + "</tr>",
    ]
    for code, level, title, n, count in summary_rows(results):
        parts.append(
            f"<tr><td><code>{e(code)}</code></td><td>{level}</td><td>{e(title)}</td>"
            f"<td>{n}</td><td>{count}</td></tr>"
        )
    parts.append("</table>")
    for ev, found in results:
        name = ev.subject or "（无项目名称）"
        where = f"{ev.source.file} 第 {ev.source.form_index + 1} 张" if ev.source else ""
        parts.append(f"<h2>{e(name)}</h2><p>{e(where)}</p>")
        if not found:
            parts.append("<p>未发现问题。</p>")
            continue
        parts.append(
            "<table><tr><th>级别</th><th>字段</th><th>位置</th><th>说明</th><th>表上</th><th>应为</th>"
            "<th>计算与依据</th></tr>"
        )
        for f in found:
            cells = (
                f.field,
                where_text(ev, f.field),
                f.message,
                f.printed or "",
                f.expected or "",
                f.explanation or "",
            )
            parts.append(
                f'<tr class="{f.severity.value}"><td>{f.severity.label}</td>'
                + "".join(f"<td>{e(c)}</td>" for c in cells)
                + "</tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
