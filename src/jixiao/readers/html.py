"""Web pages saved from a browser (.html): their tables → rows of cells.

Real forms are published as web pages. A page's ``<table>`` cells, with their
``rowspan`` and ``colspan``, are placed on a grid the way a browser lays them
out, then turned into rows as every table file is (:func:`jixiao.readers.grid.
to_rows`). Text outside the tables (the title, 「(2023年度)」) comes as rows of one
cell, in page order, so the recognisers see the page as a person reads it.
Scripts, styles and comments are not text. Nothing on the page is fetched.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from jixiao.domain.model import Evaluation, Source
from jixiao.readers.base import ReadError, Row
from jixiao.readers.grid import Span, to_rows

MAX_SPAN = 200
"""A rowspan or colspan above this is cut to it: no form spans more."""
MAX_CELLS = 200_000
"""Cells read from one page: a form has a few hundred."""

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta)\b", re.I | re.S
)
_SKIP = {"script", "style", "noscript", "template", "head"}
_BREAKS = {"br", "p", "div", "li", "tr"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def looks_like_html(data: bytes) -> bool:
    """Whether a file's first bytes open a web page (after a BOM or comments)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head)) or b"<table" in head.lower()


class _Page(HTMLParser):
    """Collects, in page order, text blocks outside tables and tables' cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[int, str] | _Table] = []  # (line, text) outside tables, or a table
        self.tables: list[_Table] = []  # open tables, innermost last
        self.skip = 0
        self.text: list[str] = []
        self.text_line = 1
        self.cells = 0

    # tags -------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "table":
            # every table its own grid, a table inside a cell too (pages lay out
            # their content in tables: the form is the table inside)
            if not self.tables:
                self._flush_text()
            table = _Table()
            self.blocks.append(table)
            self.tables.append(table)
            return
        if not self.tables:
            if tag in _BREAKS:
                self._flush_text()
            return
        table = self.tables[-1]
        if tag == "tr":
            table.start_row(self.getpos()[0])
        elif tag in ("td", "th"):
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise ReadError("", f"网页的表格超过 {MAX_CELLS} 格，不像自评表，未读取")
            values = dict(attrs)
            table.start_cell(_span(values.get("rowspan")), _span(values.get("colspan")))
        elif tag in _BREAKS:
            self._cell_text("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            if self.tables:
                self._cell_text("\n")
            else:
                self._flush_text()
        else:
            self.handle_starttag(tag, attrs)
            if tag not in ("td", "th", "tr", "table"):
                self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table" and self.tables:
            self.tables.pop().end_cell()
        elif self.tables and tag in ("td", "th"):
            self.tables[-1].end_cell()
        elif not self.tables and tag in _BREAKS:
            self._flush_text()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.tables:
            self._cell_text(data)
        else:
            if not self.text:
                self.text_line = self.getpos()[0]
            self.text.append(data)

    # text ---------------------------------------------------------------------------

    def _cell_text(self, data: str) -> None:
        table = self.tables[-1]
        if table.cell is not None:
            table.cell.append(data)

    def _flush_text(self) -> None:
        text = _clean("".join(self.text))
        if text:
            for n, line in enumerate(text.split("\n")):
                self.blocks.append((self.text_line + n, line))
        self.text = []

    def close(self) -> None:
        super().close()
        self._flush_text()


class _Table:
    """One table laid out on a grid: each cell at the first place no span above covers."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.lines: list[int] = []  # the page line of each grid row
        self.taken: set[tuple[int, int]] = set()
        self.row = -1
        self.col = 0
        self.cell: list[str] | None = None
        self.size = (1, 1)

    def start_row(self, line: int) -> None:
        self.end_cell()
        self.row += 1
        self.col = 0
        self.lines.append(line)

    def start_cell(self, rows: int, cols: int) -> None:
        self.end_cell()
        if self.row < 0:  # a cell before any <tr>
            self.start_row(self.lines[-1] if self.lines else 1)
        self.cell = []
        self.size = (rows, cols)

    def end_cell(self) -> None:
        if self.cell is None:
            return
        while (self.row, self.col) in self.taken:
            self.col += 1
        rows, cols = self.size
        self.spans.append(Span(self.row, self.col, _clean("".join(self.cell)), rows, cols))
        for r in range(self.row, self.row + rows):
            for c in range(self.col, self.col + cols):
                self.taken.add((r, c))
        self.col += cols
        self.cell = None


def _span(value: str | None) -> int:
    try:
        return max(1, min(MAX_SPAN, int((value or "1").strip())))
    except ValueError:
        return 1


def _clean(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_rows(text: str, file: str) -> list[Row]:
    """The page's rows: text outside tables a row a line, each table's rows."""
    page = _Page()
    try:
        page.feed(text)
        page.close()
    except ReadError as error:
        raise ReadError(file, error.reason) from None
    rows: list[Row] = []
    for block in page.blocks:
        if not isinstance(block, _Table):
            line, value = block
            rows.append(Row((value,), Source(file, line=line)))
            continue
        table = block
        table.end_cell()
        lines = table.lines or [1]

        def source(row: int, last_col: int, lines: list[int] = lines) -> Source:
            return Source(file, line=lines[min(row, len(lines) - 1)])

        rows.extend(to_rows(table.spans, source))
    return rows


def read_html(text: str, file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form on a saved web page."""
    from jixiao.readers.text import read_rows  # text imports the readers below it

    rows = html_rows(text, file)
    if not any(len(row.filled()) > 1 for row in rows):
        raise ReadError(
            file, "网页里没有表格：自评表应是网页上的表格（文字报告请导入其所附的自评表）"
        )
    return read_rows(rows, file, template_id)
