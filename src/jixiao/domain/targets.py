"""年度指标值 and 实际完成值: "≥90.00(%)" → Target(op=GE, value=90.00, unit="%").

A value either starts with a number (after an optional comparator such as ≥ or
不少于) and is *quantitative*, or is *qualitative* words ("稳定运行", "达成指标").
Parsing never raises and never guesses: text it cannot place stays in ``note``.

``format_target`` writes the canonical form, which parses back to the same
Target: comparator, number, unit in brackets, then "；" and the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Any, Final

from jixiao.domain.normalize import fold


class Op(str, Enum):
    """A target's comparator. 正向 (higher is better): GE, GT; 反向: LE, LT."""

    GE = "≥"
    LE = "≤"
    GT = ">"
    LT = "<"
    EQ = "="


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed 指标值. Quantitative: ``value`` set (``op`` None when no
    comparator is printed). Qualitative: ``value`` None and ``text`` the words."""

    op: Op | None = None
    value: Decimal | None = None
    unit: str | None = None
    note: str | None = None
    text: str | None = None

    @property
    def quantitative(self) -> bool:
        return self.value is not None

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by field, for the workers of a batch import: compiled (setup.py),
        # a frozen class cannot be unpickled attribute by attribute.
        return Target, (self.op, self.value, self.unit, self.note, self.text)


# Longest first, so "大于等于" wins over "大于" and ">=" over ">".
_PREFIX_OPS: list[tuple[str, Op]] = sorted(
    [
        (">=", Op.GE),
        ("=>", Op.GE),
        ("≥", Op.GE),
        ("大于等于", Op.GE),
        ("大于或等于", Op.GE),
        ("不少于", Op.GE),
        ("不低于", Op.GE),
        ("不小于", Op.GE),
        ("至少", Op.GE),
        ("达到", Op.GE),
        ("高于或等于", Op.GE),
        ("<=", Op.LE),
        ("=<", Op.LE),
        ("≤", Op.LE),
        ("小于等于", Op.LE),
        ("小于或等于", Op.LE),
        ("不超过", Op.LE),
        ("不高于", Op.LE),
        ("不大于", Op.LE),
        ("不多于", Op.LE),
        ("至多", Op.LE),
        ("低于或等于", Op.LE),
        (">", Op.GT),
        ("大于", Op.GT),
        ("高于", Op.GT),
        ("超过", Op.GT),
        ("多于", Op.GT),
        ("<", Op.LT),
        ("小于", Op.LT),
        ("低于", Op.LT),
        ("少于", Op.LT),
        ("==", Op.EQ),
        ("=", Op.EQ),
        ("等于", Op.EQ),
    ],
    key=lambda p: -len(p[0]),
)
_SUFFIX_OPS: list[tuple[str, Op]] = [
    ("及以上", Op.GE),
    ("以上", Op.GE),
    ("及以下", Op.LE),
    ("以下", Op.LE),
    ("以内", Op.LE),
    ("内", Op.LE),
]

# Units printed without brackets after the number, longest first. A bracketed
# unit "(…)" may be anything; an unbracketed one must be known, so that
# "1 份年度运维总结报告" reads as 1 份 + note, not as a unit "份年度…".
_UNITS = sorted(
    [
        "%",
        "‰",
        "百分比",
        "百分点",
        "万元",
        "亿元",
        "千元",
        "元",
        "万人次",
        "人次",
        "万人",
        "人",
        "户",
        "家",
        "个",
        "份",
        "次",
        "项",
        "台",
        "套",
        "天",
        "日",
        "工作日",
        "个工作日",
        "小时",
        "分钟",
        "秒",
        "周",
        "月",
        "季度",
        "年",
        "分",
        "篇",
        "场",
        "期",
        "批",
        "条",
        "件",
        "所",
        "座",
        "辆",
        "张",
        "册",
        "本",
        "名",
        "位",
        "类",
        "门",
        "节",
        "课时",
        "学时",
        "吨",
        "亩",
        "公顷",
        "平方米",
        "平方公里",
        "立方米",
        "公里",
        "千米",
        "米",
        "处",
        "间",
        "栋",
        "块",
        "根",
        "只",
        "头",
        "株",
        "棵",
        "盏",
        "部",
        "支",
        "套次",
        "卷",
        "页",
        "字",
        "万字",
    ],
    key=lambda u: -len(u),
)
# The same lists as patterns: an alternation tries its words in order, like a
# loop of startswith over them (ends are matched on the reversed text).
_UNIT_WORDS = "|".join(map(re.escape, _UNITS))
_PREFIX_OP_AT_END = re.compile("|".join(re.escape(word[::-1]) for word, _ in _PREFIX_OPS))
_PREFIX_OP: Final = dict(_PREFIX_OPS)
_SUFFIX_OP: Final = dict(_SUFFIX_OPS)
# "内" is "within" only at the end of the value or before a verb of doing:
# "2 小时内", "2 小时内响应"; not in "1 项内容". (Any space: see quantity_at.)
_WITHIN_BEFORE = ",;:)响应完成处理解决办结到达回复反馈"
# A number, its unit — "(…)" in brackets (anything), a known word, or Latin
# letters ("km", "m/s") — and a comparator after it ("以上"), in one match.
_QUANTITY: Final = re.compile(
    r"(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*"
    rf"(?:\((?P<bracket>[^()]*)\)|(?P<unit>{_UNIT_WORDS}|[A-Za-z]+(?:/[A-Za-z]+)?))?\s*"
    rf"(?P<suffix>及以上|以上|及以下|以下|以内|内(?=\Z|[\s{re.escape(_WITHIN_BEFORE)}]))?"
)
_SEPARATORS = " ,，、;；:："
_NOTE_SEPARATOR = "；"  # folds to ";", which no number or unit contains
_BLANK = {"", "-", "/", "—", "--", "无"}
# Marks standing where a value belongs (normalized): not a value, nor words about one.
_PLACEHOLDERS = frozenset(
    {"*", "**", "/", "//", "\\", "-", "--", "—", "——", "...", "......", "×", "x"}
)
# Units spelled as a word where a sign belongs: "≥100百分比" is "≥100%".
MALFORMED_UNITS: Final = {"百分比": "%", "百分率": "%", "%%": "%"}


_MARKS: Final = "*/\\-—–.…×xX－／＊＼ 　"  # what a placeholder is made of, before normalizing


def is_placeholder(raw: str | None) -> bool:
    """Whether a printed value is a mark standing for none: ``*``, ``/``, ``—``."""
    if not raw or len(raw) > 12 or raw.strip(_MARKS):  # most values: a figure or words
        return False
    return normalize_text(raw) in _PLACEHOLDERS


def normalize_text(text: str) -> str:
    """The comparison form of a 指标值: NFKC, one space between words."""
    return " ".join(fold(text).split())


def target_text(nature: str | None, value: str | None, unit: str | None) -> str | None:
    """A target printed in three columns (指标性质, 指标值, 度量单位: ``≥``, ``98``, ``%``)
    as one text to parse (``≥98%``); a qualitative nature (定性) or a value that
    already carries its comparator is the value alone."""
    if value is None or nature is None or nature.strip() in ("", "定性"):
        return value
    if value.lstrip()[:1] in ("≥", "≤", "=", ">", "<", "＞", "＜", "＝"):
        return value
    return f"{nature.strip()}{value.strip()}{(unit or '').strip()}"


def parse_target(raw: str | None) -> Target | None:
    """Parse a printed 年度指标值 or 实际完成值. ``None`` for a blank cell."""
    if raw is None:
        return None
    text = normalize_text(raw)
    if text in _BLANK:
        return None
    if "月" in text or "年" in text:  # a deadline or a date: "9月前", "年底前", "7月15日"
        dated = _date(text)
        if dated is not None:
            return dated
    found = quantity(text)
    if found is None:
        return Target(text=text)
    op, value, unit, rest = found
    return Target(op=op, value=value, unit=unit, note=rest.strip(_SEPARATORS) or None)


# --- dates: deadlines (时限) and the dates they were met ----------------------------

DATE_UNIT: Final = "日期"
"""The unit of a date Target: its value is month + day ÷ 100 (9月30日 → 9.30), so
dates compare as numbers within a year; the year, where printed, is not kept."""

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a deadline's month end
# "9月前", "11月底前", "12月31日前", "2023年10月中旬前完成", "7月", "10月15日"; the
# part of the month a deadline or a date names: its first and last day.
_MONTH_DATE = re.compile(
    r"(?:\d{4} ?年 ?)?(?P<month>\d{1,2}) ?月(?:份)? ?"
    r"(?:(?P<day>\d{1,2}) ?[日号]|(?P<part>底|末|上旬|中旬|下旬|初))? ?"
    r"(?P<before>之前|以前|前)?"
)
_YEAR_END = re.compile(
    r"(?:\d{4} ?年 ?)?(?:本|当)?(?:年底|年末|年内|年度内)(?: ?(?:之前|以前|前))?"
)
_PART_ENDS = {"初": 10, "上旬": 10, "中旬": 20, "下旬": 0, "底": 0, "末": 0}  # 0: the month's end
_DONE_WORDS = ("完成", "前完成", "内完成", "办结", "完工", "竣工", "到位", "验收")


def _date(text: str) -> Target | None:
    """A date or a deadline read from a normalized text, or None (then the text
    is read as before: "3月内" is three months, "12月" a count of months).

    A deadline — 前, 以前 or 之前 after a date, a part of a month ("9月底",
    "10月中旬"), or 年底, 年末, 年内 — is met by any day up to the last day it
    names: "9月前" by 9月30日 (the month named counts: never stricter than the
    form's writer), "11月底前" by 11月30日, "年底前" by 12月31日. A single day
    ("10月15日") is that day."""
    found = _YEAR_END.match(text)
    if found:
        month, day, deadline = 12, 31, True
    else:
        found = _MONTH_DATE.match(text)
        if not found:
            return None
        month = int(found.group("month"))
        if not 1 <= month <= 12:
            return None
        printed_day, part, before = found.group("day", "part", "before")
        end = _DAYS[month - 1]
        if printed_day is not None:
            day, deadline = int(printed_day), before is not None
            if not 1 <= day <= end + (month == 2):  # 2月29日 is a day
                return None
        elif part is not None:
            day, deadline = _PART_ENDS[part] or end, True
        elif before is not None:
            day, deadline = end, True
        else:  # a month alone: a count of months unless a date is compared with it
            return None
    rest = text[found.end() :].strip(_SEPARATORS)
    return Target(
        op=Op.LE if deadline else None,
        value=Decimal(f"{month}.{day:02d}"),
        unit=DATE_UNIT,
        note=None if not rest or rest in _DONE_WORDS else rest,
    )


def is_date(target: Target | None) -> bool:
    """Whether a Target is a date or a deadline (its unit :data:`DATE_UNIT`)."""
    return target is not None and target.unit == DATE_UNIT


def as_date(target: Target | None) -> Target | None:
    """A Target read as a date where it can be one: a date itself, or a month
    printed alone (read as a count of months; "7月" → 7月1日)."""
    if target is None or target.value is None:
        return None
    if target.unit == DATE_UNIT:
        return target
    value = target.value
    if (
        target.unit == "月"
        and target.op is None
        and not target.note
        and value == value.to_integral_value()
        and 1 <= value <= 12
    ):  # "7月" beside a deadline: done in July, read as its first day (never stricter)
        return Target(value=Decimal(f"{int(value)}.01"), unit=DATE_UNIT)
    return None


def date_words(target: Target) -> str:
    """A date Target as people write it: "9月30日前", "7月1日"."""
    value = target.value
    assert value is not None, "a date"
    month, day = _month_day(value) or (0, 0)
    return f"{month}月{day}日" + ("前" if target.op is Op.LE else "")


def _month_day(value: Decimal) -> tuple[int, int] | None:
    """(month, day) of a date's value (9.30 → (9, 30)); None if it is no day."""
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value():
        return None
    month, day = divmod(int(hundredths), 100)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month - 1] + (month == 2):
        return None
    return month, day


