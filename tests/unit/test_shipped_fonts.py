"""The fonts jixiao ships for PDF (src/jixiao/writers/fonts, made by
tools/make_fonts.py): the characters they promise, their licence, their size."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fontTools.ttLib import TTFont

from jixiao.writers import fonts

TGSCC = Path(__file__).resolve().parents[2] / "tools/fonts/tgscc-2013.txt"


def test_both_fonts_hold_the_general_standard_table_gb2312_and_ascii():
    table = set("".join(TGSCC.read_text("utf-8").split()))
    assert len(table) == 8105
    wanted = {ord(c) for c in table | fonts.gb2312()} | set(range(0x21, 0x7F))
    for path in (fonts.SERIF, fonts.SANS_BOLD):
        cmap = TTFont(str(path), lazy=True).getBestCmap()
        assert wanted - set(cmap) == set(), path.name
    assert wanted <= fonts.shipped_characters()
    # what text pulled out of PDFs and typed forms also carry: radicals (⻓ for 长),
    # compatibility ideographs, units (㎡), enclosed numbers, pinyin with tones
    assert {ord(c) for c in "⻓⻔⺠⼀㎡㎞①⑳㈠℃№ǎā"} <= fonts.shipped_characters()


def test_the_fonts_are_renamed_and_carry_their_licence():
    for path, family in ((fonts.SERIF, fonts.SERIF_FAMILY), (fonts.SANS_BOLD, fonts.SANS_FAMILY)):
        names = TTFont(str(path), lazy=True)["name"]
        assert names.getDebugName(1) == family
        assert "Noto" not in names.getDebugName(6)  # the PostScript name
        assert "Open Font License" in names.getDebugName(13)
    licence = (fonts.HERE / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Reserved Font Name" in licence


def test_the_fonts_add_at_most_12_mb_to_the_wheel():
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as wheel:  # as a wheel packs
        for path in fonts.HERE.iterdir():
            if path.suffix in {".otf", ".txt"}:
                wheel.write(path, path.name)
    assert packed.tell() <= 12_000_000
