"""Readers: files people already have → :class:`jixiao.domain.model.Evaluation`.

``read_path`` picks the reader by the file's content (its first bytes: ``%PDF``,
a zip holding ``xl/`` or ``word/``, an OLE file holding a ``Workbook``), not by
its name: a PDF named .xlsx is read as the PDF it is, a WPS ``.et`` saved as
xlsx as the workbook it is. A name that promises PDF, xlsx, xls or docx with
other content is refused with a reason, and so are the files that are not
forms but can be named (an OFD, a presentation, an old .doc, a WPS file in its
own format, an encrypted Office file). A scan — a JPEG, PNG or TIFF image, or a
PDF without a text layer — is read by OCR (:mod:`jixiao.readers.scan`, the
``ocr`` extra). A file of the JSON contract (.json, or
text that is JSON) is read back as it was written. Anything it cannot read
raises :class:`ReadError`, naming the file and the reason.

:data:`FORMATS` is the one list of what can be read (suffixes and what each
is): the CLI's help and the web's upload use it. ``read_file`` also says which
sheets of a workbook were skipped as not forms (:class:`Reading`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jixiao.domain.model import Evaluation
from jixiao.readers.base import ReadError
from jixiao.readers.workbook import Reading, Skipped

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "Format",
    "ReadError",
    "Reading",
    "Skipped",
    "decode",
    "formats_text",
    "read_bytes",
    "read_content",
    "read_file",
    "read_path",
    "sniff",
]


@dataclass(frozen=True, slots=True)
class Format:
    """A kind of file the readers read: what it is (Chinese) and its suffixes."""

    what: str
    suffixes: tuple[str, ...]


FORMATS = (
    Format("PDF", (".pdf",)),
    Format("扫描件、照片（文字识别）", (".jpg", ".jpeg", ".png", ".tif", ".tiff")),
    Format("Excel 工作簿", (".xlsx", ".xlsm", ".xls")),
    Format("Word 文档", (".docx",)),
    Format("WPS 表格、文字（存为 Excel、Word 格式的）", (".et", ".wps")),
    Format("网页", (".html", ".htm", ".xhtml", ".mhtml")),
    Format("文本、markdown", (".txt", ".text", ".tsv", ".md", ".markdown")),
    Format("jixiao 的 JSON", (".json",)),
)
"""Every kind of file the readers read, by suffix (a file without a suffix is
read as text too). The content decides how a file is read; the suffix only
words the refusals, and is what an upload form can check before reading."""
SUFFIXES = tuple(suffix for kind in FORMATS for suffix in kind.suffixes)


def formats_text() -> str:
    """The readable kinds in one line: "PDF（.pdf）、Excel 工作簿（.xlsx .xlsm .xls）、…"."""
    return "、".join(f"{kind.what}（{' '.join(kind.suffixes)}）" for kind in FORMATS)


TEXT_SUFFIXES = {".txt", ".md", ".tsv", ".text", ".markdown", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".mhtml"}
OFFICE_SUFFIXES = {
    ".pdf": "PDF",
    ".xlsx": "Excel",
    ".xlsm": "Excel",
    ".xls": "Excel 97-2003",
    ".docx": "Word",
}
SHEET_SUFFIXES = {".xls", ".et"}
"""Names that web systems often give to an HTML table or tab-separated text
("导出 Excel"): read as the page or the text they are."""
MAX_FILE_BYTES = 200 * 1024 * 1024
"""Bytes read per file: a form is a few hundred KB, a long PDF a few MB."""
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TIFF = (b"II*\x00", b"MM\x00*")


def decode(data: bytes, file: str) -> str:
    """Text in UTF-8 (with or without BOM) or GB18030, the encodings forms come in."""
    if b"\x00" in data[:4096]:
        raise ReadError(file, "不是文本文件（含二进制内容）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(file, "无法识别文本编码（既非 UTF-8 也非 GB18030）")


def read_path(path: str | Path, template_id: str | None = None) -> list[Evaluation]:
    """Every form in one file."""
    return read_file(path, template_id).forms


def read_file(path: str | Path, template_id: str | None = None) -> Reading:
    """Every form in one file, and the sheets of a workbook skipped as not forms."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise ReadError(name, "是文件夹，不是文件")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ReadError(
                name, f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，不像自评表，未读取"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError(name, "文件不存在") from None
    except OSError as error:
        raise ReadError(name, f"无法打开：{error.strerror or error}") from None
    if not data.strip():
        raise ReadError(name, "空文件")
    return read_content(data, name, path.suffix.lower(), template_id)


def read_bytes(
    data: bytes, name: str, suffix: str = "", template_id: str | None = None
) -> list[Evaluation]:
    """Every form in a file's content; ``suffix`` (".pdf") only words the errors."""
    return read_content(data, name, suffix, template_id).forms


