"""Read forms from Excel 97-2003 workbooks (.xls, BIFF) with xlrd, and say
what any other OLE file (the container of the old Office formats) is.

xlrd 2 reads BIFF only, which is what it is used for here. With
``formatting_info=True`` it gives each sheet's merged ranges, which become
:class:`~jixiao.readers.grid.Span`\\ s exactly as the xlsx reader's, and each
cell's number format. xlrd gives every number as a float (121.3 may come as
121.30000000000001): it is shown as the cell shows it by the xlsx reader's
rule — 15 significant digits, as Excel displays (which removes the float
noise), then the number format's decimal places ("0.00": 121.30) — so an xls
and an xlsx of the same form read the same. Sheets go through
:mod:`jixiao.readers.workbook` (only the form sheets are read).

An OLE file is also an old Word (.doc) or PowerPoint file, a WPS file in its own
format, or an encrypted xlsx/docx (their package sits inside an OLE file):
:func:`read_ole` looks at the names of its streams and refuses those with what
they are and what to do.
"""

from __future__ import annotations

import datetime
import io

from jixiao.domain.model import Source
from jixiao.readers.base import ReadError, Row
from jixiao.readers.grid import Span, column_letter, to_rows
from jixiao.readers.workbook import Reading, read_sheets
from jixiao.readers.xlsx import MAX_CELLS, shown_number

WPS_KINDS = {
    ".et": "WPS 表格文件（.et）",
    ".ett": "WPS 表格模板（.ett）",
    ".wps": "WPS 文字文件（.wps）",
    ".wpt": "WPS 文字模板（.wpt）",
    ".dps": "WPS 演示文件（.dps）",
    ".dpt": "WPS 演示模板（.dpt）",
}
"""WPS Office's own suffixes: some files so named are Office files inside
(read as such), others WPS's own format (refused with what to do)."""


def stream_names(data: bytes) -> set[str] | None:
    """The names of an OLE file's streams, or None when its directory cannot be read."""
    from xlrd.compdoc import CompDoc

    try:
        return {entry.name for entry in CompDoc(data, logfile=io.StringIO()).dirlist}
    except Exception:  # CompDocError, and IndexError/struct errors on a cut file
        return None


def read_ole(data: bytes, file: str, suffix: str, template_id: str | None = None) -> Reading:
    """An OLE file's forms when it is an .xls workbook; otherwise a refusal saying
    what the file is."""
    names = stream_names(data)
    if names is None:
        raise ReadError(
            file,
            "旧版 Office（OLE）文件已损坏或不完整，无法读取目录：请用 Excel/Word 打开后"
            "另存为 .xlsx/.docx（若有打开密码请先去掉）再导入",
        )
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise ReadError(
            file, "Office 文件已加密（有打开密码）：请去掉密码后另存为 .xlsx/.docx 再导入"
        )
    if "Workbook" in names or "Book" in names:
        return read_xls(data, file, template_id, suffix)
    wps = WPS_KINDS.get(suffix)
    if "WordDocument" in names:
        what = wps or "旧版 Word 文件（.doc）"
        raise ReadError(file, f"{what}：jixiao 不读旧版 Word 格式，请另存为 .docx 或 PDF 后导入")
    if "PowerPoint Document" in names:
        raise ReadError(
            file,
            f"{wps or '演示文稿（PowerPoint .ppt）'}：不是自评表，请导入自评表的 xlsx、docx 或 PDF",
        )
    if wps:
        raise ReadError(file, f"{wps}，WPS 专有格式：请在 WPS 中另存为 .xlsx、.docx 或 PDF 后导入")
    raise ReadError(
        file,
        "是 OLE 复合文件，但不是 Excel 工作簿（没有 Workbook 数据）：若是旧版 Office 文件，"
        "请另存为 .xlsx/.docx 后导入",
    )


def read_xls(
    data: bytes, file: str, template_id: str | None = None, suffix: str = ".xls"
) -> Reading:
    """The forms of an .xls workbook's form sheets, and the sheets skipped."""
    return read_sheets(xls_sheets(data, file, suffix), file, "Excel", template_id)


