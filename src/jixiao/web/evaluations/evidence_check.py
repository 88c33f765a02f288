"""An evidence file checked by parsing it as what its name says it is, and refused when
it carries active content (#21). :func:`refusal` gives the reason to refuse, or None.

* PDF: starts with ``%PDF-``, opens (pdfminer, which pdfplumber brings), is not
  encrypted and has a page; no JavaScript (``/JS``, ``/S /JavaScript``), no launch or
  other program-starting actions (``/Launch``, ``/SubmitForm``, ``/ImportData``), no
  embedded files or rich media, anywhere in its objects (object streams included, names
  decoded, so ``/J#61vaScript`` is JavaScript too).
* xlsx / docx: a zip whose entries are counted and whose declared sizes and compression
  ratios are checked before anything is inflated; then every entry inflated with a
  bound (a lying header stops at the bound) and its CRC checked; the main part
  (``xl/workbook.xml``, ``word/document.xml``) and ``[Content_Types].xml`` present; no
  macros (``vbaProject.bin``, a macro-enabled content type), ActiveX, OLE objects,
  HTML parts, executables (by name or by their first bytes: ``MZ``, ELF, Mach-O, a
  script's ``#!``) or external relationships other than hyperlinks (a remote template);
  then opened by openpyxl or python-docx.
* JPEG / PNG: decoded by Pillow as that format, at most :data:`MAX_PIXELS`.
* Any type: no HTML (``<html``, ``<script``, ``<!doctype html``) in the bytes, so no file
  can be a page in disguise (looked for after the type's own check, whose reason wins).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

MAX_ENTRIES = 2000
MAX_INFLATED = 100 * 1024 * 1024  # bytes of all the zip's entries inflated
MAX_ENTRY = 50 * 1024 * 1024
MAX_RATIO = 200  # inflated ÷ compressed of one entry (text XML is 5–20; bombs 1000+)
MAX_PIXELS = 60_000_000
MAX_PDF_OBJECTS = 200_000

_HTML = re.compile(rb"<\s*(?:html|script|!doctype\s+html|iframe)\b", re.IGNORECASE)
_EXECUTABLE_NAMES = re.compile(
    r"\.(?:exe|dll|com|scr|bat|cmd|ps1|vbs|vbe|js|jse|wsf|hta|msi|jar|sh|elf|so|dylib|app|lnk)$",
    re.IGNORECASE,
)
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_MAIN_PART = {".xlsx": "xl/workbook.xml", ".docx": "word/document.xml"}
_PDF_ACTIONS = {"JavaScript", "Launch", "SubmitForm", "ImportData", "Rendition", "GoToE"}
_PDF_KEYS = {"JS", "JavaScript", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA"}


class Refused(Exception):
    """The reason an evidence file is refused (Chinese, or the page's language)."""


def refusal(suffix: str, content: bytes) -> str | None:
    """Why the file named ``…suffix`` holding ``content`` is refused, or None to keep it."""
    try:
        if suffix == ".pdf":
            _pdf(content)
        elif suffix in _MAIN_PART:
            _office(suffix, content)
        elif suffix in {".jpg", ".jpeg", ".png"}:
            _image(suffix, content)
        else:
            raise Refused(_("不支持的文件类型"))
        if _HTML.search(content):
            raise Refused(_("文件中含有网页（HTML）内容，未上传"))
    except Refused as refused:
        return str(refused)
    return None


def _not_a(suffix: str, why: str = "") -> Refused:
    message = _("文件内容不是 %(suffix)s 文件（扩展名与内容不符），未上传") % {
        "suffix": suffix.lstrip(".")
    }
    return Refused(
        _("%(reason)s：%(detail)s") % {"reason": message, "detail": why} if why else message
    )


# PDF


def _pdf(content: bytes) -> None:
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    if not content.startswith(b"%PDF-"):
        raise _not_a(".pdf")
    try:
        document = PDFDocument(PDFParser(io.BytesIO(content)))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise Refused(_("PDF 已加密，请上传未加密的文件")) from None
    except Exception as error:  # pdfminer's damaged-file errors have no common base
        raise _not_a(".pdf", _("无法打开（%(error)s）") % {"error": type(error).__name__}) from None
    if document.encryption is not None:
        raise Refused(_("PDF 已加密，请上传未加密的文件"))
    try:
        has_page = next(iter(PDFPage.create_pages(document)), None) is not None
    except Exception:
        has_page = False
    if not has_page:
        raise _not_a(".pdf", _("没有页面"))
    for seen, objects in enumerate((document.catalog, *_pdf_objects(document))):
        if seen > MAX_PDF_OBJECTS:
            raise Refused(_("PDF 的对象过多，无法检查"))
        if found := _active(objects):
            raise Refused(_("PDF 中含有可执行的内容（%(what)s），未上传") % {"what": found})


def _pdf_objects(document: Any) -> Iterator[Any]:
    done: set[int] = set()
    for xref in document.xrefs:
        for objid in xref.get_objids():
            if objid in done:
                continue
            done.add(objid)
            try:
                yield document.getobj(objid)
            except Exception:
                continue  # a dangling reference: nothing there to run


def _active(value: Any, depth: int = 0) -> str | None:
    """The active thing in a PDF object (a dictionary, an array or a stream's
    dictionary), looked at as parsed, references not followed (each object is
    visited on its own)."""
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import PSLiteral

    if depth > 32:
        return None
    if isinstance(value, PDFStream):
        value = value.attrs
    if isinstance(value, dict):
        for key, item in value.items():
            name = key.name if isinstance(key, PSLiteral) else str(key)
            if name in _PDF_KEYS:
                return f"/{name}"
            if name == "S" and isinstance(item, PSLiteral) and item.name in _PDF_ACTIONS:
                return f"/{item.name}"
            if name == "Type" and isinstance(item, PSLiteral) and item.name in _PDF_KEYS:
                return f"/{item.name}"
            if found := _active(item, depth + 1):
                return found
    elif isinstance(value, list):
        for item in value:
            if found := _active(item, depth + 1):
                return found
    return None


# xlsx, docx


def _office(suffix: str, content: bytes) -> None:
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _not_a(suffix)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _not_a(suffix) from None
    if len(entries) > MAX_ENTRIES:
        raise Refused(_("压缩包中的文件过多（%(n)d 个）") % {"n": len(entries)})
    declared = sum(e.file_size for e in entries)
    for e in entries:
        ratio = e.file_size / max(e.compress_size, 1)
        if e.file_size > MAX_ENTRY or declared > MAX_INFLATED or ratio > MAX_RATIO:
            raise Refused(_("压缩包解压后过大（疑似压缩炸弹），未上传"))
        if e.flag_bits & 0x1:
            raise Refused(_("文件已加密，请上传未加密的文件"))
    names = {e.filename for e in entries}
    if _MAIN_PART[suffix] not in names or "[Content_Types].xml" not in names:
        raise _not_a(suffix, _("缺少 %(part)s") % {"part": _MAIN_PART[suffix]})
    for e in entries:
        _office_entry(e, archive, suffix)
    types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    if "macroenabled" in types or "vbaproject" in types or "activex" in types:
        raise Refused(_("文件中含有宏或控件，请另存为不含宏的文件后上传"))
    _office_opens(suffix, content)


def _office_entry(entry: zipfile.ZipInfo, archive: zipfile.ZipFile, suffix: str) -> None:
    name = entry.filename
    lower = name.lower()
    if lower.endswith("vbaproject.bin") or "/activex/" in f"/{lower}":
        raise Refused(_("文件中含有宏或控件，请另存为不含宏的文件后上传"))
    if _EXECUTABLE_NAMES.search(lower) or lower.endswith((".html", ".htm", ".mht", ".mhtml")):
        raise Refused(_("文件中含有程序或网页（%(name)s），未上传") % {"name": name})
    inflated = bytearray()
    try:
        with archive.open(entry) as part:  # the CRC is checked when it is read to the end
            while block := part.read(1 << 16):
                inflated += block
                if len(inflated) > entry.file_size or len(inflated) > MAX_ENTRY:
                    raise Refused(_("压缩包解压后过大（疑似压缩炸弹），未上传"))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
        raise _not_a(suffix, _("%(name)s 已损坏") % {"name": name}) from None
    head = bytes(inflated[:4])
    ole = "/embeddings/" in f"/{lower}" and head.startswith(b"\xd0\xcf\x11\xe0")
    if head.startswith(_EXECUTABLE_MAGIC) or ole:
        raise Refused(_("文件中含有程序或嵌入对象（%(name)s），未上传") % {"name": name})
    if _HTML.search(inflated) and not lower.endswith(".xml") and not lower.endswith(".rels"):
        raise Refused(_("文件中含有程序或网页（%(name)s），未上传") % {"name": name})
    if lower.endswith(".rels"):
        for relation in re.finditer(rb"<Relationship\b[^>]*>", bytes(inflated)):
            tag = relation.group(0)
            if b'TargetMode="External"' in tag and b"/hyperlink" not in tag:
                raise Refused(_("文件引用了外部资源（如远程模板），未上传"))


def _office_opens(suffix: str, content: bytes) -> None:
    try:
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(content), read_only=True)
            has_sheet = bool(book.sheetnames)
            book.close()
            if not has_sheet:
                raise _not_a(suffix, _("没有工作表"))
        else:
            from docx import Document

            Document(io.BytesIO(content))
    except Refused:
        raise
    except Exception as error:
        raise _not_a(suffix, _("无法打开（%(error)s）") % {"error": type(error).__name__}) from None


# images


def _image(suffix: str, content: bytes) -> None:
    from PIL import Image

    expected = "PNG" if suffix == ".png" else "JPEG"
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != expected:
                raise _not_a(suffix)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Refused(_("图片过大（%(w)d×%(h)d 像素）") % {"w": width, "h": height})
            image.load()  # decoded to the last pixel
    except Refused:
        raise
    except Exception as error:
        raise _not_a(suffix, _("无法解码（%(error)s）") % {"error": type(error).__name__}) from None
