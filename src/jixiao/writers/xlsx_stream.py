"""A big table to xlsx, its rows written straight into the worksheet's XML as they come.

openpyxl makes an object a cell (and one for its style) even in write-only mode: a
department's roll-up of a thousand forms took six times its SQL to write
(docs/benchmarks.md). The roll-up needs little of a workbook — one sheet; a heading
row; a header row repeated on every printed page; figures with a number format per
column; some rows bold; text never a formula — so this writes those parts of the
Office Open XML package itself. A text is an inline string (``t="inlineStr"``: never a
formula, whatever it begins with), a figure its decimal digits; characters XML cannot
hold (control characters a pasted text brings) are dropped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Layout:
    """How the sheet is laid out and printed."""

    name: str
    """The sheet's tab (at most 31 characters, none of ``[]:*?/\\``)."""
    widths: Sequence[float] = ()
    """Each column's width, in characters, from A."""
    number_formats: Mapping[int, str] = field(default_factory=dict)
    """An Excel number format by column (0-based) for the figures there."""
    landscape: bool = True
    fit_to_width: bool = True
    """Printed one page wide, as many pages tall as it takes."""
    frozen_rows: int = 2
    """Rows kept in view when scrolling: the heading and the header."""
    repeated_row: int | None = 2
    """The row printed atop every page: the header."""


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_Value = str | int | float | Decimal | None


def write(
    target: BinaryIO,
    layout: Layout,
    heading: str,
    header: Sequence[str],
    rows: Iterable[tuple[Sequence[_Value], bool]],
) -> None:
    """The workbook of one sheet to ``target``: ``heading`` (large, bold) on row 1, the
    ``header`` on row 2, then each of ``rows`` — its values and whether it is bold
    (a 小计 or 合计 line)."""
    styles = _Styles(layout.number_formats)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_sheet_head(layout).encode())
            sheet.write(_row(1, [heading], lambda _c: styles.heading).encode())
            sheet.write(_row(2, list(header), lambda _c: 0).encode())
            for number, (values, bold) in enumerate(rows, start=3):
                sheet.write(_row(number, values, partial(styles.of, bold=bold)).encode())
            sheet.write(_sheet_foot(layout).encode())
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _RELS)
        package.writestr("xl/workbook.xml", _workbook(layout))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", styles.xml())


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


_LETTERS = [get_column_letter(n) for n in range(1, 703)]  # A … ZZ


def _row(number: int, values: Sequence[_Value], style: Callable[[int], int]) -> str:
    cells = []
    for column, value in enumerate(values):
        if value is None or value == "":
            continue
        ref = f"{_LETTERS[column]}{number}"
        s = style(column)
        at = f' s="{s}"' if s else ""
        if isinstance(value, str):
            cells.append(
                f'<c r="{ref}"{at} t="inlineStr"><is><t xml:space="preserve">'
                f"{_text(value)}</t></is></c>"
            )
        elif isinstance(value, bool):  # a bool is an int: said as a word, not 1 or 0
            cells.append(f'<c r="{ref}"{at} t="b"><v>{int(value)}</v></c>')
        else:
            digits = format(value, "f") if isinstance(value, Decimal) else repr(value)
            cells.append(f'<c r="{ref}"{at}><v>{digits}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _sheet_head(layout: Layout) -> str:
    frozen = layout.frozen_rows
    pane = (
        f'<pane ySplit="{frozen}" topLeftCell="A{frozen + 1}" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft"/>'
        if frozen
        else ""
    )
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in enumerate(layout.widths, start=1)
    )
    fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if layout.fit_to_width else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{fit}'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{columns}</cols>" if columns else "")
        + "<sheetData>"
    )


def _sheet_foot(layout: Layout) -> str:
    setup = ' orientation="landscape"' if layout.landscape else ""
    if layout.fit_to_width:
        setup += ' fitToWidth="1" fitToHeight="0"'
    return (
        '</sheetData><pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" '
        f'header="0.3" footer="0.3"/><pageSetup paperSize="9"{setup}/></worksheet>'
    )


def _workbook(layout: Layout) -> str:
    titles = ""
    if layout.repeated_row:
        sheet = "'" + layout.name.replace("'", "''") + "'"
        row = layout.repeated_row
        titles = (
            '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
            f"{_text(sheet)}!${row}:${row}</definedName></definedNames>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name={quoteattr(layout.name)} sheetId="1" r:id="rId1"/></sheets>'
        f"{titles}</workbook>"
    )


class _Styles:
    """The cell formats used: 0 the default, one for the heading, and one for each
    column's number format plain and bold (made as they are asked for)."""

    def __init__(self, number_formats: Mapping[int, str]) -> None:
        self._formats = {
            fmt: 164 + n for n, fmt in enumerate(dict.fromkeys(number_formats.values()))
        }
        self._by_column = {column: self._formats[fmt] for column, fmt in number_formats.items()}
        self._xfs: dict[tuple[int, int], int] = {(0, 0): 0, (0, 2): 1}  # (numFmtId, font): xf
        self.heading = 1

    def of(self, column: int, bold: bool) -> int:
        key = (self._by_column.get(column, 0), 1 if bold else 0)
        return self._xfs.setdefault(key, len(self._xfs))

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{n}" formatCode={quoteattr(fmt)}/>'
            for fmt, n in self._formats.items()
        )
        xfs = "".join(
            f'<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            + (' applyNumberFormat="1"' if fmt else "")
            + (' applyFont="1"' if font else "")
            + "/>"
            for (fmt, font), _n in sorted(self._xfs.items(), key=lambda item: item[1])
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self._formats)}">{formats}</numFmts>' if formats else "")
            + '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self._xfs)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
