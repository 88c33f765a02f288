"""Words of the workflow as the pages show them, translatable (the domain's
own labels are Chinese only)."""

from django.utils.translation import gettext_lazy as _

STATES = {
    "draft": _("草稿"), "submitted": _("已提交"), "returned": _("已退回"),
    "resubmitted": _("已重新提交"), "approved": _("已通过（锁定）"),
}
ACTIONS = {
    "create": _("新建"), "save": _("保存"), "submit": _("提交"), "return": _("退回"),
    "approve": _("通过"), "spot_check": _("抽查"), "review_score": _("复核评分"),
    "evidence_add": _("上传佐证材料"), "evidence_remove": _("删除佐证材料"),
}


def state(value: str) -> str:
    return str(STATES.get(value, value))


def action(value: str) -> str:
    return str(ACTIONS.get(value, value))

SEVERITIES = {"error": _("错误"), "warning": _("警告"), "info": _("提示")}


def severity(value: str) -> str:
    return str(SEVERITIES.get(value, value))
