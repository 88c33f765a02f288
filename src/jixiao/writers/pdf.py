"""The official form as PDF: the layout grid as HTML, rendered by WeasyPrint.

Fonts are the CJK fonts jixiao ships (:mod:`jixiao.writers.fonts`, subsets of
Noto Serif/Sans CJK SC), embedded as subsets, so the PDF reads the same on
every machine, with or without system fonts, and its text extracts as ordinary
characters (no CJK radical code points). A character they lack is drawn from a
system font; one no font has is refused before drawing, never an empty box.

The table is split in two at the indicator header row: that row is the second table's ``<thead>``, which
WeasyPrint repeats at the top of every page the table runs onto.

Many forms at once (docs/export.md「批量」): :meth:`Fonts.for_batch` cuts the shipped
fonts to the characters of the batch once, so that each PDF's own subset is cut from
a few hundred glyphs (the batch's) rather than 10,603; :func:`write_merged` draws
forms as one PDF to print, each form numbering its own pages, the fonts embedded once
for every :data:`CHUNK` forms.
"""

from __future__ import annotations

import atexit
import io
import threading
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import BinaryIO

from jixiao.writers.fonts import SANS_BOLD as SANS_FILE
from jixiao.writers.fonts import SANS_FAMILY, SERIF_FAMILY, check_drawable, font_faces, subset
from jixiao.writers.fonts import SERIF as SERIF_FILE
from jixiao.writers.layout import Cell, Grid, Style

# The shipped fonts first; after them the system's, for a character they lack.
SERIF = f'"{SERIF_FAMILY}", "Noto Serif CJK SC", "Source Han Serif SC", "宋体", serif'
SANS = f'"{SANS_FAMILY}", "{SERIF_FAMILY}", "Noto Sans CJK SC", "Source Han Sans SC", "黑体", sans-serif'

PAGE_FOOTER = ("第 ", " 页，共 ", " 页")

PAGE_CSS = f"""
@page {{
  size: A4;
  margin: 14mm 12mm 16mm;
  @bottom-center {{
    content: "{PAGE_FOOTER[0]}" counter(page) "{PAGE_FOOTER[1]}" counter(pages) "{PAGE_FOOTER[2]}";
    font: 8.5pt {SERIF};
  }}
}}
body {{ font: 9.5pt/1.35 {SERIF}; margin: 0; }}
h1 {{ font: bold 16pt {SANS}; text-align: center; margin: 0 0 2pt; letter-spacing: 1pt; }}
p.subtitle {{ text-align: center; margin: 0 0 6pt; font-size: 10.5pt; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
table + table {{ margin-top: -0.6pt; }}
tr {{ break-inside: avoid; }}
td, th {{
  border: 0.6pt solid #000; padding: 2pt 2.5pt; text-align: center; vertical-align: middle;
  white-space: pre-line; overflow-wrap: anywhere; font-weight: normal;
}}
th {{ font-family: {SANS}; font-weight: bold; }}
td.left {{ text-align: left; }}
td.note {{ border: none; padding-top: 4pt; font-size: 8.5pt; }}
"""

CSS = font_faces() + PAGE_CSS
"""The stylesheet of a PDF drawn with the shipped fonts."""

ASCII = "".join(map(chr, range(0x20, 0x7F)))
"""Kept in a batch's fonts whatever its forms say (the page numbers' digits among them)."""


def form_html(grid: Grid) -> str:
    """The form as one HTML page."""
    total = sum(grid.widths)
    cols = "".join(f'<col style="width:{w / total * 100:.3f}%">' for w in grid.widths)
    by_row: list[list[Cell]] = [[] for _ in range(grid.rows)]
    for cell in grid.cells:
        by_row[cell.row].append(cell)
    top = "".join(_row(cells) for cells in by_row[: grid.table_row])
    head = _row(by_row[grid.table_row], "th") if grid.rows > grid.table_row else ""
    body = "".join(_row(cells) for cells in by_row[grid.table_row + 1 :])
    subtitle = f'<p class="subtitle">{escape(grid.subtitle)}</p>' if grid.subtitle else ""
    tables = f"<table><colgroup>{cols}</colgroup><tbody>{top}</tbody></table>" if top else ""
    if head:
        tables += (
            f"<table><colgroup>{cols}</colgroup><thead>{head}</thead><tbody>{body}</tbody></table>"
        )
    return (
        f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{escape(grid.title)}</title>'
        f"</head><body><h1>{escape(grid.title)}</h1>{subtitle}{tables}</body></html>"
    )


