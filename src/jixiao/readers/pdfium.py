"""A PDF page's ruled tables read with pdfium (pypdfium2), at the PDF engine's pace.

pdfplumber's table finder parses each page with pdfminer in Python (80–160 ms a
page); pdfium gives the same page's characters and path objects in a few
milliseconds. This module does with them what the reader needs of pdfplumber,
by pdfplumber's rules (so both read a page to the same rows):

* characters: each one pdfium read from the page with its loose box (the
  font's advance, ascent and descent — pdfminer's box); the spaces and line
  breaks pdfium generates itself are skipped, a space printed in the PDF kept
  (it ends a word);
* ruling lines: every straight, axis-parallel segment of the page's path
  objects (stroked lines, the sides of rectangles, thin filled bars; inside
  Form XObjects too), snapped to a common position within 3 pt, joined where
  they meet within 3 pt, kept when at least 3 pt long — pdfplumber's defaults;
* tables: rulings that cross (within 3 pt) form a group; the group's distinct
  vertical and horizontal positions make a grid, closed at its top and bottom
  (a cell merged down over a page break has no border there); grid places joined
  where no ruling separates them are one merged cell, places reached from outside
  the frame are no cell; a group with fewer than two cells is no table;
* text: each character goes to the cell holding its centre (bisection over the
  grid's edges); a cell's characters become lines (tops within 3 pt), words
  (a gap over 3 pt or a space), lines joined by a line break and words by a
  space — pdfplumber's ``extract_text``; characters touching no table are the
  lines outside.

:func:`read_page` gives ``None`` where this reading does not apply (a rotated
page, rulings that make no table, a merged region that is not a rectangle): the
caller reads that page with pdfplumber.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

TOLERANCE = 3.0
"""pdfplumber's snap, join, intersection and text tolerances (points)."""
MIN_EDGE = 3.0
"""A ruling shorter than this after joining is no ruling (pdfplumber's edge_min_length)."""
REOPEN = 25
"""Pages read before the document is opened again: pdfium keeps each font it
parsed until the document closes, and a file of forms joined page by page
carries its own fonts on every page (500 such pages read in one go: a process
peak of 732 MB; reopened every 25: 139 MB)."""
_STRAIGHT = 0.5
"""A segment whose ends differ by less than this across its direction is axis-parallel."""
T = TypeVar("T")
log = logging.getLogger(__name__)
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


@dataclass(slots=True)
class Char:
    """One printed character and its box, in points from the page's top left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Cell:
    """A drawn cell: its place and size in its table's grid (rows and columns
    counted where some cell starts, as pdfplumber does) and its text."""

    row: int
    col: int
    rows: int
    cols: int
    chars: list[Char] = field(default_factory=list)
    """The characters placed in the cell, until its text is made."""
    text: str = ""
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """Its rulings' box: x0, top, x1, bottom in points from the page's top left."""


@dataclass(slots=True)
class Table:
    """A ruled table: its box, its cells top to bottom and left to right, and
    the grid that says which cell holds a point."""

    bbox: tuple[float, float, float, float]
    cells: list[Cell]
    height: int
    """Rows of the grid (where some cell starts)."""
    xs: list[float]
    ys: list[float]
    owner: list[list[int]]
    """owner[i][j]: the index in ``cells`` of the cell covering grid place
    (ys[i]..ys[i+1], xs[j]..xs[j+1]); -1 outside the table."""

    def cell_at(self, x: float, y: float) -> Cell | None:
        j = bisect_right(self.xs, x) - 1
        i = bisect_right(self.ys, y) - 1
        if 0 <= j < len(self.xs) - 1 and 0 <= i < len(self.ys) - 1:
            at = self.owner[i][j]
            return self.cells[at] if at >= 0 else None
        return None


@dataclass(slots=True)
class Page:
    """What one page holds: its tables top to bottom and the lines of text
    outside them, each as (top, text), with each line's box in ``line_boxes``."""

    tables: list[Table]
    lines: list[tuple[float, str]]
    has_text: bool
    line_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """A PDF as pdfium read it: its page count and each page read (None: a page
    for pdfplumber); no page is read when there are more than the cap."""

    pages: int
    read: list[Page | None]