def xls_sheets(data: bytes, file: str, suffix: str = ".xls") -> list[tuple[str, list[Row]]]:
    """Each sheet's title and rows, in the workbook's order."""
    import xlrd

    what = WPS_KINDS.get(suffix, "Excel 97-2003 文件（.xls）")
    try:
        book = xlrd.open_workbook(
            file_contents=data,
            formatting_info=True,  # merged ranges and number formats
            on_demand=True,  # sheets parsed one at a time, each counted before it is read
            # rows as long as their cells: padding every row to the widest (xlrd's
            # default) takes minutes when a damaged record puts a cell at row 65535
            ragged_rows=True,
            logfile=io.StringIO(),  # xlrd writes warnings to stdout, which --json keeps pure
        )
    except Exception as error:
        if "encrypted" in str(error).lower():
            raise ReadError(
                file, f"{what}已加密（有打开密码）：请去掉密码后另存为 .xlsx 再导入"
            ) from None
        raise ReadError(
            file,
            f"{what}无法打开或内容损坏（{type(error).__name__}: {error}）：请用 Excel 或 WPS "
            "打开后另存为 .xlsx 再导入",
        ) from None
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows * sheet.ncols > MAX_CELLS:
                raise ReadError(
                    file, f"工作表「{sheet.name}」超过 {MAX_CELLS} 个单元格，不像自评表，未读取"
                )
            sheets.append((sheet.name, to_rows(_spans(book, sheet), _row_source(file, sheet.name))))
            book.unload_sheet(index)
        return sheets
    except ReadError:
        raise
    except Exception as error:  # xlrd raises many kinds for a damaged sheet
        raise ReadError(
            file, f"{what}内容损坏（{type(error).__name__}: {error}）：请另存为 .xlsx 再导入"
        ) from None
    finally:
        book.release_resources()


def _spans(book, sheet) -> list[Span]:
    """Every cell of the sheet: a merged range as one (its top-left cell's value).
    Ranges are cut to the sheet's size (checked against MAX_CELLS), so a damaged
    MERGEDCELLS record cannot make the covered set huge."""
    merged = {
        (rlo, clo): (min(rhi, sheet.nrows) - rlo, min(chi, sheet.ncols) - clo)
        for rlo, rhi, clo, chi in sheet.merged_cells
        if 0 <= rlo < min(rhi, sheet.nrows) and 0 <= clo < min(chi, sheet.ncols)
    }
    covered = {
        (r, c)
        for (rlo, clo), (rows, cols) in merged.items()
        for r in range(rlo, rlo + rows)
        for c in range(clo, clo + cols)
        if (r, c) != (rlo, clo)
    }
    spans = []
    for r in range(sheet.nrows):
        for c in range(sheet.row_len(r)):  # ragged: a row holds its cells only
            if (r, c) in covered:
                continue
            rows, cols = merged.get((r, c), (1, 1))
            spans.append(Span(r, c, _shown(book, sheet.cell(r, c)), rows, cols))
    return spans


def _shown(book, cell) -> str:
    """A cell's value as the sheet prints it."""
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return str(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "是" if cell.value else "否"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            day = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except Exception:  # a date out of Excel's range: the serial number as printed
            return shown_number(cell.value, "General")
        return (day.date() if isinstance(day, datetime.datetime) else day).strftime("%Y年%m月%d日")
    return shown_number(cell.value, _number_format(book, cell.xf_index))


def _number_format(book, xf_index: int | None) -> str:
    try:
        key = book.xf_list[xf_index].format_key
        return book.format_map[key].format_str or "General"
    except (IndexError, KeyError, TypeError):
        return "General"


def _row_source(file: str, sheet: str):
    def source(row: int, last_col: int) -> Source:
        return Source(file, sheet=sheet, cell=f"A{row + 1}:{column_letter(last_col)}{row + 1}")

    return source