def _row(cells: list[Cell], tag: str = "td") -> str:
    return (
        "<tr>"
        + "".join(_cell(c, tag if c.style is Style.HEADER else "td") for c in cells)
        + "</tr>"
    )


def _cell(cell: Cell, tag: str) -> str:
    attrs = ""
    if cell.rows > 1:
        attrs += f' rowspan="{cell.rows}"'
    if cell.cols > 1:
        attrs += f' colspan="{cell.cols}"'
    classes = " ".join(
        name for name, on in (("left", cell.left), ("note", cell.style is Style.NOTE)) if on
    )
    if classes:
        attrs += f' class="{classes}"'
    return f"<{tag}{attrs}>{escape(cell.text)}</{tag}>"


def texts(grid: Grid) -> list[str]:
    """Every text the PDF of ``grid`` draws."""
    return [grid.title, grid.subtitle or "", *PAGE_FOOTER, *(cell.text for cell in grid.cells)]


class Fonts:
    """The two font files a PDF draws with: the shipped ones, or a batch's subsets of
    them (:meth:`for_batch`). Plain paths: a batch hands them to its worker processes."""

    def __init__(self, serif: Path = SERIF_FILE, sans_bold: Path = SANS_FILE):
        self.serif = serif
        self.sans_bold = sans_bold

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fonts) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Fonts({self.serif}, {self.sans_bold})"

    @property
    def key(self) -> tuple[str, str]:
        return str(self.serif), str(self.sans_bold)

    @property
    def shipped(self) -> bool:
        return self == Fonts()

    @classmethod
    def for_batch(cls, grids: Iterable[Grid], folder: Path) -> Fonts:
        """The shipped fonts cut to every character these forms draw (and printable
        ASCII), written into ``folder`` (which must outlive the batch): made once for a
        batch, in some 30 ms. The shipped fonts themselves where libharfbuzz-subset is
        missing. A character the shipped fonts lack is drawn from a system font as
        always; the cut fonts lack nothing the shipped ones have for these forms."""
        chars = set(ASCII)
        for grid in grids:
            for text in texts(grid):
                chars.update(text)
        serif, sans = folder / SERIF_FILE.name, folder / SANS_FILE.name
        if subset(SERIF_FILE, chars, serif) and subset(SANS_FILE, chars, sans):
            return cls(serif, sans)
        return cls()


_per_thread = threading.local()


def _stylesheet(fonts: Fonts | None = None):
    """The stylesheet and the font configuration holding ``fonts`` (the shipped ones
    by default), made once per thread: loading fonts takes a while, and a Pango font
    map is not shared between threads (the web server renders in several)."""
    fonts = fonts or Fonts()
    made = getattr(_per_thread, "made", None)
    if made is None:
        made = _per_thread.made = {}
        atexit.register(_forget, _per_thread)
    if fonts not in made:
        # imported late: WeasyPrint takes a while to load
        from weasyprint import CSS as Stylesheet
        from weasyprint.text.fonts import FontConfiguration

        if not fonts.shipped:
            # a batch's fonts replace any other batch's here (a worker draws one batch)
            for other in [f for f in made if not f.shipped]:
                del made[other]
        config = FontConfiguration()
        css = font_faces(fonts.serif, fonts.sans_bold) + PAGE_CSS
        made[fonts] = (Stylesheet(string=css, font_config=config), config)
    return made[fonts]


