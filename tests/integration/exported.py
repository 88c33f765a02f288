"""Reading exported files back, independently of the layout code: cells are
found by their printed labels, as a person reading the form would."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from jixiao.domain.model import AmountUnit, Evaluation
from jixiao.domain.normalize import squash

from ..conftest import need_tool


def shown(value, amount: bool = False, unit: AmountUnit | None = None) -> str:
    """How a value prints: figures as stored, amounts with 2 places (and , in 元)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if amount:
            return format(value, ",.2f" if unit is AmountUnit.YUAN else ".2f")
        return format(value, "f")
    return str(value)


def form_values(ev: Evaluation) -> list[str]:
    """Every value a national-2020 form prints, as printed."""
    unit = ev.funding.unit
    values = [
        ev.project.name,
        ev.project.department,
        ev.project.unit,
        ev.goals.expected,
        ev.goals.actual,
        ev.grade,
    ]
    for line in [ev.funding.total, *ev.funding.parts().values()]:
        values += [
            shown(getattr(line, k), amount=True, unit=unit)
            for k in ("initial_budget", "annual_budget", "executed")
        ]
        values += [shown(line.execution_rate)]
    values += [
        shown(ev.funding.total.points),
        shown(ev.funding.total.score),
        shown(ev.total),
        shown(ev.total_points),
    ]
    for ind in ev.indicators:
        values += [
            ind.level1,
            ind.level2,
            ind.name,
            ind.target,
            ind.actual,
            shown(ind.points),
            shown(ind.score),
            ind.deviation,
        ]
    return [v for v in values if v]


# --- xlsx -----------------------------------------------------------------------


def merged_origin(ws: Worksheet, row: int, col: int) -> tuple[int, int]:
    """The top-left cell of the merged range holding (row, col), or the cell itself."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng.min_row, rng.min_col
    return row, col


def merged_end(ws: Worksheet, row: int, col: int) -> int:
    """The last column of the merged range holding (row, col)."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng.max_col
    return col


def find(ws: Worksheet, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"no cell reads {text!r}")


def value_at(ws: Worksheet, row: int, col: int):
    r, c = merged_origin(ws, row, col)
    return ws.cell(r, c).value


def right_of(ws: Worksheet, label: str):
    """The value in the cell after the (merged) cell reading ``label``."""
    row, col = find(ws, label)
    return value_at(ws, row, merged_end(ws, row, col) + 1)


def same(cell_value, expected) -> bool:
    """A cell holds the expected value: numbers compare as numbers, text as text."""
    if expected is None:
        return cell_value in (None, "")
    if isinstance(expected, Decimal):
        return isinstance(cell_value, (int, float)) and Decimal(str(cell_value)) == expected
    return cell_value == expected


# --- PDF --------------------------------------------------------------------------


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text in content order (cell by cell), by poppler's pdftotext."""
    pages = []
    if first:
        pages += ["-f", str(first)]
    if last:
        pages += ["-l", str(last)]
    need_tool("pdftotext", "poppler-utils")
    return subprocess.run(
        ["pdftotext", "-raw", *pages, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font of the PDF, by poppler's pdffonts."""
    need_tool("pdffonts", "poppler-utils")
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    fonts = []
    for line in lines[2:]:
        parts = line.split()
        # name type… encoding emb sub uni object ID: "emb" is the 5th field from the end
        fonts.append((parts[0], parts[-5] == "yes"))
    return fonts


def contains(text: str, value: str) -> bool:
    """Whether extracted text holds a value, ignoring where lines wrapped."""
    return squash(value) in squash(text)


def shanghai_values(ev: Evaluation) -> list[str]:
    """Every value an old Shanghai (shanghai-2019) form prints, as printed."""
    unit = AmountUnit.YUAN
    f = ev.funding
    values = [
        ev.project.name,
        ev.project.unit,
        ev.project.division,
        ev.goals.expected,
        ev.grade,
        ev.achievements,
        ev.problems_found,
        ev.improvements,
        shown(ev.total),
        shown(ev.total_points),
    ]
    values += [
        shown(v, amount=True, unit=unit)
        for v in (f.total.annual_budget, f.prior_year_budget, f.total.executed)
    ]
    values += [shown(f.total.execution_rate)]
    for ind in ev.indicators:
        values += [
            ind.level1,
            ind.name,
            ind.explanation,
            shown(ind.points),
            ind.rule,
            shown(ind.score),
            ind.deviation,
        ]
    return [v for v in values if v]


def drawn_glyphs(path: Path) -> dict[str, bool]:
    """For every character of the PDF's text, whether the font embedded for it
    draws it: the glyph its code selects exists in the embedded font program, is
    not .notdef and has an outline. Read from the PDF's fonts (ToUnicode, the
    encoding CMap and FontFile3), not from its text layer alone: a character
    without a glyph still extracts as text but prints as an empty box."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    drawn: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            program, to_cid = _embedded_program(font)
            embedded = TTFont(io.BytesIO(program))
            glyphs = embedded.getGlyphSet()
            order = embedded.getGlyphOrder()
            for code, text in _bf_pairs(font["/ToUnicode"].get_object().get_data()):
                gid = to_cid.get(code, code)
                name = order[gid] if 0 <= gid < len(order) else None
                pen = BoundsPen(glyphs)
                if name is not None:
                    glyphs[name].draw(pen)
                ok = name not in (None, ".notdef") and (pen.bounds is not None or text.isspace())
                for char in text:
                    drawn[char] = drawn.get(char, True) and ok
    return drawn


def _embedded_program(font) -> tuple[bytes, dict[int, int]]:
    """A Type0 font's embedded OpenType program, and its code → glyph map (empty:
    Identity; CIDToGIDMap is /Identity, so a CID is the glyph's index)."""
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
    assert stream is not None, f"{font['/BaseFont']} is not embedded"
    encoding = font["/Encoding"]
    to_cid: dict[int, int] = {}
    if not isinstance(encoding, str):  # an embedded CMap: <code> cid
        cmap = encoding.get_object().get_data().decode("latin-1")
        for block in re.findall(r"begincidchar(.*?)endcidchar", cmap, re.S):
            for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s+(\d+)", block):
                to_cid[int(code, 16)] = int(cid)
    return stream.get_object().get_data(), to_cid


def _bf_pairs(cmap: bytes) -> list[tuple[int, str]]:
    """(code, text) of a ToUnicode CMap's bfchar entries (WeasyPrint writes no ranges)."""
    text = cmap.decode("latin-1")
    assert "beginbfrange" not in text, "bfrange entries: extend the reader"
    pairs = []
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, utf16 in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            pairs.append((int(code, 16), bytes.fromhex(utf16).decode("utf-16-be")))
    return pairs
