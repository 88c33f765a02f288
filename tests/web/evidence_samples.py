"""Real evidence files made in the test (pypdf, Pillow, openpyxl, python-docx), and the
hostile ones an attack test brought: an HTML page with %PDF- in a comment, a PDF with
JavaScript, a zip bomb named .xlsx, a .docx holding an .exe, and more."""

from __future__ import annotations

import io
import zipfile


def pdf_bytes(*, marker: str = "", pages: int = 1) -> bytes:
    """A real PDF of blank pages; ``marker`` is put, uncompressed, in its metadata."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if marker:
        writer.add_metadata({"/Title": marker})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with(action: str) -> bytes:
    """A real one-page PDF with an /OpenAction of JavaScript or a launch of a program."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if action == "javascript":
        launch = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('x');"),
            }
        )
    else:
        launch = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("cmd.exe"),
            }
        )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(kind: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format=kind)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "巡查记录"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("巡查记录")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_part(office: bytes, name: str, content: bytes) -> bytes:
    """An Office file with one more part (a macro project, an executable)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(office)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A zip named .xlsx whose one part inflates to 1 GB (about 1 MB compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(1024):
                part.write(block)
    return buffer.getvalue()


HTML_AS_PDF = b"<!-- %PDF-1.7 --><html><body><script>alert(1)</script></body></html>"


def pdf_of_size(size: int) -> bytes:
    """A real one-page PDF of exactly ``size`` bytes (its title padded)."""
    pad = max(1, size - len(pdf_bytes(marker="x")))
    for n in range(max(1, pad - 20), pad + 20):
        if len(content := pdf_bytes(marker="x" * n)) == size:
            return content
    raise AssertionError(f"no PDF of {size} bytes")


PDF = pdf_bytes()
"""A real one-page PDF, for the tests that need any evidence file."""