def _forget(cache: threading.local) -> None:
    """Let the font configurations go while WeasyPrint's libraries are still loaded:
    freed at interpreter exit, after them, they print an ignored exception."""
    cache.__dict__.pop("made", None)


def warm(fonts: Fonts | None = None) -> None:
    """Load WeasyPrint and the fonts now (a worker of a batch export, before its first form)."""
    import weasyprint  # noqa: F401

    _stylesheet(fonts)


def _document(grid: Grid, fonts: Fonts | None):
    """The form laid out by WeasyPrint (its pages), not yet written."""
    from weasyprint import HTML

    stylesheet, config = _stylesheet(fonts)
    return HTML(string=form_html(grid)).render(stylesheets=[stylesheet], font_config=config)


def write_pdf(grid: Grid, target: str | BinaryIO, fonts: Fonts | None = None) -> None:
    """Render the form to PDF at a path or into a binary file, drawn with ``fonts``
    (the shipped ones by default; a batch's subsets of them in a batch export).

    Raises :class:`jixiao.writers.fonts.NoGlyphs` before drawing anything when
    the form has a character no font here can draw."""
    check_drawable(texts(grid))
    _document(grid, fonts).write_pdf(target)


CHUNK = 10
"""Forms laid out before their pages are written as one PDF by :func:`write_merged`:
each font is embedded once a chunk, and a chunk's layout (a few MB a form) is let go
before the next."""


def write_merged(
    grids: Iterable[Grid], target: str | Path | BinaryIO, fonts: Fonts | None = None
) -> list[int]:
    """The forms as one PDF at ``target``, to print: each laid out as its own document,
    so its pages are numbered as its own file's (第 1 页，共 2 页), then the pages of
    every :data:`CHUNK` forms written as one PDF, embedding each font once, cut to
    their glyphs; the chunks joined in order. Returns each form's number of pages.

    Raises :class:`jixiao.writers.fonts.NoGlyphs` before drawing anything when a form
    has a character no font here can draw (a batch leaves such forms out first)."""
    grids = list(grids)
    for grid in grids:
        check_drawable(texts(grid))
    counts: list[int] = []
    parts: list[bytes] = []
    for start in range(0, len(grids), CHUNK):
        part, pages = _chunk(grids[start : start + CHUNK], fonts)
        parts.append(part)
        counts += pages
    join(parts, target)
    return counts


def write_chunk(grids: Sequence[Grid], fonts: Fonts | None = None) -> tuple[bytes, list[int]]:
    """A few forms as one PDF in memory, each numbering its own pages (a part of a
    merged PDF that a batch's worker draws), and each form's number of pages. Raises
    :class:`jixiao.writers.fonts.NoGlyphs` before drawing when a form has a character
    no font here can draw."""
    for grid in grids:
        check_drawable(texts(grid))
    return _chunk(grids, fonts)


def _chunk(grids: Sequence[Grid], fonts: Fonts | None) -> tuple[bytes, list[int]]:
    if not grids:
        return b"", []
    documents = [_document(grid, fonts) for grid in grids]
    pages = [page for document in documents for page in document.pages]
    buffer = io.BytesIO()
    documents[0].copy(pages).write_pdf(buffer)
    return buffer.getvalue(), [len(document.pages) for document in documents]


def join(parts: Sequence[bytes | str | Path], target: str | Path | BinaryIO) -> None:
    """PDFs (bytes or paths) joined in order into one at ``target``, by pdfium; an
    empty part is skipped. pdfium is not thread-safe: this holds the readers' lock."""
    import pypdfium2 as pdfium

    from jixiao.readers.pdfium import _LOCK

    with _LOCK:
        merged = pdfium.PdfDocument.new()
        try:
            for part in parts:
                if isinstance(part, bytes) and not part:
                    continue
                source = pdfium.PdfDocument(part if isinstance(part, bytes) else str(part))
                try:
                    merged.import_pages(source)
                finally:
                    source.close()
            merged.save(str(target) if isinstance(target, Path) else target)
        finally:
            merged.close()