def read_content(
    data: bytes, name: str, suffix: str = "", template_id: str | None = None
) -> Reading:
    """Every form in a file's content, and the sheets skipped (workbooks)."""
    kind = sniff(data)
    if kind == "xlsx":
        from jixiao.readers.xlsx import read_xlsx_sheets

        return read_xlsx_sheets(data, name, template_id)
    if kind == "ole":
        from jixiao.readers.xls import read_ole

        return read_ole(data, name, suffix, template_id)
    return Reading(_read_forms(data, kind, name, suffix, template_id))


def _read_forms(
    data: bytes, kind: str | None, name: str, suffix: str, template_id: str | None
) -> list[Evaluation]:
    if kind == "pdf":
        from jixiao.readers.pdf import NO_TEXT, read_pdf

        try:
            return read_pdf(data, name, template_id)
        except ReadError as error:
            if not error.reason.startswith(NO_TEXT):
                raise
        from jixiao.readers.scan import read_scan  # a scan saved as PDF: OCR

        return read_scan(data, name, template_id)
    if kind == "image":
        from jixiao.readers.scan import read_scan

        return read_scan(data, name, template_id)
    if kind == "docx":
        from jixiao.readers.docx import read_docx

        return read_docx(data, name, template_id)
    if kind == "ofd":
        raise ReadError(name, "OFD 版式文件：jixiao 不读 OFD，请在 OFD 阅读器中另存为 PDF 后导入")
    if kind == "pptx":
        raise ReadError(
            name, "演示文稿（PowerPoint/WPS 演示）：不是自评表，请导入自评表的 xlsx、docx 或 PDF"
        )
    if kind == "zip":
        raise ReadError(
            name, "是 zip 压缩包，但不是 Excel（.xlsx）或 Word（.docx）文件；请解压后导入"
        )
    if suffix in SHEET_SUFFIXES and _looks_like_html(data):
        from jixiao.readers.html import read_html

        return read_html(decode(data, name), name, template_id)
    if suffix in SHEET_SUFFIXES and b"\t" in data[:4096] and b"\x00" not in data[:4096]:
        from jixiao.readers.text import read_text  # here: the CLI's help imports this package

        return read_text(decode(data, name), name, template_id)
    from jixiao.readers.xls import WPS_KINDS

    if suffix in WPS_KINDS:
        raise ReadError(
            name,
            f"{WPS_KINDS[suffix]}，但内容不是 WPS 或 Office 能识别的格式（文件损坏或扩展名有误）："
            "请在 WPS 中另存为 .xlsx、.docx 或 PDF 后导入",
        )
    if suffix in OFFICE_SUFFIXES:
        raise ReadError(
            name,
            f"扩展名为 {suffix}，但内容不是 {OFFICE_SUFFIXES[suffix]} 文件（文件损坏或扩展名有误）",
        )
    # imported here: the contract's reader imports jixiao.readers.base, so this
    # package cannot import it while it is being imported itself
    from jixiao.readers.contract import looks_like_json, read_json

    if suffix == ".json":
        return read_json(decode(data, name), name)
    if suffix in HTML_SUFFIXES or (suffix in TEXT_SUFFIXES and _looks_like_html(data)):
        from jixiao.readers.html import read_html

        return read_html(decode(data, name), name, template_id)
    if suffix not in TEXT_SUFFIXES:
        raise ReadError(
            name,
            f"暂不支持 {suffix} 文件（目前可读：{formats_text()}）",
        )
    text = decode(data, name)
    if looks_like_json(text):  # the contract saved as .txt or without a name
        return read_json(text, name)
    from jixiao.readers.text import read_text

    return read_text(text, name, template_id)


def _looks_like_html(data: bytes) -> bool:
    from jixiao.readers.html import looks_like_html

    return looks_like_html(data)


def sniff(data: bytes) -> str | None:
    """What a file holds, by its first bytes: "pdf", "xlsx", "docx", "ofd" (a zip
    with OFD.xml), "pptx", "zip", "ole" (old Office, WPS or an encrypted Office
    file), "image" (JPEG, PNG, TIFF: a scan), or None (text, or unknown)."""
    if b"%PDF-" in data[:1024]:  # some writers put a few bytes before the header
        return "pdf"
    if data.startswith(_OLE):
        return "ole"
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:4] in _TIFF:
        return "image"
    if data.startswith(b"PK\x03\x04"):
        # The part names sit in the local headers near the start and in the
        # central directory at the end: look at both, without inflating anything.
        head = data[:4096] + data[-65536:]
        if b"xl/" in head:
            return "xlsx"
        if b"word/" in head:
            return "docx"
        if b"OFD.xml" in head:
            return "ofd"
        if b"ppt/" in head:
            return "pptx"
        return "zip"
    return None
