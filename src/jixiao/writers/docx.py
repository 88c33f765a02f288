"""The official form as a Word document (python-docx), drawn from the layout grid.

The tables are written as WordprocessingML straight from the grid (merged
cells as ``gridSpan`` and ``vMerge``), which is exact and fast. As in the PDF,
the indicator table is a second table whose header row repeats on every page
(Word repeats only a table's first rows). Rows grow with their text: no row
has a fixed height.
"""

from __future__ import annotations

from typing import BinaryIO
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from jixiao.writers.layout import Cell, Grid, Style, lines_needed

FONT = "宋体"
TITLE_FONT = "黑体"
PAGE_WIDTH_MM, PAGE_HEIGHT_MM, MARGIN_MM = 210, 297, 15
TWIPS_PER_MM = 1440 / 25.4
KEEP_LINES = 30  # a row of up to this many lines stays on one page; a taller one may break


def write_docx(grid: Grid, target: str | BinaryIO) -> None:
    """Save the form as .docx to a path or a binary file."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    _default_font(doc)
    _paragraph(doc, grid.title, TITLE_FONT, 16, bold=True)
    if grid.subtitle:
        _paragraph(doc, grid.subtitle, FONT, 11)
    _page_numbers(section)

    twips = _column_twips(grid.widths)
    body = doc.element.body
    last = body[-1]  # the section properties stay last
    top_rows = range(0, grid.table_row)
    if top_rows:
        last.addprevious(parse_xml(_table_xml(grid, top_rows, twips)))
    if top_rows and grid.table_row < grid.rows:
        last.addprevious(parse_xml(_SEPARATOR))
    if grid.table_row < grid.rows:
        last.addprevious(
            parse_xml(_table_xml(grid, range(grid.table_row, grid.rows), twips, header=True))
        )
    doc.save(target)


def _default_font(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(0)


def _paragraph(doc, text: str, font: str, size: float, bold: bool = False) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = 1  # centre
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, font
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _page_numbers(section) -> None:
    """ "第 N 页，共 M 页" centred in the footer, from PAGE and NUMPAGES fields."""
    footer = section.footer.paragraphs[0]
    footer.alignment = 1

    def field(code: str) -> str:
        return f'<w:fldSimple {nsdecls("w")} w:instr="{code}"><w:r><w:t>1</w:t></w:r></w:fldSimple>'

    footer.add_run("第 ")
    footer._p.append(parse_xml(field("PAGE")))
    footer.add_run(" 页，共 ")
    footer._p.append(parse_xml(field("NUMPAGES")))
    footer.add_run(" 页")


def _column_twips(widths: tuple[int, ...]) -> list[int]:
    usable = (PAGE_WIDTH_MM - 2 * MARGIN_MM) * TWIPS_PER_MM
    total = sum(widths)
    return [round(w / total * usable) for w in widths]


_SEPARATOR = (
    f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    '<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>'
)
_BORDERS = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


def _table_xml(grid: Grid, rows: range, twips: list[int], header: bool = False) -> str:
    """One table of the grid's ``rows``; with ``header`` its first row repeats on each page."""
    starts = {(c.row, c.col): c for c in grid.cells}
    covering = {}  # (row, col) → the cell spanning down into it
    for c in grid.cells:
        for r in range(c.row + 1, c.row + c.rows):
            covering[(r, c.col)] = c
    out = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>',
        f'<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr>',
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in twips) + "</w:tblGrid>",
    ]
    tall = {
        c.row
        for c in grid.cells
        if lines_needed(c.text, sum(grid.widths[c.col : c.col + c.cols])) > KEEP_LINES
    }
    for r in rows:
        keep = "" if r in tall else "<w:cantSplit/>"
        repeat = "<w:tblHeader/>" if header and r == rows.start else ""
        out.append(f"<w:tr><w:trPr>{keep}{repeat}</w:trPr>")
        col = 0
        while col < len(twips):
            cell = starts.get((r, col))
            above = covering.get((r, col))
            drawn = cell or above
            span = drawn.cols if drawn else 1
            width = sum(twips[col : col + span])
            if cell is not None:
                out.append(_cell_xml(cell, width))
            else:
                merge = "<w:vMerge/>" if above is not None else ""
                grid_span = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
                out.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid_span}{merge}</w:tcPr><w:p/></w:tc>'
                )
            col += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _cell_xml(cell: Cell, width: int) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if cell.cols > 1:
        props += f'<w:gridSpan w:val="{cell.cols}"/>'
    if cell.rows > 1:
        props += '<w:vMerge w:val="restart"/>'
    if cell.style is Style.NOTE:
        props += (
            "<w:tcBorders>"
            + "".join(f'<w:{side} w:val="nil"/>' for side in ("left", "bottom", "right"))
            + "</w:tcBorders>"
        )
    props += '<w:vAlign w:val="center"/>'
    align = "left" if cell.left else "center"
    bold = "<w:b/>" if cell.style is Style.HEADER else ""
    lines = cell.text.split("\n")
    text = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return (
        f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0"/>'
        f'<w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>{bold}</w:rPr>{text}</w:r></w:p></w:tc>'
    )