def quantity(text: str) -> tuple[Op | None, Decimal, str | None, str] | None:
    """The comparator, number and unit a normalized text (:func:`normalize_text`)
    starts with, and the rest of it; None when it does not start with a number."""
    rest, op = _take_prefix_op(text)
    found = _QUANTITY.match(rest)
    if not found:
        return None
    read = _read(found)
    if read is None:  # pragma: no cover - the regex admits only digits
        return None
    stated, value, unit = read
    return op or stated, value, unit, rest[found.end() :]


def quantity_at(text: str, start: int, stop: int) -> tuple[Op | None, Decimal, str | None] | None:
    """The comparator after, number and unit of ``text[start:stop]``, a piece
    that starts with a digit, read where it lies: as :func:`quantity` reads the
    piece normalized, for a text :func:`fold` leaves alone (the pattern takes
    any run of spaces as the one space normalizing leaves)."""
    found = _QUANTITY.match(text, start, stop)  # the piece's end is the pattern's \Z
    return _read(found, spaced=True) if found else None


def _read(
    found: re.Match[str], spaced: bool = False
) -> tuple[Op | None, Decimal, str | None] | None:
    number, bracket, word, suffix = found.group(
        "number", "bracket", "unit", "suffix"
    )  # one call, not four
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if bracket is not None:
        unit = (" ".join(bracket.split()) if spaced else bracket.strip()) or None
    else:
        unit = word
    return _SUFFIX_OP[suffix] if suffix else None, value, unit