_LOCK = threading.Lock()
"""pdfium is not thread-safe: one document at a time in a process (the web app
reads uploads in threads; a batch reads in processes, one lock each)."""


def read_document(data: bytes, max_pages: int) -> Document | None:
    """Every page of the PDF; None where pdfium cannot open it or had to
    rebuild its cross-reference table (a damaged or cut file, an encrypted
    one): pdfplumber's path then reads it or refuses it with its reason."""
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except Exception:  # a password, a damaged file: pdfplumber's path says which
            return None
        try:
            if not pdfium_c.FPDF_DocumentHasValidCrossReferenceTable(document):
                return None
            count = len(document)
            if count > max_pages:
                return Document(count, [])
            read = []
            for index in range(count):
                if index and index % REOPEN == 0:
                    # pdfium keeps every font it parsed until the document closes
                    document.close()
                    document = pdfium.PdfDocument(data)
                read.append(_read_or_none(document, index))
            return Document(count, read)
        finally:
            document.close()


def _read_or_none(document: pdfium.PdfDocument, index: int) -> Page | None:
    try:
        return read_page(document, index)
    except Exception as error:  # pdfplumber reads the page, or says what is wrong with it
        log.info("page %d: pdfium could not read it (%s): pdfplumber reads it", index + 1, error)
        return None


def read_page(document: pdfium.PdfDocument, index: int) -> Page | None:
    """The page's tables and the lines of text outside them; None where the
    page is to be read by pdfplumber (see the module's notes)."""
    page = document[index]
    try:
        if page.get_rotation():
            return None
        height = page.get_height()
        horizontal, vertical, blank = _rulings(page, height)
        if blank:
            # A text object in a font the PDF does not carry, with no extent:
            # pdfium found no glyph for it (no such font on this machine) and its
            # text page leaves a one-character object out, where pdfminer reads
            # the codes whatever the glyphs.
            return None
        chars = _chars(page, height)
        if not chars:
            return Page([], [], False)  # nothing printed: no rows whatever the rulings
        if not horizontal and not vertical:
            return Page([], [], True)  # no path at all: pdfplumber finds no table either
        tables = _tables(horizontal, vertical)
        if not tables:
            return None
        outside = _place(chars, tables)
        for table in tables:
            for cell in table.cells:
                cell.text = text_of(cell.chars)
                cell.chars = []  # a long file's pages are kept until the last is read
        lines = _lines(outside)
        return Page(tables, [(top, text) for top, text, _ in lines], True, [b for *_, b in lines])
    finally:
        page.close()


# --- characters --------------------------------------------------------------------------------


def _chars(page: pdfium.PdfPage, height: float) -> list[Char]:
    textpage = pdfium_c.FPDFText_LoadPage(page)
    if not textpage:
        raise pdfium.PdfiumError("pdfium could not load the page's text")
    try:
        count = pdfium_c.FPDFText_CountChars(textpage)
        if count <= 0:
            return []
        buffer = ctypes.create_string_buffer((count + 1) * 2)
        written = pdfium_c.FPDFText_GetText(
            textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
        )
        text = buffer.raw[: max(0, written - 1) * 2].decode("utf-16-le", "replace")
        if len(text) != count:  # a character beyond the BMP takes two UTF-16 units
            text = "".join(
                chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count)
            )
        box = pdfium_c.FS_RECTF()
        x = ctypes.c_double()
        y = ctypes.c_double()
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        origin = pdfium_c.FPDFText_GetCharOrigin
        size = pdfium_c.FPDFText_GetFontSize
        generated = pdfium_c.FPDFText_IsGenerated
        chars = []
        for i, ch in enumerate(text):
            if ch.isspace():
                if generated(textpage, i):
                    continue
                ch = " "
            elif ch == "\ufffe" or ch == "\x02":
                ch = "-"  # a hyphen ending a line: U+0002 in pdfium's text page, U+FFFE in its text
            elif ch == "\x00":
                continue
            if not loose_box(textpage, i, box) or not origin(textpage, i, x, y):
                continue
            # Across: the advance (the loose box's sides). Up: the em box on the
            # baseline, as pdfminer places a glyph of a font without descent;
            # pdfium's loose box takes some fonts' glyph boxes, whose tops differ.
            baseline = height - y.value
            chars.append(Char(ch, box.left, baseline - size(textpage, i), box.right, baseline))
        return chars
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)


