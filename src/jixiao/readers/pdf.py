"""Read forms from PDF files: pages by pdfium, pdfplumber where that does not apply.

Each page's ruled tables become rows (:mod:`jixiao.readers.grid`): a cell's
place and its row and column spans over the grid of the table's cells, its text
with wrapped lines joined. :mod:`jixiao.readers.pdfium` reads a page's
characters and ruling lines with pdfium and finds the tables by pdfplumber's
rules, 5–10× faster than pdfplumber; pdfplumber's table finder reads the pages
that reading gives up on (no rulings that make a table, a merged region that is
not a rectangle, a rotated page, text in a font pdfium has no glyphs for) and
whole files pdfium cannot open cleanly (damaged, encrypted: pdfplumber then
refuses them with its reason). Both read a page to the same rows
(tests/integration/test_pdf_engines.py). Pages are read in order and their rows
joined, so a form runs on over page breaks and a file may hold many forms; a
一级指标 label printed once on page 1 is filled down on page 2 by the recogniser.
The text of each cell has CJK radical code points (⻓ U+2EA0 …) folded to the
characters they stand for. Each row's source is its page and cells ("第 2 页,
A3:H3").

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
from dataclasses import replace

from jixiao.domain.model import Evaluation, Source
from jixiao.domain.normalize import squash
from jixiao.readers import pdfium
from jixiao.readers.base import ReadError, Row
from jixiao.readers.grid import (
    Span,
    cell_name,
    column_letter,
    radicals_folded,
    read_grid,
    to_rows,
)

MAX_PAGES = 300
"""Pages read per PDF; a longer one is refused (split it first). A 500-page file
of forms reads in 49 s with an 872 MB peak (docs/benchmarks.md): close to the
bars of 60 s and 1 GiB on a busy machine, so the cap leaves room."""
# pdfminer logs each damaged stream it works around; the reader reports what it could not read.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^(第\d+页|-?\d+-?$|\d+/\d+$|Page\d+)")


NO_TEXT = "PDF 没有文字层"
"""How the refusal of a scanned PDF starts: ``read_path`` then reads it by OCR."""
ENGINES = ("pdfium", "pdfplumber")
ENGINE = "pdfium"
"""How pages are read: "pdfium" (pdfplumber for the pages pdfium's reading does
not apply to), or "pdfplumber" for every page — the reader before pdfium, kept
for the test that reads every fixture both ways and for the bench."""


Box = tuple[float, float, float, float]
"""x0, top, x1, bottom in points from the page's top left."""
Boxes = dict[tuple[int, str], Box]
"""Each cell's box by its page and name ((2, "C5") → box), and each line's above a table."""


