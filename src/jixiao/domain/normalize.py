"""Text clean-up shared by the readers and the target parser.

Text pulled out of PDFs wraps inside cells: "运 维" is one word broken over a
line, so a space between two CJK characters is dropped. Other spaces are real
("2023 运维") and collapse to one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WRAP_SPACE = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_SPACES: Final = re.compile(r"\s+")
_TAGS = re.compile(r"</?[a-zA-Z][^<>]*>")

# Code points NFKC leaves alone but that PDFs print for ordinary characters:
# CJK radicals (⻓ U+2EA0 …) and comparison signs variants.
_EXTRA: Final = str.maketrans(
    {
        "\u2ea0": "民",
        "\u2ed8": "青",
        "\u2ec4": "西",
        "\u2ee9": "黄",
        "\u2ef3": "龟",
        # simplified radicals that are whole characters, printed by some PDF fonts for 长, 门 …
        "\u2ed3": "长",
        "\u2ed4": "门",
        "\u2ee2": "马",
        "\u2edb": "风",
        "\u2eda": "页",
        "\u2ec5": "见",
        "\u2ec6": "角",
        "\u2ecb": "车",
        "\u2ec9": "贝",
        "\u2edc": "飞",
        "\u2ee5": "鱼",
        "\u2ee6": "鸟",
        "\u2ee3": "骨",
        "\u2ee4": "鬼",
        "\u2ed7": "雨",
        "\u2ee8": "麦",
        "\u2ed1": "長",
        "\u2ec1": "虎",
        "\u2ea7": "牛",
        "\u2ef2": "龟",
        "\u2550": "=",
        "\u2267": "≥",
        "\u2266": "≤",
        "\u2a7e": "≥",
        "\u2a7d": "≤",
    }
)
# Whether a text holds any of them: a search is much cheaper than translating every text.
_HAS_EXTRA: Final = re.compile("[" + "".join(map(chr, _EXTRA)) + "]")


def clean(text: str | None) -> str | None:
    """A cell's text as printed, minus PDF wrapping: tags removed, whitespace
    collapsed, wrap spaces between CJK characters dropped. Empty → ``None``."""
    if text is None:
        return None
    text = _TAGS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _WRAP_SPACE.sub("", text)
    return text or None


def squash(text: str | None) -> str:
    """All whitespace removed: for labels such as "满意 度指 标", never for values."""
    return _SPACES.sub("", text or "")


# Characters NFKC leaves alone, that compose with nothing and are none of _EXTRA:
# ASCII, CJK unified ideographs and the CJK punctuation that stays full-width.
FOLDED_CHARACTERS = (
    "\t\n\r\x20-\x7e\u4e00-\u9fff\u3001\u3002\u300a-\u3011\u2018\u2019\u201c\u201d"  # a [class]
)
_FOLDED: Final = re.compile(f"[{FOLDED_CHARACTERS}]*")


def is_folded(text: str) -> bool:
    """Whether :func:`fold` leaves the text — and so every piece of it — unchanged,
    which lets a caller slice a text once checked instead of folding each slice."""
    return _FOLDED.fullmatch(text) is not None


def fold(text: str) -> str:
    """A form for comparing and matching, not for display: NFKC (full-width to
    half-width, ９→9, （→( …) plus the few code points NFKC misses."""
    if text.isascii():  # NFKC leaves ASCII alone, and none of _EXTRA is ASCII
        return text
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_EXTRA) if _HAS_EXTRA.search(text) else text
