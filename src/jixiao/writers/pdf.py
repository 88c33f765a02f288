"""The official form as PDF: the layout grid as HTML, rendered by WeasyPrint.

Fonts are the CJK fonts jixiao ships (:mod:`jixiao.writers.fonts`, subsets of
Noto Serif/Sans CJK SC), embedded as subsets, so the PDF reads the same on
every machine, with or without system fonts, and its text extracts as ordinary
characters (no CJK radical code points). A character they lack is drawn from a
system font; one no font has is refused before drawing, never an empty box.

The table is split in two at the indicator header row: that row is the second table's ``<thead>``, which
WeasyPrint repeats at the top of every page the table runs onto.
"""

from __future__ import annotations

import atexit
import threading
from html import escape
from typing import BinaryIO

from jixiao.writers.fonts import FONT_FACES, SANS_FAMILY, SERIF_FAMILY, check_drawable
from jixiao.writers.layout import Cell, Grid, Style

# The shipped fonts first; after them the system's, for a character they lack.
SERIF = f'"{SERIF_FAMILY}", "Noto Serif CJK SC", "Source Han Serif SC", "宋体", serif'
SANS = f'"{SANS_FAMILY}", "{SERIF_FAMILY}", "Noto Sans CJK SC", "Source Han Sans SC", "黑体", sans-serif'

PAGE_FOOTER = ("第 ", " 页，共 ", " 页")

CSS = (
    FONT_FACES
    + f"""
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
)


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


_per_thread = threading.local()


def _stylesheet():
    """The stylesheet and the font configuration holding the shipped fonts, made
    once per thread: loading the fonts takes a while, and a Pango font map is
    not shared between threads (the web server renders in several)."""
    made = getattr(_per_thread, "made", None)
    if made is None:
        # imported late: WeasyPrint takes a while to load
        from weasyprint import CSS as Stylesheet
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        made = _per_thread.made = (Stylesheet(string=CSS, font_config=fonts), fonts)
        atexit.register(_forget, _per_thread)
    return made


def _forget(cache: threading.local) -> None:
    """Let the font configuration go while WeasyPrint's libraries are still loaded:
    freed at interpreter exit, after them, it prints an ignored exception."""
    cache.__dict__.pop("made", None)


def warm() -> None:
    """Load WeasyPrint and the fonts now (a worker of a batch export, before its first form)."""
    import weasyprint  # noqa: F401

    _stylesheet()


def write_pdf(grid: Grid, target: str | BinaryIO) -> None:
    """Render the form to PDF at a path or into a binary file.

    Raises :class:`jixiao.writers.fonts.NoGlyphs` before drawing anything when
    the form has a character no font here can draw."""
    check_drawable(texts(grid))
    from weasyprint import HTML

    stylesheet, fonts = _stylesheet()
    HTML(string=form_html(grid)).write_pdf(target, stylesheets=[stylesheet], font_config=fonts)
