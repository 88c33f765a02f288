"""Filters for the pages: a finding's words in the page's language."""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao.domain import approved_targets
from jixiao.web.pages import labels

register = template.Library()


@register.filter
def severity_label(finding) -> str:
    return labels.severity(finding.severity.value)


def _field(finding, name: str):
    """A finding's attribute, whether a domain Finding or a stored one (a dict)."""
    return finding.get(name) if isinstance(finding, dict) else getattr(finding, name)


@register.filter
def message(finding) -> str:
    """The finding's message in English on English pages, Chinese otherwise; a
    changed approved target says what was approved, what is there now and why."""
    if _field(finding, "code") == approved_targets.CODE and _field(finding, "printed") is not None:
        said = (
            _("分值与批复不一致：原 %(old)s，现 %(new)s，理由：%(why)s")
            if _field(finding, "field").endswith(".points")
            else _("指标值与批复不一致：原 %(old)s，现 %(new)s，理由：%(why)s")
        )
        return said % {
            "old": _field(finding, "expected") or _("（空）"),
            "new": _field(finding, "printed"),
            "why": _field(finding, "explanation") or _("（未说明）"),
        }
    english = (get_language() or "").startswith("en")
    return (
        _field(finding, "message_en")
        if english and _field(finding, "message_en")
        else _field(finding, "message")
    )


@register.filter
def acknowledged(finding, reasons: dict) -> str:
    """The unit's reason for an error it submitted without changing (by finding key)."""
    return (reasons or {}).get(f"{finding.code}@{finding.field}", "")


@register.simple_tag(takes_context=True)
def sheet_cell(context, cell, row=None, compact=False):
    """One field of the sheet, built in Python (:func:`jixiao.web.pages.sheet.cell_html`)."""
    from django.utils.safestring import mark_safe

    from jixiao.web.pages import sheet

    return mark_safe(
        sheet.cell_html(
            cell,
            mode=context.get("mode") or "view",
            row_label=row.label if compact and row is not None else "",
            compact=compact,
            approving="approve" in (context.get("actions") or ()),
            acknowledgements=context.get("acknowledgements"),
        )
    )


@register.simple_tag(takes_context=True)
def sheet_notes(context, holder, oob=False):
    """The notes of a field or a part (:func:`jixiao.web.pages.sheet.notes_html`)."""
    from django.utils.safestring import mark_safe

    from jixiao.web.pages import sheet

    return mark_safe(sheet.notes_html(holder, context.get("acknowledgements"), oob=oob))


@register.simple_tag
def sheet_calc(cell, oob=False):
    """The rules' figure beside a field (:func:`jixiao.web.pages.sheet.calc_html`)."""
    from django.utils.safestring import mark_safe

    from jixiao.web.pages import sheet

    return mark_safe(sheet.calc_html(cell, oob=oob))
