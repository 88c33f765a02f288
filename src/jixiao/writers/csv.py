"""One row per indicator, for spreadsheets and scripts (UTF-8 with BOM, so
Excel reads the Chinese).

The indicator columns and their labels are the template's layout columns, after
the columns that say which form a row belongs to. A text cell that starts with
= + - @ (or a tab or carriage return) would run as a formula in a spreadsheet:
it gets a leading apostrophe, so ``=100.00(%)`` arrives as text. Figures are
plain decimal numbers and are left alone.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from jixiao.contract.json import figure
from jixiao.domain.model import Evaluation
from jixiao.domain.template import Template
from jixiao.writers.cells import defuse
from jixiao.writers.layout import indicator_columns

_FORM_COLUMNS = (("name", "项目名称"), ("department", "主管部门"), ("unit", "实施单位"))


def _cell(value) -> str:
    if isinstance(value, Decimal):
        return figure(value)
    return defuse(value)


def csv_rows(ev: Evaluation, template: Template) -> list[list[str]]:
    """The header row, then one row per indicator."""
    form = [(key, template.columns.get(key, (label,))[0]) for key, label in _FORM_COLUMNS]
    form = [(key, label) for key, label in form if key in template.columns]
    columns = indicator_columns(template)
    header = ["序号", *(label for _, label in form), "年度", *(c.label for c in columns)]
    project = [_cell(getattr(ev.project, key)) for key, _ in form]
    year = str(ev.year) if ev.year else ""
    rows = [header]
    for n, indicator in enumerate(ev.indicators, start=1):
        values = [_cell(getattr(indicator, c.field, None)) for c in columns]
        rows.append([str(n), *project, year, *values])
    return rows


def csv_text(ev: Evaluation, template: Template) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(csv_rows(ev, template))
    return buffer.getvalue()


def write_csv(ev: Evaluation, template: Template, path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        out.write(csv_text(ev, template))