def read_pdf(data: bytes, file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form in a PDF, each value's source with its box on the page."""
    boxes: Boxes = {}
    forms = read_grid(pdf_rows(data, file, boxes=boxes), file, template_id)
    return [boxed(form, boxes) for form in forms]


def pdf_rows(
    data: bytes, file: str, engine: str | None = None, boxes: Boxes | None = None
) -> list[Row]:
    """The rows of every table on every page, page after page: each page read
    with pdfium where its rulings make tables, with pdfplumber where they do not
    or where pdfium cannot open the file cleanly (``engine``: :data:`ENGINE`).
    ``boxes`` is given each cell's box on its page."""
    engine = engine or ENGINE
    boxes = {} if boxes is None else boxes
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: one of {ENGINES}")
    document = pdfium.read_document(data, MAX_PAGES) if engine == "pdfium" else None
    if document is None:  # damaged, encrypted: pdfplumber reads it or says why not
        pages = _plumber_pages(data, file, None, boxes)
    else:
        _check_pages(document.pages, file)
        others = [i for i, page in enumerate(document.read) if page is None]
        plumbed = dict(zip(others, _plumber_pages(data, file, others, boxes))) if others else {}
        if others:
            log.debug("%s: pages %s read by pdfplumber", file, [i + 1 for i in others])
        pages = [
            plumbed[i]
            if page is None
            else (
                _page_rows(
                    file,
                    i + 1,
                    _pdfium_tables(page),
                    [(top, text, box) for (top, text), box in zip(page.lines, page.line_boxes)],
                    boxes,
                ),
                page.has_text,
            )
            for i, page in enumerate(document.read)
        ]
    if not any(has_text for _, has_text in pages):
        raise ReadError(file, NO_TEXT + "（是扫描件或图片），需先做文字识别（OCR）才能读取")
    rows = [row for page_rows, _ in pages for row in page_rows]
    if not rows:
        raise ReadError(file, "PDF 中没有找到表格（自评表应是有框线的表格）")
    return rows


def _check_pages(count: int, file: str) -> None:
    if count > MAX_PAGES:
        raise ReadError(
            file, f"PDF 有 {count} 页，超过每个文件 {MAX_PAGES} 页的上限，请拆分后再导入"
        )


Tables = list[tuple[float, list[tuple[Span, Box]], int]]
"""A page's tables top to bottom: each one's top, its cells (rows from 0) with
their boxes, and its rows."""


def _page_rows(
    file: str,
    page: int,
    tables: Tables,
    lines: list[tuple[float, str, Box]],
    boxes: Boxes,
) -> list[Row]:
    """The page's tables, top to bottom, with the lines of text above and
    between them (a form's title and year); lines below the last table are
    page footers and notes, left out, and so are page numbers. ``boxes`` is
    given each cell's box and each kept line's."""
    if not tables:
        return []
    kept = []
    for top, line, box in lines:
        text = radicals_folded(line).strip()
        if text and not _PAGE_NUMBER.match(squash(text)):
            kept.append((top, text, box))
    rows: list[Row] = []
    offset = 0  # the page's tables are numbered as one grid, top to bottom
    for table_top, cells, height in tables:
        while kept and kept[0][0] < table_top:
            offset += 1
            _top, text, box = kept.pop(0)
            rows.append(Row((text,), Source(file, page=page, cell=f"A{offset}")))
            boxes[(page, f"A{offset}")] = _rounded(box)
        spans = [span for span, _ in cells]
        for span, box in cells:
            boxes[(page, cell_name(offset + span.row, span.col))] = _rounded(box)
        rows += to_rows(
            [Span(offset + s.row, s.col, s.text, s.rows, s.cols) for s in spans],
            _row_source(file, page),
        )
        offset += height
    return rows


def _pdfium_tables(page: pdfium.Page) -> Tables:
    return [
        (
            table.bbox[1],
            [
                (
                    Span(
                        cell.row,
                        cell.col,
                        unwrap(radicals_folded(cell.text)),
                        rows=cell.rows,
                        cols=cell.cols,
                    ),
                    cell.box,
                )
                for cell in table.cells
            ],
            table.height,
        )
        for table in page.tables
    ]


def _rounded(box: Box) -> Box:
    x0, top, x1, bottom = box
    return (round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1))


_RANGE = re.compile(r"^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$")


def boxed(form: Evaluation, boxes: Boxes) -> Evaluation:
    """The form with each value's source given its box on the page: its cell's,
    or for a value a row gave (a text over several cells, "A3:H3") the box about
    that row's cells."""
    if not boxes:
        return form
    sources = {}
    for path, source in form.sources.items():
        box = _box_of(source, boxes) if source.page is not None and source.cell else None
        sources[path] = replace(source, box=box) if box is not None else source
    return replace(form, sources=sources)


def _box_of(source: Source, boxes: Boxes) -> Box | None:
    assert source.page is not None and source.cell is not None
    found = boxes.get((source.page, source.cell))
    if found is not None or not (named := _RANGE.match(source.cell)) or not named.group(3):
        return found
    first, last = int(named.group(2)), int(named.group(4))
    inside = [
        box
        for (page, cell), box in boxes.items()
        if page == source.page
        and (at := _RANGE.match(cell)) is not None
        and first <= int(at.group(2)) <= last
    ]
    if not inside:
        return None
    return (
        min(b[0] for b in inside),
        min(b[1] for b in inside),
        max(b[2] for b in inside),
        max(b[3] for b in inside),
    )


