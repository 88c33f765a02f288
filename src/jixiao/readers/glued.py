"""Text whose cells were run together with no separator at all.

Some web pages store a form as one line: ``项目名称中江县…资金情况(万元)全年预算数(A)…
年度资金总额:202010100.00%10``. Two steps read it:

* :func:`cut` splits the text at every label the template knows (项目名称, 全年预算数(A),
  数量指标 …), so labels and what follows them become cells again;
* what follows a label may still be several figures or several indicator rows run
  together (``202010100.00%10`` is 20, 20, 10, 100.00%, 10). :func:`figures` and
  :func:`rows` list every way the characters can be cut into well-formed values
  and keep a value only when every way that passes the arithmetic gives it —
  never a guess. Where the ways disagree, the caller records a problem with the
  raw text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from jixiao.domain.normalize import fold

MAX_WAYS = 400
"""Ways of cutting one run kept before giving up: a run of a form has a handful."""

_FIGURE = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?%?")
_POINTS = re.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,2})?")
_COMPARATOR = "≥≤><=≧≦═"
_RUN = re.compile(r"[\d.,%]+")


def is_run(text: str) -> bool:
    """Digits, points and % only, and more than one figure's worth."""
    value = text.replace(",", "")
    return bool(_RUN.fullmatch(value)) and not _FIGURE.fullmatch(value)


def is_digits(text: str) -> bool:
    """Digits, points and % only: in text run together, perhaps several figures."""
    return bool(_RUN.fullmatch(text.replace(",", "")))


def leading_run(text: str) -> str | None:
    """The figures a cell starts with (``100100`` of ``100100注:1.``)."""
    found = _RUN.match(text.replace(",", ""))
    return found.group(0) if found else None


def cut(text: str, labels: Iterable[str]) -> list[str]:
    """The text cut before and after every label in it (the longest label wins where
    two start at one place); a label's "(70分)" or ":" stays with it."""
    words = sorted({fold(w) for w in labels if len(w) >= 2}, key=len, reverse=True)
    if not words:
        return [text]
    pattern = re.compile(
        "(" + "|".join(re.escape(w) for w in words) + r")((?:\((?:\d+(?:\.\d+)?分|万元|元)\))?:?)"
    )
    folded = fold(text)
    out: list[str] = []
    at = 0
    for found in pattern.finditer(folded):
        before = folded[at : found.start()]
        if before.strip():
            out.append(before.strip())
        out.append(found.group(1) + found.group(2))
        at = found.end()
    rest = folded[at:]
    if rest.strip():
        out.append(rest.strip())
    return [_unprefixed(piece) for piece in out if _unprefixed(piece)]


def _unprefixed(piece: str) -> str:
    """A value without the 其中: that belongs to the label after it, or the ':' of the
    label before."""
    piece = piece.strip().lstrip(":：")
    for tail in ("其中:", "其中：", "其中"):
        if piece.endswith(tail) and len(piece) > len(tail):
            piece = piece[: -len(tail)]
    return piece.strip()


# --- figures run together -------------------------------------------------------------


def figures(run: str, columns: list[str], valid: Callable[[dict[str, str]], bool]) -> list[dict]:
    """Every way to cut ``run`` into well-formed figures for the first columns in
    order, that ``valid`` accepts; each way a dict column → figure as printed."""
    ways: list[dict] = []
    columns = list(dict.fromkeys(columns))  # a header printed twice names a column once

    def walk(rest: str, at: int, taken: dict[str, str]) -> None:
        if len(ways) >= MAX_WAYS:
            return
        if not rest:
            if valid(taken):
                ways.append(dict(taken))
            return
        if at >= len(columns):
            return
        for end in range(1, len(rest) + 1):
            piece = rest[:end]
            if not _FIGURE.fullmatch(piece):
                continue
            if piece.endswith("%") and columns[at] != "execution_rate":
                continue
            taken[columns[at]] = piece
            walk(rest[end:], at + 1, taken)
            del taken[columns[at]]

    walk(run.replace(",", ""), 0, {})
    return ways


def agreed(ways: list[dict]) -> dict[str, str] | None:
    """The one reading every way gives, or None when they differ or there is none."""
    if not ways:
        return None
    first = ways[0]
    return first if all(way == first for way in ways[1:]) else None


def half_unit(value: Decimal) -> Decimal:
    """Half a unit of the last place printed: what rounding may have moved."""
    return _half(value)