def _take_prefix_op(text: str) -> tuple[str, Op | None]:
    if text[:1].isdigit():  # most values: no comparator to look for
        return text, None
    for word, op in _PREFIX_OPS:
        if text.startswith(word):
            return text[len(word) :].lstrip(), op
    return text, None


def comparator_before(text: str) -> Op | None:
    """The comparator a text ends with: "满意度不低于 " → GE (for a number that follows)."""
    found = _PREFIX_OP_AT_END.match(fold(text).rstrip()[::-1])
    return _PREFIX_OP[found.group()[::-1]] if found else None


def format_target(target: Target) -> str:
    """The canonical text of a Target; ``parse_target`` reads it back unchanged."""
    if target.value is None:  # qualitative
        return target.text or ""
    if target.unit == DATE_UNIT and target.op in (None, Op.LE) and _month_day(target.value):
        return date_words(target) + (_NOTE_SEPARATOR + target.note if target.note else "")
    out = (target.op.value if target.op else "") + _plain(target.value)
    if target.unit:
        out += f"({target.unit})"
    if target.note:
        out += _NOTE_SEPARATOR + target.note
    return out


def _plain(value: Decimal) -> str:
    return format(value, "f")


def same_unit(a: str | None, b: str | None) -> bool:
    """Units that mean the same: "%" and "百分比"; case and width folded."""
    return unit_key(a) == unit_key(b)


@lru_cache(maxsize=1024)  # a form has a handful of units, compared again and again
def unit_key(unit: str | None) -> str | None:
    """What a unit is compared by: folded, lower case, "百分比" and "百分点" as "%"."""
    if unit is None:
        return None
    key = fold(unit).strip().lower()
    return {"百分比": "%", "百分点": "%"}.get(key, key)


# Words of a qualitative 实际完成值, by band (see scoring.qualitative_band).
ACHIEVED_WORDS = ("达成指标", "达成", "已完成", "完成", "达到", "实现", "达标", "满足", "是")
PARTIAL_WORDS = ("部分达成", "部分完成", "基本达成", "基本完成", "部分实现", "基本实现")
MISSED_WORDS = ("未达成", "未完成", "未达到", "未实现", "不达标", "否")
