"""Accounts from an xlsx (the security administrator's): rows of 账号, 姓名, 组织 (a path or a
name found once; empty for an administrator role), 角色 (填报 / 审核 / 管理, or 系统管理员 /
安全管理员 / 审计管理员) and, if the sheet has the column, 电子邮箱 (where 催报 is mailed; an
empty cell clears it, a sheet without the column leaves the addresses as they are). An account not there is created with a one-time password, shown once
in the report, which its owner changes at the first sign-in; one there gets the row's role and
place if they differ. All or nothing, every refused row named; run twice, the second run
changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from jixiao.web import accounts
from jixiao.web.evaluations.actions.errors import ServiceError

from . import account_email, organisations, roles, sheets

COLUMNS = {
    "username": ("账号", "用户名", "Account", "Username"),
    "name": ("姓名", "Name"),
    "organisation": ("组织", "所在组织", "单位", "Organisation"),
    "role": ("角色", "Role"),
    "email": ("电子邮箱", "邮箱", "E-mail", "Email"),
}
ROLE_WORDS = {
    "填报": "filler",
    "审核": "reviewer",
    "管理": "admin",
    "系统管理员": "system",
    "安全管理员": "security",
    "审计管理员": "audit",
}
ROLE_WORDS.update({v: v for v in list(ROLE_WORDS.values())})


def import_accounts(*, user: Any, data: bytes, file: str) -> sheets.Report:
    roles.require(user, roles.SECURITY)
    lines = sheets.read(data, file, COLUMNS, ["username", "role"])
    report = sheets.Report(file)
    seen: dict[str, int] = {}
    return sheets.apply(lines, report, lambda line: _line(user, line, report, seen))


def _line(actor: Any, line: sheets.Line, report: sheets.Report, seen: dict[str, int]) -> None:
    username = line.get("username")
    if not username:
        raise sheets.RowProblem(line.error("username", _("账号不能为空")))
    folded = username.casefold()
    if folded in seen:
        raise sheets.RowProblem(
            line.error("username", _("与第 %(row)s 行的账号重复") % {"row": seen[folded]})
        )
    seen[folded] = line.number
    role = ROLE_WORDS.get(line.get("role").casefold(), "")
    if not role:
        raise sheets.RowProblem(
            line.error("role", _("角色应为填报、审核、管理、系统管理员、安全管理员或审计管理员"))
        )
    organisation = None
    if role in accounts.BUSINESS_ROLES:
        text = line.get("organisation")
        if not text:
            raise sheets.RowProblem(line.error("organisation", _("业务角色须填写组织")))
        found = organisations.find(text)
        if not found:
            raise sheets.RowProblem(
                line.error("organisation", _("没有名为“%(text)s”的组织") % {"text": text})
            )
        if len(found) > 1:
            raise sheets.RowProblem(
                line.error("organisation", _("“%(text)s”不止一个，请写出完整路径") % {"text": text})
            )
        organisation = found[0]
    email = None  # not in the sheet: left as it is
    if "email" in line.cells:
        try:
            email = account_email.clean(line.get("email"))
        except ServiceError as error:
            raise sheets.RowProblem(line.error("email", error.message)) from None
    there = get_user_model().objects.filter(username__iexact=username).first()
    key = "username" if there is None else "organisation"
    try:
        if there is None:
            made, word = accounts.create_account(
                actor=actor,
                username=username,
                name=line.get("name"),
                organisation=organisation,
                role=role,
            )
            if email:
                account_email.set_email(actor=actor, user=made, email=email)
            report.created += 1
            report.notes.append((made.username, word))
            return
        placed = accounts.set_place(actor=actor, user=there, organisation=organisation, role=role)
        mailed = email is not None and account_email.set_email(actor=actor, user=there, email=email)
        if placed or mailed:
            report.changed += 1
        else:
            report.unchanged += 1
    except ServiceError as error:
        raise sheets.RowProblem(line.error(key, error.message)) from None


HEADS = ["账号", "姓名", "组织", "角色", "电子邮箱", "状态"]


def export() -> bytes:
    """Every account as the import reads it (and its state, which the import does not set)."""
    words = {v: k for k, v in ROLE_WORDS.items() if k != v}
    users = get_user_model().objects.select_related("membership__organisation", "admin_role")
    rows = []
    for user in users.order_by("username"):
        place = getattr(user, "membership", None)
        role = getattr(getattr(user, "admin_role", None), "role", None) or (
            place.role if place else ""
        )
        rows.append(
            (
                user.username,
                user.first_name,
                organisations.path(place.organisation) if place else "",
                words.get(role, ""),
                user.email,
                "在用" if user.is_active else "停用",
            )
        )
    return sheets.write("账号", HEADS, rows)
