"""Read forms from Excel workbooks (.xlsx) with openpyxl.

Each sheet's cells become rows (:mod:`jixiao.readers.grid`), a merged range
one cell. openpyxl's read-only mode would be faster but does not report merged
ranges, so the workbook is loaded whole; the size caps below bound that. Figures are
written as the sheet shows them: a number with its number format's decimal
places (15 with "0.00" → "15.00"), so a score keeps its printed scale; a
figure typed as text stays as typed. Forms may be on several sheets or stacked
on one; only the sheets that are forms are read (:mod:`jixiao.readers.workbook`:
a project list or a budget table beside the 自评表 is skipped with its reason).
Each value's source is the sheet and its row's cells ("A7:J7").

A workbook is a zip: its declared uncompressed size is capped, as a whole
(:data:`MAX_UNCOMPRESSED`) and part by part (:data:`MAX_PART`), before anything
is inflated (zipfile stops inflating a part at its declared size), and the
cells of each sheet are counted by a streaming pass before the workbook is
loaded (:data:`MAX_CELLS`), so a bomb is refused, not read.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

from jixiao.domain.model import Evaluation, Source
from jixiao.domain.scoring import round_figure
from jixiao.domain.template import Rounding
from jixiao.readers.base import ReadError, Row
from jixiao.readers.grid import Span, column_letter, to_rows
from jixiao.readers.workbook import Reading, read_sheets

MAX_UNCOMPRESSED = 20 * 1024 * 1024
"""Bytes a workbook or document may inflate to; real forms are well under 1 MB."""
MAX_PART = 10 * 1024 * 1024
"""Bytes one part (a sheet, the shared strings, the document body) may inflate to."""
MAX_CELLS = 100_000
"""Cells per sheet, or paragraphs and cells per document: a form has a few hundred."""

_PLACES = re.compile(r"\.(0+)")
_DIGITS = re.compile(r"[0#]")  # a format of digits ("0", "#,##0") without places shows none


def check_zip(data: bytes, file: str, kind: str) -> zipfile.ZipFile:
    """The zip archive of an Office file, refused when broken or when it would
    inflate beyond :data:`MAX_UNCOMPRESSED`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        # NotImplementedError: a damaged header asking for a zip version Python does not read
        raise ReadError(file, f"{kind}文件已损坏或不完整（{error}）") from None
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        largest = max(infos, key=lambda info: info.file_size)
        raise ReadError(
            file,
            f"{kind}解压后达 {total // (1024 * 1024)} MB（最大的部件 {largest.filename} "
            f"{largest.file_size // (1024 * 1024)} MB），超过上限 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，疑为压缩炸弹，未读取",
        )
    for info in infos:
        if info.file_size > MAX_PART:
            raise ReadError(
                file,
                f"{kind}文件的部件 {info.filename} 解压后达 {info.file_size // (1024 * 1024)} MB，"
                f"超过单个部件上限 {MAX_PART // (1024 * 1024)} MB，疑为压缩炸弹，未读取",
            )
    if any(info.flag_bits & 0x1 for info in infos):
        raise ReadError(file, f"{kind}文件已加密（有打开密码），请先去掉密码再导入")
    return archive


def check_count(
    archive: zipfile.ZipFile, file: str, part: str, tags: set[str], what: str = "单元格"
) -> None:
    """Refuse ``part`` when it holds more than :data:`MAX_CELLS` elements named
    in ``tags`` (``{"c"}``: a sheet's cells), counted streaming, before any
    library builds the whole tree."""
    from xml.etree.ElementTree import iterparse

    count = 0
    try:
        with archive.open(part) as stream:
            for _, element in iterparse(stream):
                if element.tag.rpartition("}")[2] in tags:
                    count += 1
                    if count > MAX_CELLS:
                        raise ReadError(
                            file,
                            f"部件 {part} 超过 {MAX_CELLS} 个{what}（上限），不像自评表，未读取",
                        )
                element.clear()
    except ReadError:
        raise
    except Exception as error:  # zlib, zipfile and the XML parser each raise their own kind
        raise ReadError(file, f"部件 {part} 已损坏（{type(error).__name__}: {error}）") from None


