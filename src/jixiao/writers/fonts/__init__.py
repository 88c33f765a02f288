"""The CJK fonts the PDF export draws with, shipped with jixiao, and the characters no font can draw.

jixiao ships two subsets of Noto CJK (SIL Open Font License, OFL.txt beside
them; built by tools/make_fonts.py): 通用规范汉字表 and GB 2312 with the
punctuation, digits, Latin letters and symbols of forms. So a PDF reads the
same on every machine, with or without system fonts. A character outside them
(a rare character in a unit's name) is drawn from a system font when one has
it; when none has, the export refuses before drawing (:class:`NoGlyphs`)
rather than print an empty box.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERIF = HERE / "jixiao-serif-sc-regular.otf"
SANS_BOLD = HERE / "jixiao-sans-sc-bold.otf"
SERIF_FAMILY = "jixiao Serif SC"
SANS_FAMILY = "jixiao Sans SC"

FONT_PACKAGE = "fonts-noto-cjk"
"""The Debian/Ubuntu package that adds the full CJK fonts a rare character may need."""


def font_faces(serif: Path = SERIF, sans_bold: Path = SANS_BOLD) -> str:
    """The two faces as CSS for WeasyPrint, from these files (a batch's subsets of them)."""
    return f"""
@font-face {{ font-family: "{SERIF_FAMILY}"; src: url("{serif.as_uri()}"); }}
@font-face {{ font-family: "{SANS_FAMILY}"; font-weight: bold; src: url("{sans_bold.as_uri()}"); }}
"""


FONT_FACES = font_faces()
"""The shipped fonts as CSS, for WeasyPrint."""


class NoGlyphs(Exception):
    """Characters that neither the shipped fonts nor any system font can draw."""

    def __init__(self, chars: list[str]):
        self.chars = chars
        named = "、".join(f"「{c}」(U+{ord(c):04X})" for c in chars)
        self.reason = (
            f"字符 {named} 在 jixiao 自带字体和本机字体中都没有字形，PDF 中会成为空框；"
            f"请安装含有该字的字体（Debian/Ubuntu：apt-get install {FONT_PACKAGE}）后重试"
        )
        super().__init__(self.reason)


def gb2312() -> set[str]:
    """Every character GB 2312 encodes (letters, symbols, 6,763 汉字), from Python's codec:
    part of what the shipped fonts hold (tools/make_fonts.py)."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # an unassigned code
                chars.add(bytes([high, low]).decode("gb2312"))
    return chars


def undrawable(texts: list[str]) -> list[str]:
    """The distinct characters of ``texts`` no font here can draw, in order of first use."""
    shipped = shipped_characters()
    missing = {
        c: None
        for text in texts
        for c in text
        if ord(c) not in shipped and not _invisible(c) and not system_has(c)
    }
    return list(missing)


def check_drawable(texts: list[str]) -> None:
    """Refuse (:class:`NoGlyphs`) text with a character no font here can draw."""
    missing = undrawable(texts)
    if missing:
        raise NoGlyphs(missing)


def _invisible(char: str) -> bool:
    """Spaces, line breaks and format characters: nothing to draw."""
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


@cache
def shipped_characters() -> frozenset[int]:
    """Code points both shipped fonts draw (fontTools comes with WeasyPrint)."""
    from fontTools.ttLib import TTFont

    maps = [set(TTFont(str(path), lazy=True).getBestCmap()) for path in (SERIF, SANS_BOLD)]
    return frozenset(maps[0] & maps[1])


@cache
def system_has(char: str) -> bool:
    """Whether a font fontconfig knows (the fonts Pango falls back to) has ``char``."""
    fc = _fontconfig()
    if fc is None:
        return False
    charset = fc.FcCharSetCreate()
    pattern = fc.FcPatternCreate()
    objects = fc.FcObjectSetBuild(b"family", None)
    try:
        fc.FcCharSetAddChar(charset, ord(char))
        fc.FcPatternAddCharSet(pattern, b"charset", charset)
        found = fc.FcFontList(None, pattern, objects)
        try:
            return bool(found) and found.contents.nfont > 0
        finally:
            if found:
                fc.FcFontSetDestroy(found)
    finally:
        fc.FcObjectSetDestroy(objects)
        fc.FcPatternDestroy(pattern)
        fc.FcCharSetDestroy(charset)


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.c_void_p)]


@cache
def _fontconfig() -> ctypes.CDLL | None:
    """libfontconfig (WeasyPrint's Pango needs it too), or None where it is missing."""
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    try:
        fc = ctypes.CDLL(name)
    except OSError:
        return None
    pointer = ctypes.c_void_p
    for function, result, args in [
        ("FcCharSetCreate", pointer, []),
        ("FcCharSetAddChar", ctypes.c_int, [pointer, ctypes.c_uint32]),
        ("FcCharSetDestroy", None, [pointer]),
        ("FcPatternCreate", pointer, []),
        ("FcPatternAddCharSet", ctypes.c_int, [pointer, ctypes.c_char_p, pointer]),
        ("FcPatternDestroy", None, [pointer]),
        ("FcObjectSetBuild", pointer, None),  # variadic, ends with NULL
        ("FcObjectSetDestroy", None, [pointer]),
        ("FcFontList", ctypes.POINTER(_FontSet), [pointer, pointer, pointer]),
        ("FcFontSetDestroy", None, [ctypes.POINTER(_FontSet)]),
    ]:
        func = getattr(fc, function)
        func.restype = result
        if args is not None:
            func.argtypes = args
    return fc


# --- a batch's subset ------------------------------------------------------------------


def subset(font: Path, chars: Iterable[str], target: Path) -> bool:
    """Write to ``target`` the font ``font`` cut to the glyphs of ``chars`` (those it
    has; its layout tables kept for them), by libharfbuzz-subset, which WeasyPrint uses
    too. False, and nothing written, where that library is missing or the cut fails.

    A batch export draws with such a subset: WeasyPrint then cuts, for each PDF, a font
    of the batch's few hundred glyphs instead of the shipped 10,603 (docs/export.md)."""
    hb = _harfbuzz()
    if hb is None:
        return False
    main, sub = hb
    blob = main.hb_blob_create_from_file(str(font).encode())
    face = main.hb_face_create(blob, 0)
    wanted = sub.hb_subset_input_create_or_fail()
    made = None
    try:
        if not wanted:
            return False
        codes = sub.hb_subset_input_unicode_set(wanted)
        for code in sorted({ord(c) for c in chars}):
            main.hb_set_add(codes, code)
        made = sub.hb_subset_or_fail(face, wanted)
        if not made:
            return False
        data = main.hb_face_reference_blob(made)
        try:
            size = ctypes.c_uint()
            start = main.hb_blob_get_data(data, ctypes.byref(size))
            if not size.value:
                return False
            target.write_bytes(ctypes.string_at(start, size.value))
        finally:
            main.hb_blob_destroy(data)
        return True
    finally:
        if made:
            main.hb_face_destroy(made)
        if wanted:
            sub.hb_subset_input_destroy(wanted)
        main.hb_face_destroy(face)
        main.hb_blob_destroy(blob)


@cache
def _harfbuzz() -> tuple[ctypes.CDLL, ctypes.CDLL] | None:
    """libharfbuzz and libharfbuzz-subset (2.9 or later), or None where either is missing."""
    names = [ctypes.util.find_library(n) for n in ("harfbuzz", "harfbuzz-subset")]
    try:
        main, sub = (ctypes.CDLL(n) for n in names if n)
    except (OSError, ValueError):  # a library missing (or only one found)
        return None
    pointer = ctypes.c_void_p
    try:
        for lib, function, result, args in [
            (main, "hb_blob_create_from_file", pointer, [ctypes.c_char_p]),
            (main, "hb_blob_destroy", None, [pointer]),
            (main, "hb_blob_get_data", pointer, [pointer, ctypes.POINTER(ctypes.c_uint)]),
            (main, "hb_face_create", pointer, [pointer, ctypes.c_uint]),
            (main, "hb_face_destroy", None, [pointer]),
            (main, "hb_face_reference_blob", pointer, [pointer]),
            (main, "hb_set_add", None, [pointer, ctypes.c_uint32]),
            (sub, "hb_subset_input_create_or_fail", pointer, []),
            (sub, "hb_subset_input_destroy", None, [pointer]),
            (sub, "hb_subset_input_unicode_set", pointer, [pointer]),
            (sub, "hb_subset_or_fail", pointer, [pointer, pointer]),
        ]:
            func = getattr(lib, function)
            func.restype = result
            func.argtypes = args
    except AttributeError:  # a HarfBuzz older than 2.9
        return None
    return main, sub
