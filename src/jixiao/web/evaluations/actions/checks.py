"""Input checks every write makes before it touches the database: what PostgreSQL would
refuse with a server error (a NUL character, text longer than its column, an id beyond
its integer) is refused here with a message naming the place (422), on SQLite as well;
and a stale version is refused (409) before anything is overwritten."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao.contract import fields, paths

from .errors import Conflict, Invalid

DB_INT = 2**31 - 1
"""Ids and years beyond this exist nowhere (and overflow some databases)."""


def db_id(value: int) -> bool:
    """Whether ``value`` can be a row's id (so looking it up cannot overflow)."""
    return 0 < value <= DB_INT


def storable(value, where: str) -> None:
    """PostgreSQL keeps no NUL character in text or jsonb: refuse it here (422, naming
    the place) instead of failing in the database with a server error."""
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid(_("%(where)s：含有空字符（NUL），无法保存") % {"where": where})
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key, where)
            storable(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            storable(item, f"{where}[{n}]")


def fits(model, field: str, value: str | None) -> None:
    """PostgreSQL refuses text longer than its column where SQLite keeps it:
    refuse it here (422, naming the field) instead of a server error."""
    column = model._meta.get_field(field)
    if value is not None and len(value) > column.max_length:
        raise Invalid(
            _("%(field)s超过 %(limit)s 个字符（现为 %(length)s 个），无法保存")
            % {"field": _(column.verbose_name), "limit": column.max_length, "length": len(value)}
        )


def current(evaluation, version: int | None) -> None:
    """The version the user edited is still the form's (``None``: not asked), else 409."""
    if version is not None and version != evaluation.version:
        raise Conflict(
            _(
                "自评表已被他人修改：您编辑的是第 %(yours)s 版，当前为第 %(now)s 版。"
                "请重新打开后再修改，您的改动未保存。"
            )
            % {"yours": version, "now": evaluation.version}
        )


# Limits on what one form may hold (#21): a 100,000-character field made a 31-second PDF
# and 5,000 indicator rows a 23 MB page. The printed forms hold far less: a name or a
# target is a line, a narrative box a few hundred characters, a table a few dozen rows.
NAME_CHARS = 300
"""Names and short values: the project's, the units', an indicator's levels, name, target,
actual and unit of measure (the project name's column holds 300 as well)."""
NARRATIVE_CHARS = 5000
"""Narratives: goals and results, deviation reasons, rules, achievements, conclusions."""
FIGURE_CHARS = 100
"""A figure, a date, a choice (held as text in the contract JSON)."""
OTHER_CHARS = 20000
"""Anything else a reader kept (a line it could not read, in ``problems``)."""
MAX_INDICATORS = 200
"""Indicator rows of one form."""

_NAMES = {
    "project.name",
    "project.department",
    "project.unit",
    "project.division",
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "measure_unit",
}


def limits(data: dict) -> None:
    """The form's JSON within the limits above, else 422 naming the field and its limit."""
    rows = data.get("indicators") or []
    if len(rows) > MAX_INDICATORS:
        raise Invalid(
            _("指标不能超过 %(limit)s 行（现为 %(rows)s 行），无法保存")
            % {"limit": MAX_INDICATORS, "rows": len(rows)}
        )
    _within(data, "")


def _within(value, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _within(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _within(item, f"{path}[{n}]")
    elif isinstance(value, str) and len(value) > FIGURE_CHARS:
        known = fields.field(path)
        row = paths.indicator_of(path)
        key = row[1] if row is not None else path
        if known is None:
            limit = OTHER_CHARS
        elif known.kind is not fields.Kind.TEXT:
            limit = FIGURE_CHARS
        else:
            limit = NAME_CHARS if key in _NAMES else NARRATIVE_CHARS
        if len(value) <= limit:
            return
        chinese = (get_language() or "zh-hans").lower().startswith("zh")
        label = path if known is None else known.label if chinese else known.label_en
        if row is not None:
            label = _("第 %(n)s 个指标的%(field)s") % {"n": row[0] + 1, "field": label}
        raise Invalid(
            _("%(field)s超过 %(limit)s 个字符（现为 %(length)s 个），无法保存")
            % {"field": label, "limit": limit, "length": len(value)}
        )


# Figures as people type them, and figures no form holds (#19): a negative 分值, a
# 22-digit score, "1,2,0" (not 120: the commas group no thousands) are refused at their
# field with the reason, every one at once.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_MOST = {
    fields.Kind.AMOUNT: (
        Decimal("1e15"),
        6,
    ),  # money: below 10^15 (元), to 6 places (万元 to the 分)
    fields.Kind.RATE: (Decimal("1e6"), 4),
    fields.Kind.POINTS: (Decimal("1000"), 4),
    fields.Kind.SCORE: (Decimal("1000"), 4),
}
FIGURE_KINDS = frozenset(_MOST)


def figure_kind(path: str) -> fields.Kind | None:
    """The kind of figure a path holds (an amount, a rate, points, a score), or None."""
    known = fields.field(path)
    return known.kind if known is not None and known.kind in _MOST else None


def typed_figure(path: str, text: str) -> tuple[str | None, str | None]:
    """A figure as typed (``1,234.50``, ``１２``, `` 9.5 ``) → (the figure's text, None),
    or (None, what is wrong in the user's words). Empty is (None, None)."""
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("，", ",")
    if not value:
        return None, None
    if "," in value:
        if not _GROUPED.fullmatch(value):
            return None, _("“%(text)s”不是数字（逗号只能用作千位分隔，如 1,234.50）") % {
                "text": text.strip()
            }
        value = value.replace(",", "")
    if not _PLAIN.fullmatch(value):
        return None, _("“%(text)s”不是数字") % {"text": text.strip()}
    problem = figure_problem(path, value)
    return (None, problem) if problem else (value, None)


def figure_problem(path: str, text: str) -> str | None:
    """What is wrong with a figure no form holds (negative, too large, too many places)."""
    kind = figure_kind(path)
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return _("“%(text)s”不是数字") % {"text": text}
    if kind is None or not value.is_finite():
        return None if value.is_finite() else _("“%(text)s”不是数字") % {"text": text}
    most, digits = _MOST[kind]
    if value < 0:
        return _("不能为负数：%(text)s") % {"text": text}
    if value >= most:
        return _("数字过大：%(text)s（应小于 %(most)s）") % {"text": text, "most": f"{most:,f}"}
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        return _("小数位过多：%(text)s（最多 %(n)s 位）") % {"text": text, "n": digits}
    return None


def figure_problems(data: dict) -> dict[str, str]:
    """Every figure of a form's JSON that no form holds, by path (see :func:`figure_problem`)."""
    found: dict[str, str] = {}

    def walk(value, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in ("sources", "problems", "source", "targets"):
                    walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for n, item in enumerate(value):
                walk(item, f"{path}[{n}]")
        elif (
            isinstance(value, str)
            and figure_kind(path) is not None
            and (problem := figure_problem(path, value))
        ):
            found[path] = problem

    walk(data, "")
    return found
