"""Read forms from Word documents (.docx) with python-docx.

python-docx gives each table row one cell object per grid column, repeating a
merged cell wherever it reaches (``gridSpan`` across, ``vMerge`` down). The
repeats are found by cell identity and blanked, so the grid looks like a table
pdfplumber extracts from a PDF, and the rows go to the same recognisers
(:mod:`jixiao.readers.grid`). Paragraphs outside the tables (a form's title and
year) are rows of one cell, in document order. Each row's source is its table
and cells, as "T2!A3:H3" (table 2, row 3).
"""

from __future__ import annotations

import io

from jixiao.domain.model import Evaluation, Source
from jixiao.readers.base import ReadError, Row
from jixiao.readers.grid import Span, column_letter, read_grid, to_rows
from jixiao.readers.xlsx import MAX_CELLS, check_count, check_zip


def read_docx(data: bytes, file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form in a Word document."""
    return read_grid(docx_rows(data, file), file, template_id)


def docx_rows(data: bytes, file: str) -> list[Row]:
    """The document's paragraphs and table rows in order."""
    from docx import Document
    from docx.table import Table

    archive = check_zip(data, file, "Word ")
    if "word/document.xml" in archive.namelist():
        check_count(archive, file, "word/document.xml", {"p", "tc"}, "段落和单元格")
    try:
        document = Document(io.BytesIO(data))
        rows: list[Row] = []
        tables = paragraphs = 0
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                tables += 1
                rows += to_rows(_spans(block, file), _row_source(file, tables))
            elif block.text.strip():
                paragraphs += 1
                rows.append(Row((block.text.strip(),), Source(file, cell=f"P{paragraphs}")))
    except ReadError:
        raise
    except Exception as error:  # python-docx and lxml raise many kinds for a damaged file
        raise ReadError(
            file,
            f"Word 文件无法打开或内容损坏（{type(error).__name__}: {error}）".replace("\n", " "),
        ) from None
    if not rows:
        raise ReadError(file, "Word 文件中没有内容")
    return rows


def _spans(table, file: str) -> list[Span]:
    """Each cell once, at its top-left grid place, sized by how far it repeats."""
    # The cell's XML element → [row, col, last row, last col]. Keyed by the element
    # itself, held in the dict: lxml gives the same proxy for a node while one lives.
    places: dict[object, list[int]] = {}
    texts: dict[object, str] = {}
    count = 0
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            count += 1
            if count > MAX_CELLS:
                raise ReadError(file, f"表格超过 {MAX_CELLS} 个单元格，不像自评表，未读取")
            key = cell._tc
            if key not in places:
                places[key] = [r, c, r, c]
                texts[key] = cell.text
            else:
                place = places[key]
                place[2], place[3] = max(place[2], r), max(place[3], c)
    return [
        Span(r, c, texts[key], last_r - r + 1, last_c - c + 1)
        for key, (r, c, last_r, last_c) in places.items()
    ]


def _row_source(file: str, table: int):
    def source(row: int, last_col: int) -> Source:
        return Source(file, cell=f"T{table}!A{row + 1}:{column_letter(last_col)}{row + 1}")

    return source
