"""The official form as an Excel workbook (openpyxl), drawn from the layout grid.

Figures are stored as numbers with a number format, never as formulas; text
that starts with "=" (a target such as ``=100.00(%)``) is stored as text.
Excel and LibreOffice do not grow wrapped rows when opening a file, so row
heights are computed here from the text (a Chinese character counts double).
Print setup: A4 portrait, fit to one page wide, the indicator header row
repeated on every page, "第 N 页，共 M 页" in the footer.
"""

from __future__ import annotations

from copy import copy
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.writers.layout import Cell, Grid, Style, lines_needed

FONT = "宋体"  # SimSun; LibreOffice on Linux needs a fontconfig alias to Noto Serif CJK SC
TITLE_FONT = "黑体"
FONT_SIZE = 10
LINE_HEIGHT = 14.5  # points a wrapped line takes at 10 pt, with Noto CJK's tall line box
ROW_PADDING = 5.0  # points above and below the text of a row
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONTS = {
    Style.LABEL: Font(name=FONT, size=FONT_SIZE),
    Style.HEADER: Font(name=FONT, size=FONT_SIZE, bold=True),
    Style.TEXT: Font(name=FONT, size=FONT_SIZE),
    Style.NUMBER: Font(name=FONT, size=FONT_SIZE),
    Style.NOTE: Font(name=FONT, size=FONT_SIZE - 1),
}
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
SHEET_TITLE = "绩效自评表"


def row_heights(grid: Grid) -> list[float]:
    """Each row's height in points, tall enough for every cell's wrapped text.

    A cell spanning rows takes what its rows give; when that is not enough the
    shortfall is shared among them."""
    heights = [LINE_HEIGHT + ROW_PADDING] * grid.rows
    spanning: list[tuple[Cell, float]] = []
    for cell in grid.cells:
        width = sum(grid.widths[cell.col : cell.col + cell.cols])
        need = lines_needed(cell.text, width) * LINE_HEIGHT + ROW_PADDING
        if cell.rows == 1:
            heights[cell.row] = max(heights[cell.row], need)
        else:
            spanning.append((cell, need))
    for cell, need in spanning:
        rows = range(cell.row, cell.row + cell.rows)
        short = need - sum(heights[r] for r in rows)
        if short > 0:
            for r in rows:
                heights[r] += short / cell.rows
    return heights


def write_xlsx(grid: Grid, target: str | BinaryIO) -> None:
    """Save the form as .xlsx to a path or a binary file."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook opens on its one sheet
    ws.title = SHEET_TITLE
    top = _title_rows(ws, grid)
    for n, width in enumerate(grid.widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    for n, height in enumerate(row_heights(grid)):
        ws.row_dimensions[top + n].height = round(height, 1)
    styles = _Styles()
    for cell in grid.cells:
        _put(ws, cell, top, styles)
    _print_setup(ws, grid, top)
    wb.save(target)


class _Styles:
    """Cell styles by kind, each built once and then copied: setting font,
    border and alignment cell by cell is most of openpyxl's time."""

    def __init__(self) -> None:
        self.arrays: dict[tuple, StyleArray] = {}

    def apply(self, target, key: tuple, **attributes) -> None:
        array = self.arrays.get(key)
        if array is None:
            for name, value in attributes.items():
                setattr(target, name, value)
            self.arrays[key] = copy(target._style)
        else:
            target._style = copy(array)


def _title_rows(ws: Worksheet, grid: Grid) -> int:
    """Title (and subtitle) above the table; returns the table's first row (1-based)."""
    last = get_column_letter(len(grid.widths))
    lines = [(grid.title, Font(name=TITLE_FONT, size=16, bold=True), 30)]
    if grid.subtitle:
        lines.append((grid.subtitle, Font(name=FONT, size=11), 20))
    for n, (text, font, height) in enumerate(lines, start=1):
        ws.cell(n, 1, text).font = font
        ws.cell(n, 1).alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(f"A{n}:{last}{n}")
        ws.row_dimensions[n].height = height
    return len(lines) + 1


def _put(ws: Worksheet, cell: Cell, top: int, styles: _Styles) -> None:
    row, col = top + cell.row, cell.col + 1
    target = ws.cell(row, col)
    target.value = cell.value
    number_format = "General"
    if isinstance(cell.value, str):
        target.data_type = "s"  # "=100.00(%)" is a target, not a formula
    elif cell.value is not None:
        number_format = cell.number_format
    border = Border() if cell.style is Style.NOTE else _BORDER
    styles.apply(
        target,
        (cell.style, cell.left, number_format),
        font=_FONTS[cell.style],
        alignment=_LEFT if cell.left else _CENTER,
        border=border,
        number_format=number_format,
    )
    last_row, last_col = row + cell.rows - 1, col + cell.cols - 1
    if (last_row, last_col) == (row, col):
        return
    # Excel draws each cell's own border, so every cell of the range carries one.
    for r in range(row, last_row + 1):
        for c in range(col, last_col + 1):
            if (r, c) != (row, col):
                styles.apply(ws.cell(r, c), ("border", border is _BORDER), border=border)
    ws.merged_cells.add(
        MergedCellRange(
            ws, f"{get_column_letter(col)}{row}:{get_column_letter(last_col)}{last_row}"
        )
    )


def _print_setup(ws: Worksheet, grid: Grid, top: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    properties = ws.sheet_properties.pageSetUpPr
    assert properties is not None  # a new sheet has one (openpyxl types it as maybe none)
    properties.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.75
    ws.page_margins.footer = 0.3
    if grid.table_row < grid.rows:
        header = top + grid.table_row
        ws.print_title_rows = f"{header}:{header}"
    odd_footer = ws.oddFooter
    assert odd_footer is not None and odd_footer.center is not None  # as pageSetUpPr
    footer = odd_footer.center
    footer.text = "第 &P 页，共 &N 页"
    footer.size = 9
    footer.font = FONT
    last = get_column_letter(len(grid.widths))
    ws.print_area = f"A1:{last}{top + grid.rows - 1}"
