"""Read forms from PDF files with pdfplumber's table finder.

Each page's ruled tables become rows (:mod:`jixiao.readers.grid`): pdfplumber
gives a cell's bounding box, from which its row and column spans follow (a
merged cell covers the grid lines it crosses; pdfplumber reports None for the
cells it covers). Pages are read in order and their rows joined, so a form
runs on over page breaks and a file may hold many forms; a 一级指标 label
printed once on page 1 is filled down on page 2 by the recogniser. The text of
each cell has CJK radical code points (⻓ U+2EA0 …) folded to the characters
they stand for. Each row's source is its page and cells ("第 2 页, A3:H3").

Refused with a reason: a PDF without a text layer (a scan: needs OCR first),
an encrypted PDF that needs a password, a damaged file, more than
:data:`MAX_PAGES` pages.
"""

from __future__ import annotations

import io
import logging
import re
from bisect import bisect_left
from contextlib import suppress

from jixiao.domain.model import Evaluation, Source
from jixiao.domain.normalize import squash
from jixiao.readers.base import ReadError, Row
from jixiao.readers.grid import Span, column_letter, radicals_folded, read_grid, to_rows

MAX_PAGES = 300
"""Pages read per PDF; a longer one is refused (split it first). A 500-page file
of forms reads in 49 s with an 872 MB peak (docs/benchmarks.md): close to the
bars of 60 s and 1 GiB on a busy machine, so the cap leaves room."""
# pdfminer logs each damaged stream it works around; the reader reports what it could not read.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_PAGE_NUMBER = re.compile(r"^(第\d+页|-?\d+-?$|\d+/\d+$|Page\d+)")


def read_pdf(data: bytes, file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form in a PDF."""
    return read_grid(pdf_rows(data, file), file, template_id)


def pdf_rows(data: bytes, file: str) -> list[Row]:
    """The rows of every table on every page, page after page."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as error:  # pdfminer raises many kinds for a damaged file
        # pdfplumber wraps pdfminer's errors: the cause is the first argument.
        if any(
            isinstance(e, PDFPasswordIncorrect) for e in (error, *error.args, error.__context__)
        ):
            raise ReadError(file, "PDF 已加密，需要密码才能打开，请先去掉密码再导入") from None
        raise ReadError(file, _damaged(error)) from None
    try:
        rows, has_text = _read_pages(pdf, file)
    finally:
        with suppress(Exception):  # closing walks the pages again: a damaged one raises again
            pdf.close()
    if not has_text:
        raise ReadError(file, "PDF 没有文字层（是扫描件或图片），需先做文字识别（OCR）才能读取")
    if not rows:
        raise ReadError(file, "PDF 中没有找到表格（自评表应是有框线的表格）")
    return rows


def _read_pages(pdf, file: str) -> tuple[list[Row], bool]:
    try:
        pages = pdf.pages
    except Exception as error:
        raise ReadError(file, _damaged(error)) from None
    if len(pages) > MAX_PAGES:
        raise ReadError(
            file, f"PDF 有 {len(pages)} 页，超过每个文件 {MAX_PAGES} 页的上限，请拆分后再导入"
        )
    rows: list[Row] = []
    has_text = False
    for page in pages:
        try:
            has_text = has_text or bool(page.chars)
            rows += _page_rows(page, file)
        except ReadError:
            raise
        except Exception as error:
            raise ReadError(file, f"第 {page.page_number} 页{_damaged(error)}") from None
        finally:
            page.close()  # frees the page's parsed objects: long files stay small in memory
    return rows, has_text


def _damaged(error: Exception) -> str:
    detail = f"{type(error).__name__}: {error}".strip(": ")
    return f"PDF 文件已损坏或不完整（{detail}）".replace("\n", " ")


def _page_rows(page, file: str) -> list[Row]:
    """The page's tables, top to bottom, with the lines of text above and
    between them (a form's title and year); lines below the last table are
    page footers and notes, left out."""
    tables = page.find_tables()
    if any(_has_holes(t) for t in tables):
        # A cell merged down over a page break has no bottom border on either
        # page, so the table finder misses it: close the tables and look again.
        edges = sorted({y for t in tables for y in (t.bbox[1], t.bbox[3])})
        tables = page.find_tables({"explicit_horizontal_lines": edges})
    tables = sorted(tables, key=lambda t: t.bbox[1])
    lines = _lines_outside(page, tables) if tables else []
    rows: list[Row] = []
    offset = 0  # the page's tables are numbered as one grid, top to bottom
    for table in tables:
        while lines and lines[0][0] < table.bbox[1]:
            offset += 1
            rows.append(
                Row((lines.pop(0)[1],), Source(file, page=page.page_number, cell=f"A{offset}"))
            )
        spans, height = _spans(table, offset)
        rows += to_rows(spans, _row_source(file, page.page_number))
        offset += height
    return rows


def _lines_outside(page, tables) -> list[tuple[float, str]]:
    """(top, text) of the lines of text outside the tables, page numbers left out."""
    outside = page
    for table in tables:
        outside = outside.outside_bbox(table.bbox)
    lines = []
    for line in outside.extract_text_lines():
        text = radicals_folded(line["text"]).strip()
        if text and not _PAGE_NUMBER.match(squash(text)):
            lines.append((line["top"], text))
    return lines


def _has_holes(table) -> bool:
    """Whether some place of the table's grid lies in no cell."""
    xs = [*sorted({cell[0] for cell in table.cells}), table.bbox[2]]
    tops = [*sorted({cell[1] for cell in table.cells}), table.bbox[3]]
    area = sum((x1 - x0) * (bottom - top) for x0, top, x1, bottom in table.cells)
    return area < (xs[-1] - xs[0]) * (tops[-1] - tops[0]) - 1.0


def _spans(table, offset: int) -> tuple[list[Span], int]:
    """The table's cells as spans over the grid of its cells' left and top edges."""
    texts = table.extract()
    xs = sorted({cell[0] for cell in table.cells})
    tops = sorted({cell[1] for cell in table.cells})
    spans = []
    for r, row in enumerate(table.rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            x0, _top, x1, bottom = box
            text = texts[r][c] if r < len(texts) and c < len(texts[r]) else None
            spans.append(
                Span(
                    offset + r,
                    c,
                    unwrap(radicals_folded(text or "")),
                    rows=max(1, bisect_left(tops, bottom - 0.5) - r),
                    cols=max(1, bisect_left(xs, x1 - 0.5) - bisect_left(xs, x0 - 0.5)),
                )
            )
    return spans, len(table.rows)


_CJK_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\uffef])\n|\n(?=[\u2e80-\u9fff\uf900-\uffef])")


def unwrap(text: str) -> str:
    """A cell's lines joined as one text: a line break next to a Chinese
    character (or full-width punctuation) is a wrap and goes; one between
    Latin words or figures becomes a space."""
    return _CJK_BREAK.sub("", text).replace("\n", " ")


def _row_source(file: str, page: int):
    def source(row: int, last_col: int) -> Source:
        return Source(file, page=page, cell=f"A{row + 1}:{column_letter(last_col)}{row + 1}")

    return source
