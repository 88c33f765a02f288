"""Decompression bombs: small files that inflate to hundreds of MB or hold
millions of cells are refused before they are loaded, with the part and the
limit named. Built here, small on disk, against the real caps."""

from __future__ import annotations

import io
import zipfile

import pytest

from jixiao.readers import ReadError, read_bytes
from jixiao.readers import xlsx as xlsx_reader

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _office(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for name, body in parts.items():
            z.writestr(name, body)
    return buffer.getvalue()


def _document(paragraphs: int) -> bytes:
    return (
        f"<w:document {_W}><w:body>".encode() + b"<w:p/>" * paragraphs + b"</w:body></w:document>"
    )


def _sheet(cells: int) -> bytes:
    row = b"".join(b'<c r="A1"/>' for _ in range(100))
    return (
        f"<worksheet {_S}><sheetData>".encode()
        + b"<row>"
        + row * (cells // 100)
        + b"</row></sheetData></worksheet>"
    )


def _refusal(data: bytes, name: str) -> str:
    with pytest.raises(ReadError) as caught:
        read_bytes(data, name)
    return str(caught.value)


def test_a_docx_whose_document_inflates_past_the_cap_is_refused_naming_the_part():
    data = _office({"word/document.xml": _document(5_000_000)})  # 30 MB of <w:p/>
    assert len(data) < 200 * 1024
    message = _refusal(data, "bomb.docx")
    assert message.startswith("bomb.docx: ")
    assert "word/document.xml" in message and "20 MB" in message and "压缩炸弹" in message


def test_one_oversized_part_is_refused_even_when_the_whole_is_under_the_total():
    size = xlsx_reader.MAX_PART + 1024
    assert size < xlsx_reader.MAX_UNCOMPRESSED
    data = _office({"word/document.xml": _document(size // 6)})
    message = _refusal(data, "big.docx")
    assert "word/document.xml" in message
    assert f"{xlsx_reader.MAX_PART // (1024 * 1024)} MB" in message


def test_a_sheet_of_too_many_cells_is_refused_before_the_workbook_is_loaded():
    data = _office({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": _sheet(150_000)})
    message = _refusal(data, "cells.xlsx")
    assert "xl/worksheets/sheet1.xml" in message
    assert f"{xlsx_reader.MAX_CELLS:,}" in message or str(xlsx_reader.MAX_CELLS) in message


def test_a_document_of_too_many_paragraphs_is_refused_naming_the_part():
    data = _office({"word/document.xml": _document(xlsx_reader.MAX_CELLS + 1)})
    message = _refusal(data, "many.docx")
    assert "word/document.xml" in message and str(xlsx_reader.MAX_CELLS) in message


def test_the_caps_fit_a_form_not_a_bomb():
    # A form is a few hundred cells and well under 1 MB: the caps leave room
    # for that many times over, and no more.
    assert xlsx_reader.MAX_CELLS <= 100_000
    assert xlsx_reader.MAX_UNCOMPRESSED <= 20 * 1024 * 1024