def _half(value: Decimal) -> Decimal:
    """Half a unit of the last place printed: what rounding may have moved."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(1).scaleb(-places) / 2 + Decimal("0.005")


def funding_valid(
    budget_column: str,
    bounds: dict[str, Decimal] | None = None,
    points_printed: Decimal | None = None,
):
    """The arithmetic a 资金 row must satisfy: 执行率 = 执行数 ÷ 预算数 and 得分 = 执行率 ×
    分值 capped at 分值 (each to the places printed), 分值 the template's, and a part no
    larger than the total."""

    def valid(taken: dict[str, str]) -> bool:
        values = {k: Decimal(v.rstrip("%")) for k, v in taken.items()}
        points, score = values.get("points"), values.get("score")
        if points is not None and (points > 100 or (points_printed and points != points_printed)):
            return False
        if points is not None and score is not None and score > points:
            return False
        if points is None and score is not None and points_printed and score > points_printed:
            return False  # a score above the points the row would have
        rate = values.get("execution_rate")
        if (
            rate is not None
            and points is not None
            and score is not None
            and abs(min(rate, Decimal(100)) * points / 100 - score) > _half(score)
        ):
            return False
        rate, budget, executed = (
            values.get("execution_rate"),
            values.get(budget_column),
            values.get("executed"),
        )
        if rate is not None and budget is not None and executed is not None:
            if budget == 0 or abs(executed / budget * 100 - rate) > _half(rate):
                return False
        elif rate is not None and rate > 1000:
            return False
        return all(not (key in values and values[key] > top) for key, top in (bounds or {}).items())

    return valid


# --- indicator rows run together -------------------------------------------------------


@dataclass(frozen=True)
class GluedRow:
    name: str
    values: dict[str, str]


_NUMBER_FIELDS = ("points", "score", "weight_share", "weighted_score", "review_score")
_TEXT_FIELDS = ("target", "actual")


def rows(segment: str, columns: list[str]) -> list[list[GluedRow]]:
    """Every way to read ``segment`` as indicator rows: a name, then a value for each
    of ``columns`` that is a number field or a target/actual (text columns after the
    last number, such as 偏差原因, are taken as empty: they cannot be told from the
    next row's name). 得分 ≤ 分值 ≤ 100; a target and its actual that are words
    are read only where both halves are equal (显著提升显著提升)."""
    last = max((n for n, c in enumerate(columns) if c in _NUMBER_FIELDS), default=-1)
    wanted = list(
        dict.fromkeys(c for c in columns[: last + 1] if c in _NUMBER_FIELDS or c in _TEXT_FIELDS)
    )
    text = segment.strip().rstrip("…. ")
    ways: list[list[GluedRow]] = []

    def walk(rest: str, found: list[GluedRow]) -> None:
        if len(ways) >= MAX_WAYS:
            return
        if not rest:
            if found:
                ways.append(list(found))
            return
        for name_end in _name_ends(rest):
            name = rest[:name_end]
            for values, used in _values(rest[name_end:], wanted):
                found.append(GluedRow(name, values))
                walk(rest[name_end + used :], found)
                found.pop()

    walk(text, [])
    return _equal_halves(ways)


def _name_ends(text: str) -> list[int]:
    """Where a name may end: before a digit or comparator that follows a non-digit.
    A name starts with neither and holds no comparator (≥266 starts a target)."""
    ends: list[int] = []
    if not text or text[0].isdigit() or text[0] in _COMPARATOR + ".%":
        return ends
    for n in range(1, len(text)):
        if text[n - 1] in _COMPARATOR:
            break
        ch, before = text[n], text[n - 1]
        if (ch.isdigit() or ch in _COMPARATOR) and not before.isdigit() and before not in ".%":
            if before in _COMPARATOR:
                continue
            ends.append(n)
    return ends


def _values(text: str, columns: list[str]) -> Iterable[tuple[dict[str, str], int]]:
    def walk(at: int, n: int, taken: dict[str, str]) -> Iterable[tuple[dict[str, str], int]]:
        if n == len(columns):
            points, score = taken.get("points"), taken.get("score")
            if points is not None and score is not None and Decimal(score) > Decimal(points):
                return
            yield dict(taken), at
            return
        column = columns[n]
        for end in _value_ends(text, at, column):
            taken[column] = text[at:end]
            yield from walk(end, n + 1, taken)
            del taken[column]

    yield from walk(0, 0, {})


def _value_ends(text: str, at: int, column: str) -> list[int]:
    if column in _NUMBER_FIELDS:
        out = []
        for found in range(at + 1, min(len(text), at + 6) + 1):
            piece = text[at:found]
            if _POINTS.fullmatch(piece) and Decimal(piece) <= 100:
                # a figure does not stop in the middle of a number
                if found < len(text) and (text[found] == "." and piece.count(".") == 0):
                    continue
                out.append(found)
        return out
    return _target_ends(text, at)


_QUANTITY = re.compile(r"[" + _COMPARATOR + r"]?(?:0|[1-9]\d*)(?:\.\d+)?")


def _target_ends(text: str, at: int) -> list[int]:
    """Ends of a target or an actual: a comparator, a number and a unit (no digit, no
    comparator, up to six characters), or words with no digit."""
    out = []
    found = _QUANTITY.match(text, at)
    if found:
        end = found.end()
        for unit_end in range(end, min(len(text), end + 6) + 1):
            unit = text[end:unit_end]
            if any(ch.isdigit() or ch in _COMPARATOR for ch in unit):
                break
            out.append(unit_end)
        return out
    for end in range(at + 1, len(text) + 1):
        if text[end - 1].isdigit() or text[end - 1] in _COMPARATOR:
            break
        out.append(end)
    return out


def _equal_halves(ways: list[list[GluedRow]]) -> list[list[GluedRow]]:
    """Of the ways, those where a target and actual in words are equal, when there are
    any: words run together are read only when they repeat."""

    def words_equal(row: GluedRow) -> bool:
        target, actual = row.values.get("target"), row.values.get("actual")
        if target is None or actual is None:
            return True
        if any(ch.isdigit() for ch in target + actual):
            return True
        return target == actual

    kept = [way for way in ways if all(words_equal(row) for row in way)]
    return kept


def agreed_rows(ways: list[list[GluedRow]]) -> list[GluedRow] | None:
    """The rows every way reads, or None when the ways differ."""
    if not ways:
        return None
    first = ways[0]
    return first if all(way == first for way in ways[1:]) else None
