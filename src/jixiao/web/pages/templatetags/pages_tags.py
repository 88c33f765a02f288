"""Filters for the pages: a finding's words in the page's language."""

from django import template
from django.utils.translation import get_language

from jixiao.web.pages import labels

register = template.Library()


@register.filter
def severity_label(finding) -> str:
    return labels.severity(finding.severity.value)


@register.filter
def message(finding) -> str:
    """The finding's message in English on English pages, Chinese otherwise."""
    english = (get_language() or "").startswith("en")
    return finding.message_en if english and finding.message_en else finding.message


@register.filter
def acknowledged(finding, reasons: dict) -> str:
    """The unit's reason for an error it submitted without changing (by finding key)."""
    return (reasons or {}).get(f"{finding.code}@{finding.field}", "")