# --- pdfplumber: files pdfium cannot open cleanly, pages whose rulings make no table for it ----


def _plumber_pages(
    data: bytes, file: str, indexes: list[int] | None, boxes: Boxes
) -> list[tuple[list[Row], bool]]:
    """(rows, whether it has text) of each page in ``indexes`` (None: every
    page, the page cap checked), read by pdfplumber."""
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
        try:
            pages = pdf.pages
        except Exception as error:
            raise ReadError(file, _damaged(error)) from None
        if indexes is None:
            _check_pages(len(pages), file)
        read = []
        for page in pages if indexes is None else [pages[i] for i in indexes]:
            try:
                has_text = bool(page.chars)
                tables = _plumber_tables(page)
                lines = _plumber_lines(page, tables) if tables else []
                spans = [(t.bbox[1], *_spans(t)) for t in tables]
                read.append((_page_rows(file, page.page_number, spans, lines, boxes), has_text))
            except ReadError:
                raise
            except Exception as error:
                raise ReadError(file, f"第 {page.page_number} 页{_damaged(error)}") from None
            finally:
                page.close()  # frees the page's parsed objects: long files stay small in memory
    finally:
        with suppress(Exception):  # closing walks the pages again: a damaged one raises again
            pdf.close()
    return read


def _damaged(error: Exception) -> str:
    detail = f"{type(error).__name__}: {error}".strip(": ")
    return f"PDF 文件已损坏或不完整（{detail}）".replace("\n", " ")


def _plumber_tables(page) -> list:
    """The page's tables by pdfplumber's finder, top to bottom."""
    tables = page.find_tables()
    if any(_has_holes(t) for t in tables):
        # A cell merged down over a page break has no bottom border on either
        # page, so the table finder misses it: close the tables and look again.
        edges = sorted({y for t in tables for y in (t.bbox[1], t.bbox[3])})
        tables = page.find_tables({"explicit_horizontal_lines": edges})
    return sorted(tables, key=lambda t: t.bbox[1])


def _plumber_lines(page, tables) -> list[tuple[float, str, Box]]:
    """(top, text, box) of the lines of text outside the tables."""
    outside = page
    for table in tables:
        outside = outside.outside_bbox(table.bbox)
    return [
        (line["top"], line["text"], (line["x0"], line["top"], line["x1"], line["bottom"]))
        for line in outside.extract_text_lines()
    ]


def _has_holes(table) -> bool:
    """Whether some place of the table's grid lies in no cell."""
    xs = [*sorted({cell[0] for cell in table.cells}), table.bbox[2]]
    tops = [*sorted({cell[1] for cell in table.cells}), table.bbox[3]]
    area = sum((x1 - x0) * (bottom - top) for x0, top, x1, bottom in table.cells)
    return area < (xs[-1] - xs[0]) * (tops[-1] - tops[0]) - 1.0


def _spans(table) -> tuple[list[tuple[Span, Box]], int]:
    """The table's cells as spans over the grid of its cells' left and top edges,
    each with its box."""
    texts = table.extract()
    xs = sorted({cell[0] for cell in table.cells})
    tops = sorted({cell[1] for cell in table.cells})
    spans = []
    for r, row in enumerate(table.rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            x0, top, x1, bottom = box
            text = texts[r][c] if r < len(texts) and c < len(texts[r]) else None
            span = Span(
                r,
                c,
                unwrap(radicals_folded(text or "")),
                rows=max(1, bisect_left(tops, bottom - 0.5) - r),
                cols=max(1, bisect_left(xs, x1 - 0.5) - bisect_left(xs, x0 - 0.5)),
            )
            spans.append((span, (float(x0), float(top), float(x1), float(bottom))))
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