def _lines_of(chars: list[Char]) -> list[list[list[Char]]]:
    """Lines of words, as pdfplumber's ``extract_text`` makes them: characters
    clustered by top (within 3 pt, chained), each line left to right, a word
    ending at a space, a step back or a gap over 3 pt; then the words clustered
    by top again."""
    words: list[list[Char]] = []
    for line in _clusters(chars, lambda ch: ch.top):
        line.sort(key=lambda ch: ch.x0)
        word: list[Char] = []
        for ch in line:
            if ch.text == " ":
                if word:
                    words.append(word)
                word = []
                continue
            if word:
                last = word[-1]
                if (
                    ch.x0 < last.x0
                    or ch.x0 > last.x1 + TOLERANCE
                    or abs(ch.top - last.top) > TOLERANCE
                ):
                    words.append(word)
                    word = []
            word.append(ch)
        if word:
            words.append(word)
    return _clusters(words, lambda w: min(ch.top for ch in w))


def _word_text(word: list[Char]) -> str:
    return "".join(_LIGATURES.get(ch.text, ch.text) for ch in word)


def text_of(chars: list[Char]) -> str:
    """A cell's text: its lines joined by line breaks, words by a space."""
    return "\n".join(" ".join(_word_text(w) for w in line) for line in _lines_of(chars))


def _lines(
    chars: list[Char],
) -> list[tuple[float, str, tuple[float, float, float, float]]]:
    """(top, text, box) of each line of ``chars``, top to bottom."""
    out = []
    for line in _lines_of(chars):
        text = " ".join(_word_text(w) for w in line).strip(" ")
        if text.strip():
            placed = [ch for w in line for ch in w]
            top = min(ch.top for ch in placed)
            box = (
                min(ch.x0 for ch in placed),
                top,
                max(ch.x1 for ch in placed),
                max(ch.bottom for ch in placed),
            )
            out.append((top, text, box))
    return out


def _clusters(items: list[T], key: Callable[[T], float]) -> list[list[T]]:
    """pdfplumber's ``cluster_objects``: the distinct keys sorted and cut where
    one is more than 3 pt past the last; items grouped by their cluster, in
    their own order within it."""
    if not items:
        return []
    keys = sorted({key(item) for item in items})
    index = {}
    n = 0
    last = keys[0]
    for k in keys:
        if k > last + TOLERANCE:
            n += 1
        index[k] = n
        last = k
    groups: list[list[T]] = [[] for _ in range(n + 1)]
    for item in items:
        groups[index[key(item)]].append(item)
    return [g for g in groups if g]


def _place(chars: list[Char], tables: list[Table]) -> list[Char]:
    """Each character into the cell holding its centre; those touching no
    table's box are returned (the lines outside the tables)."""
    outside = []
    for ch in chars:
        x = (ch.x0 + ch.x1) / 2
        y = (ch.top + ch.bottom) / 2
        touches = False
        for table in tables:
            cell = table.cell_at(x, y)
            if cell is not None:
                cell.chars.append(ch)
            x0, top, x1, bottom = table.bbox
            if not touches:
                width = min(ch.x1, x1) - max(ch.x0, x0)
                tall = min(ch.bottom, bottom) - max(ch.top, top)
                touches = width >= 0 and tall >= 0 and width + tall > 0
        if not touches:
            outside.append(ch)
    return outside


# --- ruling lines ------------------------------------------------------------------------------

# A ruling: (position across, start, end along) — y, x0, x1 for a horizontal one.
Ruling = tuple[float, float, float]


def _rulings(page: pdfium.PdfPage, height: float) -> tuple[list[Ruling], list[Ruling], bool]:
    """The page's horizontal and vertical rulings, snapped and joined, and
    whether some text object on it, in a font not embedded, has no extent."""
    horizontal: list[Ruling] = []
    vertical: list[Ruling] = []
    blank: list[int] = []
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    _walk(page, None, identity, height, (horizontal, vertical, blank), 0)
    return _snap_join(horizontal), _snap_join(vertical), bool(blank)


