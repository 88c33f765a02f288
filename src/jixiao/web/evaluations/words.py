"""Words of the workflow as people read them, translatable (the domain's own
labels are Chinese only): states, trail actions and roles, for the actions'
messages and the pages."""

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from jixiao.writers.fonts import FONT_PACKAGE

STATES = {
    "draft": _("草稿"),
    "submitted": _("已提交"),
    "returned": _("已退回"),
    "resubmitted": _("已重新提交"),
    "checked": _("部门已审核"),  # two review levels: the 主管部门's approval, before the bureau's
    "approved": _("已通过（锁定）"),
    "deleted": _("已删除"),
}
ACTIONS = {
    "create": _("新建"),
    "save": _("保存"),
    "submit": _("提交"),
    "return": _("退回"),
    "approve": _("通过"),
    "withdraw": _("撤回"),
    "delete": _("删除草稿"),
    "spot_check": _("抽查"),
    "review_score": _("复核评分"),
    "evidence_add": _("上传佐证材料"),
    "evidence_remove": _("删除佐证材料"),
    "targets_set": _("批复绩效目标"),
}
STEPS = {
    "submit": pgettext_lazy("step", "提交"),
    "return": pgettext_lazy("step", "退回"),
    "approve": pgettext_lazy("step", "通过"),
    "withdraw": pgettext_lazy("step", "撤回"),
    "delete": pgettext_lazy("step", "删除"),
}
"""The workflow's steps as verbs (the trail's ACTIONS name what happened)."""
ROLES = {"filler": _("填报人员"), "reviewer": _("审核人员"), "admin": _("管理人员")}


def state(value: str) -> str:
    return str(STATES.get(value, value))


def action(value: str) -> str:
    return str(ACTIONS.get(value, value))


def step(value: str) -> str:
    return str(STEPS.get(value, value))


def role(value: str) -> str:
    return str(ROLES.get(value, value))


def undrawable(chars: list[str]) -> str:
    """Why a PDF was refused, in the reader's language: the characters and the fix."""
    return gettext(
        "无法导出 PDF：字符 %(chars)s 在 jixiao 自带字体和服务器字体中都没有字形，"
        "PDF 中会成为空框。请管理员在服务器上安装含有该字的字体"
        "（Debian/Ubuntu：apt-get install %(package)s）后重试；xlsx、docx 不受影响。"
    ) % {
        "chars": "、".join(f"「{c}」(U+{ord(c):04X})" for c in chars),
        "package": FONT_PACKAGE,
    }
