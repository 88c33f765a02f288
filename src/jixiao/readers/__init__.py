"""Readers: files people already have → :class:`jixiao.domain.model.Evaluation`.

``read_path`` picks the reader by the file's content (its first bytes: ``%PDF``,
or a zip holding ``xl/`` or ``word/``), not by its name: a PDF named .xlsx is
read as the PDF it is. A name that promises PDF, xlsx or docx with other
content is refused with a reason. A file of the JSON contract (.json, or text
that is JSON) is read back as it was written. Anything it cannot read raises
:class:`ReadError`, naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path

from jixiao.domain.model import Evaluation
from jixiao.readers.base import ReadError
from jixiao.readers.text import read_text

__all__ = ["ReadError", "decode", "read_bytes", "read_path", "sniff"]

TEXT_SUFFIXES = {".txt", ".md", ".tsv", ".text", ".markdown", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".mhtml"}
OFFICE_SUFFIXES = {".pdf": "PDF", ".xlsx": "Excel", ".xlsm": "Excel", ".docx": "Word"}
MAX_FILE_BYTES = 200 * 1024 * 1024
"""Bytes read per file: a form is a few hundred KB, a long PDF a few MB."""
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    return read_bytes(data, name, path.suffix.lower(), template_id)


def read_bytes(
    data: bytes, name: str, suffix: str = "", template_id: str | None = None
) -> list[Evaluation]:
    """Every form in a file's content; ``suffix`` (".pdf") only words the errors."""
    kind = sniff(data)
    if kind == "pdf":
        from jixiao.readers.pdf import read_pdf

        return read_pdf(data, name, template_id)
    if kind == "xlsx":
        from jixiao.readers.xlsx import read_xlsx

        return read_xlsx(data, name, template_id)
    if kind == "docx":
        from jixiao.readers.docx import read_docx

        return read_docx(data, name, template_id)
    if kind == "ole":
        raise ReadError(
            name,
            "旧版 Office 文件（.xls/.doc）或加了密码的 Office 文件：请另存为 .xlsx/.docx（去掉密码）后再导入",
        )
    if kind == "zip":
        raise ReadError(
            name, "是 zip 压缩包，但不是 Excel（.xlsx）或 Word（.docx）文件；请解压后导入"
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
            f"暂不支持 {suffix} 文件（目前可读：PDF、xlsx、docx、网页 HTML、文本、markdown、jixiao 的 JSON）",
        )
    text = decode(data, name)
    if looks_like_json(text):  # the contract saved as .txt or without a name
        return read_json(text, name)
    return read_text(text, name, template_id)


def _looks_like_html(data: bytes) -> bool:
    from jixiao.readers.html import looks_like_html

    return looks_like_html(data)


def sniff(data: bytes) -> str | None:
    """What a file holds, by its first bytes: "pdf", "xlsx", "docx", "zip",
    "ole" (old Office or an encrypted Office file), or None (text, or unknown)."""
    if b"%PDF-" in data[:1024]:  # some writers put a few bytes before the header
        return "pdf"
    if data.startswith(_OLE):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        # The part names sit in the local headers near the start and in the
        # central directory at the end: look at both, without inflating anything.
        head = data[:4096] + data[-65536:]
        if b"xl/" in head:
            return "xlsx"
        if b"word/" in head:
            return "docx"
        return "zip"
    return None
