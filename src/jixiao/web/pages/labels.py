"""Words of the workflow as the pages show them, translatable (the domain's
own labels are Chinese only)."""

from django.utils.translation import gettext_lazy as _

from jixiao.web.evaluations.words import ACTIONS, STATES, action, state  # noqa: F401  (the pages' names)

SEVERITIES = {"error": _("错误"), "warning": _("警告"), "info": _("提示")}


def severity(value: str) -> str:
    return str(SEVERITIES.get(value, value))
