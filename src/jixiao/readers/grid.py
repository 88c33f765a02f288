"""Tables of merged cells (PDF, xlsx, docx) → the rows the form recognisers read.

Every file format gives the same thing: a grid of cells, some spanning rows or
columns. It is turned into :class:`~jixiao.readers.base.Row`\\ s the way
pdfplumber extracts a table from a published PDF — the shape the text reader
was built on: a merged cell's text in its first grid cell, the grid cells it
covers empty. Then :func:`jixiao.readers.text.read_rows` recognises the forms,
so there is one recogniser per template whatever the file format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from jixiao.contract import paths
from jixiao.contract.json import evaluation_dict
from jixiao.domain.model import Evaluation, Source
from jixiao.domain.normalize import clean, fold, squash
from jixiao.readers.base import Row

MAX_CELL_CHARS = 20_000
"""A cell holding more text than this is cut: no form has such a cell, and the
recognisers would spend their time on it."""


@dataclass(frozen=True, slots=True)
class Span:
    """One cell as drawn: its text, its top-left grid position (0-based) and size."""

    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how spreadsheets and people name columns."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """(0, 0) → A1."""
    return f"{column_letter(col)}{row + 1}"


def to_rows(spans: Iterable[Span], source: Callable[[int, int], Source]) -> list[Row]:
    """The grid's rows, top to bottom, one cell per drawn cell; empty rows left out.

    A cell merged across columns is one cell of its row; a cell merged down
    from a row above is an empty cell of each row below it (a label such as
    一级指标 is printed once and filled down by the recogniser); a grid place
    no cell starts at (a border the PDF did not draw) is an empty cell too, so
    the row's cells stay under their headers.
    ``source(row, last_col)`` says where a row is (page or sheet, and its cells)."""
    texts: dict[int, dict[int, str]] = {}
    covered: dict[int, set[int]] = {}  # row → grid columns inside a wider cell
    width = 0
    for span in spans:
        texts.setdefault(span.row, {})[span.col] = span.text[:MAX_CELL_CHARS].strip()
        for r in range(span.row, span.row + span.rows):
            covered.setdefault(r, set()).update(range(span.col + 1, span.col + span.cols))
        width = max(width, span.col + span.cols)
    rows = []
    for r in sorted(texts):
        if not any(texts[r].values()):
            continue
        inside = covered.get(r, set())
        columns = [c for c in range(width) if c not in inside]
        source_of = source(r, width - 1)
        prefix = (
            source_of.cell.split("!")[0] + "!" if source_of.cell and "!" in source_of.cell else ""
        )
        rows.append(
            Row(
                tuple(texts[r].get(c, "") for c in columns),
                source_of,
                tuple(prefix + cell_name(r, c) for c in columns),
            )
        )
    return rows


def read_grid(rows: list[Row], file: str, template_id: str | None = None) -> list[Evaluation]:
    """Every form in a table file's rows, each value's source narrowed to its cell."""
    from jixiao.readers.text import read_rows  # text imports loose; grid stays below both

    return pin_cells(read_rows(rows, file, template_id), rows)


def pin_cells(forms: list[Evaluation], rows: list[Row]) -> list[Evaluation]:
    """Each value's source narrowed from its row to its cell.

    The recognisers say which row a value came from; the cell is the first in
    that row, not yet given to another value, whose text is the value as
    printed (values are noted left to right, so of two equal figures the first
    goes to the left cell). A value no single cell holds (a text over several
    cells, a label filled down) keeps its row."""
    by_source = {row.source: row for row in rows if row.refs}
    out = []
    for ev in forms:
        data = evaluation_dict(ev)
        taken: set[tuple[Source, int]] = set()
        sources = {}
        for path, source in ev.sources.items():
            row = by_source.get(source)
            value = paths.json_get(data, path)
            value = value if isinstance(value, str) else None  # figures are strings
            at = (
                _cell_holding(row, value, source, taken)
                if row is not None and value is not None
                else None
            )
            if row is None or at is None:
                sources[path] = source
            else:
                taken.add((source, at))
                sources[path] = replace(source, cell=row.refs[at])
        out.append(replace(ev, sources=sources))
    return out


_FIGURE_MARKS = str.maketrans("", "", ",，%")


def _cell_holding(row: Row, value: str, source: Source, taken: set) -> int | None:
    wanted = squash(value)
    for i, text in row.filled():
        if (source, i) in taken or not text.strip():
            continue
        if squash(clean(text) or "") == wanted or squash(text).translate(_FIGURE_MARKS) == wanted:
            return i
    return None


def radicals_folded(text: str) -> str:
    """CJK radicals and compatibility ideographs as the ordinary characters
    they stand for (⻓ → 长); other characters unchanged."""
    return "".join(fold(ch) if _odd(ch) else ch for ch in text)


def _odd(ch: str) -> bool:
    code = ord(ch)
    return 0x2E80 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF or code in _SIGNS


_SIGNS = {0x2550, 0x2267, 0x2266, 0x2A7E, 0x2A7D}
