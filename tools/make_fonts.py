"""Build the CJK fonts jixiao ships for its PDF export (src/jixiao/writers/fonts/).

    python3 tools/make_fonts.py [--source /usr/share/fonts/opentype/noto]

Subsets Noto Serif CJK SC Regular (the body of the form) and Noto Sans CJK SC
Bold (title and headers) from Debian's fonts-noto-cjk to the characters a form
uses: the 8,105 characters of 《通用规范汉字表》 (tools/fonts/tgscc-2013.txt),
GB 2312 (letters, symbols and 6,763 characters), and the punctuation, digits,
Latin letters and symbols printed on forms. The fonts are renamed (Noto is
a trademark, and the SIL Open Font License asks a modified font not to carry
the original's name) and keep their copyright and licence records. Run it
again only to change the character set; the fonts are committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from jixiao.writers.fonts import gb2312

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src/jixiao/writers/fonts"
TGSCC = Path(__file__).resolve().parent / "fonts/tgscc-2013.txt"

# (source collection, face, family shipped, file shipped)
FACES = [
    ("NotoSerifCJK-Regular.ttc", "Regular", "jixiao Serif SC", "jixiao-serif-sc-regular.otf"),
    ("NotoSansCJK-Bold.ttc", "Bold", "jixiao Sans SC", "jixiao-sans-sc-bold.otf"),
]

# Blocks printed on forms beyond GB 2312: Latin-1 and Latin Extended-A (pinyin
# with tones), general punctuation, letterlike symbols (℃ №), number forms (Ⅻ),
# arrows, mathematical operators, enclosed numbers (①), geometric shapes (□ ○),
# CJK radicals and Kangxi radicals (text pulled out of PDFs carries them: ⻓ for
# 长), CJK symbols and punctuation, enclosed CJK and CJK compatibility (㈠ ㎡ ㎞),
# compatibility ideographs (also left by PDF extraction), fullwidth forms.
BLOCKS = [
    (0x0020, 0x007E),
    (0x00A0, 0x017F),
    (0x2010, 0x205E),
    (0x2100, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2460, 0x24FF),
    (0x25A0, 0x25FF),
    (0x2605, 0x2606),
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    (0x3200, 0x33FF),
    (0xF900, 0xFAFF),
    (0xFF01, 0xFF5E),
    (0xFFE0, 0xFFE6),
]


def tgscc() -> set[str]:
    """The 8,105 characters of 《通用规范汉字表》 (2013), one file, whitespace ignored."""
    text = "".join(TGSCC.read_text(encoding="utf-8").split())
    chars = set(text)
    if len(chars) != 8105:
        sys.exit(f"{TGSCC}: {len(chars)} distinct characters, expected 8105")
    return chars


def charset() -> set[str]:
    blocks = {chr(c) for lo, hi in BLOCKS for c in range(lo, hi + 1)}
    return tgscc() | gb2312() | blocks


def sc_face(path: Path, face: str) -> TTFont:
    """The Simplified Chinese font of a Noto CJK collection."""
    for font in TTCollection(str(path)).fonts:
        name = font["name"]
        if name.getDebugName(1).endswith(" SC") and face in (name.getDebugName(2), "Regular"):
            return font
    sys.exit(f"{path}: no SC face")


def rename(font: TTFont, family: str, face: str) -> None:
    """New names for the subset; copyright, licence and designers stay."""
    full = f"{family} {face}" if face != "Regular" else family
    postscript = f"{family.replace(' ', '')}-{face}"
    names = {
        1: family,
        2: face,
        3: f"{postscript};jixiao subset of Noto CJK",
        4: full,
        6: postscript,
        16: family,
        17: face,
    }
    table = font["name"]
    table.removeNames(nameID=7)  # the trademark line names Noto, which this font is not
    for name_id, value in names.items():
        table.removeNames(nameID=name_id)
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    font["CFF "].cff.fontNames = [postscript]


def build(source: Path) -> None:
    wanted = charset()
    OUT.mkdir(parents=True, exist_ok=True)
    for collection, face, family, file in FACES:
        font = sc_face(source / collection, face)
        options = subset.Options()
        options.layout_features = ["*"]  # vertical forms, fullwidth punctuation, kerning
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False  # a PDF is not rasterised at small sizes on screen
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(wanted)))
        subsetter.subset(font)
        rename(font, family, face)
        font.save(str(OUT / file))
        got = len(font.getBestCmap())
        print(f"{file}: {got} characters, {(OUT / file).stat().st_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    build(parser.parse_args().source)


if __name__ == "__main__":
    main()