def _walk(page, form, outer, height, found, depth) -> None:
    """The path objects of the page (or of a Form XObject in it), their segments
    taken to page space by each object's matrix and the forms' around it; the
    text objects without extent in a font not embedded noted in ``found[2]``."""
    horizontal, vertical, blank = found
    if form is None:
        count = pdfium_c.FPDFPage_CountObjects(page)
        get = pdfium_c.FPDFPage_GetObject
        parent = page
    else:
        count = pdfium_c.FPDFFormObj_CountObjects(form)
        get = pdfium_c.FPDFFormObj_GetObject
        parent = form
    matrix = pdfium_c.FS_MATRIX()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for i in range(count):
        obj = get(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            if (
                pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
                and right.value - left.value < 0.01
                and top.value - bottom.value < 0.01
                and not pdfium_c.FPDFFont_GetIsEmbedded(pdfium_c.FPDFTextObj_GetFont(obj))
            ):
                blank.append(i)  # (a lone space in an embedded font has no extent either)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
                continue
            m = _times((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            _path_rulings(obj, m, height, horizontal, vertical)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
            if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
                continue
            m = _times((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            _walk(page, obj, m, height, found, depth + 1)


def _times(inner, outer):
    """The matrix applying ``inner`` then ``outer`` (PDF's a b c d e f)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _path_rulings(obj, m, height, horizontal, vertical) -> None:
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) and not fill.value and not stroke.value:
        return  # neither filled nor stroked: nothing is drawn
    a, b, c, d, e, f = m
    x = ctypes.c_float()
    y = ctypes.c_float()
    start = last = None
    for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, k)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        px, py = x.value, y.value
        point = (a * px + c * py + e, height - (b * px + d * py + f))
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and last is not None:
            _segment(last, point, horizontal, vertical)
        last = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            _segment(point, start, horizontal, vertical)
            last = start


def _segment(p, q, horizontal, vertical) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) < _STRAIGHT and abs(x1 - x0) >= 1:
        horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x1 - x0) < _STRAIGHT and abs(y1 - y0) >= 1:
        vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _snap_join(rulings: list[Ruling]) -> list[Ruling]:
    """pdfplumber's snap (positions within 3 pt, chained, moved to their mean)
    and join (rulings on one position that meet within 3 pt become one), then
    the short ones left out."""
    out: list[Ruling] = []
    for group in _clusters(rulings, lambda r: r[0]):
        at = sum(r[0] for r in group) / len(group)
        group.sort(key=lambda r: r[1])
        start, end = group[0][1], group[0][2]
        for _, s, e in group[1:]:
            if s <= end + TOLERANCE:
                end = max(end, e)
            else:
                if end - start >= MIN_EDGE:
                    out.append((at, start, end))
                start, end = s, e
        if end - start >= MIN_EDGE:
            out.append((at, start, end))
    return out


# --- tables ------------------------------------------------------------------------------------


def _tables(horizontal: list[Ruling], vertical: list[Ruling]) -> list[Table] | None:
    """The tables the rulings draw, top to bottom; None where a merged region
    is not a rectangle (pdfplumber reads such a page)."""
    n = len(horizontal)
    parent = list(range(n + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    t = TOLERANCE
    for hi, (y, x0, x1) in enumerate(horizontal):
        for vi, (x, top, bottom) in enumerate(vertical):
            if top - t <= y <= bottom + t and x0 - t <= x <= x1 + t:
                a, b = find(hi), find(n + vi)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[Ruling], list[Ruling]]] = {}
    for hi, ruling in enumerate(horizontal):
        groups.setdefault(find(hi), ([], []))[0].append(ruling)
    for vi, ruling in enumerate(vertical):
        groups.setdefault(find(n + vi), ([], []))[1].append(ruling)
    tables = []
    for hs, vs in groups.values():
        if len(hs) < 2 or len(vs) < 2:
            continue
        table = _grid(hs, vs)
        if table is None:
            return None
        if len(table.cells) > 1:
            tables.append(table)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables


def _covers(rulings: list[Ruling], start: float, end: float) -> bool:
    t = TOLERANCE
    return any(s - t <= start and end <= e + t for _, s, e in rulings)


def _grid(hs: list[Ruling], vs: list[Ruling]) -> Table | None:
    xs = sorted({x for x, _, _ in vs})
    ys = sorted({y for y, _, _ in hs})
    at_x: dict[float, list[Ruling]] = {}
    for v in vs:
        at_x.setdefault(v[0], []).append(v)
    at_y: dict[float, list[Ruling]] = {}
    for h in hs:
        at_y.setdefault(h[0], []).append(h)
    rows, cols = len(ys) - 1, len(xs) - 1
    # wall_v[i][j]: a ruling at xs[j] along row i; wall_h[i][j]: at ys[i] along column j.
    wall_v = [
        [_covers(at_x[xs[j]], ys[i], ys[i + 1]) for j in range(cols + 1)] for i in range(rows)
    ]
    wall_h = [
        [i in (0, rows) or _covers(at_y[ys[i]], xs[j], xs[j + 1]) for j in range(cols)]
        for i in range(rows + 1)
    ]
    # The places reached from outside the frame (its left or right side open) are no cell.
    outside = [[False] * cols for _ in range(rows)]
    queue: deque[tuple[int, int]] = deque()
    for i in range(rows):
        for j, open_ in ((0, not wall_v[i][0]), (cols - 1, not wall_v[i][cols])):
            if open_ and not outside[i][j]:
                outside[i][j] = True
                queue.append((i, j))
    owner = [[-1] * cols for _ in range(rows)]
    _flood(queue, outside, wall_v, wall_h, rows, cols)
    boxes: list[tuple[int, int, int, int]] = []
    for i in range(rows):
        for j in range(cols):
            if outside[i][j] or owner[i][j] >= 0:
                continue
            region = [[False] * cols for _ in range(rows)]
            region[i][j] = True
            found = _flood(deque([(i, j)]), region, wall_v, wall_h, rows, cols)
            r0 = min(p[0] for p in found)
            r1 = max(p[0] for p in found)
            c0 = min(p[1] for p in found)
            c1 = max(p[1] for p in found)
            if len(found) != (r1 - r0 + 1) * (c1 - c0 + 1):
                return None  # not a rectangle
            for r, c in found:
                owner[r][c] = len(boxes)
            boxes.append((r0, c0, r1, c1))
    if not boxes:
        return Table((0, 0, 0, 0), [], 0, xs, ys, owner)
    # Rows and columns counted where some cell starts (pdfplumber's table.rows).
    starts_r = sorted({b[0] for b in boxes})
    starts_c = sorted({b[1] for b in boxes})
    cells = []
    for r0, c0, r1, c1 in boxes:
        row = bisect_right(starts_r, r0) - 1
        col = bisect_right(starts_c, c0) - 1
        cells.append(
            Cell(
                row,
                col,
                rows=bisect_right(starts_r, r1) - row,
                cols=bisect_right(starts_c, c1) - col,
                box=(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]),
            )
        )
    bbox = (
        xs[min(b[1] for b in boxes)],
        ys[min(b[0] for b in boxes)],
        xs[max(b[3] for b in boxes) + 1],
        ys[max(b[2] for b in boxes) + 1],
    )
    return Table(bbox, cells, len(starts_r), xs, ys, owner)


def _flood(queue, seen, wall_v, wall_h, rows, cols) -> list[tuple[int, int]]:
    """The grid places reached from ``queue`` through missing walls (marked in ``seen``)."""
    found = list(queue)
    while queue:
        i, j = queue.popleft()
        for ni, nj, walled in (
            (i, j - 1, j == 0 or wall_v[i][j]),
            (i, j + 1, j == cols - 1 or wall_v[i][j + 1]),
            (i - 1, j, i == 0 or wall_h[i][j]),
            (i + 1, j, i == rows - 1 or wall_h[i + 1][j]),
        ):
            if not walled and not seen[ni][nj]:
                seen[ni][nj] = True
                queue.append((ni, nj))
                found.append((ni, nj))
    return found
