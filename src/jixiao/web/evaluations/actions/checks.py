"""Input checks every write makes before it touches the database: what PostgreSQL would
refuse with a server error (a NUL character, text longer than its column, an id beyond
its integer) is refused here with a message naming the place (422), on SQLite as well;
and a stale version is refused (409) before anything is overwritten."""

from __future__ import annotations

from django.utils.translation import gettext as _

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
