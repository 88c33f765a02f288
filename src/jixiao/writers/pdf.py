"""The official form as PDF: the layout grid as HTML, rendered by WeasyPrint.

Fonts are Noto Serif/Sans CJK SC (Debian: fonts-noto-cjk), embedded as
subsets, so the PDF reads the same anywhere and its text extracts as ordinary
characters (no CJK radical code points). The table is split in two at the
indicator header row: that row is the second table's ``<thead>``, which
WeasyPrint repeats at the top of every page the table runs onto.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import BinaryIO

from jixiao.writers.layout import Cell, Grid, Style

SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "宋体", serif'
SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "黑体", sans-serif'

CSS = f"""
@page {{
  size: A4;
  margin: 14mm 12mm 16mm;
  @bottom-center {{ content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font: 8.5pt {SERIF}; }}
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
th {{ font-weight: bold; }}
td.left {{ text-align: left; }}
td.note {{ border: none; padding-top: 4pt; font-size: 8.5pt; }}
"""


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


@cache
def _stylesheet():
    from weasyprint import CSS as Stylesheet  # imported late: it takes a while to load

    return Stylesheet(string=CSS)


def write_pdf(grid: Grid, target: str | BinaryIO) -> None:
    """Render the form to PDF at a path or into a binary file."""
    from weasyprint import HTML

    HTML(string=form_html(grid)).write_pdf(target, stylesheets=[_stylesheet()])
