"""Figures as OCR misreads them: ``IO`` for 10, ``O`` for 0, ``l`` for 1, ``兀`` for 元.

A text that came through OCR prints letters where digits belong. Such a figure
is read only when the form's arithmetic confirms it (:mod:`jixiao.readers.family`
checks: 执行率 = 执行数 ÷ 预算数, 得分 = 执行率 × 分值, the points adding up to 总分);
otherwise it stays blank with a problem that carries the raw text.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from jixiao.domain.normalize import fold, squash

# Letters OCR gives for digits, in a cell that should hold a figure.
DIGITS = str.maketrans(
    {"O": "0", "o": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "i": "1", "|": "1"}
)
# Characters OCR gives for units, in a unit: 兀 is never a unit of its own.
UNITS = str.maketrans({"兀": "元"})
_FIGURE = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def repaired(text: str | None) -> Decimal | None:
    """The figure a misread cell stands for ("IO" → 10, "1O0.0O%" → 100.00), or None
    when the text is a figure already or is not one even so."""
    if not text:
        return None
    value = squash(fold(text)).replace(",", "")
    if _FIGURE.fullmatch(value):
        return None  # nothing to repair
    mapped = value.translate(DIGITS)
    if mapped == value or not _FIGURE.fullmatch(mapped) or len(value) > 12:
        return None
    try:
        return Decimal(mapped.rstrip("%"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def unit_text(text: str) -> str:
    """A unit with OCR's 兀 read as 元 (万兀 → 万元)."""
    return text.translate(UNITS)