def read_xlsx(data: bytes, file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form in a workbook."""
    return read_xlsx_sheets(data, file, template_id).forms


def read_xlsx_sheets(data: bytes, file: str, template_id: str | None = None) -> Reading:
    """The forms of the workbook's form sheets, and the sheets skipped with why
    (:mod:`jixiao.readers.workbook`)."""
    return read_sheets(xlsx_sheets(data, file), file, "Excel", template_id)


def xlsx_sheets(data: bytes, file: str) -> list[tuple[str, list[Row]]]:
    """Each sheet's title and rows, in the workbook's order."""
    from openpyxl import load_workbook

    archive = check_zip(data, file, "Excel ")
    for part in archive.namelist():
        if part.startswith("xl/worksheets/") and part.endswith(".xml"):
            check_count(archive, file, part, {"c"})
    try:
        # Not read-only: that mode does not say which cells are merged.
        workbook = load_workbook(io.BytesIO(data), data_only=True)
        return [
            (sheet.title, to_rows(_spans(sheet, file), _row_source(file, sheet.title)))
            for sheet in workbook.worksheets
        ]
    except ReadError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise ReadError(
            file, f"Excel 文件无法打开或内容损坏（{type(error).__name__}: {error}）"
        ) from None


def _spans(sheet, file: str) -> list[Span]:
    """Every cell drawn on the sheet: merged ranges as one, blank cells too
    (a blank score is a place in its row)."""
    if sheet.max_row * sheet.max_column > MAX_CELLS:
        raise ReadError(
            file, f"工作表「{sheet.title}」超过 {MAX_CELLS} 个单元格，不像自评表，未读取"
        )
    merged = {(m.min_row, m.min_col): m for m in sheet.merged_cells.ranges}
    covered = {
        (r, c) for m in merged.values() for r, c in _cells_of(m) if (r, c) != (m.min_row, m.min_col)
    }
    spans = []
    for values in sheet.iter_rows():
        for cell in values:
            at = (cell.row, cell.column)
            if at in covered:
                continue
            text = _shown(cell.value, cell.number_format)
            m = merged.get(at)
            rows, cols = (m.max_row - m.min_row + 1, m.max_col - m.min_col + 1) if m else (1, 1)
            spans.append(Span(cell.row - 1, cell.column - 1, text, rows, cols))
    return spans


def _cells_of(merged) -> list[tuple[int, int]]:
    return [
        (r, c)
        for r in range(merged.min_row, merged.max_row + 1)
        for c in range(merged.min_col, merged.max_col + 1)
    ]


def _row_source(file: str, sheet: str):
    def source(row: int, last_col: int) -> Source:
        return Source(file, sheet=sheet, cell=f"A{row + 1}:{column_letter(last_col)}{row + 1}")

    return source


def _shown(value, number_format: str | None) -> str:
    """A cell's value as the sheet prints it (its number format's places and separators)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return shown_number(value, number_format or "General")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%Y年%m月%d日")
    return str(value)


def shown_number(value: int | float, number_format: str) -> str:
    """The number as Excel prints it: at most 15 significant digits (0.1+0.2 is
    0.3), the format's places (none when it has no decimal point: "#,##0"),
    rounded half away from zero as Excel does (2.345 with "0.00" is 2.35)."""
    number = Decimal(f"{value:.15g}") if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return str(value)
    percent = "%" in number_format
    if percent:
        number *= 100
    places = _PLACES.search(number_format)
    if places:
        number = round_figure(number, Rounding.HALF_UP, len(places.group(1)))
    elif _DIGITS.search(number_format) or number == number.to_integral_value():
        number = round_figure(number, Rounding.HALF_UP, 0)
    text = format(number, ",f" if "#,##" in number_format else "f")
    return text + "%" if percent else text
